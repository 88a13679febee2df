#if canImport(Glibc)
import Glibc
#endif
import TrioPlatform

/// Where a task stands with the warning of ``Runner/noteCancelledOutsideTrio(_:justSuspended:)``.
enum OutsideTrioWarning: UInt8 {
    /// Nothing pending.
    case none
    /// A cancellation found the task outside Trio; a check is on its way.
    case watching
    /// The task was warned: never again.
    case warned
}

extension Runner {
    /// How long a cancelled task may stay outside Trio before it is warned, in real seconds: long
    /// enough for an actor hop or a `Task.yield()` to come back, short for a human.
    static let outsideTrioGrace = 0.1

    /// A cancellation reached `task`, or `task` suspended while cancelled, and the task is not
    /// parked in a Trio wait: it is suspended in plain Swift concurrency code, or runs on an
    /// actor, where no cancel scope can reach it. If it is still there after
    /// ``outsideTrioGrace``, it gets a warning on standard error (once per task) that points to
    /// ``swiftAsTrio(_:)``, instead of a silent hang until that code ends. The grace period spares
    /// code that merely passes through an actor on its way to the next Trio checkpoint.
    ///
    /// Called on the run's thread from cancel delivery (``TrioTask/attemptDeliveryOfPendingCancel()``)
    /// and from ``stepEnded(_:)``; the cheap checks come first because both are hot.
    @inline(__always)
    func noteCancelledOutsideTrio(_ task: TrioTask, justSuspended: Bool) {
        guard task.inTaskTable, task.outsideTrioWarning == .none else { return }
        watchCancelledOutsideTrio(task, justSuspended: justSuspended)
    }

    /// Whether `task` is away from Trio: in the task table (its steps come back as untagged jobs),
    /// neither parked (blocked, or runnable with its job kept) nor the task whose step runs now.
    private func isOutsideTrio(_ task: TrioTask, justSuspended: Bool) -> Bool {
        !task.blocked && task.parkedJob == nil && !task.hasExited && task.cancelStatus.effectivelyCancelled
            && (justSuspended || currentTask !== task)
    }

    @inline(never)
    private func watchCancelledOutsideTrio(_ task: TrioTask, justSuspended: Bool) {
        guard isOutsideTrio(task, justSuspended: justSuspended) else { return }
        task.outsideTrioWarning = .watching
        // The run's own clock may be a mock clock that jumps while every task is away, so the
        // grace period is real time, measured on one of the library's worker threads.
        let token = self.token
        let check = UncheckedSendable(task)
        do {
            try WorkerThreadPool.shared.submit {
                usleep(UInt32(Self.outsideTrioGrace * 1_000_000))
                // RunFinishedError: the run is over, and with it the task.
                try? token.runSyncSoon { check.value.runner.checkOutsideTrio(check.value) }
            }
        } catch {
            // No thread for the grace period: better an early warning than none.
            warnCancelledOutsideTrio(task)
        }
    }

    private func checkOutsideTrio(_ task: TrioTask) {
        guard task.outsideTrioWarning == .watching else { return }
        if isOutsideTrio(task, justSuspended: false) {
            warnCancelledOutsideTrio(task)
        } else {
            task.outsideTrioWarning = .none
        }
    }

    private func warnCancelledOutsideTrio(_ task: TrioTask) {
        task.outsideTrioWarning = .warned
        writeToStandardError(
            "trio: \(task) was cancelled while suspended outside Trio (in plain Swift concurrency code, or on an "
                + "actor); no cancel scope can interrupt such code, so the task sees Cancelled only when it reaches "
                + "its next Trio checkpoint. Run plain Swift async code inside swiftAsTrio { ... } so that Trio's "
                + "cancellation reaches it.\n")
    }
}
