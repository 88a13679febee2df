import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A hosted loop's claim on one signal through the process-wide ``SignalRegistry``: each arrival
/// writes the signal number to a non-blocking pipe whose read end the loop watches. Package API
/// (TrioAsyncio's `addSignalHandler`). Shared, as asyncio loops' handlers are: Trio's receivers,
/// its Ctrl-C guard and other loops keep hearing the signal, and removing this claim disturbs none
/// of them.
package final class SignalSubscription {
    /// The signal.
    package let signal: Int32
    /// The read end: readable once the signal has arrived; ``drain()`` it.
    package let readFD: Int32
    private let writeFD: Int32
    private var subscription: SignalRegistry.Subscription?

    /// Claims `signal` for a new pipe.
    ///
    /// - Throws: ``ValueError`` for a signal that cannot be caught; ``OSError`` from the system.
    package init(signal: Int32) throws {
        guard SignalRegistry.isCatchable(signal) else { throw ValueError("signal \(signal) cannot be caught") }
        let pipe = try openPipe(nonBlocking: true)
        self.signal = signal
        readFD = pipe.read
        writeFD = pipe.write
        do {
            subscription = try SignalRegistry.subscribe(signal, .writeSignalNumber(fd: pipe.write), precedence: .shared)
        } catch {
            close(pipe.read)
            close(pipe.write)
            throw error
        }
    }

    /// Empties the pipe; returns how many arrivals it held.
    package func drain() -> Int {
        var buffer = [UInt8](repeating: 0, count: 64)
        var total = 0
        while true {
            let count = read(readFD, &buffer, buffer.count)
            guard count > 0 else { return total }
            total += count
        }
    }

    /// Gives the signal back and closes the pipe (idempotent).
    package func cancel() {
        guard let subscription else { return }
        self.subscription = nil
        SignalRegistry.unsubscribe(subscription)
        close(readFD)
        close(writeFD)
    }

    deinit { cancel() }
}
