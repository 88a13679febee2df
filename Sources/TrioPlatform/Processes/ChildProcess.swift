import CTrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Waiting for children, the same way for both flavors. Flavor: sync.
package enum ChildProcess {
    /// A pidfd for child `pid`: readable once it exits, close-on-exec (the kernel sets it on
    /// every pidfd); -1 without `pidfd_open` (Linux before 5.3), where callers poll instead.
    /// Safe to open late: an unreaped child's pid cannot be recycled.
    package static func openPidFD(_ pid: pid_t) -> Int32 {
        ctrio_pidfd_open(pid, 0)
    }

    /// Reaps, without blocking, exactly the child `pidfd` refers to (`waitid(P_PIDFD)`), never
    /// a recycled pid: 1 reaped, 0 still running, -1 with `errno` (`EINVAL`: no `P_PIDFD`;
    /// `ECHILD`: not ours, or already reaped).
    package static func reap(pidfd: Int32) -> Int32 {
        ctrio_reap_pidfd(pidfd)
    }

    /// The outcome of ``reap(_:blocking:)``.
    package enum Reaped: Equatable {
        /// Still running (only without `blocking`).
        case running
        /// Reaped now; its ``exitCode(_:)``.
        case exited(Int32)
        /// Somebody else reaped it (a `SIGCHLD` handler that reaps everything): the status is
        /// lost, as in Python.
        case lost
    }

    /// `waitpid` on `pid`, retried on `EINTR`.
    package static func reap(_ pid: pid_t, blocking: Bool) -> Reaped {
        var status: Int32 = 0
        var result: pid_t
        repeat {
            result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
        } while result < 0 && errno == EINTR
        if result == pid { return .exited(exitCode(status)) }
        if result < 0 && errno == ECHILD { return .lost }
        return .running
    }

    /// The exit code of a `waitpid` status, or minus the signal that ended the child
    /// (`WIFEXITED` / `WEXITSTATUS` / `WTERMSIG` spelled out: the macros are not visible to Swift).
    package static func exitCode(_ status: Int32) -> Int32 {
        status & 0x7F == 0 ? (status >> 8) & 0xFF : -(status & 0x7F)
    }
}
