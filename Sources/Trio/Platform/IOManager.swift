import CTrioPlatform
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The epoll side of the runner: which task waits on which fd, and the interest set each fd
/// has in the kernel.
///
/// Two kinds of registration:
/// - A raw fd waited on through ``waitReadable(_:)`` / ``waitWritable(_:)`` is registered
///   one-shot: armed for the directions somebody waits on, and re-armed after it fires only if
///   somebody still waits, so an idle fd never wakes the loop (as in Trio's epoll backend). Each
///   such wait costs one `epoll_ctl`.
/// - An fd owned by a `SocketHandle` (which always calls ``notifyClosing(_:)`` before closing it)
///   has a record that lives until it is closed. While its owner keeps reading, `EPOLLIN` stays
///   armed level-triggered, so the read-wait-read cycle of a connection costs no `epoll_ctl` at
///   all. Level-triggered keeps Trio's semantics exact: a wait on a readable fd returns at the
///   next poll, and a stale report only makes the owner retry its system call.
struct IOManager: ~Copyable {
    final class Watch {
        let fd: Int32
        var reader: TrioTask?
        var writer: TrioTask?
        /// Whether the kernel has an entry for the fd, and the events it was last given
        /// (`EPOLLONESHOT` alone once a one-shot entry has fired: registered but disarmed).
        var inKernel = false
        var kernelEvents: UInt32 = 0
        /// Owned by a socket: the record outlives each wait and is dropped by `takeWaiters`.
        var owned = false
        /// A hosted event loop's level-triggered callbacks (asyncio's `add_reader`/`add_writer`),
        /// called after every poll in which the fd is ready in their direction.
        var readCallback: (() -> Void)?
        var writeCallback: (() -> Void)?
        var hasCallbacks: Bool { readCallback != nil || writeCallback != nil }
        /// Nobody needs the record any more: not owned, and nobody waits on it.
        var isUnused: Bool { !owned && reader == nil && writer == nil && !hasCallbacks }
        /// Owned only: keep `EPOLLIN` armed (level-triggered) between the owner's reads.
        var keepReading = false
        /// Owned only: the kernel reported readability while nobody waited to read. The owner's
        /// next read tries its system call before waiting, and a second such report before the
        /// owner reads turns `keepReading` off, so a connection nobody reads from cannot make
        /// every poll return at once.
        var unclaimedRead = false
        /// False once the manager has forgotten this record (the fd is closing, or the run ended):
        /// a socket holding it must register again.
        var live = true

        /// Owned only: the abort callbacks of the owner's waits, made once per record instead of
        /// once per wait (see `waitOwnedIO`).
        var abortRead: ((RaiseCancel) -> Abort)?
        var abortWrite: ((RaiseCancel) -> Abort)?

        init(fd: Int32) { self.fd = fd }

        /// `EPOLLIN` is armed level-triggered: data in the socket will be reported by the next
        /// poll whether or not anybody waits (see `unclaimedRead`).
        var armedForReading: Bool {
            inKernel && kernelEvents & (EPOLLIN.rawValue | EPOLLONESHOT.rawValue) == EPOLLIN.rawValue
        }

        /// The events the kernel entry should have now.
        var desiredEvents: UInt32 {
            var mask: UInt32 = 0
            if reader != nil || keepReading || readCallback != nil { mask |= EPOLLIN.rawValue }
            if writer != nil || writeCallback != nil { mask |= EPOLLOUT.rawValue }
            // Level-triggered only while reading is kept armed or a loop's callbacks watch the
            // fd: a writer is woken once and its direction disarmed, and an fd nobody waits on
            // must not report anything.
            return keepReading || hasCallbacks ? mask : mask | EPOLLONESHOT.rawValue
        }
    }

    private let epoll: Epoll
    private var watches: [Int32: Watch] = [:]
    private var wakeFD: Int32 = -1
    private var buffer: UnsafeMutableBufferPointer<epoll_event>
    private(set) var waiterCount = 0
    /// fds with a hosted loop's callback in at least one direction.
    private(set) var callbackCount = 0
    /// Callbacks the last poll made due, for the runner to call once the poll is over.
    var firedCallbacks: [() -> Void] = []

    init() throws {
        epoll = try Epoll()
        buffer = .allocate(capacity: 256)
    }

    deinit {
        // Sockets may outlive the run and cache their record: tell them it is gone.
        for watch in watches.values { watch.live = false }
        buffer.deallocate()
    }

    var hasWaiters: Bool { waiterCount > 0 || callbackCount > 0 }

    /// The descriptors something still watches: a task waiting, a callback (an asyncio loop's reader
    /// or writer), or an open socket keeping its registration. For tests' leftover checks.
    var watchedDescriptors: [Int32] {
        watches.values.filter { !$0.isUnused }.map(\.fd).sorted()
    }

    mutating func watchWakeup(_ fd: Int32) throws {
        wakeFD = fd
        try epoll.control(EPOLL_CTL_ADD, fd, events: EPOLLIN.rawValue)
    }

    /// The record of a socket-owned fd, for its owner to cache and wait through.
    ///
    /// The kernel's view of the fd is treated as unknown (the next wait sets it with `ADD`, or
    /// `MOD` if an entry exists): a record left by an earlier file with the same number, closed
    /// where this run could not see it, must not be trusted.
    mutating func ownedWatch(fd: Int32) -> Watch {
        let watch = watches[fd] ?? Watch(fd: fd)
        watches[fd] = watch
        watch.owned = true
        watch.inKernel = false
        return watch
    }

    /// Registers `task` as the one waiter for `fd` in one direction.
    mutating func addWaiter(_ task: TrioTask, fd: Int32, readable: Bool) throws {
        guard fd >= 0 else { throw ValueError("invalid file descriptor \(fd)") }
        let watch = watches[fd] ?? Watch(fd: fd)
        watches[fd] = watch
        try addWaiter(task, to: watch, readable: readable, keepReading: false)
    }

    /// Registers `task` as the one waiter of `watch` in one direction; `keepReading` (owners
    /// only) leaves `EPOLLIN` armed after this wait, for the owner's next one.
    mutating func addWaiter(_ task: TrioTask, to watch: Watch, readable: Bool, keepReading: Bool) throws {
        if readable {
            if watch.reader != nil {
                throw BusyResourceError("another task is already waiting to read from fd \(watch.fd)")
            }
            watch.reader = task
        } else {
            if watch.writer != nil {
                throw BusyResourceError("another task is already waiting to write to fd \(watch.fd)")
            }
            watch.writer = task
        }
        let keptReading = watch.keepReading
        if keepReading { watch.keepReading = true }
        do {
            try rearm(watch)
        } catch {
            if readable { watch.reader = nil } else { watch.writer = nil }
            watch.keepReading = keptReading
            if watch.isUnused { forget(watch) }
            throw error
        }
        waiterCount += 1
    }

    /// Drops the waiter of one direction of `fd` (its blocking call was cancelled).
    mutating func removeWaiter(fd: Int32, readable: Bool) {
        guard let watch = watches[fd] else { return }
        removeWaiter(from: watch, readable: readable)
    }

    /// Drops the waiter of one direction of `watch` (its blocking call was cancelled).
    mutating func removeWaiter(from watch: Watch, readable: Bool) {
        guard watch.live else { return }
        if readable { watch.reader = nil } else { watch.writer = nil }
        waiterCount -= 1
        if watch.isUnused {
            forget(watch)
        } else {
            try? rearm(watch)
        }
    }

    /// Installs a hosted loop's level-triggered callback for one direction of `fd`, replacing an
    /// earlier one. Task waiters of the same fd keep working beside it.
    mutating func setCallback(fd: Int32, readable: Bool, _ callback: @escaping () -> Void) throws {
        guard fd >= 0 else { throw ValueError("invalid file descriptor \(fd)") }
        let watch = watches[fd] ?? Watch(fd: fd)
        watches[fd] = watch
        let hadCallbacks = watch.hasCallbacks
        let previous = readable ? watch.readCallback : watch.writeCallback
        if readable { watch.readCallback = callback } else { watch.writeCallback = callback }
        do {
            try rearm(watch)
        } catch {
            if readable { watch.readCallback = previous } else { watch.writeCallback = previous }
            if watch.isUnused { forget(watch) }
            throw error
        }
        if !hadCallbacks { callbackCount += 1 }
    }

    /// Removes the callback of one direction of `fd`; false when there was none.
    mutating func removeCallback(fd: Int32, readable: Bool) -> Bool {
        guard let watch = watches[fd], watch.live else { return false }
        if readable {
            guard watch.readCallback != nil else { return false }
            watch.readCallback = nil
        } else {
            guard watch.writeCallback != nil else { return false }
            watch.writeCallback = nil
        }
        if !watch.hasCallbacks { callbackCount -= 1 }
        if watch.isUnused {
            forget(watch)
        } else {
            try? rearm(watch)
        }
        return true
    }

    /// Takes both waiters of `fd` away and forgets the fd (it is about to be closed).
    mutating func takeWaiters(fd: Int32) -> (reader: TrioTask?, writer: TrioTask?) {
        guard let watch = watches[fd] else { return (nil, nil) }
        let waiters = (reader: watch.reader, writer: watch.writer)
        if waiters.reader != nil { waiterCount -= 1 }
        if waiters.writer != nil { waiterCount -= 1 }
        if watch.hasCallbacks { callbackCount -= 1 }
        watch.reader = nil
        watch.writer = nil
        watch.readCallback = nil
        watch.writeCallback = nil
        forget(watch)
        return waiters
    }

    private mutating func forget(_ watch: Watch) {
        // An explicit DEL even though closing would drop the entry: the file may live on in
        // another descriptor (dup, fork), and its events must not reach this fd number's next
        // owner.
        if watch.inKernel { epoll.remove(watch.fd) }
        watch.inKernel = false
        watch.live = false
        watches[watch.fd] = nil
    }

    private func rearm(_ watch: Watch) throws {
        let events = watch.desiredEvents
        if !watch.inKernel {
            // An owned fd is usually a new socket (an entry remains only if the file was waited on
            // before); a raw fd may still be registered, disarmed, from an earlier wait.
            try epoll.set(watch.fd, events: events, registered: !watch.owned)
            watch.inKernel = true
        } else if watch.kernelEvents != events {
            try epoll.control(EPOLL_CTL_MOD, watch.fd, events: events)
        }
        watch.kernelEvents = events
    }

    /// Waits for events for up to `timeout` seconds and appends the tasks they wake to `ready`
    /// (the caller reschedules them, outside this mutation). Returns how many events arrived,
    /// the wake-up fd included.
    mutating func poll(timeout: Double, entryQueue: EntryQueue, into ready: inout [TrioTask]) -> Int {
        let n = epoll.wait(into: buffer, timeoutMilliseconds: Epoll.milliseconds(timeout))
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
            if watch.kernelEvents & EPOLLONESHOT.rawValue != 0 {
                // The kernel disarmed the entry.
                watch.kernelEvents = EPOLLONESHOT.rawValue
            }
            let flags = event.events
            let failed = flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
            if let callback = watch.readCallback, failed || flags & EPOLLIN.rawValue != 0 {
                firedCallbacks.append(callback)
            }
            if let callback = watch.writeCallback, failed || flags & EPOLLOUT.rawValue != 0 {
                firedCallbacks.append(callback)
            }
            if failed || flags & EPOLLIN.rawValue != 0 {
                if let task = watch.reader {
                    watch.reader = nil
                    waiterCount -= 1
                    ready.append(task)
                } else if watch.keepReading {
                    // Level-triggered, so it will be reported again until read: the owner gets
                    // one pass to read it before the entry stops reporting it.
                    if watch.unclaimedRead { watch.keepReading = false } else { watch.unclaimedRead = true }
                }
            }
            if let task = watch.writer, failed || flags & EPOLLOUT.rawValue != 0 {
                watch.writer = nil
                waiterCount -= 1
                ready.append(task)
            }
            if watch.isUnused {
                // The one-shot registration stays in the kernel, disarmed: the next wait on this
                // fd re-arms it with one EPOLL_CTL_MOD instead of a DEL now and an ADD then (as
                // Trio's epoll backend does).
                watches[fd] = nil
                watch.live = false
            } else {
                try? rearm(watch)
            }
        }
    }
}
