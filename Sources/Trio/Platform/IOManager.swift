import CTrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The epoll side of the runner: which task waits on which fd, and the interest set each fd
/// has in the kernel.
///
/// Registrations are one-shot: an fd is armed for the directions somebody waits on, and re-armed
/// after it fires only if somebody still waits, so an idle fd never wakes the loop (as in Trio's
/// epoll backend).
struct IOManager: ~Copyable {
    final class Watch {
        var reader: TrioTask?
        var writer: TrioTask?
        var inKernel = false
        var armed: UInt32 = 0

        var wanted: UInt32 {
            var mask: UInt32 = 0
            if reader != nil { mask |= EPOLLIN.rawValue }
            if writer != nil { mask |= EPOLLOUT.rawValue }
            return mask
        }
    }

    private let epoll: Epoll
    private var watches: [Int32: Watch] = [:]
    private var wakeFD: Int32 = -1
    private var buffer: UnsafeMutableBufferPointer<epoll_event>
    private(set) var waiterCount = 0

    init() throws {
        epoll = try Epoll()
        buffer = .allocate(capacity: 256)
    }

    deinit { buffer.deallocate() }

    var hasWaiters: Bool { waiterCount > 0 }

    mutating func watchWakeup(_ fd: Int32) throws {
        wakeFD = fd
        try epoll.control(EPOLL_CTL_ADD, fd, events: EPOLLIN.rawValue)
    }

    /// Registers `task` as the one waiter for `fd` in one direction.
    mutating func addWaiter(_ task: TrioTask, fd: Int32, readable: Bool) throws {
        guard fd >= 0 else { throw ValueError("invalid file descriptor \(fd)") }
        let watch = watches[fd] ?? Watch()
        if readable {
            if watch.reader != nil {
                throw BusyResourceError("another task is already waiting to read from fd \(fd)")
            }
            watch.reader = task
        } else {
            if watch.writer != nil {
                throw BusyResourceError("another task is already waiting to write to fd \(fd)")
            }
            watch.writer = task
        }
        watches[fd] = watch
        do {
            try rearm(fd, watch)
        } catch {
            if readable { watch.reader = nil } else { watch.writer = nil }
            if watch.reader == nil && watch.writer == nil { forget(fd, watch) }
            throw error
        }
        waiterCount += 1
    }

    /// Drops the waiter of one direction (its blocking call was cancelled).
    mutating func removeWaiter(fd: Int32, readable: Bool) {
        guard let watch = watches[fd] else { return }
        if readable { watch.reader = nil } else { watch.writer = nil }
        waiterCount -= 1
        if watch.reader == nil && watch.writer == nil {
            forget(fd, watch)
        } else {
            try? rearm(fd, watch)
        }
    }

    /// Takes both waiters of `fd` away and forgets the fd (it is about to be closed).
    mutating func takeWaiters(fd: Int32) -> [TrioTask] {
        guard let watch = watches[fd] else { return [] }
        let tasks = [watch.reader, watch.writer].compactMap { $0 }
        waiterCount -= tasks.count
        watch.reader = nil
        watch.writer = nil
        forget(fd, watch)
        return tasks
    }

    private mutating func forget(_ fd: Int32, _ watch: Watch) {
        if watch.inKernel { epoll.remove(fd) }
        watches[fd] = nil
    }

    private func rearm(_ fd: Int32, _ watch: Watch) throws {
        let wanted = watch.wanted
        let events = wanted | EPOLLONESHOT.rawValue
        if !watch.inKernel {
            // It may still be registered (disarmed) from an earlier wait: try MOD, then ADD.
            do {
                try epoll.control(EPOLL_CTL_MOD, fd, events: events)
            } catch let error as OSError where error.errno == ENOENT {
                try epoll.control(EPOLL_CTL_ADD, fd, events: events)
            }
            watch.inKernel = true
        } else if watch.armed != wanted {
            try epoll.control(EPOLL_CTL_MOD, fd, events: events)
        }
        watch.armed = wanted
    }

    /// Waits for events for up to `timeout` seconds and appends the tasks they wake to `ready`
    /// (the caller reschedules them, outside this mutation). Returns how many events arrived,
    /// the wake-up fd included.
    mutating func poll(timeout: Double, entryQueue: EntryQueue, into ready: inout [TrioTask]) -> Int {
        let n = epoll.wait(into: buffer, timeout: timeout)
        process(UnsafeBufferPointer(rebasing: buffer[0..<n]), entryQueue: entryQueue, into: &ready)
        return n
    }

    /// The epoll descriptor, for a guest run's helper thread to block on.
    var pollFD: Int32 { epoll.fd }

    /// Handles events collected by `poll` or by a guest run's helper thread.
    mutating func process(
        _ events: UnsafeBufferPointer<epoll_event>, entryQueue: EntryQueue, into ready: inout [TrioTask]
    ) {
        for event in events {
            let fd = event.data.fd
            if fd == wakeFD {
                entryQueue.drainWakeup()
                continue
            }
            guard let watch = watches[fd] else { continue }
            // One-shot: the kernel disarmed the fd.
            watch.armed = 0
            let flags = event.events
            let failed = flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
            if let task = watch.reader, failed || flags & EPOLLIN.rawValue != 0 {
                watch.reader = nil
                waiterCount -= 1
                ready.append(task)
            }
            if let task = watch.writer, failed || flags & EPOLLOUT.rawValue != 0 {
                watch.writer = nil
                waiterCount -= 1
                ready.append(task)
            }
            if watch.reader == nil && watch.writer == nil {
                // The one-shot registration stays in the kernel, disarmed: the next wait on this
                // fd re-arms it with one EPOLL_CTL_MOD instead of a DEL now and an ADD then (as
                // Trio's epoll backend does).
                watches[fd] = nil
            } else {
                try? rearm(fd, watch)
            }
        }
    }
}
