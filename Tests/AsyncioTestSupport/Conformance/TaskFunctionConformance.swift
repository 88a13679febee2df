import Asyncio
import Testing

public struct TaskFunctionConformance {
    public init() {}

    public func gatherKeepsInputOrder(_ factory: ConformanceLoop) throws {
        let results = try factory.run { loop in
            let tasks = try [0.02, 0.001, 0.01].enumerated().map { index, delay in
                try loop.createTask { try await Asyncio.sleep(delay, result: index) }
            }
            return try await gather(tasks)
        }
        #expect(results == [0, 1, 2])
    }

    public func gatherThrowsTheFirstErrorAndLeavesOthersRunning(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let gate = loop.createFuture(of: Int.self)
            let slow = try loop.createTask { try await gate.value }
            let failing = try loop.createTask { () throws -> Int in throw TestError(tag: 4) }
            await #expect(throws: TestError(tag: 4)) { try await gather([slow, failing]) }
            #expect(!slow.done)
            try gate.setResult(1)
            let late = try await slow.value
            #expect(late == 1)
        }
    }

    public func gatherReturnExceptionsCollectsEverything(_ factory: ConformanceLoop) throws {
        let outcomes = try factory.run { loop in
            let ok = try loop.createTask { 1 }
            let bad = try loop.createTask { () throws -> Int in throw TestError(tag: 2) }
            let cancelled = try loop.createTask { try await Asyncio.sleep(10, result: 3) }
            cancelled.cancel()
            return try await gather([ok, bad, cancelled], returnExceptions: true)
        }
        #expect(try outcomes[0].get() == 1)
        #expect(throws: TestError(tag: 2)) { try outcomes[1].get() }
        #expect(throws: CancelledError.self) { try outcomes[2].get() }
    }

    public func gatherParameterPackReturnsATuple(_ factory: ConformanceLoop) throws {
        let (number, text) = try factory.run { loop in
            let a = try loop.createTask { 1 }
            let b = try loop.createTask { "two" }
            return try await gather(a, b)
        }
        #expect(number == 1)
        #expect(text == "two")
    }

    public func cancellingGatherCancelsChildren(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let children = try (0..<3).map { _ in try loop.createTask { try await Asyncio.sleep(10) } }
            let gathering = try loop.createTask { try await gather(children) }
            try await Asyncio.sleep(0.001)
            gathering.cancel()
            await #expect(throws: CancelledError.self) { try await gathering.value }
            let allCancelled = children.allSatisfy { $0.cancelled }
            #expect(allCancelled)
        }
    }

    public func cancellingGatherKeepsTheCancelMessage(_ factory: ConformanceLoop) throws {
        // CPython's test_cancel_gather_2: the message given to the awaiting task's cancel() reaches the
        // children and comes back out of the gather, also with return_exceptions=True.
        try factory.run { loop in
            for returnExceptions in [false, true] {
                let child = try loop.createTask { try await Asyncio.sleep(10) }
                let gathering = try loop.createTask {
                    if returnExceptions {
                        _ = try await gather([child], returnExceptions: true)
                    } else {
                        _ = try await gather([child])
                    }
                }
                try await Asyncio.sleep(0)
                gathering.cancel(message: "my message")
                await #expect {
                    try await gathering.value
                } throws: { error in
                    (error as? CancelledError)?.message == "my message"
                }
                #expect(child.cancelled)
            }
        }
    }

    public func waitFirstCompletedAndAllCompleted(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let gate = loop.createFuture(of: Int.self)
            let fast = try loop.createTask { try await Asyncio.sleep(0.001, result: 1) }
            let slow = try loop.createTask { try await gate.value }
            let first = try await wait([fast, slow], returnWhen: .firstCompleted)
            #expect(first.done.count == 1 && first.done[0] === fast)
            #expect(first.pending.count == 1 && first.pending[0] === slow)
            try loop.callLater(0.001) { try? gate.setResult(2) }
            let all = try await wait([fast, slow])
            #expect(all.done.count == 2 && all.pending.isEmpty)
            await #expect(throws: ValueError.self) { try await wait([Future<Int>]()) }
        }
    }

    public func waitFirstExceptionAndTimeout(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let failing = try loop.createTask { () throws -> Int in
                try await Asyncio.sleep(0.001)
                throw TestError()
            }
            let slow = try loop.createTask { try await Asyncio.sleep(10, result: 1) }
            let start = loop.time()
            let result = try await wait([failing, slow], returnWhen: .firstException)
            #expect(result.done.map { $0 === failing } == [true])
            let timedOut = try await wait([slow], timeout: 0.01)
            #expect(timedOut.done.isEmpty && timedOut.pending.count == 1)
            #expect(loop.time() - start >= 0.01)
            #expect(!slow.cancelled)
            slow.cancel()
        }
    }

    public func waitForTimesOutAndCancelsTheInnerTask(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let inner = try loop.createTask { try await Asyncio.sleep(10, result: 1) }
            await #expect(throws: TimeoutError.self) { try await waitFor(inner, timeout: 0.005) }
            #expect(inner.cancelled)
            let quick = try loop.createTask { try await Asyncio.sleep(0.001, result: 2) }
            #expect(try await waitFor(quick, timeout: 1) == 2)
            let started = try await waitFor(timeout: nil) { 3 }
            #expect(started == 3)
            let never = loop.createFuture(of: Int.self)
            await #expect(throws: TimeoutError.self) { try await waitFor(never, timeout: 0) }
            #expect(never.cancelled)
        }
    }

    public func shieldProtectsTheInnerTask(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let gate = loop.createFuture(of: Int.self)
            let inner = try loop.createTask { try await gate.value }
            let outer = try loop.createTask { try await shield(inner).value }
            try await Asyncio.sleep(0.001)
            outer.cancel()
            await #expect(throws: CancelledError.self) { try await outer.value }
            #expect(!inner.cancelled)
            try gate.setResult(9)
            let value = try await inner.value
            #expect(value == 9)
        }
    }

    public func timeoutTurnsItsCancellationIntoTimeoutError(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            await #expect(throws: TimeoutError.self) {
                try await timeout(0.01) { try await Asyncio.sleep(10) }
            }
            #expect(loop.time() - start >= 0.01)
            #expect(currentTask()!.cancelling() == 0)
            let quick = try await timeout(1) { try await Asyncio.sleep(0.001, result: 4) }
            let unlimited = try await timeout(nil) { 5 }
            #expect(quick == 4 && unlimited == 5)
        }
    }

    public func nestedTimeoutsAreToldApart(_ factory: ConformanceLoop) throws {
        let log = Log<String>()
        try factory.run { loop in
            do {
                try await timeout(0.05) {
                    do {
                        try await timeout(0.005) { try await Asyncio.sleep(10) }
                    } catch is TimeoutError {
                        log("inner timed out")
                    }
                    try await Asyncio.sleep(10)
                }
            } catch is TimeoutError {
                log("outer timed out")
            }
        }
        #expect(log.items == ["inner timed out", "outer timed out"])
    }

    public func externalCancelPassesThroughATimeout(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let task = try loop.createTask {
                try await timeout(10) { try await Asyncio.sleep(10) }
            }
            try await Asyncio.sleep(0.001)
            task.cancel()
            await #expect(throws: CancelledError.self) { try await task.value }
            #expect(task.cancelled)
        }
    }

    public func timeoutCanBeRescheduled(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let deadline = Timeout(when: nil)
            #expect(throws: RuntimeError.self) { try deadline.reschedule(1) }
            await #expect(throws: TimeoutError.self) {
                try await deadline.run {
                    #expect(deadline.when() == nil)
                    try deadline.reschedule(loop.time() + 0.005)
                    try await Asyncio.sleep(10)
                }
            }
            #expect(deadline.expired())
        }
    }

    public func asCompletedYieldsInCompletionOrder(_ factory: ConformanceLoop) throws {
        let order = try factory.run { loop in
            let tasks = try [0.02, 0.001, 0.01].enumerated().map { index, delay in
                try loop.createTask { try await Asyncio.sleep(delay, result: index) }
            }
            var order: [Int] = []
            for try await done in try asCompleted(tasks) { order.append(try done.result()) }
            return order
        }
        #expect(order == [1, 2, 0])
    }

    public func asCompletedYieldsARepeatedFutureOnce(_ factory: ConformanceLoop) throws {
        // CPython's as_completed works on set(fs): a future passed twice is one future, yielded once.
        let seen = try factory.run { loop in
            let first = try loop.createTask { try await Asyncio.sleep(0.001, result: 1) }
            let second = try loop.createTask { 2 }
            var seen: [Int] = []
            for try await done in try asCompleted([first, second, first, second, first]) {
                seen.append(try done.result())
            }
            return seen
        }
        #expect(seen == [2, 1])
    }

    public func asCompletedTimesOut(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let slow = try loop.createTask { try await Asyncio.sleep(10, result: 1) }
            let fast = try loop.createTask { 2 }
            var seen: [Int] = []
            await #expect(throws: TimeoutError.self) {
                for try await done in try asCompleted([slow, fast], timeout: 0.005) { seen.append(try done.result()) }
            }
            #expect(seen == [2])
            slow.cancel()
        }
    }

    public func asyncContextManagerHelperExitsOnError(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let lock = Asyncio.Lock()
            let value = try await with(lock) { lock.locked ? 1 : 0 }
            #expect(value == 1)
            #expect(!lock.locked)
            await #expect(throws: TestError.self) {
                try await with(lock) { _ in throw TestError() }
            }
            #expect(!lock.locked)
        }
    }
}
