import CTrioPlatform
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The signals caught by ``withSignalReceiver(_:_:)``, as an `AsyncSequence` of signal numbers
/// (Trio's `open_signal_receiver` iterator). Flavor: Trio.
///
/// Signals of the same number that arrive while one is still pending are merged into one
/// delivery, as in Trio: signals are notifications, not a count. Iterate from one task only.
public final class SignalReceiver: AsyncSequence {
    /// A signal number, e.g. `SIGUSR1`.
    public typealias Element = Int32

    let readFD: Int32
    /// The end the signal handler writes to.
    let writeFD: Int32
    private(set) var pending: [Int32] = []
    private(set) var closed = false

    init(readFD: Int32, writeFD: Int32) {
        self.readFD = readFD
        self.writeFD = writeFD
    }

    /// Waits for the next signal. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: `RuntimeError` once the ``withSignalReceiver(_:_:)`` block has exited;
    ///   ``BusyResourceError`` if another task is waiting on this receiver; ``Cancelled``.
    public func next() async throws -> Int32 {
        if closed { throw RuntimeError("withSignalReceiver block already exited") }
        drain()
        if pending.isEmpty {
            try await waitReadable(readFD)
            drain()
        } else {
            try await checkpoint()
        }
        guard !pending.isEmpty else {
            // Woken without a byte (spurious readiness): go round again.
            return try await next()
        }
        return pending.removeFirst()
    }

    /// Moves every signal number written by the handler into `pending`, merging repeats.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(readFD, &buffer, buffer.count)
            guard count > 0 else { return }
            for byte in buffer[..<count] where !pending.contains(Int32(byte)) {
                pending.append(Int32(byte))
            }
        }
    }

    /// Marks the receiver finished and hands back what was never consumed.
    func close() -> [Int32] {
        closed = true
        drain()
        defer { pending = [] }
        return pending
    }

    /// Iterates ``next()``. Flavor: Trio.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let receiver: SignalReceiver

        /// The next signal; never `nil` (the sequence ends only with its block). Flavor: Trio;
        /// a checkpoint.
        ///
        /// - Throws: as ``SignalReceiver/next()``.
        public mutating func next() async throws -> Int32? { try await receiver.next() }
    }

    /// A new iterator over this receiver. Flavor: sync.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(receiver: self) }
}

/// Catches `signals` while `body` runs and delivers them through a ``SignalReceiver``
/// (Trio's `open_signal_receiver`). Flavor: Trio.
///
/// The receiver subscribes to the process-wide signal registry of the platform layer: the
/// innermost open receiver for a signal gets it (over the run's Ctrl-C handling), while asyncio
/// loops that handle the same signal get it too; when the block exits the process's previous
/// disposition is back once nobody else subscribes. Signals that were caught but never consumed
/// are then raised again, so they reach whoever handles them next (a pending `SIGINT` ends up
/// interrupting the program as usual). Send signals to the process (`kill(getpid(), …)`), not to
/// a thread: Swift's concurrency threads block most signals, so `raise` from a task leaves the
/// signal pending on that thread.
///
/// - Throws: `ValueError` for an empty list or a signal that cannot be caught (`SIGKILL`,
///   `SIGSTOP`, out of range); `RuntimeError` outside a Trio task; `OSError`; what `body`
///   throws.
@discardableResult
public func withSignalReceiver<T>(_ signals: [Int32], _ body: (SignalReceiver) async throws -> T) async throws -> T {
    _ = try currentTrioTask("withSignalReceiver")
    if signals.isEmpty { throw ValueError("No signals were provided") }
    for signal in signals where !SignalRegistry.isCatchable(signal) {
        throw ValueError("signal \(signal) cannot be caught")
    }
    let pipe = try openPipe(nonBlocking: true)
    let receiver = SignalReceiver(readFD: pipe.read, writeFD: pipe.write)
    var subscriptions: [SignalRegistry.Subscription] = []
    func uninstall() {
        // After this, no handler writes to the pipe any more: it may be closed.
        for subscription in subscriptions.reversed() { SignalRegistry.unsubscribe(subscription) }
        let undelivered = receiver.close()
        notifyClosing(pipe.read)
        close(pipe.read)
        close(pipe.write)
        // Process-directed, not raise(): Swift's pool threads block most signals, and one raised
        // at such a thread would stay pending there forever.
        for signal in undelivered { kill(getpid(), signal) }
    }
    do {
        var seen = Set<Int32>()
        for signal in signals where seen.insert(signal).inserted {
            if let subscription = try SignalRegistry.subscribe(
                signal, .writeSignalNumber(fd: pipe.write), precedence: .exclusive(level: 1))
            {
                subscriptions.append(subscription)
            }
        }
    } catch {
        uninstall()
        throw error
    }
    do {
        let result = try await body(receiver)
        uninstall()
        return result
    } catch {
        uninstall()
        throw error
    }
}
