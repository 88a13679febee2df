import Asyncio
import AsyncioTestSupport
import Testing
import Traio
import TraioTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// traio's tests/test_executor.py: executor jobs spawned on a scope. Real threads take real time, which a
/// virtual clock would not wait for: these run on the standalone loop's real clock only.
@Suite struct ExecutorTests {
    /// How late the real-clock loop may be on a loaded machine (it is never early).
    private static let slack = 0.25

    private static func sleepThread(_ seconds: Double) {
        usleep(useconds_t(seconds * 1_000_000))
    }

    @Test func anExecutorJobsResult() throws {
        try ConformanceLoop.selector.run(virtualTime: false) { loop in
            let start = loop.time()
            try await Scope(timeout: 1).run { scope in
                let task = try scope.spawn(future: loop.runInExecutor(nil) { Self.sleepThread(0.2); return 42 })
                #expect(try await task.value == 42)
            }
            ConformanceLoop.selector.expectElapsed(loop, since: start, 0.2, slack: Self.slack)
        }
    }

    @Test func anExecutorJobsErrorIsRaisedToWhoeverAwaitsIt() throws {
        try ConformanceLoop.selector.run(virtualTime: false) { loop in
            let start = loop.time()
            try await Scope(timeout: 1).run { scope in
                let task = try scope.spawn(future: loop.runInExecutor(nil) { () throws -> Int in
                    Self.sleepThread(0.2)
                    throw ValueError("boom")
                })
                await #expect(throws: ValueError.self) { try await task.value }
            }
            ConformanceLoop.selector.expectElapsed(loop, since: start, 0.2, slack: Self.slack)
        }
    }

    @Test func aRunningJobOutlivesItsScope() throws {
        let started = Flag()
        let finished = Flag()
        try ConformanceLoop.selector.run(virtualTime: false) { loop in
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
            ConformanceLoop.selector.expectElapsed(loop, since: start, 0.1, slack: Self.slack)
            #expect(started.isSet)
            #expect(!finished.isSet)
            // The thread cannot be stopped: it runs on to its end.
            for _ in 0..<300 where !finished.isSet { try await Asyncio.sleep(0.01) }
            #expect(finished.isSet)
        }
    }
}
