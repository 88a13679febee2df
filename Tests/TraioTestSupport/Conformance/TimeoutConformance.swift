import Asyncio
import AsyncioTestSupport
import Testing
import Traio

/// traio's tests/test_timeout.py, and the timer's restart rule.
public struct TimeoutConformance {
    public init() {}

    public func timeoutCancelsTheScopeWithTimeoutError(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            let cancelled = Counter()
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope(timeout: 0.1).run { scope in
                    try scope.spawn {
                        do { try await run10() } catch { cancelled.value += 1; throw error }
                    }
                }
            }
            factory.expectElapsed(loop, since: start, 0.1)
            #expect(cancelled.value == 1)
        }
    }

    public func settingTheTimeoutReplacesTheOldOne(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope(timeout: 5).run { scope in
                    try scope.spawn(run10)
                    scope.timeout = 0.1
                    #expect(scope.timeout == 0.1)
                }
            }
            factory.expectElapsed(loop, since: start, 0.1)
        }
    }

    public func settingTheTimeoutRestartsTheTimerFromNow(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope(timeout: 0.3).run { scope in
                    try scope.spawn(run10)
                    try await Asyncio.sleep(0.2)
                    scope.timeout = 0.3
                }
            }
            factory.expectElapsed(loop, since: start, 0.5)
        }
    }

    public func settingTheTimeoutToZeroRemovesIt(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: 0.1).run { scope in
                scope.timeout = 0
                try scope.spawn { try await Asyncio.sleep(0.3) }
            }
            factory.expectElapsed(loop, since: start, 0.3)
        }
    }

    public func badTimeoutsAreRefused(_ factory: ConformanceLoop) throws {
        let records = LogRecords()
        try factory.run { _ in
            let scope = Scope(timeout: 1, logger: records.logger())
            #expect(throws: ValueError.self) { try scope.setTimeout(-1) }
            #expect(throws: ValueError.self) { try scope.setTimeout(.nan) }
            scope.timeout = -2
            #expect(scope.timeout == 1)
            #expect(records.messages(at: .error, containing: "timeout not set").count == 1)
            scope.cancel()
            #expect(throws: RuntimeError.self) { try scope.setTimeout(1) }
            try await scope.wait()
        }
    }

    public func aTimeoutAfterTheEndChangesNothing(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let scope = Scope(timeout: 0.1)
            try await scope.run { _ in }
            try await Asyncio.sleep(0.2)
            #expect(try scope.exception() == nil)
            try await scope.wait()
        }
    }
}
