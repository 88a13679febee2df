import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Where an asyncio task goes for `await asyncio.sleep(0)`: a TrioPlatform `HandoffSpot` whose executor puts
/// the task's job straight back in the running loop's ready queue.
///
/// Swift's `Task.yield()` does not come back through the loop in queue order: from a job that a loop runs
/// with `runSynchronously(on:)`, it re-enqueues the task through the global executor, whose thread hands it
/// back to the loop from outside, an iteration or more later, after callbacks queued meanwhile (a task
/// group's done-callback, a sibling's step). CPython resumes the task with `call_soon(task.__step)`: one
/// entry, in order. Hopping onto the spot does exactly that: the runtime gives the task's job to
/// ``LoopYieldExecutor/enqueue(_:)`` synchronously, on the loop thread, which appends it to the running
/// loop's queue; the loop runs it as an ordinary step of the task. One spot per thread, so that its
/// isolated counter is only ever touched by one thread.
enum LoopYieldSpot {
    /// This thread's spot.
    static var current: HandoffSpot {
        if let raw = pthread_getspecific(key) { return Unmanaged<HandoffSpot>.fromOpaque(raw).takeUnretainedValue() }
        let spot = HandoffSpot(executor: LoopYieldExecutor())
        pthread_setspecific(key, Unmanaged.passRetained(spot).toOpaque())
        return spot
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in
            if let raw { Unmanaged<HandoffSpot>.fromOpaque(raw).release() }
        }
        return key
    }()
}

/// The executor of every ``LoopYieldSpot``: it never runs jobs, it queues them on the loop running this thread.
final class LoopYieldExecutor: SerialExecutor, @unchecked Sendable {
    func enqueue(_ job: consuming ExecutorJob) {
        if let loop = runningLoopIfAny() {
            loop.enqueue(job)
        } else {
            // Not inside a loop's iteration (cannot happen for a task of a running loop): let the global
            // executor run it, and the task's executor preference take it home.
            globalConcurrentExecutor.enqueue(job)
        }
    }

    func checkIsolated() {}
}
