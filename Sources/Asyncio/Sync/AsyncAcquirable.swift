/// A primitive entered by acquiring and left by releasing — ``Lock``, ``Semaphore``, ``Condition`` — usable
/// with `async with` (``with(_:_:)``, whose value is `Void`, as CPython's `__aenter__` returns `None`).
public protocol AsyncAcquirable: AnyObject, AsyncContextManager where Value == Void {
    /// Waits until the primitive can be taken, and takes it.
    ///
    /// Flavor: asyncio.
    func acquire() async throws
    /// Gives the primitive back.
    ///
    /// Flavor: sync.
    func release() throws
}

extension AsyncAcquirable {
    /// Acquires (``AsyncContextManager``).
    ///
    /// Flavor: asyncio. - Throws: what ``acquire()`` throws.
    public func aenter() async throws { try await acquire() }

    /// Releases; never swallows the error (``AsyncContextManager``).
    ///
    /// Flavor: asyncio. - Throws: what ``release()`` throws.
    public func aexit(_ error: (any Error)?) async throws -> Bool {
        try release()
        return false
    }

    /// Runs `body` between ``acquire()`` and ``release()``: `async with primitive:`.
    ///
    /// Flavor: asyncio. - Throws: what `body` or ``acquire()`` throws.
    public func withLock<T>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { try? release() }
        return try await body()
    }
}
