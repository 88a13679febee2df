import HeapModule
import TrioPlatform

/// The run's timers: sleeping tasks and cancel-scope deadlines, ordered by deadline and then by
/// registration order.
///
/// Removal is lazy: an entry carries its owner's generation at registration, and an owner that
/// re-registers or unregisters bumps its generation, so stale entries are skipped when they
/// surface. The heap is rebuilt when stale entries outnumber live ones, as Trio prunes its own.
struct DeadlineHeap {
    enum Target {
        case sleeper(TrioTask, UInt32)
        case scope(CancelScope, UInt32)

        var isLive: Bool {
            switch self {
            case .sleeper(let task, let generation): return task.sleepGeneration == generation && task.blocked
            case .scope(let scope, let generation): return scope.deadlineGeneration == generation
            }
        }
    }

    private var heap = Heap<TimerEntry<Target>>()
    private var sequence: UInt64 = 0
    /// How many entries are believed live; owners report unregistrations.
    private(set) var liveCount = 0

    var isEmpty: Bool { heap.isEmpty }

    mutating func add(_ deadline: Double, _ target: Target) {
        sequence &+= 1
        heap.insert(TimerEntry(when: deadline, sequence: sequence, payload: target))
        liveCount += 1
    }

    /// An owner dropped one of its entries (it will be skipped when it surfaces).
    mutating func didInvalidate() {
        liveCount -= 1
        if heap.count > 1000 && heap.count > 2 * liveCount {
            heap = Heap(heap.unordered.filter { $0.payload.isLive })
        }
    }

    /// The earliest live deadline, discarding stale entries on top.
    mutating func nextDeadline() -> Double {
        while let top = heap.min {
            if top.payload.isLive { return top.when }
            heap.removeMin()
        }
        return .infinity
    }

    /// Removes every live entry whose deadline is at or before `now` and appends its target to
    /// `fired`. Firing happens in the caller: a fired target may re-enter this heap, and firing
    /// one may invalidate another (its owner then reports ``didInvalidate()`` as usual), so the
    /// caller checks `isLive` again and reports ``didFire()`` for each target it does fire.
    mutating func popExpired(now: Double, into fired: inout [Target]) {
        while let top = heap.min, top.when <= now {
            heap.removeMin()
            guard top.payload.isLive else { continue }
            fired.append(top.payload)
        }
    }

    /// A target returned by ``popExpired(now:into:)`` was still live and has fired.
    mutating func didFire() {
        liveCount -= 1
    }
}
