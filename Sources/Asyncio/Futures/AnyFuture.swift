/// What every ``Future`` offers regardless of its result type; lets heterogeneous futures be waited on
/// together (``wait(_:timeout:returnWhen:)->([AnyFuture],_)``, ``gather(_:)->[T]`` with parameter packs).
public protocol AnyFuture: AnyObject {
    /// The loop the future belongs to; its callbacks run there.
    var loop: any AbstractEventLoop { get }
    /// Whether the future has a result, an error, or was cancelled.
    var done: Bool { get }
    /// Whether the future was cancelled.
    var cancelled: Bool { get }
    /// Cancels the future (for a task: requests its cancellation); `false` when it was already done.
    ///
    /// Flavor: sync.
    @discardableResult
    func cancel(message: String?) -> Bool
    /// The future's error, `nil` when it has a result; marks the error as retrieved.
    ///
    /// Flavor: sync. - Throws: ``CancelledError`` when cancelled, ``InvalidStateError`` when not done.
    func exception() throws -> (any Error)?
    /// Calls `callback` (through the loop's ready queue) once the future is done; at once-next-iteration when it
    /// already is.
    ///
    /// Flavor: sync.
    @discardableResult
    func addAnyDoneCallback(_ callback: @escaping (any AnyFuture) -> Void) -> CallbackID
    /// Removes the callbacks registered under `id`; returns how many were removed.
    ///
    /// Flavor: sync.
    @discardableResult
    func removeDoneCallback(_ id: CallbackID) -> Int
}

extension AnyFuture {
    /// Cancels without a message. See ``AnyFuture/cancel(message:)``.
    @discardableResult
    public func cancel() -> Bool { cancel(message: nil) }
}

/// Identifies a done-callback for ``Future/removeDoneCallback(_:)``.
public struct CallbackID: Hashable, Sendable {
    let raw: UInt64
}
