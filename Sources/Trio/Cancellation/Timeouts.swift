/// Runs `body`, cancelling it after `seconds`. Flavor: Trio.
///
/// - Returns: the body's result, or `nil` if the timeout cancelled it.
/// - Throws: the body's errors; `ValueError` for a negative or NaN timeout.
@discardableResult
public func moveOnAfter<T>(_ seconds: Double, shield: Bool = false, _ body: () async throws -> T) async throws -> T? {
    try validateTimeout(seconds)
    return try await CancelScope(relativeDeadline: seconds, shield: shield).run(body)
}

/// Runs `body`, cancelling it when the run's clock reaches `deadline`. Flavor: Trio.
///
/// - Returns: the body's result, or `nil` if the deadline cancelled it.
/// - Throws: the body's errors; `ValueError` for NaN.
@discardableResult
public func moveOnAt<T>(_ deadline: Double, shield: Bool = false, _ body: () async throws -> T) async throws -> T? {
    if deadline.isNaN { throw ValueError("deadline must not be NaN") }
    return try await CancelScope(deadline: deadline, shield: shield).run(body)
}

/// Runs `body`, failing with ``TooSlowError`` if it takes longer than `seconds`. Flavor: Trio.
///
/// Around a body that never returns, give the closure a `Void` result:
/// `try await failAfter(5) { () async throws -> Void in try await sleepForever() }`. With `T`
/// inferred as `Never`, Swift 6.3 warns "will never be executed" at the call (the resumption after a
/// generic call returning `Never`), and a `Never` overload would capture other closures too.
///
/// - Throws: the body's errors; ``TooSlowError`` on timeout; `ValueError` for a negative or
///   NaN timeout.
public func failAfter<T>(_ seconds: Double, shield: Bool = false, _ body: () async throws -> T) async throws -> T {
    try validateTimeout(seconds)
    return try await failing(CancelScope(relativeDeadline: seconds, shield: shield), body)
}

/// Runs `body`, failing with ``TooSlowError`` if the run's clock reaches `deadline`. Flavor: Trio.
///
/// Around a body that never returns, give the closure a `Void` result (see ``failAfter(_:shield:_:)``).
///
/// - Throws: the body's errors; ``TooSlowError`` on timeout; `ValueError` for NaN.
public func failAt<T>(_ deadline: Double, shield: Bool = false, _ body: () async throws -> T) async throws -> T {
    if deadline.isNaN { throw ValueError("deadline must not be NaN") }
    return try await failing(CancelScope(deadline: deadline, shield: shield), body)
}

private func failing<T>(_ scope: CancelScope, _ body: () async throws -> T) async throws -> T {
    let value = try await scope.run(body)
    if scope.cancelledCaught { throw TooSlowError() }
    guard let value else { throw TooSlowError() }
    return value
}

private func validateTimeout(_ seconds: Double) throws {
    if seconds.isNaN { throw ValueError("timeout must not be NaN") }
    if seconds < 0 { throw ValueError("timeout must be non-negative") }
}
