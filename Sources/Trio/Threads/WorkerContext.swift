import DequeModule
import Synchronization

/// What a worker thread started by ``ToThread/runSync(limiter:abandonOnCancel:threadName:_:)`` knows about
/// the run it works for, installed in a thread-local while its function runs, so that
/// ``FromThread`` can find its way back without an explicit token.
final class WorkerContext: @unchecked Sendable {
    static let current = ThreadLocalReference<WorkerContext>()

    let token: TrioToken
    /// The waiting task's mailbox, for `FromThread` calls served by that task; `nil` when the
    /// call may be abandoned (the task may be gone, so requests go to the system nursery).
    let host: HostMailbox?
    /// Set (from the run's thread) once the waiting task was cancelled; ``cancelReason`` is
    /// written once, before the flag is published, and read only after seeing the flag.
    let cancelRequested = Atomic<Bool>(false)
    private(set) var cancelReason: String?
    /// The call's `threadName` (see ``ToThread/currentThreadName``).
    let threadName: String

    /// Records the cancellation of the waiting task. Run's thread only.
    func requestCancel(reason: String?) {
        guard !cancelRequested.load(ordering: .relaxed) else { return }
        cancelReason = reason
        cancelRequested.store(true, ordering: .releasing)
    }

    init(token: TrioToken, host: HostMailbox?, threadName: String) {
        self.token = token
        self.host = host
        self.threadName = threadName
    }
}

/// Work sent by a worker thread to the task that waits for it in
/// ``ToThread/runSync(limiter:abandonOnCancel:threadName:_:)``: that task runs it, so it runs inside the
/// task's cancel scopes, as in Trio.
final class HostMailbox: @unchecked Sendable {
    typealias Request = () async -> Void

    /// Loop-thread state.
    var requests = Deque<Request>()
    var task: TrioTask?
    var waiting = false

    /// Called on the run's thread (from a `runSyncSoon` callback).
    func post(_ request: @escaping Request) {
        requests.append(request)
        wakeIfWaiting()
    }

    func wakeIfWaiting() {
        if waiting, let task {
            waiting = false
            task.runner.reschedule(task)
        }
    }
}
