import Asyncio
import Trio

// Swift 6.3 cannot apply a function returned by a parameter-pack generic to arguments in the same
// expression ("cannot pass value pack expansion to non-pack parameter"), which trio-asyncio's
// `aio_as_trio(f)(21)` idiom needs. These one- and two-argument forms are plain generics, preferred
// over the pack forms by overload resolution, so `aioAsTrio { … }(21)` compiles; the pack forms keep
// serving every other arity (bind the adapter first: `let g = aioAsTrio(f); try await g(1, 2, 3)`).

/// ``aioAsTrio(loop:_:)-4x5ni`` for a one-argument function, callable inline: `try await aioAsTrio(f)(21)`.
///
/// Flavor: the result is Trio-flavored (a checkpoint); `fn` runs inside a new asyncio task.
public func aioAsTrio<A, R>(
    loop: TrioEventLoop? = nil, _ fn: @escaping (A) async throws -> R
) -> (A) async throws -> R {
    { (a: A) in try await callAioFromTrio(loop: loop) { try await fn(a) } }
}

/// ``aioAsTrio(loop:_:)-4x5ni`` for a two-argument function, callable inline.
///
/// Flavor: the result is Trio-flavored (a checkpoint); `fn` runs inside a new asyncio task.
public func aioAsTrio<A, B, R>(
    loop: TrioEventLoop? = nil, _ fn: @escaping (A, B) async throws -> R
) -> (A, B) async throws -> R {
    { (a: A, b: B) in try await callAioFromTrio(loop: loop) { try await fn(a, b) } }
}

/// ``trioAsAio(loop:_:)-922h5`` for a one-argument function, callable inline: `trioAsAio(f)(21)`.
///
/// Flavor: the result is sync and returns an asyncio `Future`; `fn` runs as a Trio task.
public func trioAsAio<A, R>(loop: TrioEventLoop? = nil, _ fn: @escaping (A) async throws -> R) -> (A) -> Future<R> {
    { (a: A) in callTrioFromAio(loop: loop) { try await fn(a) } }
}

/// ``trioAsAio(loop:_:)-922h5`` for a two-argument function, callable inline.
///
/// Flavor: the result is sync and returns an asyncio `Future`; `fn` runs as a Trio task.
public func trioAsAio<A, B, R>(
    loop: TrioEventLoop? = nil, _ fn: @escaping (A, B) async throws -> R
) -> (A, B) -> Future<R> {
    { (a: A, b: B) in callTrioFromAio(loop: loop) { try await fn(a, b) } }
}
