import Asyncio
import Testing
import Traio

/// traio's tests/test_master.py: a master task's end ends the scope.
@Suite struct MasterTests {
    @Test(arguments: LoopFactory.all, [(false, false), (false, true), (true, false), (true, true)])
    func theScopeEndsWithItsMaster(_ factory: LoopFactory, flags: (bubble: Bool, awaited: Bool)) throws {
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

    @Test(arguments: LoopFactory.all, [true, false])
    func aFailingMasterRaisesItsError(_ factory: LoopFactory, awaited: Bool) throws {
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

    @Test(arguments: LoopFactory.all)
    func cancellingTheMasterEndsTheScope(_ factory: LoopFactory) throws {
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
