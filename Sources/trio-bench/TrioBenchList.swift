import ArgumentParser
import Trio

#if canImport(Glibc)
import Glibc
#endif

/// Trio-flavored workloads.
let trioWorkloads: [Workload] = [
    Workload(name: "spawn", run: benchSpawn),
    Workload(name: "yield", run: benchYield),
    Workload(name: "timers", run: benchTimers),
    Workload(name: "memory_sleep", run: benchMemorySleep),
]

/// Trio-flavored extra commands (servers driven by a load generator).
let trioBenchCommands: [any ParsableCommand.Type] = []

func wallSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Resident set size in bytes, from /proc/self/statm.
func residentBytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 128)
    guard fgets(&line, 128, file) != nil else { return 0 }
    let fields = String(cString: line).split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// 10 000 tasks that each checkpoint once; tasks per second.
@Sendable func benchSpawn() throws {
    let n = 10_000
    var best = 0.0
    for _ in 0..<5 {
        let elapsed = try Trio.run {
            let start = wallSeconds()
            try await withNursery { nursery in
                for _ in 0..<n { try nursery.startSoon { try await Trio.checkpoint() } }
            }
            return wallSeconds() - start
        }
        best = max(best, Double(n) / elapsed)
    }
    report("spawn", best, "tasks/s")
}

/// Two tasks ping-pong through checkpoints; checkpoints per second.
@Sendable func benchYield() throws {
    let perTask = 500_000
    let elapsed = try Trio.run {
        let start = wallSeconds()
        try await withNursery { nursery in
            for _ in 0..<2 {
                try nursery.startSoon { for _ in 0..<perTask { try await Trio.checkpoint() } }
            }
        }
        return wallSeconds() - start
    }
    report("yield", Double(2 * perTask) / elapsed, "checkpoints/s")
}

/// 10 000 tasks sleeping a random 0–100 ms; wall milliseconds beyond the 100 ms the longest sleeps.
@Sendable func benchTimers() throws {
    let n = 10_000
    let elapsed = try Trio.run {
        let start = wallSeconds()
        try await withNursery { nursery in
            for i in 0..<n {
                let delay = i == 0 ? 0.1 : Double.random(in: 0...0.1)
                try nursery.startSoon { try await Trio.sleep(delay) }
            }
        }
        return wallSeconds() - start
    }
    report("timers", (elapsed - 0.1) * 1000, "ms")
}

/// RSS growth per sleeping task with 100 000 tasks asleep.
@Sendable func benchMemorySleep() throws {
    let n = 100_000
    let perTask = try Trio.run {
        let before = residentBytes()
        var after = 0
        try await withNursery { nursery in
            for _ in 0..<n { try nursery.startSoon { try await Trio.sleep(3600) } }
            try await Lowlevel.waitAllTasksBlocked()
            after = residentBytes()
            nursery.cancelScope.cancel()
        }
        return Double(after - before) / Double(n)
    }
    report("memory_sleep", perTask, "bytes/task")
}
