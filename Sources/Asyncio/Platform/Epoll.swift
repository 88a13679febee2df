#if os(Linux)
import Glibc

/// An epoll instance watching file descriptors for readability and writability.
///
/// `struct epoll_event` is packed on x86_64 (12 bytes) and naturally aligned elsewhere (16 bytes), so events
/// are read and written through raw memory at the architecture's offsets.
final class Epoll {
    /// Readiness of one descriptor, as returned by ``wait(timeoutMilliseconds:_:)``.
    struct Event {
        var fd: Int32
        var readable: Bool
        var writable: Bool
    }

    #if arch(x86_64)
    private static let eventSize = 12
    private static let dataOffset = 4
    #else
    private static let eventSize = 16
    private static let dataOffset = 8
    #endif
    private static let capacity = 256

    private(set) var fd: Int32
    private let buffer: UnsafeMutableRawPointer

    init() throws {
        let fd = sysEpollCreate1(LinuxConstants.epollCloexec)
        guard fd >= 0 else { throw OSError(errno: errno, operation: "epoll_create1") }
        self.fd = fd
        buffer = .allocate(byteCount: Self.eventSize * Self.capacity, alignment: 8)
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
            _ = sysEpollCtl(self.fd, LinuxConstants.epollCtlDel, fd, nil)
            return
        }
        var mask: UInt32 = 0
        if readable { mask |= LinuxConstants.epollIn }
        if writable { mask |= LinuxConstants.epollOut }
        var event = (UInt64(0), UInt64(0))
        let result = withUnsafeMutableBytes(of: &event) { raw -> Int32 in
            raw.storeBytes(of: mask, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: UInt64(UInt32(bitPattern: fd)), toByteOffset: Self.dataOffset, as: UInt64.self)
            let op = isNew ? LinuxConstants.epollCtlAdd : LinuxConstants.epollCtlMod
            if sysEpollCtl(self.fd, op, fd, raw.baseAddress) == 0 { return 0 }
            // A descriptor closed without being unregistered leaves epoll, and its number may come back:
            // the caller's idea of "new" can be stale either way.
            guard errno == ENOENT || errno == EEXIST else { return -1 }
            let retry = errno == ENOENT ? LinuxConstants.epollCtlAdd : LinuxConstants.epollCtlMod
            return sysEpollCtl(self.fd, retry, fd, raw.baseAddress)
        }
        guard result == 0 else { throw OSError(errno: errno, operation: "epoll_ctl(\(fd))") }
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and calls `body` once per ready descriptor.
    func wait(timeoutMilliseconds: Int32, _ body: (Event) -> Void) {
        let count = sysEpollWait(fd, buffer, Int32(Self.capacity), timeoutMilliseconds)
        guard count > 0 else { return }
        let readMask = LinuxConstants.epollIn | LinuxConstants.epollHup | LinuxConstants.epollErr
        let writeMask = LinuxConstants.epollOut | LinuxConstants.epollHup | LinuxConstants.epollErr
        for index in 0..<Int(count) {
            let base = index * Self.eventSize
            let mask = buffer.loadUnaligned(fromByteOffset: base, as: UInt32.self)
            let data = buffer.loadUnaligned(fromByteOffset: base + Self.dataOffset, as: UInt64.self)
            body(Event(fd: Int32(bitPattern: UInt32(truncatingIfNeeded: data)),
                       readable: mask & readMask != 0, writable: mask & writeMask != 0))
        }
    }
}
#endif
