import Sniffio
import TrioPlatform

/// One Trio task: a Swift task started by the runner plus the bookkeeping Trio needs.
///
/// Flavor: Trio. Get the current one with ``Lowlevel/currentTask()``. A task record is only
/// touched from its run's thread; it is `Sendable` so that the Swift task running it can hold it.
public final class TrioTask: @unchecked Sendable, CustomStringConvertible {
    // Thread rule: every stored property is read and written on the run's loop thread only.
    // Code that may hold a record after its run, or on another thread, checks
    // `belongsToThisThread` (through `runnerID`, never `runner`) before touching anything else.
    //
    // That single owner thread is also what justifies `@exclusivity(unchecked)`: two accesses
    // could only overlap if the loop re-entered itself inside one, and the runner never does (it
    // runs one job at a time to its next suspension). The fields that carry it are touched on
    // every step, park, wake or exit, where the dynamic check would sit on the hottest paths of a
    // run. Fields written only by rarer operations (`givenName`, `eventualParentNursery`,
    // `outsideTrioWarning`) keep the check.

    /// The task's name, for instruments and debugging. Defaults to where it was spawned.
    public var name: String {
        get { givenName ?? "\(site.prefix)\(site.fileID):\(site.line)" }
        set { givenName = newValue }
    }
    // A default name is only formatted when someone reads it: spawning stays free of string work.
    private var givenName: String?
    private let site: SpawnSite
    /// The nursery this task runs in; `nil` for the root (init) task.
    @exclusivity(unchecked) public internal(set) var parentNursery: Nursery?
    /// While a task started with ``Nursery/start(name:fileID:line:_:)`` has not called `started()`: the nursery
    /// it will move to. `nil` otherwise.
    public internal(set) var eventualParentNursery: Nursery?
    /// The nurseries currently open inside this task, outermost first.
    @exclusivity(unchecked) public internal(set) var childNurseries: [Nursery] = []

    // The runner outlives every task of its run, so no reference counting is needed. Code that
    // may hold a task record after its run (an escaped nursery, a lock) must compare `runnerID`
    // with the thread's current runner before touching `runner`.
    unowned(unsafe) let runner: Runner
    let runnerID: ObjectIdentifier
    let isSystem: Bool

    // Cancellation: the innermost cancel status this task is running under.
    @exclusivity(unchecked) var cancelStatus: CancelStatus!
    @exclusivity(unchecked) var statusSlot = -1
    @exclusivity(unchecked) var nurserySlot = -1

    // Which Swift task runs this one (see `TrioTask.current`).
    /// The identity of the Swift task running this Trio task, from its first step on.
    @exclusivity(unchecked) var swiftTask: UnsafeRawPointer?
    /// Whether the runner's task table holds this task (see ``Runner/stepEnded(_:)``).
    @exclusivity(unchecked) var inTaskTable = false
    /// Whether a cancellation found the task outside Trio, and whether it was warned (see
    /// ``Runner/noteCancelledOutsideTrio(_:justSuspended:)``).
    var outsideTrioWarning = OutsideTrioWarning.none
    /// A task leaves every cancel status when it exits.
    var hasExited: Bool { cancelStatus == nil }

    // Parking (Trio's wait_task_rescheduled): see Runner+Parking.swift.
    //
    // A task is in one of four parking states; the fields change together, on the loop thread:
    //
    // - running (a step of it runs, or it awaits something outside Trio): `blocked` is false,
    //   `parkedJob`, `abortFn` and `wakeError` are nil.
    // - blocked: `Runner.park` (or `yieldShielded`, or a spawn "parked at birth") sets `blocked`
    //   and `abortFn` (nil for an uncancellable wait) while the task still runs; the hop onto the
    //   parking spot then stores its job in `parkedJob` (`Runner.taskParked`). So `abortFn != nil`
    //   implies `blocked`, and a blocked task has a parked job except inside that hop.
    // - rescheduled: `Runner.reschedule` is the one way out of blocked. It clears `blocked` and
    //   `abortFn`, stores the error to deliver in `wakeError`, and appends exactly one `.wake` run
    //   item. The job is still in `parkedJob` (or arrives there when the reschedule came from the
    //   task's own `park`, before it suspended), so a `.wake` always finds a parked job.
    // - running again: the runner takes `parkedJob` (sets it to nil) and resumes the job; `park`
    //   reads and clears `wakeError` before returning. So `wakeError != nil` implies "rescheduled".
    //   A task spawned parked has no `park` to return to: its first step reads and clears
    //   `wakeError` instead, and ends with that error without starting its body.
    //
    // `abortFn` is offered once per blocking call: `attemptDeliveryOfPendingCancel` clears it
    // before calling it, whatever it answers.
    /// The task's job while it is suspended (see ``ParkingSpot``).
    @exclusivity(unchecked) var parkedJob: UnownedJob?
    @exclusivity(unchecked) var blocked = false
    @exclusivity(unchecked) var abortFn: ((RaiseCancel) -> Abort)?
    @exclusivity(unchecked) var wakeError: (any Error)?
    /// The value passed to ``Lowlevel/reschedule(_:_:)``; only ``Lowlevel/waitTaskRescheduled(_:)``
    /// reads it, and it clears it before parking and after reading, so a value meant for another
    /// kind of wait never leaks into the next one.
    @exclusivity(unchecked) var wakeValue: Any?
    /// Which sleep deadline of this task is live: a `.sleeper(task, generation)` entry in the
    /// deadline heap counts only while `generation == sleepGeneration` and the task is blocked.
    /// Bumped when a timed wait registers its deadline, when the wait ends some other way (its abort,
    /// or a hosted loop's waker retiring the timer), and when the deadline fires, so at most one
    /// sleeper entry per task is ever live.
    @exclusivity(unchecked) var sleepGeneration: UInt32 = 0
    /// Told when this task exits (Trio's parking-lot breakers): e.g. a lock it still holds.
    @exclusivity(unchecked) var exitObservers: [any TaskExitObserver] = []

    // Debugging (see Debugging/): what the task waits for while parked, and since when on the
    // run's clock. Written on every park, read only by task-tree snapshots.
    @exclusivity(unchecked) var waitReason = WaitReason.unspecified
    @exclusivity(unchecked) var parkedSince = 0.0

    init(name: String?, site: SpawnSite, runner: Runner, parentNursery: Nursery?, isSystem: Bool) {
        self.givenName = name
        self.site = site
        self.runner = runner
        self.runnerID = ObjectIdentifier(runner)
        self.parentNursery = parentNursery
        self.isSystem = isSystem
    }

    /// `<TrioTask name>`.
    public var description: String { "<TrioTask \(name)>" }

    /// Where the task was spawned, `File.swift:12` (for task-tree snapshots).
    var spawnSite: String { "\(site.fileID):\(site.line)" }

    /// True when this record's run is the one running on the calling thread; safe to ask of a
    /// record whose run has ended.
    var belongsToThisThread: Bool {
        guard let runner = Runner.currentOnThread.value else { return false }
        return ObjectIdentifier(runner) == runnerID
    }

    /// The Trio task running the current Swift task on this thread's run, if any.
    ///
    /// Not a task-local: the runner knows which task's step it is running (it tags wake-ups, first
    /// steps, and jobs of tasks that suspended elsewhere), and anything else is looked up by its
    /// Swift task. So a Swift task that is not a Trio task (an unstructured task, or a child of
    /// `async let` or of a task group) has no current Trio task, even when created inside one.
    static var current: TrioTask? {
        guard let runner = Runner.currentOnThread.value else { return nil }
        if let task = runner.currentTask { return task }
        guard let swiftTask = currentSwiftTask() else { return nil }
        return runner.tasksBySwiftTask[swiftTask]
    }

    /// Moves this task under `status` (or out of every status when `nil`), delivering a pending
    /// cancellation if the new status is cancelled.
    func activate(_ status: CancelStatus?) {
        if let old = cancelStatus { old.removeTask(self) }
        cancelStatus = status
        if let status {
            status.addTask(self)
            if status.effectivelyCancelled { attemptDeliveryOfPendingCancel() }
        }
    }

    /// Trio's `_attempt_delivery_of_any_pending_cancel`: abort a blocking call if cancelled.
    func attemptDeliveryOfPendingCancel() {
        guard blocked, let abort = abortFn, cancelStatus.effectivelyCancelled else {
            if !blocked { runner.noteCancelledOutsideTrio(self, justSuspended: false) }
            return
        }
        // One abort attempt per blocking call, whatever its answer.
        abortFn = nil
        let raise = RaiseCancel(reason: cancelStatus.cancelReason)
        if abort(raise) == .succeeded {
            runner.reschedule(self, error: raise.error)
        }
    }
}

/// Where a task was spawned, for its default name (`task at File.swift:12`).
struct SpawnSite {
    var prefix: StaticString = "task at "
    var fileID: StaticString
    var line: UInt
}

/// Finds the current Trio task, or explains why there is none.
@inline(__always)
func currentTrioTask(_ api: @autoclosure () -> String = "this Trio API") throws -> TrioTask {
    guard let task = TrioTask.current else {
        throw notInTrioTask(api(), inRun: Runner.currentOnThread.value != nil)
    }
    return task
}

/// The identity of the Swift task running the caller, if any.
@inline(__always)
func currentSwiftTask() -> UnsafeRawPointer? {
    withUnsafeCurrentTask { task in task.map { unsafeBitCast($0, to: UnsafeRawPointer.self) } }
}

/// Whether the caller of a `nonisolated(nonsending)` Trio function is isolated to an actor.
///
/// Trio's hot async functions are `nonisolated(nonsending)`: they run on the caller's executor,
/// which saves the executor hops a plain nonisolated function makes on entry and after every
/// suspension (each one asks the Swift runtime for the task's preferred executor, under a lock).
/// A Trio task's own code is nonisolated and already on the run's thread. Code isolated to an
/// actor is not: such a call goes through ``onRunThread(_:_:)`` first, so that Trio's state is
/// only ever touched on the run's thread, as with a plain nonisolated function.
///
/// A function rather than `#isolation != nil` inline: that expression inside a
/// `nonisolated(nonsending)` function crashes the Swift 6.3 compiler in debug builds.
@inlinable @inline(__always)
func isActorIsolated(_ isolation: (any Actor)?) -> Bool { isolation != nil }

/// Calls `body(input)` on the current task's executor (the run's thread, for a Trio task), with
/// no actor isolation: see ``isActorIsolated(_:)``.
@inlinable @inline(__always)
nonisolated(nonsending) func onRunThread<Input, Output>(
    _ input: Input, _ body: @Sendable (Input) async throws -> Output
) async throws -> Output {
    try await onTaskExecutor(UncheckedSendable(input), body).value
}

/// See ``isActorIsolated(_:)``.
@concurrent
@usableFromInline @inline(never)
func onTaskExecutor<Input, Output>(
    _ input: UncheckedSendable<Input>, _ body: @Sendable (Input) async throws -> Output
) async throws -> UncheckedSendable<Output> {
    // The caller is suspended until this returns, so `input` and the result are never used by two
    // threads at once.
    UncheckedSendable(try await body(input.value))
}

@inline(never)
func notInTrioTask(_ api: String, inRun: Bool) -> any Error {
    // The error path only: the success path of every primitive stays a single look-up.
    if AsyncLibrary.calledFromAsyncio { return FlavorError.trioCalledFromAsyncio(api) }
    if inRun {
        return RuntimeError(
            "\(api) was called on the run's thread from a Swift task that is not a Trio task (a child of "
                + "async let or of a task group, or an unstructured Swift task); start concurrent Trio work with "
                + "nursery.startSoon, and reach the run from other threads with FromThread")
    }
    return RuntimeError("\(api) must be called from inside a Trio task (inside Trio.run)")
}

extension AsyncLibrary {
    /// Whether an asyncio loop runs the caller (one of its tasks or callbacks): the loops announce
    /// themselves on the thread for what they run, and mark their tasks with a task-local.
    package static var calledFromAsyncio: Bool {
        AsyncLibrary.threadLibrary == "asyncio" || AsyncLibrary.taskLibrary == "asyncio"
    }
}

/// Something that must learn when a task exits, such as a lock the task still owns.
protocol TaskExitObserver: AnyObject {
    func taskExited(_ task: TrioTask)
}
