import CTrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A hosted loop's claim on one signal: each arrival writes the signal number to a non-blocking
/// pipe whose read end the loop watches. Package API (TrioAsyncio's `addSignalHandler`).
package final class SignalSubscription {
    /// The signal.
    package let signal: Int32
    /// The read end: readable once the signal has arrived; ``drain()`` it.
    package let readFD: Int32
    private let writeFD: Int32
    private var installed: SignalWakeTable.Installed?

    /// Claims `signal` for a new pipe.
    ///
    /// - Throws: ``ValueError`` for a signal that cannot be caught; ``OSError`` from the system.
    package init(signal: Int32) throws {
        guard signal > 0, signal < SignalWakeTable.signalLimit, signal != SIGKILL, signal != SIGSTOP else {
            throw ValueError("signal \(signal) cannot be caught")
        }
        var fds: [Int32] = [-1, -1]
        guard ctrio_pipe2(&fds, O_CLOEXEC | O_NONBLOCK) == 0 else { throw OSError.current("pipe2") }
        self.signal = signal
        readFD = fds[0]
        writeFD = fds[1]
        do {
            installed = try SignalWakeTable.lock.withLock { try SignalWakeTable.install(signal, fd: fds[1]) }
        } catch {
            close(fds[0])
            close(fds[1])
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
        guard let installed else { return }
        self.installed = nil
        SignalWakeTable.lock.withLock { installed.restore() }
        close(readFD)
        close(writeFD)
    }

    deinit { cancel() }
}
