import DequeModule
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The executor and event loop of one `Trio.run`.
///
/// Every Trio task is a Swift task whose executor preference is the runner, so every job of
/// every task lands in `enqueue` and runs on the thread that called `run`. The loop alternates
/// between running one batch of ready work and polling for I/O, timers and cross-thread work,
/// exactly in the order of Trio's `unrolled_run`.
///
/// Thread rule: the runner is created on the thread that calls `run` (``loopThread``) and every
/// mutable field is read and written there only. Other threads reach a run through exactly three
/// doors, none of which touches a loop-thread field:
/// - ``entryQueue``, behind its own lock and atomic flag (jobs resumed elsewhere, token callbacks,
///   the task-tree dump);
/// - ``enqueue(_:)``, the executor entry point, which asks ``isLoopThread`` before it reads
///   anything else and sends a foreign thread's job to the entry queue;
/// - the immutable fields (`loopThread`, `clock`, `parkingSpot`, `entryQueue`,
///   `strictExceptionGroups`), set in `init` before any other thread can see the runner.
/// That is why the class is `@unchecked Sendable`, and why the fields touched on every step,
/// park, wake or loop pass carry `@exclusivity(unchecked)`: one thread owns them and never
/// re-enters the loop inside an access, so the dynamic check could never fire and would sit on
/// the hottest paths of every run. Fields used once per run, or only by rare operations, keep
/// the check.
final class Runner: TaskExecutor, SerialExecutor, @unchecked Sendable {
    enum RunItem {
        case job(UnownedJob)
        case wake(TrioTask)
    }

    // MARK: Loop-thread state
    @exclusivity(unchecked) var runQueue = Deque<RunItem>()
    /// The task between setting it and its hop onto ``parkingSpot`` (see ``suspend(_:)``).
    @exclusivity(unchecked) var parkingTask: TrioTask?
    /// The Trio task whose step the runner is running, when it knows (a wake-up it resumed, or a
    /// task's first step); `nil` in other jobs. While it is set, every line that runs belongs to
    /// that task's Swift task: code that runs another executor's job nested inside a step must
    /// clear it for the nested job and restore it afterwards.
    @exclusivity(unchecked) unowned(unsafe) var currentTask: TrioTask?
    /// The job the runner is running (a task's job is the task itself).
    @exclusivity(unchecked) var currentJob: UnsafeRawPointer?
    /// The task ``spawnParked(_:nursery:name:)`` is creating: its first job is kept in it, not run.
    @exclusivity(unchecked) var spawningParked: TrioTask?
    /// Trio tasks that suspended somewhere other than the parking spot, by their Swift task: how
    /// a job that comes back from another executor is recognised (see ``stepEnded(_:)``).
    @exclusivity(unchecked) var tasksBySwiftTask = TaskTable()
    /// Where tasks suspend.
    let parkingSpot = ParkingSpot()
    let loopThread: pthread_t
    let clock: any TrioClock
    @exclusivity(unchecked) var instruments: Instruments
    /// Checked on every step before calling any hook; reading the list's count costs no more than
    /// a cached flag would.
    @inline(__always) var instrumented: Bool { !instruments.isEmpty }
    let strictExceptionGroups: Bool
    @exclusivity(unchecked) var deadlines = DeadlineHeap()
    @exclusivity(unchecked) private var expiredTimers: [DeadlineHeap.Target] = []
    @exclusivity(unchecked) var readyIO: [TrioTask] = []
    @exclusivity(unchecked) private var batchesSincePoll = 0
    private static let pollEvery = 32
    /// The longest single I/O wait: a run with no deadline at all waits this long at a time.
    static let longestPoll = 86_400.0
    /// False while a guest run waits for its host loop: jobs that arrive then must wake the I/O
    /// wait through the entry queue instead of sitting in the run queue.
    @exclusivity(unchecked) var driving = true
    @exclusivity(unchecked) var idleWaiters: [IdleWaiter] = []
    private var idleSequence: UInt64 = 0
    @exclusivity(unchecked) var livingTasks = 0
    var initTask: TrioTask?
    /// Compared with every task that exits.
    @exclusivity(unchecked) var mainTask: TrioTask?
    var systemNursery: Nursery?
    // Touched by every callback another thread sends in (hosted asyncio loops send many).
    @exclusivity(unchecked) var tokenTask: TrioTask?
    @exclusivity(unchecked) var tokenTaskWaiting = false
    @exclusivity(unchecked) var pendingCallbacks = Deque<EntryQueue.Callback>()
    @exclusivity(unchecked) var io: IOManager
    let entryQueue: EntryQueue
    /// Made on first use (see ``token``).
    var cachedToken: TrioToken?
    /// The status the root task starts under: never cancelled, so that only nurseries decide.
    private let rootScope = CancelScope()
    lazy var rootCancelStatus = CancelStatus(scope: rootScope, parent: nil)
    /// Set once the main task has finished, for `run` to return or throw.
    var mainOutcome: Result<Void, any Error>?
    /// An error raised by a system task or by the runtime itself.
    var internalError: (any Error)?
    /// Per-run values of other parts of the library (Trio's `RunVar`s), keyed by their owner type.
    var runLocals: [ObjectIdentifier: AnyObject] = [:]

    // MARK: Debugging state (see Debugging/)
    /// The run's clock as last read by the loop (after each I/O poll and timer check): a parking
    /// task records it as the time it parked, which costs no clock read on the park itself.
    @exclusivity(unchecked) var loopTime = 0.0
    /// Whether the loop reports a deadlock instead of blocking forever (see Runner+Deadlock.swift).
    var deadlockDetection = true
    /// Set once a deadlock was reported: the run is being cancelled because of it.
    var deadlockReported = false

    static let currentOnThread = ThreadLocalReference<Runner>()

    init(clock: any TrioClock, instruments: [any Instrument], strictExceptionGroups: Bool) throws {
        self.loopThread = pthread_self()
        self.clock = clock
        self.instruments = Instruments(instruments)
        self.strictExceptionGroups = strictExceptionGroups
        self.io = try IOManager()
        self.entryQueue = try EntryQueue()
        try io.watchWakeup(entryQueue.wakeFD)
        parkingSpot.executor.runner = self
        LiveRuns.register(self)
    }

    var isLoopThread: Bool { pthread_equal(loopThread, pthread_self()) != 0 }

    // MARK: Executor

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // Another thread must not read the loop-thread fields below: it goes to the entry queue.
        if isLoopThread {
            if let task = spawningParked {
                // The first job of a task spawned parked (see ``spawnParked(_:nursery:name:)``): it
                // waits in the task until someone reschedules it. The Swift runtime enqueues it on
                // the spawning thread, inside `spawn`.
                spawningParked = nil
                task.parkedJob = job
                return
            }
            if driving {
                runQueue.append(.job(job))
                return
            }
        }
        entryQueue.pushJob(job)
    }

    func checkIsolated() {
        precondition(isLoopThread, "Trio runner: code isolated to the run was called from another thread")
    }

    @inline(__always)
    private func runJob(_ job: UnownedJob) {
        job.runSynchronously(on: asUnownedTaskExecutor())
    }

    @inline(__always)
    private func runItem(_ item: RunItem) {
        switch item {
        case .job(let job):
            let key = unsafeBitCast(job, to: UnsafeRawPointer.self)
            currentJob = key
            // A Trio task coming back from another executor; usually nobody is in the table.
            currentTask = tasksBySwiftTask.isEmpty ? nil : tasksBySwiftTask[key]
            runJob(job)
            if let task = currentTask { stepEnded(task) }
            currentTask = nil
        case .wake(let task):
            guard let job = task.parkedJob else {
                fatalError("Trio runner: woke \(task) which is not parked (TrioInternalError)")
            }
            // Only `reschedule` queues a wake-up, and it unblocks the task first.
            assert(!task.blocked && task.abortFn == nil, "Trio runner: woke \(task) while blocked (TrioInternalError)")
            task.parkedJob = nil
            currentTask = task
            // The first step of a task spawned parked: it learns its Swift task from this job.
            if task.swiftTask == nil { currentJob = unsafeBitCast(job, to: UnsafeRawPointer.self) }
            runJob(job)
            stepEnded(task)
            currentTask = nil
        }
    }

    // MARK: Instrument dispatch

    /// Calls `hook` on every instrument. Hooks may add or remove instruments, so the list is not
    /// borrowed while they run; one that throws is logged and removed.
    @inline(never)
    func instrument(_ name: String, _ hook: (any Instrument) throws -> Void) {
        for instrument in instruments.list {
            do {
                try hook(instrument)
            } catch {
                _ = instruments.remove(instrument)
                writeToStandardError(
                    "Exception raised when calling '\(name)' on instrument \(instrument): \(error). "
                        + "Instrument has been disabled.\n")
            }
        }
    }

    // MARK: The loop

    enum IdlePrimed { case waitingForIdle, autojump }

    /// What one pass of the loop will do about I/O: how long it may block, whether it must poll,
    /// and what to do if nothing at all happens meanwhile.
    struct IterationPlan {
        var timeout: Double
        var idlePrimed: IdlePrimed?
        var mustPoll: Bool
    }

    /// Runs until every task (the init task and all below it) has exited.
    func runLoop() {
        while livingTasks > 0 {
            let plan = planIteration()
            // About to block with no timer at all: the one moment a deadlock can be seen.
            if plan.timeout >= Self.longestPoll, deadlockDetection, let outcome = deadlockCheck() {
                if case .stop = outcome { break }
                continue
            }
            var events = 0
            if plan.mustPoll {
                if instrumented { instrument("before_io_wait") { try $0.beforeIOWait(timeout: plan.timeout) } }
                events = io.poll(timeout: plan.timeout, entryQueue: entryQueue, into: &readyIO)
                events += afterIOWait(plan)
            }
            finishIteration(plan, events: events)
        }
    }

    /// The first half of a pass (Trio's `unrolled_run` up to the I/O wait): how long to wait.
    func planIteration() -> IterationPlan {
        if entryQueue.hasPending { drainEntryQueue() }
        var timeout: Double
        var next = Double.infinity
        if !runQueue.isEmpty {
            timeout = 0
        } else {
            next = deadlines.nextDeadline()
            timeout = next == .infinity ? .infinity : clock.deadlineToSleepTime(next)
            timeout = min(max(0, timeout), Self.longestPoll)
        }
        var idlePrimed: IdlePrimed?
        if let first = idleWaiters.first {
            if first.cushion < timeout {
                timeout = first.cushion
                idlePrimed = .waitingForIdle
            }
        } else if next < .infinity, clock.autojumpThreshold < timeout {
            // Only prime the jump when there is a deadline to jump to; otherwise the run is
            // simply waiting for I/O or another thread.
            timeout = clock.autojumpThreshold
            idlePrimed = .autojump
        }
        // While tasks are runnable, polls still happen at least every `pollEvery` passes, so
        // I/O is never starved; with nobody waiting on an fd there is nothing to ask the kernel.
        batchesSincePoll += 1
        let mustPoll = timeout > 0 || instrumented || io.hasWaiters || batchesSincePoll >= Self.pollEvery
            || idlePrimed != nil
        if mustPoll { batchesSincePoll = 0 }
        return IterationPlan(timeout: timeout, idlePrimed: idlePrimed, mustPoll: mustPoll)
    }

    /// Reschedules the tasks the last poll woke and takes in cross-thread work; returns how many
    /// extra events that counts as.
    func afterIOWait(_ plan: IterationPlan) -> Int {
        loopTime = clock.currentTime()
        // The tasks the poll woke come first: they are no longer registered on their fds, so a
        // cancellation must find them runnable, not blocked with an abort callback to call.
        for task in readyIO { reschedule(task) }
        readyIO.removeAll(keepingCapacity: true)
        if !io.firedCallbacks.isEmpty { runFiredIOCallbacks() }
        if keyboardInterruptRequested { deliverKeyboardInterrupt() }
        if instrumented { instrument("after_io_wait") { try $0.afterIOWait(timeout: plan.timeout) } }
        if entryQueue.hasPending {
            drainEntryQueue()
            return 1
        }
        return 0
    }

    /// The second half of a pass: deadlines, idle wake-ups or autojump, then one batch of work.
    func finishIteration(_ plan: IterationPlan, events: Int) {
        var idlePrimed = plan.idlePrimed
        if !deadlines.isEmpty, expireDeadlines() {
            idlePrimed = nil
        }

        if let primed = idlePrimed, runQueue.isEmpty, events == 0 {
            switch primed {
            case .waitingForIdle:
                let cushion = idleWaiters[0].cushion
                while let first = idleWaiters.first, first.cushion == cushion {
                    idleWaiters.removeFirst()
                    reschedule(first.task)
                }
            case .autojump:
                let next = deadlines.nextDeadline()
                if next < .infinity {
                    clock.autojump(secondsToNextDeadline: next - clock.currentTime())
                    loopTime = clock.currentTime()
                }
            }
        }

        // Run only what is runnable now; work made runnable by this batch waits for the
        // next pass, so that I/O and timers are checked between passes.
        var count = runQueue.count
        while count > 0, let item = runQueue.popFirst() {
            count -= 1
            runItem(item)
        }
    }

    /// Wakes sleepers and cancels scopes whose deadline has passed; true if any did.
    private func expireDeadlines() -> Bool {
        loopTime = clock.currentTime()
        deadlines.popExpired(now: loopTime, into: &expiredTimers)
        guard !expiredTimers.isEmpty else { return false }
        // Scopes before sleepers: in Trio a sleep is a cancel scope of its own, so a sleeper whose
        // enclosing scope expires in the same pass is cancelled (and that scope catches it), not
        // woken normally. Firing a scope can wake sleepers popped with it, so every target is
        // checked again right before it fires.
        for target in expiredTimers {
            if case .scope(let scope, _) = target, target.isLive {
                deadlines.didFire()
                scope.deadlineExpired()
            }
        }
        for target in expiredTimers {
            if case .sleeper(let task, _) = target, target.isLive {
                deadlines.didFire()
                task.sleepGeneration &+= 1
                reschedule(task)
            }
        }
        expiredTimers.removeAll(keepingCapacity: true)
        return true
    }

    /// Calls the hosted loops' fd callbacks the poll made due (they only queue work and wake the
    /// loop's task), after the poll so that they may register and unregister fds themselves.
    @inline(never)
    private func runFiredIOCallbacks() {
        var fired: [() -> Void] = []
        swap(&fired, &io.firedCallbacks)
        for callback in fired { callback() }
        fired.removeAll(keepingCapacity: true)
        if io.firedCallbacks.isEmpty { swap(&fired, &io.firedCallbacks) }
    }

    private func drainEntryQueue() {
        let (jobs, callbacks) = entryQueue.take()
        for job in jobs { runQueue.append(.job(job)) }
        if !callbacks.isEmpty {
            pendingCallbacks.append(contentsOf: callbacks)
            if tokenTaskWaiting, let task = tokenTask {
                tokenTaskWaiting = false
                reschedule(task)
            }
        }
    }

    // MARK: Idle waiters (wait_all_tasks_blocked)

    struct IdleWaiter {
        let cushion: Double
        let sequence: UInt64
        let task: TrioTask
    }

    func addIdleWaiter(_ task: TrioTask, cushion: Double) -> UInt64 {
        idleSequence += 1
        let waiter = IdleWaiter(cushion: cushion, sequence: idleSequence, task: task)
        let index = idleWaiters.firstIndex { ($0.cushion, $0.sequence) > (cushion, waiter.sequence) }
        idleWaiters.insert(waiter, at: index ?? idleWaiters.endIndex)
        return waiter.sequence
    }

    func removeIdleWaiter(_ sequence: UInt64) {
        idleWaiters.removeAll { $0.sequence == sequence }
    }
}
