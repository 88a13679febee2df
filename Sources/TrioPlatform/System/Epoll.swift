import CTrioPlatform
import SharedErrors
#if canImport(Glibc)
import Glibc

/// The owner of one epoll instance, shared by Trio's I/O manager and asyncio's selector loop.
/// Flavor: sync; owned by one thread (a guest run's helper thread may wait on ``fd`` too).
///
/// Noncopyable, so exactly one value closes the descriptor; the event buffer belongs to the
/// caller. Linux only; a kqueue twin would live beside it.
package struct Epoll: ~Copyable {
    /// The epoll descriptor, or -1 once ``close()`` ran.
    package private(set) var fd: Int32

    /// A new close-on-exec epoll instance.
    ///
    /// - Throws: ``OSError`` (`epoll_create1`), e.g. when out of descriptors.
    package init() throws {
        fd = try systemCall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Closes the instance early; later calls do nothing.
    package mutating func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// One `epoll_ctl` (`EPOLL_CTL_ADD` or `EPOLL_CTL_MOD`) giving `target` the interest `events`.
    ///
    /// - Throws: ``OSError`` (`epoll_ctl`).
    @inlinable
    package func control(_ op: Int32, _ target: Int32, events: UInt32) throws {
        var event = epoll_event()
        event.events = events
        event.data.fd = target
        _ = try systemCall("epoll_ctl") { epoll_ctl(fd, op, target, &event) }
    }

    /// Gives `target` the interest `events` whether or not the kernel has an entry for it:
    /// the expected operation first (`ADD` when `registered` is false, else `MOD`), then the
    /// other one if the kernel disagrees (`EEXIST` / `ENOENT`). The caller's idea can be stale
    /// either way: a descriptor closed without being removed leaves the set, and its number
    /// comes back; a duplicate of it keeps the entry alive.
    ///
    /// - Throws: ``OSError`` (`epoll_ctl`).
    package func set(_ target: Int32, events: UInt32, registered: Bool) throws {
        do {
            try control(registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, target, events: events)
        } catch let error as OSError where error.errno == (registered ? ENOENT : EEXIST) {
            try control(registered ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, target, events: events)
        }
    }

    /// Removes `target`; a closed or unknown descriptor is not an error here.
    package func remove(_ target: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(fd, EPOLL_CTL_DEL, target, &event)
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) for events; returns how many were
    /// written to `buffer`. An interrupted wait (`EINTR`) reports none, so the caller's loop
    /// looks at its state again.
    @inlinable @inline(__always)
    package func wait(into buffer: UnsafeMutableBufferPointer<epoll_event>, timeoutMilliseconds: Int32) -> Int {
        Self.wait(fd, into: buffer, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// The same wait on a raw epoll descriptor, for a thread that does not own the instance.
    @inlinable @inline(__always)
    package static func wait(
        _ fd: Int32, into buffer: UnsafeMutableBufferPointer<epoll_event>, timeoutMilliseconds: Int32
    ) -> Int {
        let count = epoll_wait(fd, buffer.baseAddress, Int32(buffer.count), timeoutMilliseconds)
        return count >= 0 ? Int(count) : 0
    }

    /// `seconds` as an epoll timeout: rounded up to whole milliseconds, so a deadline is never
    /// reached early and spun on; 0 for a past deadline; at most a day (`epoll_wait` takes an
    /// `Int32`, and the caller re-computes its timeout after every wake-up anyway).
    @inlinable @inline(__always)
    package static func milliseconds(_ seconds: Double) -> Int32 {
        if seconds <= 0 { return 0 }
        if seconds >= 86_400 { return 86_400_000 }
        return Int32((seconds * 1000).rounded(.up))
    }
}
#endif
