import Testing
import Trio
import TrioTesting

/// The common surface of `Lock` and `StrictFIFOLock`, so that one test body covers both.
protocol TestableLock: AnyObject {
    var locked: Bool { get }
    func acquire() async throws
    func acquireNowait() throws
    func release() throws
    func statistics() -> LockStatistics
    func withLock<T>(_ body: () async throws -> T) async throws -> T
}

extension Lock: TestableLock {}
extension StrictFIFOLock: TestableLock {}

enum LockKind: String, CaseIterable, Sendable {
    case lock, strictFIFO

    func make() -> any TestableLock {
        switch self {
        case .lock: Lock()
        case .strictFIFO: StrictFIFOLock()
        }
    }
}

@Suite struct SyncLockTests {
    @Test(arguments: LockKind.allCases)
    func basicOwnershipRules(kind: LockKind) throws {
        let log = try Trio.run {
            let lock = kind.make()
            var log: [String] = []
            log.append("locked=\(lock.locked)")
            log.append("nowait " + outcomeSync { try lock.acquireNowait() })
            log.append("locked=\(lock.locked)")
            log.append("again " + outcomeSync(messages: true) { try lock.acquireNowait() })
            log.append("async again " + (await outcome { try await lock.acquire() }))
            log.append("release " + outcomeSync { try lock.release() })
            log.append("release unowned " + outcomeSync(messages: true) { try lock.release() })
            log.append("locked=\(lock.locked)")
            return log
        }
        let name = kind == .lock ? "Lock" : "StrictFIFOLock"
        #expect(log == [
            "locked=false", "nowait ok", "locked=true",
            "again RuntimeError: attempt to re-acquire an already held \(name)",
            "async again RuntimeError", "release ok",
            "release unowned RuntimeError: can't release a \(name) you don't own", "locked=false",
        ])
    }

    @Test(arguments: LockKind.allCases)
    func acquireIsACheckpointEvenWhenFree(kind: LockKind) throws {
        let (checkpoint, lockedAfter) = try Trio.run {
            let lock = kind.make()
            let checkpoint = try await isCheckpoint(
                { try await lock.acquire(); try lock.release() },
                again: { try await lock.acquire() })
            return (checkpoint, lock.locked)
        }
        #expect(checkpoint)
        // The cancelled acquire must not have taken the lock.
        #expect(!lockedAfter)
    }

    @Test(arguments: LockKind.allCases)
    func otherHolderBlocksAndStatisticsReportIt(kind: LockKind) throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let lock = kind.make()
            var log: [String] = []
            var holders: [TrioTask] = []
            try await withNursery { nursery in
                let holder: () async throws -> Void = {
                    holders.append(try Lowlevel.currentTask())
                    try await lock.withLock { () async throws -> Void in try await sleepForever() }
                }
                try nursery.startSoon(holder)
                try await waitAllTasksBlocked()
                log.append("nowait " + outcomeSync { try lock.acquireNowait() })
                log.append("release " + outcomeSync { try lock.release() })
                var stats = lock.statistics()
                log.append("stats \(stats.locked) owner=\(stats.owner === holders[0]) waiting=\(stats.tasksWaiting)")
                try nursery.startSoon(holder)
                try await waitAllTasksBlocked()
                stats = lock.statistics()
                log.append("stats \(stats.locked) owner=\(stats.owner === holders[0]) waiting=\(stats.tasksWaiting)")
                nursery.cancelScope.cancel()
            }
            let stats = lock.statistics()
            log.append("after \(stats.locked) owner=\(stats.owner == nil) waiting=\(stats.tasksWaiting)")
            return log
        }
        #expect(log == [
            "nowait WouldBlock", "release RuntimeError", "stats true owner=true waiting=0",
            "stats true owner=true waiting=1", "after false owner=true waiting=0",
        ])
    }

    @Test(arguments: LockKind.allCases)
    func nowaitHolderBlocksAcquirerUntilRelease(kind: LockKind) throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let lock = kind.make()
            var log: [String] = []
            try await withNursery { nursery in
                try lock.acquireNowait()
                try nursery.startSoon {
                    log.append("started")
                    try await lock.withLock { log.append("got it") }
                    log.append("finished")
                }
                try await waitAllTasksBlocked()
                log.append("releasing")
                try lock.release()
                // Hand-off: the waiter owns the lock before it even runs.
                log.append("nowait after release " + outcomeSync { try lock.acquireNowait() })
            }
            return log
        }
        #expect(log == ["started", "releasing", "nowait after release WouldBlock", "got it", "finished"])
    }

    @Test(arguments: LockKind.allCases)
    func ownerExitingWithoutReleasingBreaksTheLock(kind: LockKind) throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let lock = kind.make()
            var log: [String] = []
            var ownerName = ""
            try await withNursery { nursery in
                try nursery.startSoon(name: "leaker") {
                    ownerName = try Lowlevel.currentTask().description
                    try await lock.acquire()
                }
            }
            log.append("locked=\(lock.locked)")
            log.append(await outcome(messages: true) { try await lock.acquire() })
            log.append("nowait " + outcomeSync { try lock.acquireNowait() })
            return log.map {
                $0.split(separator: ownerName, omittingEmptySubsequences: false).joined(separator: "OWNER")
            }
        }
        let name = kind == .lock ? "Lock" : "StrictFIFOLock"
        #expect(log == [
            "locked=true",
            "BrokenResourceError: Owner of this \(name) exited without releasing: OWNER",
            "nowait WouldBlock",
        ])
    }

    @Test(arguments: LockKind.allCases)
    func waitersOfALeakedLockAreWokenWithBrokenResourceError(kind: LockKind) throws {
        let errors = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let lock = kind.make()
            do {
                try await withNursery { nursery in
                    try nursery.startSoon { try await lock.acquire() }
                    try nursery.startSoon { try await lock.acquire() }
                }
                return ["no error"]
            } catch let group as ExceptionGroup {
                return group.errors.map { "\(type(of: $0))" }
            }
        }
        #expect(errors == ["BrokenResourceError"])
    }

    @Test(arguments: LockKind.allCases)
    func handedOverLockBreaksOnlyWhenTheNewOwnerLeaks(kind: LockKind) throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let lock = kind.make()
            var log: [String] = []
            try lock.acquireNowait()
            try await withNursery { nursery in
                try nursery.startSoon { try await lock.acquire() }
                try await waitAllTasksBlocked()
                try lock.release()
            }
            // We released properly, so nothing broke until the child exited holding the lock.
            log.append(await outcome { try await lock.acquire() })
            return log
        }
        #expect(log == ["BrokenResourceError"])
    }

    @Test func releasedLockDoesNotBreakWhenItsFormerOwnerExits() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let lock = Lock()
            try await withNursery { nursery in
                try nursery.startSoon { try await lock.withLock {} }
            }
            return [await outcome { try await lock.withLock {} }]
        }
        #expect(log == ["ok"])
    }

    @Test func withLockReleasesWhenTheBodyThrows() throws {
        struct Boom: Error {}
        let (result, locked) = try Trio.run {
            let lock = Lock()
            let result = await outcome { try await lock.withLock { throw Boom() } }
            return (result, lock.locked)
        }
        #expect(result == "Boom")
        #expect(!locked)
    }

    @Test func cancelledAcquireLeavesNoWaiter() throws {
        let (result, waiting, owner) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let lock = Lock()
            try lock.acquireNowait()
            let me = try Lowlevel.currentTask()
            let result = await outcome {
                try await withNursery { nursery in
                    try nursery.startSoon { try await lock.acquire() }
                    try await waitAllTasksBlocked()
                    nursery.cancelScope.cancel()
                }
            }
            let stats = lock.statistics()
            return (result, stats.tasksWaiting, stats.owner === me)
        }
        #expect(result == "ok")
        #expect(waiting == 0)
        #expect(owner)
    }

    @Test func outsideARunIsAClearError() {
        let lock = Lock()
        #expect(outcomeSync(messages: true) { try lock.acquireNowait() }
            == "RuntimeError: Lock.acquireNowait must be called from inside a Trio task (inside Trio.run)")
    }
}
