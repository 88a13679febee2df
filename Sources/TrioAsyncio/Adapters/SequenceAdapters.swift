import Asyncio
import Trio

/// How a ``CrossFlavorSequence`` fetches each element: in a task of the other flavor.
public protocol CrossFlavorFetch {
    /// Advances `box` by one element in a task of the other flavor, on `loop` (or the current one).
    static func next<Iterator>(_ box: IteratorBox<Iterator>, loop: TrioEventLoop?) async throws -> Iterator.Element?
}

/// Each element is fetched by one asyncio task, awaited from Trio (`aioAsTrio(_:)` on a sequence).
///
/// Flavor: Trio (each fetch is a checkpoint; a Trio cancel cancels the pending asyncio read first).
public enum FetchInAsyncioTask: CrossFlavorFetch {
    /// Runs the base iterator's `next()` in an asyncio task. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: what the base sequence throws; `Cancelled`; `RuntimeError` outside a loop.
    public static func next<Iterator>(_ box: IteratorBox<Iterator>, loop: TrioEventLoop?) async throws
        -> Iterator.Element?
    {
        try await resolveLoop(loop, for: "aioAsTrio(sequence)").runAioCoroutine { try await box.next() }
    }
}

/// Each element is fetched by one Trio task, awaited from asyncio (`trioAsAio(_:)` on a sequence).
///
/// Flavor: asyncio.
public enum FetchInTrioTask: CrossFlavorFetch {
    /// Runs the base iterator's `next()` in a Trio task. Flavor: asyncio.
    ///
    /// - Throws: what the base sequence throws; `CancelledError`; `RuntimeError` outside a loop.
    public static func next<Iterator>(_ box: IteratorBox<Iterator>, loop: TrioEventLoop?) async throws
        -> Iterator.Element?
    {
        try await resolveLoop(loop, for: "trioAsAio(sequence)").trioAsFuture { try await box.next() }.value
    }
}

/// An async sequence of one flavor iterated from the other: each element is fetched by one task of
/// the sequence's own flavor, as `Fetch` says; the base iterator never runs elsewhere.
///
/// Flavor: that of `Fetch` (``FetchInAsyncioTask``: Trio-flavored iteration; ``FetchInTrioTask``:
/// asyncio-flavored iteration).
public struct CrossFlavorSequence<Base: AsyncSequence, Fetch: CrossFlavorFetch>: AsyncSequence {
    /// The base sequence's elements.
    public typealias Element = Base.Element
    /// Any error: the base's, or the cancellation of the caller's flavor.
    public typealias Failure = any Error
    let base: Base
    let loop: TrioEventLoop?

    /// The iterator: one task of the other flavor per element.
    public struct AsyncIterator: AsyncIteratorProtocol {
        /// Any error: the base's, or the cancellation of the caller's flavor.
        public typealias Failure = any Error
        let box: IteratorBox<Base.AsyncIterator>
        let loop: TrioEventLoop?

        /// The next element (see `Fetch`).
        ///
        /// - Throws: what the base sequence throws; the cancellation error of the caller's flavor;
        ///   `RuntimeError` outside a loop.
        public mutating func next() async throws -> Element? {
            try await Fetch.next(box, loop: loop)
        }
    }

    /// Starts iterating.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(box: IteratorBox(base.makeAsyncIterator()), loop: loop)
    }
}

/// An asyncio-flavored async sequence iterated from Trio, one asyncio task per element.
///
/// Flavor: Trio-flavored iteration.
public typealias AioAsTrioSequence<Base: AsyncSequence> = CrossFlavorSequence<Base, FetchInAsyncioTask>

/// A Trio-flavored async sequence iterated from asyncio, one Trio task per element.
///
/// Flavor: asyncio-flavored iteration.
public typealias TrioAsAioSequence<Base: AsyncSequence> = CrossFlavorSequence<Base, FetchInTrioTask>

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
    /// What the base manager's `aenter` returns.
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
    /// What the base manager's `aenter` returns.
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
