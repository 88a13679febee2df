import CTrioPlatform
import SharedErrors
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C for ``run(debug:loopFactory:_:)``, as CPython 3.11's `asyncio.Runner` handles it: the first
/// `SIGINT` cancels the main task and lets it unwind; `run` then throws `KeyboardInterrupt` if the
/// main task ended cancelled with no cancel request left pending (`uncancel() == 0`). A second one,
/// while the main task is still unwinding, stops the loop at once (CPython raises `KeyboardInterrupt`
/// wherever the main thread is): `run` cancels what is left and throws `KeyboardInterrupt`.
///
/// Installed only on the process's main thread and only while `SIGINT` has its default action, as
/// CPython does; elsewhere Ctrl-C stays with whoever handles it. The signal reaches the loop through
/// the platform layer's registry and an eventfd the loop watches like any descriptor, so the cancel
/// itself runs on the loop thread, between callbacks.
///
/// Loop thread only, but for the registry's write to the eventfd.
final class RunInterruptGuard {
    private let loop: any AbstractEventLoop
    private let wakeUp: EventFD
    private let subscription: SignalRegistry.Subscription
    private var mainTask: (any AnyAsyncioTask)?
    /// How many `SIGINT`s arrived that the loop did not handle itself.
    private(set) var interrupts = 0

    private init(loop: any AbstractEventLoop, wakeUp: EventFD, subscription: SignalRegistry.Subscription) {
        self.loop = loop
        self.wakeUp = wakeUp
        self.subscription = subscription
    }

    /// Takes Ctrl-C for `loop` when this is the main thread and nobody else handles `SIGINT`; `nil`
    /// otherwise, or when the eventfd or the loop's reader cannot be set up (Ctrl-C then keeps its
    /// default action, as before the run).
    static func install(on loop: any AbstractEventLoop) -> RunInterruptGuard? {
        guard ctrio_is_main_thread() != 0, let wakeUp = try? EventFD() else { return nil }
        let subscribed = try? SignalRegistry.subscribe(
            SIGINT, .wakeEventFD(fd: wakeUp.fd), precedence: .exclusive(level: 0), onlyIfDefault: true)
        guard let subscription = subscribed else {
            wakeUp.close()
            return nil
        }
        let installed = RunInterruptGuard(loop: loop, wakeUp: wakeUp, subscription: subscription)
        do {
            try loop.addReader(wakeUp.fd) { [unowned installed] in installed.interrupted() }
        } catch {
            SignalRegistry.unsubscribe(subscription)
            wakeUp.close()
            return nil
        }
        return installed
    }

    /// Starts cancelling `task` on the next Ctrl-C.
    func watch(_ task: any AnyAsyncioTask) { mainTask = task }

    private func interrupted() {
        wakeUp.drain()
        if let own = loop as? any SignalHandlingLoop, own.signalHandlers.handles(SIGINT) { return }
        interrupts += 1
        if interrupts == 1, let task = mainTask, !task.done {
            task.cancel()
        } else {
            loop.stop()
        }
    }

    /// Gives Ctrl-C back (before the loop closes: the reader goes first).
    func uninstall() {
        SignalRegistry.unsubscribe(subscription)
        _ = loop.removeReader(wakeUp.fd)
        wakeUp.close()
    }
}
