/// A callback scheduled on an event loop by ``AbstractEventLoop/callSoon(_:)``; cancel it to keep it from running.
///
/// Flavor: sync. Handles belong to their loop's thread; `cancel()` from elsewhere is a race, as in CPython.
public class Handle: @unchecked Sendable {
    // Unchecked exclusivity: `run()` is the hottest path of the loop, and only the loop thread touches handles.
    @exclusivity(unchecked) private var callback: (() -> Void)?

    /// Whether ``cancel()`` was called.
    @exclusivity(unchecked) public private(set) var cancelled = false

    /// Called once by ``cancel()``, for a handle that stands for work elsewhere (a task of another runtime):
    /// that work is cancelled here. The handle's moment among a future's extension points (`FutureHooks`).
    package var onCancel: (() -> Void)?

    /// Creates a handle around `callback`. Loops create handles; user code receives them.
    public init(_ callback: @escaping () -> Void) {
        self.callback = callback
    }

    /// Keeps the callback from running (if it has not run yet) and releases it.
    ///
    /// Flavor: sync. Cancelling twice is harmless.
    public func cancel() {
        guard !cancelled else { return }
        cancelled = true
        callback = nil
        didCancel()
        if let onCancel {
            self.onCancel = nil
            onCancel()
        }
    }

    /// Runs the callback unless the handle was cancelled. Loops call this; user code should not.
    @inline(__always)
    public func run() {
        callback?()
    }

    /// A hook for ``TimerHandle`` to tell its loop.
    func didCancel() {}
}

/// What a ``TimerHandle`` tells its loop when it is cancelled, so the loop can prune its timer heap.
public protocol TimerHandleScheduler: AnyObject {
    /// Called once when `handle`, still in the loop's timer queue, is cancelled.
    func timerHandleCancelled(_ handle: TimerHandle)
}

/// A callback scheduled for a loop time by ``AbstractEventLoop/callAt(_:_:)`` or
/// ``AbstractEventLoop/callLater(_:_:)``.
///
/// Flavor: sync.
public final class TimerHandle: Handle, @unchecked Sendable {
    /// The loop time (``AbstractEventLoop/time()``) at which the callback is due.
    public let when: Double

    /// Whether the handle sits in its loop's timer queue; loops maintain this.
    public var scheduled = false

    /// The loop to notify on cancellation.
    public weak var scheduler: (any TimerHandleScheduler)?

    /// Creates a timer handle. Loops create these; user code receives them.
    public init(when: Double, scheduler: (any TimerHandleScheduler)?, _ callback: @escaping () -> Void) {
        self.when = when
        self.scheduler = scheduler
        super.init(callback)
    }

    override func didCancel() {
        if scheduled { scheduler?.timerHandleCancelled(self) }
    }
}
