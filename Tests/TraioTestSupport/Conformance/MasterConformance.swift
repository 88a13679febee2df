import Asyncio
import AsyncioTestSupport
import Testing
import Traio

/// traio's tests/test_master.py: a master task's end ends the scope.
public struct MasterConformance {
    public init() {}

    public func theScopeEndsWithItsMaster(_ factory: ConformanceLoop, flags: (bubble: Bool, awaited: Bool)) throws {
        try factory.run { loop in
            let start = loop.time()
            let others = Counter()
            try await Scope().run { scope in
                try scope.spawn {
                    do { try await run10() } catch { others.value += 1; throw error }
                }
                try scope.spawn(master: true, bubble: flags.bubble, awaited: flags.awaited) {
                    try await Asyncio.sleep(0.01)
                }
            }
            factory.expectElapsed(loop, since: start, 0.01)
            #expect(others.value == 1)
        }
    }

    public func aFailingMasterRaisesItsError(_ factory: ConformanceLoop, awaited: Bool) throws {
        try factory.run { loop in
            let start = loop.time()
            await #expect(throws: TestError.self) { () async throws -> Void in
                try await Scope().run { scope in
                    try scope.spawn(run10)
                    try scope.spawn(master: true, awaited: awaited) {
                        try await Asyncio.sleep(0.01)
                        throw TestError()
                    }
                }
            }
            factory.expectElapsed(loop, since: start, 0.01)
        }
    }

    public func cancellingTheMasterEndsTheScope(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: 0.5).run { scope in
                try scope.spawn(run10)
                let master = try scope.spawn(master: true, run10)
                try await Asyncio.sleep(0.05)
                master.cancel()
            }
            factory.expectElapsed(loop, since: start, 0.05)
        }
    }
}
