import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

extension SelectorEventLoop: SignalHandlingLoop {
    /// Calls `callback` on the loop thread whenever `signal` arrives (see
    /// ``AbstractEventLoop/addSignalHandler(_:_:)``); a second call for the same signal replaces
    /// the callback.
    ///
    /// Signals belong to the process, and the package's platform layer owns them: any number of
    /// loops (on any threads) and Trio runs may handle the same signal, each is notified, and
    /// none disturbs the others when it stops.
    ///
    /// Flavor: sync. - Throws: `ValueError` for an invalid or uncatchable signal, `RuntimeError` when the loop
    /// is closed, `OSError` when the OS refuses the signal or the pipe cannot be made.
    public func addSignalHandler(_ signal: Int32, _ callback: @escaping () -> Void) throws {
        if isClosed { throw RuntimeError.loopClosed }
        try signalHandlers.add(signal, callback, on: self)
    }

    /// Removes the handler of `signal`; the process's previous disposition is back once nothing
    /// else in the package handles it. Returns whether there was one.
    public func removeSignalHandler(_ signal: Int32) -> Bool {
        signalHandlers.remove(signal, on: self)
    }

    func closeSignalHandling() {
        signalHandlers.removeAll(on: self)
    }
}
