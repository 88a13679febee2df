@_exported import SharedErrors

#if canImport(Glibc)
import Glibc
#endif

/// Raised at a checkpoint inside a cancelled cancel scope. Flavor: Trio.
///
/// Let it propagate: the ``CancelScope`` that was cancelled catches it on exit. There is no
/// public initializer, because only the runtime may decide that a task is cancelled.
public struct Cancelled: Error, CustomStringConvertible {
    /// Why the scope was cancelled, when the canceller said (see ``CancelScope/cancel(reason:)``).
    public let reason: String?

    package init(reason: String?) { self.reason = reason }

    /// `Cancelled` plus the reason, if any.
    public var description: String { reason.map { "Cancelled(\($0))" } ?? "Cancelled" }
}

/// Raised by ``failAfter(_:shield:_:)`` and ``failAt(_:shield:_:)`` when the deadline expires.
public struct TooSlowError: Error, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// A fixed description.
    public var description: String { "TooSlowError" }
}

/// Raised by a `*Nowait` operation that would have had to block.
public struct WouldBlock: Error, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// A fixed description.
    public var description: String { "WouldBlock" }
}

/// Raised by a receive on a channel whose every sender is closed and whose buffer is drained.
public struct EndOfChannel: Error, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// A fixed description.
    public var description: String { "EndOfChannel" }
}

/// Raised when a resource is used after *this* handle to it was closed.
public struct ClosedResourceError: Error, CustomStringConvertible {
    /// What was closed, in words.
    public let message: String
    /// Creates the error.
    public init(_ message: String = "this resource was closed") { self.message = message }
    /// The message.
    public var description: String { "ClosedResourceError: \(message)" }
}

/// Raised when the other side of a resource went away (every receiver closed, a peer reset).
public struct BrokenResourceError: Error, CustomStringConvertible {
    /// What broke, in words.
    public let message: String
    /// The underlying error, if any.
    public let underlying: (any Error)?
    /// Creates the error.
    public init(_ message: String = "the resource is broken", underlying: (any Error)? = nil) {
        self.message = message
        self.underlying = underlying
    }
    /// The message.
    public var description: String { "BrokenResourceError: \(message)" }
}

/// Raised when two tasks try to use a resource that allows only one user at a time.
public struct BusyResourceError: Error, CustomStringConvertible {
    /// What was busy, in words.
    public let message: String
    /// Creates the error.
    public init(_ message: String = "another task is already using this resource") { self.message = message }
    /// The message.
    public var description: String { "BusyResourceError: \(message)" }
}

/// Raised by ``TrioToken/runSyncSoon(idempotencyKey:_:)`` after the run it belongs to has ended.
public struct RunFinishedError: Error, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// A fixed description.
    public var description: String { "RunFinishedError: the Trio run this token belongs to has finished" }
}

/// Raised when the runtime itself found a broken invariant (or a system task failed).
public struct TrioInternalError: Error, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    /// The error that caused it, if any.
    public let underlying: (any Error)?
    /// Creates the error.
    public init(_ message: String, underlying: (any Error)? = nil) {
        self.message = message
        self.underlying = underlying
    }
    /// The message and the underlying error.
    public var description: String {
        underlying.map { "TrioInternalError: \(message): \($0)" } ?? "TrioInternalError: \(message)"
    }
}

