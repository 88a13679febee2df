import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// An event loop's signal handlers and its self-pipe, for every loop of the package: the platform layer's
/// signal registry writes the number of each signal the loop subscribed to into `writeFD`, and the loop
/// watches `readFD` with its own `addReader`, like any other descriptor.
///
/// Signals belong to the process and the platform layer owns them: subscriptions are shared, so any number of
/// loops (on any threads) and Trio runs may handle one signal, each is notified, and none disturbs the others
/// when it stops. The one exception is a loop made with an `interruptPrecedence`: trio-asyncio's loop takes
/// SIGINT from the Trio run it lives in (see `TrioEventLoop.addSignalHandler`). Loop thread only.
///
/// Invariant: `subscriptions` and `handlers` have the same keys; the pipe is open exactly while they are
/// not empty.
package final class LoopSignalHandlers {
    private var handlers: [Int32: () -> Void] = [:]
    private var subscriptions: [Int32: SignalRegistry.Subscription] = [:]
    private var readFD: Int32 = -1
    private var writeFD: Int32 = -1
    private let interruptPrecedence: SignalRegistry.Precedence

    /// - Parameter interruptPrecedence: how the loop claims SIGINT (every other signal is shared).
    package init(interruptPrecedence: SignalRegistry.Precedence = .shared) {
        self.interruptPrecedence = interruptPrecedence
    }

    /// Calls `callback` through `loop`'s queue whenever `signal` arrives; a second call for the same signal
    /// replaces the callback.
    ///
    /// - Throws: `ValueError` for an invalid or uncatchable signal; `OSError` when the OS refuses the
    ///   signal or the pipe cannot be made; what `loop.addReader` throws.
    package func add(_ signal: Int32, _ callback: @escaping () -> Void, on loop: any AbstractEventLoop) throws {
        guard SignalRegistry.isCatchable(signal) else {
            throw ValueError("invalid or uncatchable signal number \(signal)")
        }
        if subscriptions[signal] == nil {
            try openPipe(on: loop)
            do {
                let subscription = try SignalRegistry.subscribe(
                    signal, .writeSignalNumber(fd: writeFD),
                    precedence: signal == SIGINT ? interruptPrecedence : .shared)
                subscriptions[signal] = subscription
            } catch {
                // Keep no pipe for no handler (CPython undoes set_wakeup_fd).
                if subscriptions.isEmpty { closePipe(on: loop) }
                throw error
            }
        }
        handlers[signal] = callback
    }

    /// Whether the loop has a handler for `signal`.
    package func handles(_ signal: Int32) -> Bool { handlers[signal] != nil }

    /// Removes the handler of `signal`; the process's previous disposition is back once nothing else in the
    /// package handles it. Returns whether there was one.
    package func remove(_ signal: Int32, on loop: any AbstractEventLoop) -> Bool {
        guard handlers.removeValue(forKey: signal) != nil else { return false }
        if let subscription = subscriptions.removeValue(forKey: signal) {
            SignalRegistry.unsubscribe(subscription)
        }
        if subscriptions.isEmpty { closePipe(on: loop) }
        return true
    }

    /// Removes every handler (the loop is closing).
    package func removeAll(on loop: any AbstractEventLoop) {
        for subscription in subscriptions.values { SignalRegistry.unsubscribe(subscription) }
        subscriptions.removeAll()
        handlers.removeAll()
        closePipe(on: loop)
    }

    private func openPipe(on loop: any AbstractEventLoop) throws {
        guard readFD < 0 else { return }
        let pipe = try TrioPlatform.openPipe(nonBlocking: true)
        readFD = pipe.read
        writeFD = pipe.write
        do {
            try loop.addReader(pipe.read) { [unowned self, unowned loop] in self.dispatch(on: loop) }
        } catch {
            closePipe(on: loop)
            throw error
        }
    }

    /// Closes the pipe; the registry no longer writes to it (every subscription has ended).
    private func closePipe(on loop: any AbstractEventLoop) {
        guard readFD >= 0 else { return }
        _ = loop.removeReader(readFD)
        Glibc.close(readFD)
        Glibc.close(writeFD)
        readFD = -1
        writeFD = -1
    }

    private func dispatch(on loop: any AbstractEventLoop) {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(readFD, &buffer, buffer.count)
            guard count > 0 else { return }
            for byte in buffer[0..<count] {
                if let handler = handlers[Int32(byte)] { _ = try? loop.callSoon(handler) }
            }
        }
    }
}

/// A loop that can say whether it handles a signal itself (``AbstractEventLoop/addSignalHandler(_:_:)``):
/// a program's own `SIGINT` handler takes Ctrl-C away from ``run(debug:loopFactory:_:)``, as in CPython.
package protocol SignalHandlingLoop: AnyObject {
    /// The loop's signal handlers.
    var signalHandlers: LoopSignalHandlers { get }
}
