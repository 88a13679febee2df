import Asyncio
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

/// Polls `condition` every 5 ms for up to 10 s, on a plain thread; true once it holds.
func eventually(_ condition: () -> Bool) -> Bool {
    let deadline = monotonicSeconds() + 10
    while !condition() {
        if monotonicSeconds() > deadline { return false }
        usleep(5_000)
    }
    return true
}

/// The handler of `signal` as a raw value (0 for `SIG_DFL`, 1 for `SIG_IGN`).
func signalDisposition(_ signal: Int32) -> Int {
    var action = sigaction()
    sigaction(signal, nil, &action)
    return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
}
