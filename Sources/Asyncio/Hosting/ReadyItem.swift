/// One entry of an event loop's ready queue: a callback, a step of a Swift task that prefers the loop as its
/// task executor, or a finished task's notice to its task group. Shared by every loop of the package.
package enum ReadyItem: @unchecked Sendable {
    case handle(Handle)
    case job(UnownedJob)
    /// The task group's done-callback of a finished child (``TaskCore/notifyGroup()``): the queue slot of the
    /// `add_done_callback(tg._on_task_done)` that CPython schedules, without a handle and a closure per child.
    case taskDone(TaskCore)

    /// Runs the callback or the task step (on `executor`, the loop's task executor).
    @inline(__always)
    package func run(on executor: UnownedTaskExecutor) {
        switch self {
        case .handle(let handle): handle.run()
        case .job(let job): job.runSynchronously(on: executor)
        case .taskDone(let core): core.notifyGroup()
        }
    }

    /// Drops the item without running it (its loop closed): a task's link to its group is released (it held the
    /// group, which holds the task); a handle is cancelled when `cancellingHandles` (TrioEventLoop: a bridge
    /// hears of it; CPython's own loop drops callbacks without cancelling them).
    package func discard(cancellingHandles: Bool) {
        switch self {
        case .handle(let handle): if cancellingHandles { handle.cancel() }
        case .job: break
        case .taskDone(let core): core.group = nil
        }
    }
}

/// Runs one batch of a loop's ready queue; in debug mode, callbacks slower than `slowCallbackDuration` seconds
/// of `time` are reported to standard error, as CPython's debug mode does.
@inline(__always)
package func runReadyBatch(
    _ batch: [ReadyItem], on executor: UnownedTaskExecutor, debug: Bool, slowCallbackDuration: Double,
    time: () -> Double
) {
    if debug {
        for item in batch {
            let start = time()
            item.run(on: executor)
            let took = time() - start
            if took >= slowCallbackDuration {
                logExceptionContext(ExceptionContext(message: "Executing a callback took \(took) seconds"))
            }
        }
    } else {
        for item in batch { item.run(on: executor) }
    }
}
