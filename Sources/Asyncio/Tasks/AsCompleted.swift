import DequeModule

/// The futures of ``asCompleted(_:timeout:)`` in the order they complete.
///
/// Flavor: asyncio (iterate it in an asyncio task). Iteration throws ``TimeoutError`` when the timeout passes
/// before all futures are done.
public final class AsCompleted<T>: AsyncSequence, AsyncIteratorProtocol {
    /// Each element is a done future; read it with ``Future/result()``.
    public typealias Element = Future<T>

    private let loop: any AbstractEventLoop
    private var finished = Deque<Future<T>>()
    private var remaining: Int
    private var timedOut = false
    private var waiter: Future<Void>?
    private var timer: TimerHandle?

    init(_ futures: [Future<T>], loop: any AbstractEventLoop, timeout: Double?) throws {
        self.loop = loop
        // CPython iterates over set(fs): a future listed twice is one future, yielded once.
        var seen = Set<ObjectIdentifier>()
        let futures = futures.filter { seen.insert(ObjectIdentifier($0)).inserted }
        remaining = futures.count
        if let timeout, !futures.isEmpty {
            timer = try loop.callLater(timeout) { [weak self] in
                self?.timedOut = true
                self?.wake()
            }
        }
        for future in futures {
            future.addDoneCallback { [weak self] future in
                self?.finished.append(future)
                self?.wake()
            }
        }
    }

    deinit { timer?.cancel() }

    private func wake() {
        waiter?.setOutcomeUnlessDone(.success(()))
    }

    /// The sequence is its own iterator.
    public func makeAsyncIterator() -> AsCompleted<T> { self }

    /// The next future to complete, or `nil` after the last.
    ///
    /// Flavor: asyncio. - Throws: ``TimeoutError``; ``CancelledError``.
    public func next() async throws -> Future<T>? {
        while true {
            if remaining == 0 { return nil }
            if let future = finished.popFirst() {
                remaining -= 1
                if remaining == 0 { timer?.cancel() }
                return future
            }
            if timedOut { throw TimeoutError() }
            let waiter = loop.createFuture(of: Void.self)
            self.waiter = waiter
            defer { self.waiter = nil }
            try await waiter.value
        }
    }
}

/// Yields `futures` as they complete: `asyncio.as_completed`. A future listed more than once is yielded once,
/// as CPython makes a set of them.
///
/// Flavor: sync to create (where a loop runs), asyncio to iterate. - Throws: `RuntimeError` "no running event
/// loop" when no loop runs here.
public func asCompleted<T>(_ futures: [Future<T>], timeout: Double? = nil) throws -> AsCompleted<T> {
    try AsCompleted(futures, loop: futures.first?.loop ?? getRunningLoop(), timeout: timeout)
}
