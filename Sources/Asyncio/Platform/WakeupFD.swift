#if os(Linux)
import Glibc
import TrioPlatform

/// An eventfd that other threads write to wake the loop out of `epoll_wait`.
///
/// Writing and closing happen under one lock: otherwise a thread could read the number, the loop
/// could close it and the process reuse it, and the write would land in an unrelated descriptor.
final class WakeupFD: Sendable {
    /// The descriptor, or -1 once closed.
    private let descriptor: ThreadLock<Int32>
    /// The number the descriptor had, for matching epoll events on the loop thread.
    let fd: Int32

    init() throws {
        let fd = sysEventfd(0, LinuxConstants.efdNonblock | LinuxConstants.efdCloexec)
        guard fd >= 0 else { throw OSError(errno: errno, operation: "eventfd") }
        self.fd = fd
        descriptor = ThreadLock(fd)
    }

    deinit { close() }

    /// Makes the descriptor readable; safe from any thread, a no-op once closed.
    func signal() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            var one: UInt64 = 1
            _ = write(fd, &one, 8)
        }
    }

    /// Resets the descriptor to not readable (loop thread only, before `close`).
    func drain() {
        var value: UInt64 = 0
        _ = read(fd, &value, 8)
    }

    /// Closes the descriptor; later calls do nothing.
    func close() {
        descriptor.withLock { fd in
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
    }
}
#endif
