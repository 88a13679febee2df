import ArgumentParser
import Trio

#if canImport(Glibc)
import Glibc
#endif

/// Trio-flavored workloads.
let trioWorkloads: [Workload] = [
    Workload(name: "spawn", run: benchSpawn),
    Workload(name: "spawn_rounds", run: benchSpawnRounds),
    Workload(name: "yield", run: benchYield),
    Workload(name: "timers", run: benchTimers),
    Workload(name: "memory_sleep", isolated: true, run: benchMemorySleep),
    Workload(name: "memory_wait", isolated: true, run: benchMemoryWait),
    channelWorkload(bufferSize: 0),
    channelWorkload(bufferSize: 100),
    toThreadWorkload,
    swiftAsTrioWorkload,
    trioThreadRunWorkload,
]

/// Trio-flavored extra commands (servers driven by a load generator).
let trioBenchCommands: [any ParsableCommand.Type] = [
    EchoServerBench.self,
    EchoBench.self,
]

/// Resident set size in bytes, from /proc/self/statm.
func residentBytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 128)
    guard fgets(&line, 128, file) != nil else { return 0 }
    let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// 10 000 tasks that each checkpoint once; tasks per second.
@Sendable func benchSpawn() throws {
    let n = 10_000
    var best = 0.0
    for _ in 0..<5 {
        let elapsed = try Trio.run {
            let start = monotonicSeconds()
            try await spawnRound(n)
            return monotonicSeconds() - start
        }
        best = max(best, Double(n) / elapsed)
    }
    report("spawn", best, "tasks/s")
}

/// 20 nurseries in sequence in one run, each starting 10 000 tasks that checkpoint once (as
/// `Python/bench.py spawn_rounds`), and the same measurement as `aio_spawn` (total time, not the best of fresh
/// runs), for comparing the two.
@Sendable func benchSpawnRounds() throws {
    let count = 10_000, rounds = 20
    let elapsed = try Trio.run {
        let start = monotonicSeconds()
        for _ in 0..<rounds { try await spawnRound(count) }
        return monotonicSeconds() - start
    }
    report("spawn_rounds", Double(count * rounds) / elapsed, "tasks/s")
}

/// One nursery of `count` tasks that each checkpoint once.
private func spawnRound(_ count: Int) async throws {
    try await withNursery { nursery in
        for _ in 0..<count { try nursery.startSoon { try await Trio.checkpoint() } }
    }
}

/// Two tasks ping-pong through checkpoints; checkpoints per second.
@Sendable func benchYield() throws {
    let perTask = 500_000
    let elapsed = try Trio.run {
        let start = monotonicSeconds()
        try await withNursery { nursery in
            for _ in 0..<2 {
                try nursery.startSoon { for _ in 0..<perTask { try await Trio.checkpoint() } }
            }
        }
        return monotonicSeconds() - start
    }
    report("yield", Double(2 * perTask) / elapsed, "checkpoints/s")
}

/// 10 000 tasks sleeping a random 0–100 ms: wall milliseconds beyond the longest sleep (`timers`, and again
/// as `timers_overhead`), plus the wall time and the mean and p99 lateness (medians of 5 rounds).
@Sendable func benchTimers() throws {
    let n = 10_000
    var generator = SplitMix64(seed: 42)
    let delays = (0..<n).map { i in i == 0 ? 0.1 : Double(generator.next() % 100_001) / 1_000_000 }
    var walls: [Double] = []
    var means: [Double] = []
    var p99s: [Double] = []
    for _ in 0..<5 {
        let (wall, late) = try Trio.run { () -> (Double, [Double]) in
            var late: [Double] = []
            late.reserveCapacity(n)
            let start = monotonicSeconds()
            try await withNursery { nursery in
                for delay in delays {
                    try nursery.startSoon {
                        let target = monotonicSeconds() + delay
                        try await Trio.sleep(delay)
                        late.append(monotonicSeconds() - target)
                    }
                }
            }
            return (monotonicSeconds() - start, late)
        }
        walls.append(wall * 1000)
        let sorted = late.sorted()
        means.append(sorted.reduce(0, +) / Double(sorted.count) * 1000)
        p99s.append(sorted[Int(0.99 * Double(sorted.count - 1))] * 1000)
    }
    let overhead = median(walls) - 100
    report("timers", overhead, "ms")
    report("timers_wall", median(walls), "ms")
    report("timers_overhead", overhead, "ms")
    report("timers_late_mean", median(means), "ms")
    report("timers_late_p99", median(p99s), "ms")
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

/// A tiny deterministic generator, so every run sleeps the same delays.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// RSS growth per sleeping task with 100 000 tasks asleep (each has a timer).
@Sendable func benchMemorySleep() throws {
    report("memory_sleep", try parkedTaskBytes { try await Trio.sleep(3600) }, "bytes/task")
}

/// RSS growth per task with 100 000 tasks waiting on one Event (no timer).
@Sendable func benchMemoryWait() throws {
    let event = UnsafeBox(Trio.Event())
    report("memory_wait", try parkedTaskBytes { try await event.value.wait() }, "bytes/task")
}

/// Parks 100 000 tasks in `park`, measures the RSS growth per task, then cancels them.
func parkedTaskBytes(_ park: @escaping @Sendable () async throws -> Void) throws -> Double {
    let n = 100_000
    return try Trio.run {
        let before = residentBytes()
        var after = 0
        try await withNursery { nursery in
            for _ in 0..<n { try nursery.startSoon { try await park() } }
            try await Lowlevel.waitAllTasksBlocked()
            after = residentBytes()
            nursery.cancelScope.cancel()
        }
        return Double(after - before) / Double(n)
    }
}

/// Hands a run-local object to `@Sendable` benchmark closures (everything runs on the run's thread).
final class UnsafeBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
