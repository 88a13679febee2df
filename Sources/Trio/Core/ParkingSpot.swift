import TrioPlatform

/// Where a Trio task goes to suspend: a TrioPlatform `HandoffSpot` whose executor keeps the task's
/// job instead of running it.
///
/// A blocked Trio task must stop running until the runner decides to wake it. A continuation
/// would do, but every continuation costs the Swift runtime a dependency record and several
/// look-ups of the task's preferred executor, each under the task's status lock. Hopping onto
/// the spot costs one enqueue instead: the runtime hands the task's job to
/// ``ParkingExecutor/enqueue(_:)``, on the loop thread, before the hop returns, and the job sits
/// in the task record until ``Runner/reschedule(_:error:)`` puts it back in the run queue. The
/// runner runs it as an ordinary job on its task executor, so the hop back to the task's own
/// code needs no second switch.
struct ParkingSpot {
    let executor = ParkingExecutor()
    let handoff: HandoffSpot

    init() { handoff = HandoffSpot(executor: executor) }
}

/// The serial executor of a ``ParkingSpot``: it never runs jobs, it gives them to the runner.
final class ParkingExecutor: SerialExecutor, @unchecked Sendable {
    // The runner owns the spot and outlives every task of its run; it attaches itself once its
    // own initialization is complete.
    unowned(unsafe) var runner: Runner?

    func enqueue(_ job: consuming ExecutorJob) {
        runner!.taskParked(UnownedJob(job))
    }

    func checkIsolated() {
        precondition(runner?.isLoopThread == true, "Trio runner: a parked task was resumed off its run's thread")
    }
}
