import CTrioPlatform
import TrioPlatform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C for a run: while a run is active and the process's own `SIGINT` disposition is the
/// default one, the run subscribes to `SIGINT` in the platform layer's ``SignalRegistry``; its
/// handler flags the interrupt and wakes the loop through its eventfd; the loop then cancels the
/// system nursery, and `run` throws `KeyboardInterrupt`.
///
/// One run at a time owns Ctrl-C (the first one started while the disposition was the default);
/// the others leave it alone. The subscription is exclusive at the lowest level, so an open
/// ``withSignalReceiver(_:_:)`` for `SIGINT` takes precedence, while asyncio loops that handle
/// `SIGINT` in the same process neither hide it nor take it away when they stop.
final class KeyboardInterruptGuard {
    /// Set by the signal handler; cleared by the owning run when it delivers.
    static let pending = Atomic<Bool>(false)
    /// The owning run's eventfd, read by the signal handler.
    static let wakeFD = Atomic<Int32>(-1)
    /// Guards ``owner``.
    private static let lock = ThreadLock<Void>()
    /// The owning run, if any; guarded by ``lock``.
    nonisolated(unsafe) private static var owner: KeyboardInterruptGuard?

    unowned let runner: Runner
    private let subscription: SignalRegistry.Subscription
    /// Whether an interrupt has been delivered to this run.
    var delivered = false

    private init(runner: Runner, subscription: SignalRegistry.Subscription) {
        self.runner = runner
        self.subscription = subscription
    }

    /// Whether `runner` owns Ctrl-C (for the deadlock check: a Ctrl-C can still end its wait).
    static func isOwned(by runner: Runner) -> Bool {
        lock.withLock { owner?.runner === runner }
    }

    /// Takes `SIGINT` for `runner` if nobody handles it yet; `nil` otherwise.
    static func install(for runner: Runner) -> KeyboardInterruptGuard? {
        lock.withLock { () -> KeyboardInterruptGuard? in
            guard owner == nil else { return nil }
            pending.store(false, ordering: .relaxed)
            wakeFD.store(runner.entryQueue.wakeFD, ordering: .releasing)
            let subscribed = try? SignalRegistry.subscribe(
                SIGINT, .call(keyboardInterruptHandler), precedence: .exclusive(level: 0), onlyIfDefault: true)
            guard let subscription = subscribed else {
                wakeFD.store(-1, ordering: .releasing)
                return nil
            }
            let installed = KeyboardInterruptGuard(runner: runner, subscription: subscription)
            owner = installed
            return installed
        }
    }

    /// Gives up `SIGINT` (the process's previous disposition is back once no other part of the
    /// package subscribes), and says whether an interrupt arrived that was never delivered (the
    /// run ended first): Trio still raises it on the way out of `run`.
    @discardableResult
    func uninstall() -> Bool {
        Self.lock.withLock { () -> Bool in
            // Once this returns no handler runs our callback any more.
            SignalRegistry.unsubscribe(subscription)
            Self.wakeFD.store(-1, ordering: .releasing)
            // Read after our handler is gone, so no interrupt can slip in between.
            let undelivered = Self.pending.exchange(false, ordering: .acquiring)
            Self.owner = nil
            return undelivered
        }
    }

    /// The owner, if it is `runner`.
    static func owned(by runner: Runner) -> KeyboardInterruptGuard? {
        lock.withLock { owner?.runner === runner ? owner : nil }
    }
}

/// Async-signal-safe: an atomic store and one `write`, called by the platform layer's signal
/// handler while the guard is subscribed.
private let keyboardInterruptHandler: @convention(c) (Int32) -> Void = { _ in
    let fd = KeyboardInterruptGuard.wakeFD.load(ordering: .acquiring)
    if fd >= 0 {
        KeyboardInterruptGuard.pending.store(true, ordering: .releasing)
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }
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
