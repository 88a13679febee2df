import CTrioPlatform
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The driver of ``SelectorEventLoop``: epoll for fd readiness and for the wake-up of an idle loop, an
/// eventfd that other threads signal, and the loop's time (monotonic or virtual).
///
/// Loop thread only, except ``wake()``. The fds it registers are the keys of the core's `readers` and
/// `writers` tables (`watched`), plus the eventfd.
final class EpollDriver {
    // A `var` only so that `close()` can release the descriptor early. Unchecked: the dynamic exclusivity
    // check on each poll showed in profiles of the echo server (Benchmarks).
    @exclusivity(unchecked) private var epoll: Epoll
    /// `epoll_wait`'s output.
    private let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: 256)
    private var watched: Set<Int32> = []
    private let wakeup: WakeupFD
    let clock: LoopClock
    /// ``LoopClock/autojump``'s current time.
    private var virtualNow = 0.0

    init(clock: LoopClock) throws {
        self.clock = clock
        epoll = try Epoll()
        wakeup = try WakeupFD()
        try epoll.control(EPOLL_CTL_ADD, wakeup.fd, events: EPOLLIN.rawValue)
    }

    deinit {
        epoll.close()
        wakeup.close()
        events.deallocate()
    }

    /// Seconds on ``clock``.
    @inline(__always)
    func time() -> Double { clock == .monotonic ? monotonicSeconds() : virtualNow }

    /// Wakes `epoll_wait` (any thread).
    func wake() { wakeup.signal() }

    /// Makes epoll's interest in `fd` what the core's tables say.
    func updateInterest(_ fd: Int32, readable: Bool, writable: Bool) throws {
        let isNew = !watched.contains(fd)
        if !readable && !writable {
            if !isNew {
                watched.remove(fd)
                epoll.remove(fd)
            }
            return
        }
        var interest: UInt32 = 0
        if readable { interest |= EPOLLIN.rawValue }
        if writable { interest |= EPOLLOUT.rawValue }
        try epoll.set(fd, events: interest, registered: !isNew)
        watched.insert(fd)
    }

    /// One wait of the loop: for I/O, or until the next timer when nothing is ready (no wait when `mayBlock`
    /// is false). Queues the handles of ready fds on `core` and takes the inbox when woken.
    func poll(_ core: inout LoopCore, mayBlock: Bool) {
        let timeout: Int32
        let nextDeadline = core.timers.nextDeadline()
        if !mayBlock {
            timeout = 0
        } else if let next = nextDeadline {
            // Virtual time only looks for I/O before jumping to the timer.
            let delay = clock == .autojump ? 0 : max(0, next - time()) * 1000
            timeout = delay >= Double(Int32.max) ? Int32.max : Int32(delay.rounded(.up))
        } else {
            timeout = -1
        }
        let count = epoll.wait(into: events, timeoutMilliseconds: timeout)
        if clock == .autojump, count == 0, mayBlock, let next = nextDeadline, next > virtualNow {
            virtualNow = next
        }
        // A hang-up or an error wakes both directions: the callbacks' next system call reports it.
        let failed = EPOLLHUP.rawValue | EPOLLERR.rawValue
        for event in events[..<count] {
            let fd = event.data.fd
            if fd == wakeup.fd {
                wakeup.drain()
                core.takeInbox()
                continue
            }
            if event.events & (EPOLLIN.rawValue | failed) != 0, let handle = core.readers[fd] {
                core.ready.append(.handle(handle))
            }
            if event.events & (EPOLLOUT.rawValue | failed) != 0, let handle = core.writers[fd] {
                core.ready.append(.handle(handle))
            }
        }
    }

    /// Releases the epoll instance and the eventfd early (the loop closed).
    func close() {
        epoll.close()
        wakeup.close()
    }
}
