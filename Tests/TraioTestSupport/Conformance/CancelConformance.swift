import Asyncio
import AsyncioTestSupport
import Testing
import Traio

/// traio's tests/test_cancel.py: cancelling scopes and their tasks from inside and outside.
public struct CancelConformance {
    public init() {}

    /// Refuses the first cancellation (traio's "nasty" task catching `CancelledError`); ends at the second.
    private func refusesToDie(refusals: Counter) async throws {
        while true {
            do {
                try await Asyncio.sleep(1)
            } catch is CancelledError {
                refusals.value += 1
                if refusals.value > 1 { throw CancelledError() }
            }
        }
    }

    public func aTaskRefusingToDieIsGivenUpAfterItsCancelTimeout(_ factory: ConformanceLoop) throws {
        let records = LogRecords()
        try factory.run { loop in
            let refusals = Counter()
            var nasty: AsyncioTask<Void>?
            let start = loop.time()
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope(timeout: 0.1, logger: records.logger()).run { scope in
                    nasty = try scope.spawn(name: "nasty", cancelTimeout: 0.5) {
                        try await refusesToDie(refusals: refusals)
                    }
                }
            }
            factory.expectElapsed(loop, since: start, 0.6)
            let task = try #require(nasty)
            #expect(!task.done && refusals.value == 1)
            #expect(records.messages(at: .error, containing: "could not be cancelled in time").count == 1)
            task.cancel()
            await #expect(throws: CancelledError.self) { try await task.value }
        }
    }

    public func cancellingTheHostTaskCancelsTheScopeAndRaisesCancelledError(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let cancelled = Counter()
            let scope = Scope()
            let host = try loop.createTask { () async throws -> Void in
                try await scope.run { scope in
                    try scope.spawn {
                        do { try await run10() } catch { cancelled.value += 1; throw error }
                    }
                }
            }
            let start = loop.time()
            await #expect(throws: TimeoutError.self) { try await waitFor(shield(host), timeout: 0.1) }
            host.cancel()
            await #expect(throws: CancelledError.self) { try await host.value }
            factory.expectElapsed(loop, since: start, 0.1)
            #expect(cancelled.value == 1)
            #expect(scope.done)
        }
    }

    public func aTaskFailingWhileCancelledFromOutsideIsLogged(_ factory: ConformanceLoop) throws {
        let records = LogRecords()
        try factory.run { loop in
            let host = try loop.createTask { () async throws -> Void in
                let scope = Scope(logger: records.logger())
                try await scope.run { scope in
                    try scope.spawn {
                        do { try await run10() } catch { throw ValueError("boom") }
                    }
                }
            }
            await #expect(throws: TimeoutError.self) { try await waitFor(host, timeout: 0.1) }
            await #expect(throws: CancelledError.self) { try await host.value }
            #expect(records.messages(at: .warning, containing: "after cancellation").count == 1)
        }
    }

    public func cancellingFromTheBodyEndsTheScopeSilently(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope().run { scope in
                try scope.spawn(run10)
                try await Asyncio.sleep(0.2)
                scope.cancel()
            }
            factory.expectElapsed(loop, since: start, 0.2)
            // The cancel request the scope sent to this task was withdrawn on exit.
            #expect(currentTask()?.cancelling() == 0)
            try await Asyncio.sleep(0)
        }
    }

    public func aTaskFailingWhenCancelledDoesNotReplaceTheTimeout(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope(timeout: 0.5).run { scope in
                    try scope.spawn {
                        do { try await run10() } catch { throw ValueError("boom") }
                    }
                }
            }
            factory.expectElapsed(loop, since: start, 0.5)
            try await Asyncio.sleep(0.1)
        }
    }

    public func waitingForACancelledScope(_ factory: ConformanceLoop, waiting: ScopeWait) throws {
        try factory.run { loop in
            let start = loop.time()
            let scope = Scope()
            try await Asyncio.sleep(0.1)
            scope.cancel()
            try await waiting(scope)
            factory.expectElapsed(loop, since: start, 0.1)
            #expect(scope.done)
        }
    }

    public func aTaskCancelsItsScopeBeforeTheBodyEnds(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            let reached = Counter()
            try await Scope().run { scope in
                try scope << {
                    try await Asyncio.sleep(0.2)
                    Scope.current?.cancel()
                    try await run10()
                }
                try await Asyncio.sleep(1)
                reached.value += 1
                throw TestError()
            }
            factory.expectElapsed(loop, since: start, 0.2)
            #expect(reached.value == 0)
        }
    }

    public func cancellingTwiceFromOutside(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let scope = Scope()
            let canceller = try loop.createTask {
                try await Asyncio.sleep(0.2)
                scope.cancel()
                scope.cancel()
            }
            let start = loop.time()
            try await scope.run { scope in try scope << run10 }
            factory.expectElapsed(loop, since: start, 0.2)
            try await canceller.value
            #expect(scope.done)
            #expect(try scope.exception() == nil)
        }
    }

    public func cancellingTwiceWithErrorsFromOutsideKeepsTheFirst(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let scope = Scope()
            let canceller = try loop.createTask {
                try await Asyncio.sleep(0.2)
                scope.cancel(TestError(tag: 1))
                scope.cancel(TestError(tag: 2))
            }
            await #expect(throws: TestError(tag: 1)) { () async throws -> Void in
                try await scope.run { scope in try scope << run10 }
            }
            try await canceller.value
            #expect(scope.done)
            #expect(try scope.exception() as? TestError == TestError(tag: 1))
        }
    }

    public func cancellingTwiceFromATaskOfTheScope(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope().run { scope in
                try scope << {
                    try await Asyncio.sleep(0.2)
                    Scope.current?.cancel()
                    Scope.current?.cancel()
                }
                try scope << run10
            }
            factory.expectElapsed(loop, since: start, 0.2)
        }
    }

    public func cancellingTwiceWithErrorsFromATaskOfTheScopeKeepsTheFirst(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            await #expect(throws: TestError(tag: 1)) { () async throws -> Void in
                try await Scope().run { scope in
                    try scope << {
                        try await Asyncio.sleep(0.2)
                        Scope.current?.cancel(TestError(tag: 1))
                        Scope.current?.cancel(TestError(tag: 2))
                    }
                }
            }
        }
    }

    public func cancellingAfterTheEndChangesNothing(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let scope = Scope()
            await #expect(throws: TestError.self) { () async throws -> Void in
                defer { scope.cancel() }
                try await scope.run { scope in
                    try scope << { try await Asyncio.sleep(0.2); throw TestError() }
                }
            }
            scope.cancel(ValueError("late"))
            let error = try scope.exception()
            #expect(error is TestError)
            await #expect(throws: TestError.self) { try await scope.wait() }
        }
    }
}
