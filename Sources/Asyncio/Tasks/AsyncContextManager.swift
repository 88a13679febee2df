/// Python's asynchronous context manager (`async with`): entered with ``aenter()``, exited with ``aexit(_:)``.
///
/// Flavor: whatever the conforming type says; asyncio for this module's types.
public protocol AsyncContextManager<Value> {
    /// What `async with … as value` binds.
    associatedtype Value
    /// Enters the context.
    func aenter() async throws -> Value
    /// Exits the context; `error` is what the body threw. Return `true` to swallow it.
    func aexit(_ error: (any Error)?) async throws -> Bool
}

/// Enters `manager`, runs `body` with its value, and exits it, however `body` ends: `async with`.
///
/// Flavor: that of `manager`. - Throws: what `body` or the manager throws; `body`'s error unless `aexit`
/// swallowed it, in which case `nil` is returned.
@discardableResult
public func with<M: AsyncContextManager, T>(
    _ manager: M, _ body: (M.Value) async throws -> T
) async throws -> T? {
    let value = try await manager.aenter()
    let outcome: Result<T, any Error>
    do {
        outcome = .success(try await body(value))
    } catch {
        outcome = .failure(error)
    }
    switch outcome {
    case .success(let result):
        _ = try await manager.aexit(nil)
        return result
    case .failure(let error):
        if try await manager.aexit(error) { return nil }
        throw error
    }
}
