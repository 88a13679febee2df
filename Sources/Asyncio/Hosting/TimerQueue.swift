import HeapModule
import TrioPlatform

/// An event loop's scheduled ``TimerHandle``s, earliest first, ties in scheduling order: the timer heap
/// every loop of the package shares (the standalone ``SelectorEventLoop`` and TrioAsyncio's loop).
///
/// Cancelled handles stay in the heap until they surface or, as CPython does, until they are both more than
/// a hundred and most of the heap, when it is rebuilt without them. Invariant: a handle's `scheduled` is true
/// exactly while it is in the heap; `cancelledCount` counts the cancelled handles still in it.
package struct TimerQueue {
    private var heap = Heap<TimerEntry<TimerHandle>>()
    private var sequence: UInt64 = 0
    private var cancelledCount = 0

    package init() {}

    package var isEmpty: Bool { heap.isEmpty }

    /// Adds `handle` at its `when`.
    package mutating func insert(_ handle: TimerHandle) {
        handle.scheduled = true
        sequence &+= 1
        heap.insert(TimerEntry(when: handle.when, sequence: sequence, payload: handle))
    }

    /// A handle still in the queue was cancelled (``TimerHandleScheduler/timerHandleCancelled(_:)``).
    package mutating func handleCancelled() {
        cancelledCount += 1
    }

    /// The earliest deadline of a live handle, if any (cancelled handles at the head are dropped first).
    package mutating func nextDeadline() -> Double? {
        pruneCancelled()
        return heap.min?.when
    }

    /// Hands every live handle due at `now` (`when <= now`) to `body`, in due order.
    package mutating func popDue(now: Double, _ body: (TimerHandle) -> Void) {
        while let next = heap.min, next.when <= now {
            let handle = heap.removeMin().payload
            handle.scheduled = false
            if handle.cancelled {
                cancelledCount -= 1
            } else {
                body(handle)
            }
        }
    }

    /// Drops every handle (the loop is closing; CPython's `close` clears its `_scheduled` likewise, without
    /// cancelling the handles).
    package mutating func removeAll() {
        for entry in heap.unordered { entry.payload.scheduled = false }
        heap = Heap()
        cancelledCount = 0
    }

    private mutating func pruneCancelled() {
        while let first = heap.min, first.payload.cancelled {
            heap.removeMin().payload.scheduled = false
            cancelledCount -= 1
        }
        guard cancelledCount > 100, cancelledCount * 2 > heap.count else { return }
        let live = heap.unordered.filter { entry in
            if entry.payload.cancelled { entry.payload.scheduled = false }
            return !entry.payload.cancelled
        }
        heap = Heap(live)
        cancelledCount = 0
    }
}
