import Asyncio
import Testing
import Traio

#if canImport(Glibc)
import Glibc
#endif

/// traio's tests/test_executor.py: executor jobs spawned on a scope. Real threads take real time, which a
/// virtual clock would not wait for: these run on real-clock loops only.
@Suite struct ExecutorTests {
    private static func sleepThread(_ seconds: Double) {
        usleep(useconds_t(seconds * 1_000_000))
    }

    @Test(arguments: LoopFactory.realClocks)
    func anExecutorJobsResult(_ factory: LoopFactory) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: 1).run { scope in
                let task = try scope.spawn(future: loop.runInExecutor(nil) { Self.sleepThread(0.2); return 42 })
                #expect(try await task.value == 42)
            }
            factory.expectElapsed(loop, since: start, 0.2)
        }
    }

    @Test(arguments: LoopFactory.realClocks)
    func anExecutorJobsErrorIsRaisedToWhoeverAwaitsIt(_ factory: LoopFactory) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: 1).run { scope in
                let task = try scope.spawn(future: loop.runInExecutor(nil) { () throws -> Int in
                    Self.sleepThread(0.2)
                    throw ValueError("boom")
                })
                await #expect(throws: ValueError.self) { try await task.value }
            }
            factory.expectElapsed(loop, since: start, 0.2)
        }
    }

    @Test(arguments: LoopFactory.realClocks)
    func aRunningJobOutlivesItsScope(_ factory: LoopFactory) throws {
        let started = Flag()
        let finished = Flag()
        try factory.run { loop in
            let start = loop.time()
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope(timeout: 0.1).run { scope in
                    try scope << loop.runInExecutor(nil) {
                        started.set()
                        Self.sleepThread(0.3)
                        finished.set()
                    }
                }
            }
            factory.expectElapsed(loop, since: start, 0.1)
            #expect(started.isSet)
            #expect(!finished.isSet)
            // The thread cannot be stopped: it runs on to its end.
            for _ in 0..<300 where !finished.isSet { try await Asyncio.sleep(0.01) }
            #expect(finished.isSet)
        }
    }
}
