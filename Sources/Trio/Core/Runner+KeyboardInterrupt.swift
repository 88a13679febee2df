import CTrioPlatform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C for a run: while a run is active and `SIGINT` still has its default disposition, the
/// run installs a handler that flags the interrupt and wakes the loop through its eventfd; the
/// loop then cancels the system nursery, and `run` throws ``KeyboardInterrupt``.
///
/// `SIGINT` belongs to the whole process, so one run at a time owns it (the first one started
/// while the disposition was the default); the others leave it alone.
final class KeyboardInterruptGuard {
    /// Set by the signal handler; cleared by the owning run when it delivers.
    static let pending = Atomic<Bool>(false)
    /// The owning run's eventfd, read by the signal handler.
    static let wakeFD = Atomic<Int32>(-1)
    /// The owning run, if any; guarded by ``SignalWakeTable/lock``.
    nonisolated(unsafe) private static var owner: KeyboardInterruptGuard?

    unowned let runner: Runner
    private var previous: sigaction
    /// Whether an interrupt has been delivered to this run.
    var delivered = false

    private init(runner: Runner, previous: sigaction) {
        self.runner = runner
        self.previous = previous
    }

    /// Takes `SIGINT` for `runner` if nobody handles it yet; `nil` otherwise.
    static func install(for runner: Runner) -> KeyboardInterruptGuard? {
        SignalWakeTable.lock.withLock { () -> KeyboardInterruptGuard? in
            guard owner == nil else { return nil }
            var current = sigaction()
            guard sigaction(SIGINT, nil, &current) == 0,
                unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == 0  // SIG_DFL
            else { return nil }
            pending.store(false, ordering: .relaxed)
            wakeFD.store(runner.entryQueue.wakeFD, ordering: .releasing)
            var action = sigaction()
            action.__sigaction_handler.sa_handler = keyboardInterruptHandler
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            guard sigaction(SIGINT, &action, nil) == 0 else {
                wakeFD.store(-1, ordering: .releasing)
                return nil
            }
            let installed = KeyboardInterruptGuard(runner: runner, previous: current)
            owner = installed
            return installed
        }
    }

    /// Gives `SIGINT` back to its default disposition, and says whether an interrupt arrived that
    /// was never delivered (the run ended first): Trio still raises it on the way out of `run`.
    ///
    /// If another handler replaced ours meanwhile (a signal receiver opened on another thread
    /// and not yet closed), it is left in place: it will restore ours, which then finds no
    /// owner and falls back to the default action.
    @discardableResult
    func uninstall() -> Bool {
        SignalWakeTable.lock.withLock { () -> Bool in
            var current = sigaction()
            sigaction(SIGINT, nil, &current)
            if unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
                == unsafeBitCast(keyboardInterruptHandler, to: Int.self)
            {
                sigaction(SIGINT, &previous, nil)
            }
            Self.wakeFD.store(-1, ordering: .releasing)
            // Read after our handler is gone, so no interrupt can slip in between.
            let undelivered = Self.pending.exchange(false, ordering: .acquiring)
            Self.owner = nil
            return undelivered
        }
    }

    /// The owner, if it is `runner`.
    static func owned(by runner: Runner) -> KeyboardInterruptGuard? {
        SignalWakeTable.lock.withLock { owner?.runner === runner ? owner : nil }
    }
}

/// Async-signal-safe: an atomic store and one `write`; with no run to deliver to, the default
/// action (the process is interrupted, as without Trio).
private let keyboardInterruptHandler: @convention(c) (Int32) -> Void = { signal in
    let savedErrno = errno
    let fd = KeyboardInterruptGuard.wakeFD.load(ordering: .acquiring)
    if fd >= 0 {
        KeyboardInterruptGuard.pending.store(true, ordering: .releasing)
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    } else {
        Glibc.signal(signal, SIG_DFL)
        kill(getpid(), signal)
    }
    errno = savedErrno
}

extension Runner {
    /// Whether a `SIGINT` is waiting to be delivered (to this run, if it owns `SIGINT`).
    @inline(__always)
    var keyboardInterruptRequested: Bool { KeyboardInterruptGuard.pending.load(ordering: .relaxed) }

    /// Cancels everything under the system nursery, once it exists, and records the interrupt.
    func deliverKeyboardInterrupt() {
        guard let owner = KeyboardInterruptGuard.owned(by: self), let nursery = systemNursery else { return }
        KeyboardInterruptGuard.pending.store(false, ordering: .relaxed)
        owner.delivered = true
        nursery.cancelScope.cancel(reason: "KeyboardInterrupt")
    }
}
