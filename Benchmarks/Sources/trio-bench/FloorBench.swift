import DequeModule

/// The Swift floor under the Trio workloads: the same shapes (spawn and one suspension, two tasks
/// ping-ponging, a parked task's memory) with bare Swift tasks on a minimal single-thread
/// executor and no Trio code at all. Every Trio task is one such Swift task (see the Architecture
/// article in Trio.docc), so these numbers bound what swift-trio can reach on the machine; compare
/// ratios, in one run.
let floorWorkloads: [Workload] = [
    Workload(name: "floor_spawn", run: floorSpawn),
    Workload(name: "floor_yield", run: floorYield),
    Workload(name: "floor_memory", isolated: true, run: floorMemory),
]

/// A minimal executor: a FIFO of jobs and of parked tasks, drained on the calling thread.
private final class FloorLoop: TaskExecutor, SerialExecutor, @unchecked Sendable {
    var jobs = Deque<UnownedJob>()
    var wakeups = Deque<UnownedJob>()
    var parkedJob: UnownedJob?
    var living = 0
    lazy var spot = FloorSpot(loop: self)

    func enqueue(_ job: consuming ExecutorJob) { jobs.append(UnownedJob(job)) }

    func drain() {
        while living > 0 {
            while let job = jobs.popFirst() { job.runSynchronously(on: asUnownedTaskExecutor()) }
            var count = wakeups.count
            while count > 0, let job = wakeups.popFirst() {
                count -= 1
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
    }
}

/// Suspends a task by hopping onto an executor that keeps its job (as the Trio runner does).
private actor FloorSpot {
    nonisolated let executor: FloorSpotExecutor
    private var parks = 0
    init(loop: FloorLoop) { executor = FloorSpotExecutor(loop: loop) }
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    func park() { parks &+= 1 }
}

private final class FloorSpotExecutor: SerialExecutor, @unchecked Sendable {
    unowned let loop: FloorLoop
    /// Where the next parked job goes: straight back to the queue (a yield), or held.
    var hold = false
    init(loop: FloorLoop) { self.loop = loop }
    func enqueue(_ job: consuming ExecutorJob) {
        if hold { loop.parkedJob = UnownedJob(job) } else { loop.wakeups.append(UnownedJob(job)) }
    }
}

/// 10 000 bare tasks that each suspend once; tasks per second (best of 5, like `spawn`).
@Sendable private func floorSpawn() throws {
    let count = 10_000
    var best = 0.0
    for _ in 0..<5 {
        let loop = FloorLoop()
        let spot = loop.spot
        loop.living = count
        let start = monotonicSeconds()
        for _ in 0..<count {
            Task(executorPreference: loop) {
                await spot.park()
                loop.living -= 1
            }
        }
        loop.drain()
        best = max(best, Double(count) / (monotonicSeconds() - start))
    }
    report("spawn", best, "tasks/s", impl: "swift-floor")
}

/// Two bare tasks suspending 500 000 times each; suspensions per second (like `yield`).
@Sendable private func floorYield() throws {
    let perTask = 500_000
    let loop = FloorLoop()
    let spot = loop.spot
    loop.living = 2
    let start = monotonicSeconds()
    for _ in 0..<2 {
        Task(executorPreference: loop) {
            for _ in 0..<perTask { await spot.park() }
            loop.living -= 1
        }
    }
    loop.drain()
    report("yield", Double(2 * perTask) / (monotonicSeconds() - start), "checkpoints/s", impl: "swift-floor")
}

/// RSS growth per bare task parked forever, 100 000 tasks (like `memory_sleep`, without a timer).
@Sendable private func floorMemory() throws {
    let count = 100_000
    let loop = FloorLoop()
    let spot = loop.spot
    spot.executor.hold = true
    var parked: [UnownedJob] = []
    parked.reserveCapacity(count)
    let before = residentBytes()
    for _ in 0..<count {
        Task(executorPreference: loop) { await spot.park() }
        while let job = loop.jobs.popFirst() { job.runSynchronously(on: loop.asUnownedTaskExecutor()) }
        if let job = loop.parkedJob { parked.append(job) }
        loop.parkedJob = nil
    }
    let after = residentBytes()
    report("memory_sleep", Double(after - before) / Double(count), "bytes/task", impl: "swift-floor")
    // Let them finish, so the process exits cleanly.
    spot.executor.hold = false
    for job in parked { job.runSynchronously(on: loop.asUnownedTaskExecutor()) }
}
