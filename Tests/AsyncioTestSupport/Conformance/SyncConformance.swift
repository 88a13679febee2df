import Asyncio
import Testing

public struct SyncConformance {
    public init() {}

    public func lockIsFairAndExclusive(_ factory: ConformanceLoop) throws {
        let log = Log<String>()
        try factory.run { loop in
            let lock = Asyncio.Lock()
            try await lock.acquire()
            let tasks = try (1...3).map { index in
                try loop.createTask {
                    try await lock.withLock {
                        log("in \(index)")
                        try await Asyncio.sleep(0)
                        log("out \(index)")
                    }
                }
            }
            try await Asyncio.sleep(0)
            #expect(lock.locked)
            try lock.release()
            _ = try await gather(tasks)
            #expect(!lock.locked)
            #expect(throws: RuntimeError.self) { try lock.release() }
        }
        #expect(log.items == ["in 1", "out 1", "in 2", "out 2", "in 3", "out 3"])
    }

    public func cancelledLockWaiterPassesTheTurnOn(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let lock = Asyncio.Lock()
            try await lock.acquire()
            let first = try loop.createTask { try await lock.acquire() }
            let second = try loop.createTask { try await lock.acquire(); try lock.release() }
            try await Asyncio.sleep(0)
            try lock.release()
            first.cancel()
            await #expect(throws: CancelledError.self) { try await first.value }
            try await second.value
            #expect(!lock.locked)
        }
    }

    public func eventWakesEveryWaiter(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let event = Asyncio.Event()
            let waiters = try (0..<3).map { index in try loop.createTask { try await event.wait(); return index } }
            try await Asyncio.sleep(0)
            #expect(waiters.allSatisfy { !$0.done })
            event.set()
            #expect(event.isSet)
            #expect(try await gather(waiters) == [0, 1, 2])
            try await event.wait()
            event.clear()
            #expect(!event.isSet)
        }
    }

    public func semaphoreLimitsConcurrency(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let semaphore = Asyncio.Semaphore(2)
            var inside = 0, most = 0
            let tasks = try (0..<6).map { _ in
                try loop.createTask {
                    try await semaphore.withLock {
                        inside += 1
                        most = max(most, inside)
                        try await Asyncio.sleep(0.001)
                        inside -= 1
                    }
                }
            }
            _ = try await gather(tasks)
            #expect(most == 2)
            #expect(semaphore.value == 2)
            #expect(!semaphore.locked)
        }
    }

    public func boundedSemaphoreRefusesOverRelease(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let semaphore = BoundedSemaphore(1)
            try await semaphore.acquire()
            #expect(semaphore.locked)
            try semaphore.release()
            #expect(throws: ValueError.self) { try semaphore.release() }
        }
    }

    public func conditionNotifiesInOrder(_ factory: ConformanceLoop) throws {
        let log = Log<String>()
        try factory.run { loop in
            let condition = Asyncio.Condition()
            var ready = false
            let waiters = try (1...3).map { index in
                try loop.createTask {
                    try await condition.withLock {
                        try await condition.wait()
                        log("woke \(index)")
                    }
                }
            }
            let predicateWaiter = try loop.createTask {
                try await condition.withLock {
                    try await condition.waitFor { ready }
                    log("predicate")
                }
            }
            try await Asyncio.sleep(0)
            #expect(throws: RuntimeError.self) { try condition.notify() }
            try await condition.withLock { try condition.notify(1) }
            try await Asyncio.sleep(0.001)
            #expect(log.items == ["woke 1"])
            try await condition.withLock {
                ready = true
                try condition.notifyAll()
            }
            _ = try await gather(waiters)
            try await predicateWaiter.value
            await #expect(throws: RuntimeError.self) { try await condition.wait() }
        }
        #expect(log.items == ["woke 1", "woke 2", "woke 3", "predicate"])
    }
}
