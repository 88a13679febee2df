import Synchronization
import TestSupport
import Testing
import Trio
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

/// Task-tree snapshots (`Lowlevel.taskTree`, `TrioToken.taskTree`) and deadlock reports. These look at
/// whole runs (the root's shape, what `Trio.run` itself throws on a deadlock), so they call `Trio.run`
/// directly rather than through the `.trio` trait, whose own tasks would be part of the tree. The two
/// with a `swiftAsTrio` child run on a thread of their own (`runMockedAsync`): the child needs a thread
/// of the cooperative pool, which a run blocking one could starve.
@Suite struct TaskTreeTests {
    typealias Wait = TaskTreeSnapshot.Wait

    /// The scope frames of a task, for comparing with expectations.
    static func scopes(_ task: TaskTreeSnapshot.TaskNode?) -> [TaskTreeSnapshot.ScopeNode] {
        task?.frames.map {
            switch $0 {
            case .cancelScope(let scope): return scope
            case .nursery(let nursery): return nursery.scope
            }
        } ?? []
    }

    // On a thread of its own (runMockedAsync): its swiftAsTrio child needs a thread of the cooperative
    // pool, which a run blocking one of them could starve.
    @Test func treeShowsNurseriesScopesAndWhatEveryParkedTaskWaitsFor() async throws {
        let (snapshot, pipeRead) = try await runMockedAsync { () -> (TaskTreeSnapshot, Int32) in
            let event = Event()
            let lock = Lock()
            let semaphore = Semaphore(0)
            let condition = Condition()
            let limiter = CapacityLimiter(1)
            let lot = ParkingLot()
            let (send, _) = openMemoryChannel(of: Int.self, maxBufferSize: 0)
            let (_, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 0)
            var fds: [Int32] = [-1, -1]
            #expect(pipe(&fds) == 0)
            let shield = CancelScope(shield: true)
            let innerShield = CancelScope(shield: true)
            let withReason = CancelScope()
            withReason.cancel(reason: "told to stop")
            let threadGate = Gate()
            var snapshot: TaskTreeSnapshot?
            try await lock.acquire()
            try await limiter.acquire()
            try await withNursery { nursery in
                try nursery.startSoon(name: "sleeper") { try await sleep(10) }
                try nursery.startSoon(name: "forever") { try await sleepForever() }
                try nursery.startSoon(name: "event") { try await event.wait() }
                try nursery.startSoon(name: "lock") { try await lock.acquire() }
                try nursery.startSoon(name: "semaphore") { try await semaphore.acquire() }
                try nursery.startSoon(name: "condition") { try await condition.withLock { try await condition.wait() } }
                try nursery.startSoon(name: "limiter") { try await limiter.acquire() }
                try nursery.startSoon(name: "lot") { try await lot.park() }
                try nursery.startSoon(name: "send") { try await send.send(1) }
                try nursery.startSoon(name: "receive") { _ = try await receive.receive() }
                try nursery.startSoon(name: "fd") { try await waitReadable(fds[0]) }
                try nursery.startSoon(name: "thread") { try await ToThread.runSync { threadGate.wait() } }
                try nursery.startSoon(name: "swift") {
                    try await swiftAsTrio { try await Task.sleep(for: .seconds(3600)) }
                }
                try nursery.startSoon(name: "idle") { try await waitAllTasksBlocked(cushion: 3600) }
                try nursery.startSoon(name: "outer") {
                    try await CancelScope(relativeDeadline: 50).run {
                        try await withNursery { inner in
                            try inner.startSoon(name: "shielded") { try await shield.run { try await sleepForever() } }
                            try inner.startSoon(name: "reason") {
                                try await withReason.run { try await innerShield.run { try await sleepForever() } }
                            }
                        }
                    }
                }
                try await waitAllTasksBlocked()
                snapshot = try Lowlevel.taskTree()
                // Let everything go.
                nursery.cancelScope.cancel()
                shield.shield = false
                innerShield.shield = false
                threadGate.open()
            }
            try lock.release()
            try limiter.release()
            close(fds[1])
            return (snapshot!, fds[0])
        }
        close(pipeRead)

        let main = try #require(snapshot.task(named: "main"))
        #expect(main.state == .running)
        #expect(main.nurseries.count == 1)
        #expect(main.children.map(\.name) == [
            "sleeper", "forever", "event", "lock", "semaphore", "condition", "limiter", "lot", "send", "receive",
            "fd", "thread", "swift", "idle", "outer",
        ])
        func wait(_ name: String) -> Wait? { snapshot.task(named: name)?.wait }
        #expect(wait("sleeper") == .sleep(until: 10))
        #expect(wait("forever") == .sleepForever)
        guard case .event = wait("event") else { Issue.record("event: \(String(describing: wait("event")))"); return }
        guard case .lock(_, "Lock", .some("main"))? = wait("lock") else {
            Issue.record("lock: \(String(describing: wait("lock")))")
            return
        }
        guard case .semaphore(_, 0)? = wait("semaphore") else { Issue.record("semaphore"); return }
        guard case .condition? = wait("condition") else { Issue.record("condition"); return }
        guard case .capacityLimiter(_, 1, 1)? = wait("limiter") else { Issue.record("limiter"); return }
        guard case .parkingLot? = wait("lot") else { Issue.record("lot"); return }
        guard case .channelSend? = wait("send") else { Issue.record("send"); return }
        guard case .channelReceive? = wait("receive") else { Issue.record("receive"); return }
        #expect(wait("fd") == .readable(fd: pipeRead))
        #expect(wait("thread") == .thread)
        #expect(wait("swift") == .swiftAsTrio)
        #expect(wait("idle") == .allTasksBlocked(cushion: 3600))
        // Two different channels: two different object numbers.
        if case .channelSend(let a)? = wait("send"), case .channelReceive(let b)? = wait("receive") { #expect(a != b) }

        let outer = try #require(snapshot.task(named: "outer"))
        #expect(outer.wait == .nurseryChildren)
        #expect(outer.cancelScopes.map(\.deadline) == [50])
        #expect(outer.nurseries.count == 1)
        #expect(outer.children.map(\.name) == ["shielded", "reason"])
        #expect(Self.scopes(snapshot.task(named: "shielded")).map(\.shield) == [true])
        let reasonScopes = Self.scopes(snapshot.task(named: "reason"))
        #expect(reasonScopes.map(\.cancelReason) == ["told to stop", nil])
        #expect(reasonScopes.map(\.effectivelyCancelled) == [true, false])
        #expect(reasonScopes.map(\.shield) == [false, true])

        let text = snapshot.render()
        // (Trio.runAsync keeps a cancel scope around main, for the caller's Task.cancel().)
        #expect(text.hasPrefix("Trio task tree at t=0.000\nmain · running\n└─ cancel scope\n   └─ nursery\n"), "\(text)")
        #expect(text.contains("sleeper (TrioTests/TaskTreeTests.swift:"), "\(text)")
        #expect(text.contains("sleep until t=10.000 (in 10.000 s)"), "\(text)")
        #expect(text.contains("Lock.acquire (Lock #"), "\(text)")
        #expect(text.contains("held by main)"), "\(text)")
        #expect(text.contains("cancel scope · deadline t=50.000 (in 50.000 s)"), "\(text)")
        #expect(text.contains("cancel scope · cancelled (\"told to stop\")"), "\(text)")
        #expect(text.contains("cancel scope · shielded"), "\(text)")
        #expect(text.contains("waitReadable(fd \(pipeRead))"), "\(text)")
        #expect(!text.contains("<init>"))
        #expect(snapshot.render(showRunInternals: true).contains("<init> [system]"))
        // Rendering is stable.
        #expect(text == snapshot.render())
    }

    @Test func parkedSinceIsTheRunsClockWhenTheTaskParked() throws {
        let snapshot = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> TaskTreeSnapshot in
            let event = Event()
            var snapshot: TaskTreeSnapshot?
            try await withNursery { nursery in
                try await sleep(5)
                try nursery.startSoon(name: "late") { try await event.wait() }
                try await sleep(2)
                snapshot = try Lowlevel.taskTree()
                event.set()
            }
            return snapshot!
        }
        #expect(snapshot.time == 7)
        guard case .parked(_, let since)? = snapshot.task(named: "late")?.state else {
            Issue.record("late is not parked")
            return
        }
        #expect(since == 5)
        #expect(snapshot.render().contains("parked since t=5.000 (2.000 s): Event.wait (Event #1)"))
    }

    @Test func anotherThreadGetsAConsistentTreeThroughTheToken() throws {
        let snapshot = try Trio.run { () -> TaskTreeSnapshot in
            let token = try Lowlevel.currentTrioToken()
            let event = Event()
            var snapshot: TaskTreeSnapshot?
            try await withNursery { nursery in
                try nursery.startSoon(name: "waiter") { try await event.wait() }
                try await waitAllTasksBlocked()
                snapshot = try await ToThread.runSync { try token.taskTree() }
                event.set()
            }
            return snapshot!
        }
        #expect(snapshot.task(named: "main")?.wait == .thread)
        guard case .event? = snapshot.task(named: "waiter")?.wait else {
            Issue.record("\(snapshot.render())")
            return
        }
        // The callback that took it runs in the run's token task.
        #expect(snapshot.render(showRunInternals: true).contains("<TrioToken.runSyncSoon task> [system] · running"))
    }

    @Test func theTokenRefusesOnceTheRunIsOver() throws {
        let token = try Trio.run { try Lowlevel.currentTrioToken() }
        #expect(throws: RunFinishedError.self) { try token.taskTree() }
        #expect(throws: RuntimeError.self) { try Lowlevel.taskTree() }
    }

    // MARK: Deadlocks

    @Test func twoTasksWaitingForEachOthersEventAreReportedInsteadOfHanging() throws {
        let error = try #require(throws: DeadlockError.self) {
            try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
                let first = Event()
                let second = Event()
                try await withNursery { nursery in
                    try nursery.startSoon(name: "A") {
                        try await first.wait()
                        second.set()
                    }
                    try nursery.startSoon(name: "B") {
                        try await second.wait()
                        first.set()
                    }
                }
            }
        }
        let snapshot = error.snapshot
        #expect(snapshot.task(named: "main")?.wait == .nurseryChildren)
        guard case .event(let a)? = snapshot.task(named: "A")?.wait,
            case .event(let b)? = snapshot.task(named: "B")?.wait
        else {
            Issue.record("\(snapshot.render())")
            return
        }
        #expect(a != b)
        #expect("\(error)".hasPrefix("DeadlockError: every task of the Trio run is blocked"))
        #expect("\(error)".contains("A (TrioTests/TaskTreeTests.swift:"))
    }

    @Test func aDeadlockThatCancellationCannotEndStillEndsTheRun() throws {
        let error = try #require(throws: DeadlockError.self) {
            try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
                let never = Event()
                try await CancelScope(shield: true).run { try await never.wait() }
            }
        }
        guard case .event? = error.snapshot.task(named: "main")?.wait else {
            Issue.record("\(error.snapshot.render())")
            return
        }
    }

    @Test func aLockCycleIsReportedWithItsOwners() throws {
        let error = try #require(throws: DeadlockError.self) {
            try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
                let first = Lock()
                let second = Lock()
                try await withNursery { nursery in
                    try nursery.startSoon(name: "A") {
                        try await first.withLock {
                            try await sleep(1)
                            try await second.withLock {}
                        }
                    }
                    try nursery.startSoon(name: "B") {
                        try await second.withLock {
                            try await sleep(1)
                            try await first.withLock {}
                        }
                    }
                }
            }
        }
        guard case .lock(_, _, .some("B"))? = error.snapshot.task(named: "A")?.wait,
            case .lock(_, _, .some("A"))? = error.snapshot.task(named: "B")?.wait
        else {
            Issue.record("\(error.snapshot.render())")
            return
        }
    }

    @Test func detectionCanBeTurnedOffOnlyInsideARun() throws {
        #expect(throws: RuntimeError.self) { try Lowlevel.setDeadlockDetection(false) }
        try Trio.run { try Lowlevel.setDeadlockDetection(false) }
    }

    // MARK: Look-alikes that are not deadlocks

    @Test func aTaskWaitingForAThreadIsNotReported() throws {
        let value = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> Int in
            let gate = Gate()
            let event = Event()
            return try await withNursery { nursery -> Int in
                try nursery.startSoon { try await event.wait() }
                // The thread finishes only after the run went idle (the waiter is parked too).
                startPlainThread {
                    usleep(100_000)
                    gate.open()
                }
                let value = try await ToThread.runSync { () -> Int in
                    gate.wait()
                    return 42
                }
                event.set()
                return value
            }!
        }
        #expect(value == 42)
    }

    @Test func aTaskWaitingOnAnFdIsNotReported() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { close(readEnd) }
        try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            startPlainThread {
                usleep(100_000)
                var byte: UInt8 = 1
                _ = write(writeEnd, &byte, 1)
                close(writeEnd)
            }
            try await waitReadable(readEnd)
        }
    }

    @Test func aTokenHeldByAnotherThreadKeepsTheRunWaiting() throws {
        try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let event = Event()
            let token = try Lowlevel.currentTrioToken()
            let shared = LoopOnly(event)
            startPlainThread {
                usleep(100_000)
                try? token.runSyncSoon { shared.value.set() }
            }
            try await event.wait()
        }
    }

    @Test func aSwiftChildTaskInFlightIsNotReported() async throws {
        let value = try await runMockedAsync { try await swiftAsTrio { () -> Int in
            try await Task.sleep(for: .milliseconds(100))
            return 7
        } }
        #expect(value == 7)
    }

    // MARK: The dump signal

    @Test func aHangingChildPrintsItsTreeOnTheDumpSignal() throws {
        let binary = RunMainTests.probeBinary
        let (code, errors) = try Trio.run { () -> (Int32, String) in
            try await failAfter(60) {
                let process = try await openProcess([binary, "trio", "tree"], stdout: .pipe, stderr: .pipe)
                var errors: [UInt8] = []
                try await withNursery { nursery in
                    try nursery.startSoon {
                        var interrupted = false
                        for try await chunk in process.stderr!.chunks {
                            errors += chunk
                            // The whole tree is there once the last task's line is.
                            if !interrupted, String(decoding: errors, as: UTF8.self).contains("sleep until") {
                                interrupted = true
                                try process.sendSignal(SIGINT)
                            }
                        }
                    }
                    var output: [UInt8] = []
                    var signalled = false
                    for try await chunk in process.stdout!.chunks {
                        output += chunk
                        if !signalled, String(decoding: output, as: UTF8.self).contains("READY\n") {
                            signalled = true
                            try process.sendSignal(SIGUSR1)
                        }
                    }
                }
                return (try await process.wait(), String(decoding: errors, as: UTF8.self))
            }
        }
        #expect(code == -SIGINT, "\(errors)")
        #expect(errors.contains("Trio run #1 (of 1): Trio task tree at t="), "\(errors)")
        #expect(errors.contains("\nmain · parked since t="), "\(errors)")
        #expect(errors.contains("stuck waiter (entry_point_probe/main.swift:"), "\(errors)")
        #expect(errors.contains("Event.wait (Event #1)"), "\(errors)")
        #expect(errors.hasSuffix("KeyboardInterrupt\n"), "\(errors)")
    }
}
