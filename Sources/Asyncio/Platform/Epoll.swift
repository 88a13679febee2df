#if os(Linux)
import CTrioPlatform
import Glibc

/// An epoll instance watching file descriptors for readability and writability.
final class Epoll {
    /// Readiness of one descriptor, as returned by ``wait(timeoutMilliseconds:_:)``.
    struct Event {
        var fd: Int32
        var readable: Bool
        var writable: Bool
    }

    private static let capacity = 256

    private(set) var fd: Int32
    private let buffer: UnsafeMutablePointer<epoll_event>

    init() throws {
        let fd = sysEpollCreate1(LinuxConstants.epollCloexec)
        guard fd >= 0 else { throw OSError(errno: errno, operation: "epoll_create1") }
        self.fd = fd
        buffer = .allocate(capacity: Self.capacity)
    }

    deinit {
        close()
        buffer.deallocate()
    }

    /// Closes the instance; later calls do nothing.
    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Sets the interest of `fd`: `add` for a new descriptor, otherwise modify; no interest deletes it.
    func update(_ fd: Int32, readable: Bool, writable: Bool, isNew: Bool) throws {
        if !readable && !writable {
            _ = epoll_ctl(self.fd, LinuxConstants.epollCtlDel, fd, nil)
            return
        }
        var mask: UInt32 = 0
        if readable { mask |= LinuxConstants.epollIn }
        if writable { mask |= LinuxConstants.epollOut }
        var event = epoll_event()
        event.events = mask
        event.data.fd = fd
        let op = isNew ? LinuxConstants.epollCtlAdd : LinuxConstants.epollCtlMod
        var result = epoll_ctl(self.fd, op, fd, &event)
        // A descriptor closed without being unregistered leaves epoll, and its number may come back:
        // the caller's idea of "new" can be stale either way.
        if result != 0 && (errno == ENOENT || errno == EEXIST) {
            let retry = errno == ENOENT ? LinuxConstants.epollCtlAdd : LinuxConstants.epollCtlMod
            result = epoll_ctl(self.fd, retry, fd, &event)
        }
        guard result == 0 else { throw OSError(errno: errno, operation: "epoll_ctl(\(fd))") }
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and calls `body` once per ready descriptor.
    func wait(timeoutMilliseconds: Int32, _ body: (Event) -> Void) {
        let count = epoll_wait(fd, buffer, Int32(Self.capacity), timeoutMilliseconds)
        guard count > 0 else { return }
        let readMask = LinuxConstants.epollIn | LinuxConstants.epollHup | LinuxConstants.epollErr
        let writeMask = LinuxConstants.epollOut | LinuxConstants.epollHup | LinuxConstants.epollErr
        for index in 0..<Int(count) {
            let event = buffer[index]
            let mask = event.events
            body(Event(fd: event.data.fd, readable: mask & readMask != 0, writable: mask & writeMask != 0))
        }
    }
}
#endif
