/// A flag tasks can wait for: CPython's `asyncio.Event`.
///
/// Flavor: asyncio (``wait()``); the rest is sync. Named like Trio's `Event`: write `Asyncio.Event` in files
/// that import both.
public final class Event {
    private var flag = false
    private let waiters = WaiterList()

    /// Creates an unset event.
    public init() {}

    /// Whether the event is set.
    public var isSet: Bool { flag }

    /// Sets the event and wakes every waiting task.
    ///
    /// Flavor: sync.
    public func set() {
        guard !flag else { return }
        flag = true
        waiters.wake(upTo: Int.max)
    }

    /// Unsets the event.
    ///
    /// Flavor: sync.
    public func clear() { flag = false }

    /// Waits until the event is set; returns at once when it is.
    ///
    /// Flavor: asyncio. - Throws: ``CancelledError``; `FlavorError` outside an asyncio task.
    public func wait() async throws {
        _ = try TaskContext.require("Asyncio.Event.wait")
        if flag { return }
        try await waiters.wait(.eventWait)
    }
}
