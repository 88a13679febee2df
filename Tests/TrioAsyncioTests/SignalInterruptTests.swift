import Asyncio
import Foundation
import Testing
import Trio
import TrioAsyncio

#if canImport(Glibc)
import Glibc
#endif

/// trio-asyncio's `add_signal_handler(SIGINT, …)` replaces Trio's Ctrl-C handling for as long as it is
/// installed. SIGINT belongs to the whole process, and the tests of a bundle run in parallel in one
/// process, so the check runs in a child process of its own (this bundle, filtered to one test).
@Suite struct SignalInterruptTests {
    static let childEnvironmentKey = "TRIO_ASYNCIO_TEST_SIGINT_CHILD"

    @Test func aLoopSIGINTHandlerTakesCtrlCFromTheRunUntilRemoved() throws {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childEnvironmentKey] = "1"
        let (code, output) = try Trio.run { () -> (Int32, String) in
            let result = try await runProcess(
                [bundle, "--testing-library", "swift-testing", "--filter", "sigintHandlerThenKeyboardInterrupt"],
                captureStdout: true, captureStderr: true, check: false, environment: environment)
            return (result.returnCode, String(decoding: result.stdout! + result.stderr!, as: UTF8.self))
        }
        #expect(code == 0, "\(output)")
        #expect(output.contains("sigintHandlerThenKeyboardInterrupt"), "the child ran no test: \(output)")
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[childEnvironmentKey] != nil))
    func sigintHandlerThenKeyboardInterrupt() throws {
        // While the loop handles SIGINT, Ctrl-C is the callback's, and the run goes on.
        let calls = try Trio.run { () -> Int in
            try await openLoop { loop in
                var calls = 0
                let called = Trio.Event()
                try loop.addSignalHandler(SIGINT) {
                    calls += 1
                    called.set()
                }
                kill(getpid(), SIGINT)
                try await failAfter(10) { try await called.wait() }
                // Time for a KeyboardInterrupt to arrive, were the run's guard told as well.
                try await Trio.sleep(0.2)
                #expect(loop.removeSignalHandler(SIGINT))
                return calls
            }
        }
        #expect(calls == 1)
        // Removed, it gives Ctrl-C back to the run.
        #expect(throws: KeyboardInterrupt.self) {
            try Trio.run {
                try await openLoop { _ in
                    kill(getpid(), SIGINT)
                    try await Trio.sleep(10)
                }
            }
        }
    }
}
