import DequeModule

/// A FIFO queue for tasks, bounded by `maxsize` (0: unbounded): CPython's `asyncio.Queue`.
///
/// Flavor: asyncio (``put(_:)``, ``get()``, ``join()``); the `…Nowait` methods and counters are sync.
/// ``LifoQueue`` and ``PriorityQueue`` change only the order of items.
public class Queue<T> {
    /// The most items the queue holds (0 or less: no limit).
    public let maxsize: Int
    private let getters = WaiterList()
    private let putters = WaiterList()
    private var unfinishedTasks = 0
    private let finished = Event()
    private var items = Deque<T>()

    /// Creates a queue holding at most `maxsize` items (0 or less: unbounded).
    public init(maxsize: Int = 0) {
        self.maxsize = maxsize
        finished.set()
    }

    // Storage hooks for the subclasses.
    func storeItem(_ item: T) { items.append(item) }
    func takeItem() -> T { items.removeFirst() }
    var storedCount: Int { items.count }

    /// The number of items in the queue.
    public func qsize() -> Int { storedCount }
    /// Whether the queue has no items.
    public var empty: Bool { storedCount == 0 }
    /// Whether the queue holds `maxsize` items.
    public var full: Bool { maxsize > 0 && storedCount >= maxsize }

    /// Adds `item`, waiting while the queue is full.
    ///
    /// Flavor: asyncio. - Throws: ``CancelledError``; `FlavorError` outside an asyncio task.
    public func put(_ item: T) async throws {
        _ = try TaskContext.require("Asyncio.Queue.put")
        while full {
            try await putters.wait(.queuePut) { future in
                // Woken for a slot we will not use: hand it to the next putter.
                if !full && !future.cancelled { putters.popAndWakeNext() }
            }
        }
        try putNowait(item)
    }

    /// Adds `item` without waiting.
    ///
    /// Flavor: sync. - Throws: ``QueueFull``.
    public func putNowait(_ item: T) throws {
        if full { throw QueueFull() }
        storeItem(item)
        unfinishedTasks += 1
        finished.clear()
        getters.popAndWakeNext()
    }

    /// Removes and returns the next item, waiting while the queue is empty.
    ///
    /// Flavor: asyncio. - Throws: ``CancelledError``; `FlavorError` outside an asyncio task.
    public func get() async throws -> T {
        _ = try TaskContext.require("Asyncio.Queue.get")
        while empty {
            try await getters.wait(.queueGet) { future in
                if !empty && !future.cancelled { getters.popAndWakeNext() }
            }
        }
        return try getNowait()
    }

    /// Removes and returns the next item without waiting.
    ///
    /// Flavor: sync. - Throws: ``QueueEmpty``.
    public func getNowait() throws -> T {
        if empty { throw QueueEmpty() }
        let item = takeItem()
        putters.popAndWakeNext()
        return item
    }

    /// Marks one item got earlier as processed, for ``join()``.
    ///
    /// Flavor: sync. - Throws: `ValueError` "task_done() called too many times".
    public func taskDone() throws {
        guard unfinishedTasks > 0 else { throw ValueError("task_done() called too many times") }
        unfinishedTasks -= 1
        if unfinishedTasks == 0 { finished.set() }
    }

    /// Waits until every item put has been marked with ``taskDone()``.
    ///
    /// Flavor: asyncio. - Throws: ``CancelledError``; `FlavorError` outside an asyncio task.
    public func join() async throws {
        _ = try TaskContext.require("Asyncio.Queue.join")
        if unfinishedTasks > 0 { try await finished.wait() }
    }
}

/// A ``Queue`` that returns the most recently added item first: CPython's `asyncio.LifoQueue`.
///
/// Flavor: as ``Queue``.
public final class LifoQueue<T>: Queue<T> {
    private var stack: [T] = []
    override func storeItem(_ item: T) { stack.append(item) }
    override func takeItem() -> T { stack.removeLast() }
    override var storedCount: Int { stack.count }
}
