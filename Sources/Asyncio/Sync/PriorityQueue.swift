import HeapModule

/// A ``Queue`` that returns the smallest item first: CPython's `asyncio.PriorityQueue`.
///
/// Flavor: as ``Queue``.
public final class PriorityQueue<T: Comparable>: Queue<T> {
    private var heap = Heap<T>()
    override func storeItem(_ item: T) { heap.insert(item) }
    override func takeItem() -> T { heap.removeMin() }
    override var storedCount: Int { heap.count }
}
