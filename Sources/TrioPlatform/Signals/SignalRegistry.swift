import CTrioPlatform
import SharedErrors
#if canImport(Glibc)
import Glibc
#endif

/// The one owner of the process's signal dispositions: every part of the package that wants a
/// signal (Trio's Ctrl-C guard and ``withSignalReceiver``-style receivers, any number of asyncio
/// loops' `addSignalHandler`, a bridge loop) subscribes here. Flavor: sync; thread-safe.
///
/// - The first subscription to a signal saves the disposition the process had and installs the
///   package's one C handler (`ctrio_signal_handler`); the last unsubscription puts the saved
///   disposition back (unless code outside the package replaced the handler meanwhile: its
///   handler stays). Nothing else in the package calls `sigaction`.
/// - The handler notifies subscribers through a fixed table of C11 atomics (async-signal-safe,
///   any thread): every ``Precedence/shared`` subscriber of the signal, plus the one
///   ``Precedence/exclusive(level:)`` subscriber with the highest level, the most recent among
///   equals (the innermost Trio receiver, which hides the run's Ctrl-C guard, as a handler that
///   replaced another would).
/// - Subscribers are independent: removing one, in any order, never changes what the others
///   get. ``unsubscribe(_:)`` returns only once no handler can still write to the subscriber's
///   descriptor, so the caller may close it right away.
/// - A signal that finds no subscriber (it raced the last unsubscription) gets the saved
///   disposition: ignored, the previous handler called, or the default action taken.
///
/// Invariant (under `state`'s lock): `claims[s]` is the number of published slots of signal `s`;
/// `saved[s]` is set exactly while `claims[s] > 0`, except once ``restoreDefaultDisposition(_:)``
/// gave `s` back to the kernel's default for a process about to end by it.
package enum SignalRegistry {
    /// One past the largest signal number (Linux's `_NSIG`).
    package static let signalLimit: Int32 = CTRIO_SIGNAL_LIMIT

    /// How a subscriber is told that its signal arrived.
    package enum Target {
        /// The signal number, one byte, is written into `fd` (a non-blocking pipe).
        case writeSignalNumber(fd: Int32)
        /// 1 is added to eventfd `fd`.
        case wakeEventFD(fd: Int32)
        /// `handler(signal)` is called in the signal handler: it must be async-signal-safe.
        case call(@convention(c) (Int32) -> Void)
    }

    /// Who else hears the signal.
    package enum Precedence: Equatable {
        /// Notified alongside every other subscriber (asyncio loops).
        case shared
        /// Notified only if no exclusive subscriber with a higher `level`, or the same level and
        /// a later subscription, exists (Trio: receivers at level 1 over the Ctrl-C guard at 0).
        case exclusive(level: UInt8)
    }

    /// A subscription, to hand back to ``unsubscribe(_:)``.
    package struct Subscription: Hashable, Sendable {
        package let signal: Int32
        fileprivate let slot: Int32
        fileprivate let serial: UInt64
    }

    private struct State {
        var claims = [Int](repeating: 0, count: Int(signalLimit))
        var saved: [sigaction?] = Array(repeating: nil, count: Int(signalLimit))
        /// The serial of the subscription holding each slot, 0 when free.
        var slots = [UInt64](repeating: 0, count: Int(CTRIO_SIGNAL_SLOTS))
        var nextSerial: UInt64 = 1
    }

    private static let state = ThreadLock(State())

    private typealias SignalHandler = @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?)
        -> Void

    /// Whether the package can subscribe to `signal` at all (in range, not `SIGKILL` or
    /// `SIGSTOP`); the kernel may still refuse others (glibc keeps 32 and 33 for itself).
    package static func isCatchable(_ signal: Int32) -> Bool {
        signal > 0 && signal < signalLimit && signal != SIGKILL && signal != SIGSTOP
    }

    /// Subscribes to `signal`.
    ///
    /// - Parameter onlyIfDefault: subscribe only if the process's own disposition of `signal`
    ///   (the one saved by the first subscriber, or the current one) is the default action;
    ///   otherwise return `nil` (Trio's Ctrl-C guard stays out of a program that handles
    ///   `SIGINT` itself).
    /// - Throws: ``ValueError`` for a signal that cannot be caught; ``OSError`` when `sigaction`
    ///   refuses it, or when all subscription slots are taken (`ENOSPC`).
    @discardableResult
    package static func subscribe(
        _ signal: Int32, _ target: Target, precedence: Precedence, onlyIfDefault: Bool = false
    ) throws -> Subscription? {
        guard isCatchable(signal) else { throw ValueError("signal \(signal) cannot be caught") }
        return try state.withLock { state -> Subscription? in
            let index = Int(signal)
            if onlyIfDefault {
                var current = sigaction()
                if state.saved[index] == nil { sigaction(signal, nil, &current) }
                guard isDefault(state.saved[index] ?? current) else { return nil }
            }
            guard let slot = state.slots.firstIndex(of: 0) else {
                throw OSError(errno: ENOSPC, operation: "subscribing to signal \(signal): \(CTRIO_SIGNAL_SLOTS) in use")
            }
            let serial = state.nextSerial
            state.nextSerial += 1
            let rank: Int
            switch precedence {
            case .shared: rank = 0
            case .exclusive(let level): rank = (Int(level) + 1) << 40 | Int(truncatingIfNeeded: serial & 0xFF_FFFF_FFFF)
            }
            switch target {
            case .writeSignalNumber(let fd):
                ctrio_signal_slot_publish(Int32(slot), signal, Int32(CTRIO_SIGNAL_WRITE_NUMBER), fd, nil, rank)
            case .wakeEventFD(let fd):
                ctrio_signal_slot_publish(Int32(slot), signal, Int32(CTRIO_SIGNAL_WRITE_EVENT), fd, nil, rank)
            case .call(let handler):
                ctrio_signal_slot_publish(Int32(slot), signal, Int32(CTRIO_SIGNAL_CALL), -1, handler, rank)
            }
            if state.claims[index] == 0 {
                do {
                    state.saved[index] = try claim(signal)
                } catch {
                    ctrio_signal_slot_retract(Int32(slot))
                    throw error
                }
            }
            state.claims[index] += 1
            state.slots[slot] = serial
            return Subscription(signal: signal, slot: Int32(slot), serial: serial)
        }
    }

    /// Ends `subscription`; once it returns, the signal handler no longer touches the
    /// subscriber's descriptor or callback. The last subscriber of a signal gives it back its
    /// saved disposition. Ending a subscription twice does nothing.
    package static func unsubscribe(_ subscription: Subscription) {
        state.withLock { (state: inout State) in
            let slot = Int(subscription.slot)
            guard state.slots[slot] == subscription.serial else { return }
            let index = Int(subscription.signal)
            state.claims[index] -= 1
            if state.claims[index] == 0, var saved = state.saved[index] {
                // Unless code outside the package installed a handler of its own meanwhile:
                // that one stays.
                var current = sigaction()
                sigaction(subscription.signal, nil, &current)
                if current.sa_flags & SA_SIGINFO != 0,
                    unsafeBitCast(current.__sigaction_handler.sa_sigaction, to: Int.self)
                        == unsafeBitCast(ctrio_signal_handler as SignalHandler, to: Int.self)
                {
                    sigaction(subscription.signal, &saved, nil)
                }
                state.saved[index] = nil
            }
            ctrio_signal_slot_retract(subscription.slot)
            state.slots[slot] = 0
        }
    }

    /// Puts the default action back for `signal` whatever subscribes to it, for a process that is
    /// about to end by that signal (``ProgramExit``). Subscriptions stay recorded but hear nothing more.
    package static func restoreDefaultDisposition(_ signal: Int32) {
        state.withLock { (state: inout State) in
            var action = sigaction()
            action.__sigaction_handler.sa_handler = SIG_DFL
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
            // The last unsubscription must not put the saved disposition back over this one.
            state.saved[Int(signal)] = nil
        }
    }

    /// The number of live subscriptions to `signal` (for tests and diagnostics).
    package static func subscriberCount(_ signal: Int32) -> Int {
        guard signal > 0, signal < signalLimit else { return 0 }
        return state.withLock { $0.claims[Int(signal)] }
    }

    /// Saves `signal`'s disposition for the handler's fall-back, then installs the handler.
    private static func claim(_ signal: Int32) throws -> sigaction {
        var previous = sigaction()
        _ = try systemCall("sigaction(\(signal))") { sigaction(signal, nil, &previous) }
        let siginfo = previous.sa_flags & SA_SIGINFO != 0
        let handler = siginfo
            ? unsafeBitCast(previous.__sigaction_handler.sa_sigaction, to: UnsafeMutableRawPointer?.self)
            : unsafeBitCast(previous.__sigaction_handler.sa_handler, to: UnsafeMutableRawPointer?.self)
        ctrio_signal_set_previous(signal, handler, siginfo ? 1 : 0)
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = ctrio_signal_handler
        // SA_RESTART: system calls of threads the signal lands on resume instead of failing
        // with EINTR (most callers retry anyway, some third-party code does not).
        action.sa_flags = SA_SIGINFO | SA_RESTART
        sigemptyset(&action.sa_mask)
        _ = try systemCall("sigaction(\(signal))") { sigaction(signal, &action, nil) }
        return previous
    }

    private static func isDefault(_ action: sigaction) -> Bool {
        action.sa_flags & SA_SIGINFO == 0
            && unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == 0  // SIG_DFL
    }
}
