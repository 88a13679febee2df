#if os(Linux)
import Glibc
import Synchronization

/// An eventfd that other threads write to wake the loop out of `epoll_wait`.
final class WakeupFD: Sendable {
    private let descriptor: Atomic<Int32>

    init() throws {
        let fd = sysEventfd(0, LinuxConstants.efdNonblock | LinuxConstants.efdCloexec)
        guard fd >= 0 else { throw OSError(errno: errno, operation: "eventfd") }
        descriptor = Atomic(fd)
    }

    deinit { close() }

    /// The descriptor to watch for readability (-1 once closed).
    var fd: Int32 { descriptor.load(ordering: .acquiring) }

    /// Makes the descriptor readable; safe from any thread, a no-op once closed.
    func signal() {
        var one: UInt64 = 1
        let fd = fd
        if fd >= 0 { _ = write(fd, &one, 8) }
    }

    /// Resets the descriptor to not readable.
    func drain() {
        var value: UInt64 = 0
        _ = read(fd, &value, 8)
    }

    /// Closes the descriptor; later calls do nothing.
    func close() {
        let fd = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 { Glibc.close(fd) }
    }
}
#endif
