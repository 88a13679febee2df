import CTrioPlatform
import TrioPlatform

#if canImport(Glibc)
import Glibc
#endif

extension Lowlevel {
    /// Starts a Trio run as a *guest* of another event loop (Trio's `start_guest_run`), and returns
    /// at once. Flavor: sync; call it on the host loop's thread.
    ///
    /// The run's work happens in callbacks that the host runs on that same thread; blocking waits
    /// for I/O and timers happen on a helper thread, which hands the events back through
    /// `runSyncSoonThreadsafe`. So a host (a GUI main loop, a SwiftNIO event loop, an asyncio
    /// loop) stays responsive while Trio code runs inside it. Host code must reach the run through
    /// ``currentTrioToken()`` (or a token obtained inside it), never by touching Trio objects
    /// directly.
    ///
    /// - Parameters:
    ///   - clock: the run's clock (default: the system's monotonic clock).
    ///   - instruments: hooks called by the run loop.
    ///   - strictExceptionGroups: whether nurseries wrap even a single error.
    ///   - name: the main task's name.
    ///   - runSyncSoonThreadsafe: schedules a callback on the host thread; callable from any thread.
    ///   - runSyncSoonNotThreadsafe: the same, called only from the host thread (may be cheaper);
    ///     defaults to `runSyncSoonThreadsafe`.
    ///   - doneCallback: called on the host thread with the main task's outcome when the run ends.
    ///   - main: the main task.
    /// - Throws: `RuntimeError` if a run is already active on this thread.
    public static func startGuestRun<T>(
        clock: (any TrioClock)? = nil, instruments: [any Instrument] = [], strictExceptionGroups: Bool = true,
        name: String = "main",
        runSyncSoonThreadsafe: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
        runSyncSoonNotThreadsafe: ((@escaping () -> Void) -> Void)? = nil,
        doneCallback: @escaping (Result<T, any Error>) -> Void,
        _ main: sending @escaping () async throws -> T
    ) throws {
        let (runner, result) = try Runner.start(
            clock: clock, instruments: instruments, strictExceptionGroups: strictExceptionGroups, name: name, main)
        runner.driving = false
        let driver = GuestDriver(
            runner: runner, result: result, threadsafe: runSyncSoonThreadsafe,
            notThreadsafe: runSyncSoonNotThreadsafe, done: doneCallback)
        driver.scheduleTick()
    }
}

/// Drives a runner one loop pass per host callback (Trio's `GuestState`).
private final class GuestDriver<T>: @unchecked Sendable {
    private let runner: Runner
    private let result: ResultBox<T>
    private let threadsafe: @Sendable (@escaping @Sendable () -> Void) -> Void
    private let notThreadsafe: ((@escaping () -> Void) -> Void)?
    private let done: (Result<T, any Error>) -> Void

    init(
        runner: Runner, result: ResultBox<T>, threadsafe: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
        notThreadsafe: ((@escaping () -> Void) -> Void)?, done: @escaping (Result<T, any Error>) -> Void
    ) {
        self.runner = runner
        self.result = result
        self.threadsafe = threadsafe
        self.notThreadsafe = notThreadsafe
        self.done = done
    }

    func scheduleTick() {
        if let notThreadsafe {
            notThreadsafe { self.tick() }
        } else {
            threadsafe { self.tick() }
        }
    }

    /// One pass: plan, a quick poll here, and either finish the pass or hand a blocking wait to a
    /// helper thread.
    private func tick() {
        guard runner.livingTasks > 0 else { return finish() }
        runner.driving = true
        defer { runner.driving = false }
        let plan = runner.planIteration()
        guard plan.mustPoll else {
            runner.finishIteration(plan, events: 0)
            return scheduleTick()
        }
        if runner.instrumented {
            runner.instrument("before_io_wait") { try $0.beforeIOWait(timeout: plan.timeout) }
        }
        // Try without blocking first: when something is ready there is no need for the thread.
        let ready = runner.io.poll(timeout: 0, entryQueue: runner.entryQueue, into: &runner.readyIO)
        if ready > 0 || plan.timeout <= 0 {
            runner.finishIteration(plan, events: ready + runner.afterIOWait(plan))
            return scheduleTick()
        }
        let pollFD = runner.io.pollFD
        let timeout = plan.timeout
        let wait: @Sendable () -> Void = {
            let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: 256)
            let count = Epoll.wait(pollFD, into: events, timeoutMilliseconds: Epoll.milliseconds(timeout))
            let collected = UncheckedSendable(Array(events[0..<count]))
            events.deallocate()
            self.threadsafe { self.resume(plan, collected.value) }
        }
        do {
            try WorkerThreadPool.shared.submit(wait)
        } catch {
            // No thread to be had: block the host this once rather than lose the run.
            wait()
        }
    }

    /// Back on the host thread with what the helper thread saw.
    private func resume(_ plan: Runner.IterationPlan, _ events: [epoll_event]) {
        runner.driving = true
        events.withUnsafeBufferPointer { buffer in
            runner.io.process(buffer, entryQueue: runner.entryQueue, into: &runner.readyIO)
        }
        runner.finishIteration(plan, events: events.count + runner.afterIOWait(plan))
        runner.driving = false
        scheduleTick()
    }

    private func finish() {
        runner.driving = true
        let outcome = Result { try runner.finishRun(result) }
        Runner.currentOnThread.set(nil)
        done(outcome)
    }
}
