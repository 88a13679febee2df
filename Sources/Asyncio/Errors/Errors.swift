@_exported import SharedErrors
import Sniffio
#if canImport(Glibc)
import Glibc
#endif

/// An asyncio operation was cancelled: the edge-triggered cancellation of ``AsyncioTask/cancel(message:)``
/// or ``Future/cancel(message:)`` arriving at an `await`.
///
/// Flavor: asyncio. Thrown once per `cancel()` call, at the task's current or next suspension point.
public struct CancelledError: Error, CustomStringConvertible {
    /// The message given to `cancel(message:)`, if any.
    public let message: String?
    /// Creates the error, optionally carrying the cancel message.
    public init(message: String? = nil) { self.message = message }
    /// `CancelledError` followed by the message when there is one.
    public var description: String { message.map { "CancelledError: \($0)" } ?? "CancelledError" }
}

/// A deadline expired: thrown by ``timeout(_:_:)``, ``waitFor(_:timeout:)`` and ``asCompleted(_:timeout:)``.
///
/// Flavor: asyncio.
public struct TimeoutError: Error, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// A fixed sentence.
    public var description: String { "TimeoutError: the operation timed out" }
}

/// A future was asked for something its state does not allow (a result before it is done, a second result).
///
/// Flavor: sync.
public struct InvalidStateError: Error, CustomStringConvertible {
    /// What was wrong.
    public let message: String
    /// Creates the error with a message.
    public init(_ message: String) { self.message = message }
    /// `InvalidStateError: ` followed by the message.
    public var description: String { "InvalidStateError: \(message)" }
}

/// The stream ended before ``StreamReader/readexactly(_:)`` or ``StreamReader/readuntil(_:)`` got what it needed.
///
/// Flavor: asyncio.
public struct IncompleteReadError: Error, CustomStringConvertible {
    /// The bytes read before the end of the stream.
    public let partial: [UInt8]
    /// How many bytes were wanted (`nil`: an unbounded read such as `readuntil`).
    public let expected: Int?
    /// Creates the error.
    public init(partial: [UInt8], expected: Int?) {
        self.partial = partial
        self.expected = expected
    }
    /// How much was read and how much was wanted.
    public var description: String {
        "IncompleteReadError: \(partial.count) bytes read on a total of "
            + (expected.map(String.init) ?? "undefined") + " expected bytes"
    }
}

/// ``StreamReader/readuntil(_:)`` or ``StreamReader/readline()`` found no separator within the reader's limit.
///
/// Flavor: asyncio.
public struct LimitOverrunError: Error, CustomStringConvertible {
    /// What happened.
    public let message: String
    /// How many bytes are buffered that belong to the overrunning line.
    public let consumed: Int
    /// Creates the error.
    public init(_ message: String, consumed: Int) {
        self.message = message
        self.consumed = consumed
    }
    /// `LimitOverrunError: ` followed by the message.
    public var description: String { "LimitOverrunError: \(message)" }
}

/// ``Queue/getNowait()`` found the queue empty.
///
/// Flavor: sync.
public struct QueueEmpty: Error {
    /// Creates the error.
    public init() {}
}

/// ``Queue/putNowait(_:)`` found the queue at its `maxsize`.
///
/// Flavor: sync.
public struct QueueFull: Error {
    /// Creates the error.
    public init() {}
}

extension FlavorError {
    /// The error for `what` called outside an asyncio task: from a Trio task it names the adapters
    /// (see ``FlavorError/asyncioCalledFromTrio(_:)``); elsewhere it says where to call it from.
    static func outsideTask(_ what: String) -> FlavorError {
        // The error path only: asking Sniffio costs a detector call or two.
        if (try? currentAsyncLibrary()) == "trio" { return .asyncioCalledFromTrio(what) }
        return FlavorError(
            "\(what) called outside an asyncio task: call it from a task of a running loop "
                + "(Asyncio.run / loop.createTask)"
        )
    }
}

extension RuntimeError {
    /// asyncio's error for any use of a closed loop (CPython's `_check_closed`), spelled once for every
    /// loop of the package.
    package static var loopClosed: RuntimeError { RuntimeError("Event loop is closed") }
}
