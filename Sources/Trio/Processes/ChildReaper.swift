import CTrioPlatform
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Reaps child processes whose ``TrioProcess`` went away before anyone waited for them, so that
/// they do not linger as zombies once they exit. Flavor: internal; thread-safe.
///
/// One job on a worker thread (see ``WorkerThreadPool``) runs while there are orphans: it sleeps
/// in `poll` on a pidfd per orphan plus an eventfd that announces new ones, and leaves when the
/// last orphan is reaped. It reaps through the pidfd (`waitid(P_PIDFD)`), which names one exact
/// process, so it can never reap a recycled pid that now belongs to some other part of the
/// program. Without pidfds (Linux before 5.3) it falls back to `waitpid(pid, WNOHANG)` every
/// 50 ms. No `SIGCHLD` handler is involved.
final class ChildReaper: Sendable {
    static let shared = ChildReaper()

    private struct Orphan {
        let pid: Int32
        /// -1 without pidfds (Linux before 5.3).
        let pidfd: Int32
    }

    private struct State {
        var orphans: [Orphan] = []
        /// The reaper job's eventfd while a job runs.
        var wakeup: EventFD?
    }

    private let state = ThreadLock(State())

    private init() {}

    /// Takes over reaping `pid`, a child of this process that nobody has reaped yet.
    func adopt(pid: Int32) {
        // Safe to open late: an unreaped child's pid cannot be recycled.
        let orphan = Orphan(pid: pid, pidfd: ChildProcess.openPidFD(pid))
        let newWakeup = state.withLock { state -> EventFD? in
            state.orphans.append(orphan)
            if let wakeup = state.wakeup {
                wakeup.notify()
                return nil
            }
            // Out of descriptors: no reaper for now; the next adoption tries again.
            state.wakeup = try? EventFD()
            return state.wakeup
        }
        guard let newWakeup else { return }
        do {
            try WorkerThreadPool.shared.submit { self.reapUntilNoneLeft(wakeup: newWakeup) }
        } catch {
            // No thread for now: the orphans stay listed, and the next adoption tries again.
            state.withLock { state in
                state.wakeup?.close()
                state.wakeup = nil
            }
        }
    }

    private func reapUntilNoneLeft(wakeup: EventFD) {
        while true {
            let orphans = state.withLock { state -> [Orphan]? in
                guard !state.orphans.isEmpty else {
                    // Closed under the lock, so `adopt` never writes to a closed descriptor.
                    state.wakeup?.close()
                    state.wakeup = nil
                    return nil
                }
                return state.orphans
            }
            guard let orphans else { return }
            var fds = [pollfd(fd: wakeup.fd, events: Int16(POLLIN), revents: 0)]
            for orphan in orphans where orphan.pidfd >= 0 {
                fds.append(pollfd(fd: orphan.pidfd, events: Int16(POLLIN), revents: 0))
            }
            let timeout: Int32 = orphans.contains { $0.pidfd < 0 } ? 50 : -1
            _ = poll(&fds, nfds_t(fds.count), timeout)
            wakeup.drain()
            let gone = Set(orphans.filter(Self.reapIfExited).map(\.pid))
            guard !gone.isEmpty else { continue }
            state.withLock { state in state.orphans.removeAll { gone.contains($0.pid) } }
            for orphan in orphans where gone.contains(orphan.pid) && orphan.pidfd >= 0 { close(orphan.pidfd) }
        }
    }

    /// Reaps `orphan` if it has exited; true when there is nothing left to watch.
    private static func reapIfExited(_ orphan: Orphan) -> Bool {
        if orphan.pidfd >= 0 {
            let reaped = ChildProcess.reap(pidfd: orphan.pidfd)
            if reaped >= 0 { return reaped == 1 }
            if errno == EINTR { return false }
            // ECHILD: someone else reaped it; anything but EINVAL (no P_PIDFD): give up on it.
            if errno != EINVAL { return true }
        }
        var status: Int32 = 0
        let result = waitpid(orphan.pid, &status, WNOHANG)
        return result == orphan.pid || (result < 0 && errno != EINTR)
    }
}
