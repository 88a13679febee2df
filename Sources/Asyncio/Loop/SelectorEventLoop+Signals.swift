import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The loop's signal handlers and its self-pipe: the platform layer's signal registry writes the
/// number of each signal this loop subscribed to into `writeFD`, and the loop reads `readFD` like
/// any other descriptor. Loop thread only.
///
/// Invariant: `subscriptions` and `handlers` have the same keys; the pipe is open exactly while
/// they are not empty.
struct SignalState {
    var handlers: [Int32: () -> Void] = [:]
    var subscriptions: [Int32: SignalRegistry.Subscription] = [:]
    var readFD: Int32 = -1
    var writeFD: Int32 = -1
}

extension SelectorEventLoop {
    /// Calls `callback` on the loop thread whenever `signal` arrives (see
    /// ``AbstractEventLoop/addSignalHandler(_:_:)``); a second call for the same signal replaces
    /// the callback.
    ///
    /// Signals belong to the process, and the package's platform layer owns them: any number of
    /// loops (on any threads) and Trio runs may handle the same signal, each is notified, and
    /// none disturbs the others when it stops.
    ///
    /// Flavor: sync. - Throws: ``ValueError`` for an invalid or uncatchable signal, ``RuntimeError`` when the loop
    /// is closed, ``OSError`` when the OS refuses the signal or the pipe cannot be made.
    public func addSignalHandler(_ signal: Int32, _ callback: @escaping () -> Void) throws {
        if isClosed { throw RuntimeError("Event loop is closed") }
        guard SignalRegistry.isCatchable(signal) else {
            throw ValueError("invalid or uncatchable signal number \(signal)")
        }
        if signalState.subscriptions[signal] == nil {
            try openSignalPipe()
            do {
                let subscription = try SignalRegistry.subscribe(
                    signal, .writeSignalNumber(fd: signalState.writeFD), precedence: .shared)
                signalState.subscriptions[signal] = subscription
            } catch {
                // Keep no pipe for no handler (CPython undoes set_wakeup_fd).
                if signalState.subscriptions.isEmpty { closeSignalPipe() }
                throw error
            }
        }
        signalState.handlers[signal] = callback
    }

    /// Removes the handler of `signal`; the process's previous disposition is back once nothing
    /// else in the package handles it. Returns whether there was one.
    public func removeSignalHandler(_ signal: Int32) -> Bool {
        guard signalState.handlers.removeValue(forKey: signal) != nil else { return false }
        if let subscription = signalState.subscriptions.removeValue(forKey: signal) {
            SignalRegistry.unsubscribe(subscription)
        }
        if signalState.subscriptions.isEmpty { closeSignalPipe() }
        return true
    }

    func closeSignalHandling() {
        for subscription in signalState.subscriptions.values { SignalRegistry.unsubscribe(subscription) }
        signalState.subscriptions.removeAll()
        signalState.handlers.removeAll()
        closeSignalPipe()
    }

    private func openSignalPipe() throws {
        guard signalState.readFD < 0 else { return }
        let pipe = try openPipe(nonBlocking: true)
        signalState.readFD = pipe.read
        signalState.writeFD = pipe.write
        do {
            try addReader(pipe.read) { [unowned self] in self.dispatchSignals() }
        } catch {
            closeSignalPipe()
            throw error
        }
    }

    /// Closes the pipe; the registry no longer writes to it (every subscription has ended).
    private func closeSignalPipe() {
        guard signalState.readFD >= 0 else { return }
        _ = removeReader(signalState.readFD)
        Glibc.close(signalState.readFD)
        Glibc.close(signalState.writeFD)
        signalState.readFD = -1
        signalState.writeFD = -1
    }

    private func dispatchSignals() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(signalState.readFD, &buffer, buffer.count)
            guard count > 0 else { return }
            for byte in buffer[0..<count] {
                if let handler = signalState.handlers[Int32(byte)] { _ = try? callSoon(handler) }
            }
        }
    }
}
