import CTrioPlatform
import SharedErrors
#if canImport(Glibc)
import Glibc

/// A non-blocking, close-on-exec eventfd: the wake-up of a loop blocked in `epoll_wait` (Trio's
/// entry queue, asyncio's `callSoonThreadsafe`, the child reaper). Flavor: sync.
///
/// A plain value with no lock: whoever may close it must serialize ``notify()`` with
/// ``close()`` (``WakeupFD`` does it with a lock of its own; Trio's entry queue under the lock it
/// already holds), or a late writer could hit a recycled descriptor number.
package struct EventFD: Sendable {
    /// The descriptor.
    package let fd: Int32

    /// A new eventfd, not readable.
    ///
    /// - Throws: ``OSError`` (`eventfd`).
    package init() throws {
        fd = try systemCall("eventfd") { eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK)) }
    }

    /// Makes the descriptor readable. A full counter (`EAGAIN`) is already readable.
    @inlinable @inline(__always)
    package func notify() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    /// Makes the descriptor not readable again.
    @inlinable @inline(__always)
    package func drain() {
        var value: UInt64 = 0
        _ = read(fd, &value, 8)
    }

    /// Closes the descriptor.
    package func close() { Glibc.close(fd) }
}

/// An ``EventFD`` that any thread may signal and the owner may close at any time: signalling
/// and closing happen under one lock, so a signal never lands in a recycled descriptor.
/// Flavor: sync; thread-safe.
package final class WakeupFD: Sendable {
    /// The eventfd while open.
    private let descriptor: ThreadLock<EventFD?>
    /// The number the descriptor had, for matching epoll events on the owner's thread.
    package let fd: Int32

    /// - Throws: ``OSError`` (`eventfd`).
    package init() throws {
        let eventFD = try EventFD()
        fd = eventFD.fd
        descriptor = ThreadLock(eventFD)
    }

    deinit { close() }

    /// Makes the descriptor readable; a no-op once closed.
    package func signal() {
        descriptor.withLock { $0?.notify() }
    }

    /// Makes the descriptor not readable (owner's thread, before ``close()``).
    package func drain() {
        var value: UInt64 = 0
        _ = read(fd, &value, 8)
    }

    /// Closes the descriptor; later calls do nothing.
    package func close() {
        descriptor.withLock { eventFD in
            eventFD?.close()
            eventFD = nil
        }
    }
}
#endif
