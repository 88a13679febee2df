import Asyncio
import Trio

/// An asyncio-flavored async sequence iterated from Trio: each element is fetched by one asyncio
/// task of the loop (see `aioAsTrio(_:)-(AsyncSequence)`).
///
/// Flavor: Trio-flavored iteration (each `next()` is a checkpoint); the base iterator only ever
/// runs inside asyncio tasks.
public struct AioAsTrioSequence<Base: AsyncSequence>: AsyncSequence {
    public typealias Element = Base.Element
    public typealias Failure = any Error
    let base: Base
    let loop: TrioEventLoop?

    /// The iterator: one asyncio task per element.
    public struct AsyncIterator: AsyncIteratorProtocol {
        public typealias Failure = any Error
        let box: IteratorBox<Base.AsyncIterator>
        let loop: TrioEventLoop?

        /// The next element, fetched by an asyncio task. Flavor: Trio; a checkpoint.
        ///
        /// - Throws: what the base sequence throws; `Cancelled` (the pending read is cancelled
        ///   in asyncio first); `RuntimeError` outside a loop.
        public mutating func next() async throws -> Element? {
            let target = try resolveLoop(loop, for: "aioAsTrio(sequence)")
            let box = self.box
            return try await target.runAioCoroutine { try await box.next() }
        }
    }

    /// Starts iterating.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(box: IteratorBox(base.makeAsyncIterator()), loop: loop)
    }
}

/// A Trio-flavored async sequence iterated from asyncio: each element is fetched by one Trio task
/// of the loop (see `trioAsAio(_:)-(AsyncSequence)`).
///
/// Flavor: asyncio-flavored iteration (call `next()` from an asyncio task).
public struct TrioAsAioSequence<Base: AsyncSequence>: AsyncSequence {
    public typealias Element = Base.Element
    public typealias Failure = any Error
    let base: Base
    let loop: TrioEventLoop?

    /// The iterator: one Trio task per element.
    public struct AsyncIterator: AsyncIteratorProtocol {
        public typealias Failure = any Error
        let box: IteratorBox<Base.AsyncIterator>
        let loop: TrioEventLoop?

        /// The next element, fetched by a Trio task. Flavor: asyncio.
        ///
        /// - Throws: what the base sequence throws; `CancelledError`; `RuntimeError` outside a loop.
        public mutating func next() async throws -> Element? {
            let target = try resolveLoop(loop, for: "trioAsAio(sequence)")
            let box = self.box
            return try await target.trioAsFuture { try await box.next() }.value
        }
    }

    /// Starts iterating.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(box: IteratorBox(base.makeAsyncIterator()), loop: loop)
    }
}

/// Holds an iterator that tasks of the other flavor advance one element at a time.
public final class IteratorBox<Iterator: AsyncIteratorProtocol> {
    var iterator: Iterator
    init(_ iterator: Iterator) { self.iterator = iterator }

    func next() async throws -> Iterator.Element? {
        var local = iterator
        defer { iterator = local }
        return try await local.next()
    }
}

/// Iterates an asyncio-flavored sequence from Trio code: trio-asyncio's `aio_as_trio` on an async
/// iterator. Each element is one asyncio task of the current loop; cancelling the consumer
/// cancels the pending read.
///
/// Flavor: sync; the result is Trio-flavored.
public func aioAsTrio<S: AsyncSequence>(_ sequence: S) -> AioAsTrioSequence<S> {
    AioAsTrioSequence(base: sequence, loop: nil)
}

/// Iterates an asyncio-flavored sequence from Trio code on `loop`: trio-asyncio's
/// `run_aio_generator`.
///
/// Flavor: sync; the result is Trio-flavored.
public func runAioGenerator<S: AsyncSequence>(loop: TrioEventLoop, _ sequence: S) -> AioAsTrioSequence<S> {
    AioAsTrioSequence(base: sequence, loop: loop)
}

/// Iterates a Trio-flavored sequence from asyncio code: trio-asyncio's `trio_as_aio` on an async
/// iterator. Each element is one Trio task of the current loop.
///
/// Flavor: sync; the result is asyncio-flavored.
public func trioAsAio<S: AsyncSequence>(_ sequence: S) -> TrioAsAioSequence<S> {
    TrioAsAioSequence(base: sequence, loop: nil)
}

// MARK: Context managers

/// An asyncio-flavored async context manager used from Trio: `aenter`/`aexit` each run as an
/// asyncio task (see `aioAsTrio(_:)-(AsyncContextManager)`).
public struct AioAsTrioContextManager<Base: AsyncContextManager>: AsyncContextManager {
    public typealias Value = Base.Value
    let base: Base

    /// Enters the base manager in an asyncio task. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: what the base throws; `Cancelled`; `RuntimeError` outside a loop.
    public func aenter() async throws -> Value {
        let base = self.base
        return try await resolveLoop(nil, for: "aioAsTrio(contextManager)").runAioCoroutine { try await base.aenter() }
    }

    /// Exits the base manager in an asyncio task. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: what the base throws; `Cancelled`; `RuntimeError` outside a loop.
    public func aexit(_ error: (any Error)?) async throws -> Bool {
        let base = self.base
        return try await resolveLoop(nil, for: "aioAsTrio(contextManager)").runAioCoroutine {
            try await base.aexit(error)
        }
    }
}

/// A Trio-flavored async context manager used from asyncio: `aenter`/`aexit` each run as a Trio
/// task (see `trioAsAio(_:)-(AsyncContextManager)`).
public struct TrioAsAioContextManager<Base: AsyncContextManager>: AsyncContextManager {
    public typealias Value = Base.Value
    let base: Base

    /// Enters the base manager in a Trio task. Flavor: asyncio.
    ///
    /// - Throws: what the base throws; `CancelledError`; `RuntimeError` outside a loop.
    public func aenter() async throws -> Value {
        let base = self.base
        return try await resolveLoop(nil, for: "trioAsAio(contextManager)").trioAsFuture {
            try await base.aenter()
        }.value
    }

    /// Exits the base manager in a Trio task. Flavor: asyncio.
    ///
    /// - Throws: what the base throws; `CancelledError`; `RuntimeError` outside a loop.
    public func aexit(_ error: (any Error)?) async throws -> Bool {
        let base = self.base
        return try await resolveLoop(nil, for: "trioAsAio(contextManager)").trioAsFuture {
            try await base.aexit(error)
        }.value
    }
}

/// Uses an asyncio-flavored async context manager from Trio code (trio-asyncio's `aio_as_trio`
/// on an async context manager).
///
/// Flavor: sync; the result is Trio-flavored.
public func aioAsTrio<C: AsyncContextManager>(_ manager: C) -> AioAsTrioContextManager<C> {
    AioAsTrioContextManager(base: manager)
}

/// Uses a Trio-flavored async context manager from asyncio code (trio-asyncio's `trio_as_aio`
/// on an async context manager).
///
/// Flavor: sync; the result is asyncio-flavored.
public func trioAsAio<C: AsyncContextManager>(_ manager: C) -> TrioAsAioContextManager<C> {
    TrioAsAioContextManager(base: manager)
}
