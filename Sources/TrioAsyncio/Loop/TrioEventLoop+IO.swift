import Asyncio
import Trio
#if canImport(Glibc)
import Glibc
#endif

extension TrioEventLoop {
    // MARK: File descriptors

    /// Calls `callback` on every step in which `fd` is readable; replaces an earlier reader of `fd`.
    /// The fd is watched once in the run's I/O manager (no Trio task per fd).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` when closed; `OSError` when `fd` cannot be watched (not open);
    /// `ValueError` for a negative fd.
    public func addReader(_ fd: Int32, _ callback: @escaping () -> Void) throws {
        try watch(fd, readable: true, callback)
    }

    /// Stops watching `fd` for reading; `false` when it was not watched. Flavor: sync.
    public func removeReader(_ fd: Int32) -> Bool { unwatch(fd, readable: true) }

    /// Calls `callback` on every step in which `fd` is writable; replaces an earlier writer of `fd`.
    ///
    /// Flavor: sync. - Throws: as ``addReader(_:_:)``.
    public func addWriter(_ fd: Int32, _ callback: @escaping () -> Void) throws {
        try watch(fd, readable: false, callback)
    }

    /// Stops watching `fd` for writing; `false` when it was not watched. Flavor: sync.
    public func removeWriter(_ fd: Int32) -> Bool { unwatch(fd, readable: false) }

    private func watch(_ fd: Int32, readable: Bool, _ callback: @escaping () -> Void) throws {
        try core.checkOpen()
        if !driver.runIsCurrent {
            return try host.withRunInstalled { try watch(fd, readable: readable, callback) }
        }
        let handle = Handle(callback)
        // The I/O manager calls this after a poll; it only queues the handle (once per step) and
        // wakes the loop task, as a selector loop appends ready handles after `epoll_wait`.
        try driver.watch(fd: fd, readable: readable) { [unowned self, unowned handle] in
            guard !handle.cancelled else { return }
            self.core.ready.append(.handle(handle))
            self.wakeIfIdle()
        }
        let previous =
            readable ? core.readers.updateValue(handle, forKey: fd) : core.writers.updateValue(handle, forKey: fd)
        previous?.cancel()
    }

    private func unwatch(_ fd: Int32, readable: Bool) -> Bool {
        let removed = readable ? core.readers.removeValue(forKey: fd) : core.writers.removeValue(forKey: fd)
        guard let handle = removed else { return false }
        handle.cancel()
        unregister(fd, readable: readable)
        return true
    }

    /// Drops the run's registration of `fd` in one direction.
    func unregister(_ fd: Int32, readable: Bool) {
        if driver.runIsCurrent {
            driver.unwatch(fd: fd, readable: readable)
        } else {
            // Between runs of a sync loop: its paused run still holds the registration. It throws only
            // when that run has finished or another run is current (or, for a loop of openLoop, always:
            // its run has finished), and then holds no registration of ours to drop.
            do { _ = try host.withRunInstalled { driver.unwatch(fd: fd, readable: readable) } } catch {}
        }
    }

    /// Closes `fd` when the loop closes (trio-asyncio's `autoclose`).
    ///
    /// Flavor: sync.
    public func autoclose(_ fd: Int32) {
        autocloseFDs.insert(fd)
    }

    /// Takes `fd` back from ``autoclose(_:)``.
    ///
    /// Flavor: sync. - Throws: `ValueError` when `fd` was not given to ``autoclose(_:)``.
    public func noAutoclose(_ fd: Int32) throws {
        guard autocloseFDs.remove(fd) != nil else {
            throw ValueError("fd \(fd) is not closed automatically by this loop")
        }
    }

    // MARK: Executors

    /// Runs `function` in a Trio worker thread (`ToThread.runSync`) when `executor` is `nil` or a
    /// ``TrioExecutor``; any other `ConcurrentExecutor` runs it its own way. The future completes
    /// on the loop; cancelling it cancels the Trio task, which waits for a call already running.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` when the loop is closed.
    public func runInExecutor<T: Sendable>(
        _ executor: (any ConcurrentExecutor)?, _ function: @escaping @Sendable () throws -> T
    ) throws -> Future<T> {
        try core.checkOpen()
        guard let trioExecutor = (executor ?? defaultExecutor) as? TrioExecutor else {
            return try submitWork(to: executor!, on: self, function)
        }
        try trioExecutor.checkRunning()
        let limiter = trioExecutor.limiter
        return try trioAsFuture {
            try await ToThread.runSync(limiter: limiter, function)
        }
    }

    /// Shuts the default ``TrioExecutor`` down; its running calls finish as Trio tasks of the loop.
    ///
    /// Flavor: asyncio.
    public func shutdownDefaultExecutor() async throws {
        defaultExecutor.shutdown(wait: false)
    }
}

extension TrioEventLoop {
    // MARK: Signals

    /// Calls `callback` on the loop whenever `signal` arrives; replaces an earlier handler. The
    /// signal is claimed through the process-wide signal registry as a shared subscription, as every
    /// asyncio loop of the package does, so Trio's own receivers and other loops are left alone.
    ///
    /// SIGINT is the exception, as in trio-asyncio, whose handler replaces Trio's: while the loop
    /// handles SIGINT, Ctrl-C calls `callback` instead of raising `KeyboardInterrupt` in the run
    /// (the claim ranks with a Trio `withSignalReceiver`: the most recent of the two gets the
    /// signal); once the handler is removed or the loop closes, Ctrl-C raises `KeyboardInterrupt`
    /// again.
    ///
    /// Flavor: sync. - Throws: `ValueError` for an invalid or uncatchable signal; `RuntimeError`
    /// when the loop is closed; `OSError` from the system.
    public func addSignalHandler(_ signal: Int32, _ callback: @escaping () -> Void) throws {
        try core.checkOpen()
        try signalHandlers.add(signal, callback, on: self)
    }

    /// Removes the handler of `signal`, giving the signal back to whoever had it before; `false`
    /// when there was none.
    ///
    /// Flavor: sync.
    public func removeSignalHandler(_ signal: Int32) -> Bool {
        signalHandlers.remove(signal, on: self)
    }
}
