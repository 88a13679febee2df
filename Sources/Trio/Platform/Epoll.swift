import CTrioPlatform
#if canImport(Glibc)
import Glibc

/// A thin owner of one epoll instance. Linux only; a kqueue twin would live beside it.
struct Epoll: ~Copyable {
    let fd: Int32

    init() throws {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw OSError.current("epoll_create1") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Adds or modifies the interest set of `target`.
    func control(_ op: Int32, _ target: Int32, events: UInt32) throws {
        var event = epoll_event()
        event.events = events
        event.data.fd = target
        guard epoll_ctl(fd, op, target, &event) == 0 else { throw OSError.current("epoll_ctl") }
    }

    /// Removes `target`; a closed or unknown fd is not an error here.
    func remove(_ target: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(fd, EPOLL_CTL_DEL, target, &event)
    }

    /// Waits up to `timeout` seconds (rounded up to whole milliseconds, so a deadline is never
    /// reached early and spun on).
    func wait(into buffer: UnsafeMutableBufferPointer<epoll_event>, timeout: Double) -> Int {
        Self.wait(fd, into: buffer, timeout: timeout)
    }

    /// The same wait on a raw epoll descriptor, for a thread that does not own the instance.
    static func wait(_ fd: Int32, into buffer: UnsafeMutableBufferPointer<epoll_event>, timeout: Double) -> Int {
        let ms: Int32
        if timeout <= 0 {
            ms = 0
        } else if timeout >= 86_400 {
            ms = 86_400_000
        } else {
            ms = Int32((timeout * 1000).rounded(.up))
        }
        let n = epoll_wait(fd, buffer.baseAddress, Int32(buffer.count), ms)
        // EINTR (a signal arrived) or another failure: report no events and let the loop look again.
        return n >= 0 ? Int(n) : 0
    }
}
#endif
