import Asyncio
import AsyncioTestSupport
import Foundation
import Trio
import Testing
import TrioPlatform

#if canImport(Glibc)
import Glibc
#endif

/// A `SelectorEventLoop` running forever on a plain thread of its own, for tests that need both
/// flavors in one process. The test thread reaches it through ``sync(_:)``.
final class BackgroundAsyncioLoop: @unchecked Sendable {
    private let condition = ThreadCondition()
    // Guarded by `condition`.
    private var loop: SelectorEventLoop?
    private var finished = false

    init() throws {
        startPlainThread {
            let loop = try! SelectorEventLoop()
            self.condition.withLock {
                self.loop = loop
                self.condition.broadcast()
            }
            try? loop.runForever()
            try? loop.close()
            self.condition.withLock {
                self.finished = true
                self.condition.broadcast()
            }
        }
        try condition.withLock {
            while loop == nil {
                guard condition.wait(seconds: 10) else { throw TimedOut("the asyncio loop did not start") }
            }
        }
    }

    /// Runs `body` on the loop's thread and waits (at most 10 s) for what it returns or throws.
    func sync<T>(_ body: @escaping (SelectorEventLoop) throws -> T) throws -> T {
        let loop = condition.withLock { self.loop! }
        let outcome = ThreadLock<Result<T, any Error>?>(nil)
        let done = ThreadCondition()
        let job = UncheckedBox { () in
            let result = Result { try body(loop) }
            outcome.withLock { $0 = result }
            done.withLock { done.broadcast() }
        }
        try loop.callSoonThreadsafe { job.value() }
        let deadline = monotonicSeconds() + 10
        while true {
            if let result = outcome.withLock({ $0 }) { return try result.get() }
            guard monotonicSeconds() < deadline else { throw TimedOut("the asyncio loop did not answer") }
            done.withLock { _ = done.wait(seconds: 0.01) }
        }
    }

    /// Stops the loop and waits until its thread has closed it.
    func stop() throws {
        try sync { $0.stop() }
        try condition.withLock {
            while !finished {
                guard condition.wait(seconds: 10) else { throw TimedOut("the asyncio loop did not stop") }
            }
        }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs tests of this test bundle in a child process of their own, for tests that change
/// process-wide signal or descriptor state.
enum ChildProcessTests {
    /// Set in the child's environment: tests enabled only there (`.enabled(if: isChild)`) run.
    static let environmentKey = "TRIO_TEST_PLATFORM_CHILD"

    static var isChild: Bool { ProcessInfo.processInfo.environment[environmentKey] != nil }

    /// Runs the tests whose names match `testName` in a child process; its exit status and output.
    static func run(_ testName: String) throws -> (code: Int32, output: String) {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        var environment = ProcessInfo.processInfo.environment
        environment[environmentKey] = "1"
        return try Trio.run { () -> (Int32, String) in
            let result = try await runProcess(
                [bundle, "--testing-library", "swift-testing", "--filter", testName],
                captureStdout: true, captureStderr: true, check: false, environment: environment)
            return (result.returnCode, String(decoding: result.stdout! + result.stderr!, as: UTF8.self))
        }
    }
}
