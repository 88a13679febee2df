import TrioPlatform
import DequeModule
import Synchronization

import CTrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The one door into a run from other threads: jobs resumed elsewhere and
/// ``TrioToken/runSyncSoon(idempotencyKey:_:)`` callbacks, woken through an eventfd.
///
/// The loop thread looks at an atomic flag on every pass and takes the lock only when something
/// arrived, so the hot path stays lock-free. The eventfd is written and closed under the lock, so
/// a late producer can never write into a recycled descriptor.
final class EntryQueue: @unchecked Sendable {
    struct Callback: @unchecked Sendable {
        let key: AnyHashable?
        let body: @Sendable () -> Void
    }

    private struct State {
        var jobs: [UnownedJob] = []
        var callbacks: [Callback] = []
        var keys: Set<AnyHashable> = []
        var wakeSignalled = false
        var closed = false
    }

    private let state = ThreadLock(State())
    private let pending = Atomic<Bool>(false)
    /// Written and closed only under `state`'s lock.
    private let wakeup: EventFD
    var wakeFD: Int32 { wakeup.fd }

    init() throws {
        wakeup = try EventFD()
    }

    var hasPending: Bool { pending.load(ordering: .acquiring) }

    /// Must be called with the lock held.
    private func signalLocked(_ state: inout State) {
        pending.store(true, ordering: .releasing)
        if !state.wakeSignalled {
            state.wakeSignalled = true
            wakeup.notify()
        }
    }

    func pushJob(_ job: UnownedJob) {
        state.withLock { state in
            if state.closed {
                // The run is over: nothing can run this job any more.
                return
            }
            state.jobs.append(job)
            signalLocked(&state)
        }
    }

    /// Queues a callback; false if the run has finished. A key already queued is not queued again.
    func pushCallback(key: AnyHashable?, _ body: @escaping @Sendable () -> Void) -> Bool {
        let transfer = UncheckedSendable(key)
        return state.withLock { state in
            if state.closed { return false }
            if let key = transfer.value {
                if state.keys.contains(key) { return true }
                state.keys.insert(key)
            }
            state.callbacks.append(Callback(key: transfer.value, body: body))
            signalLocked(&state)
            return true
        }
    }

    /// Called just before an idempotent callback runs, so the same key may be queued again.
    func callbackWillRun(_ callback: Callback) {
        guard let key = callback.key else { return }
        let transfer = UncheckedSendable(key)
        state.withLock { state in _ = state.keys.remove(transfer.value) }
    }

    func take() -> ([UnownedJob], [Callback]) {
        pending.store(false, ordering: .relaxed)
        let taken = state.withLock { state in
            state.wakeSignalled = false
            defer {
                state.jobs.removeAll(keepingCapacity: true)
                state.callbacks.removeAll()
            }
            return UncheckedSendable((state.jobs, state.callbacks))
        }
        return taken.value
    }

    func drainWakeup() { wakeup.drain() }

    /// Refuses further work and closes the eventfd; returns callbacks that were still queued.
    func close() -> [Callback] {
        let leftovers = state.withLock { state in
            state.closed = true
            wakeup.close()
            let callbacks = state.callbacks
            state.callbacks = []
            return UncheckedSendable(callbacks)
        }
        return leftovers.value
    }

    var queuedCallbackCount: Int { state.withLock { $0.callbacks.count } }
}
