/// Blocks until `fd` is readable. Flavor: Trio; a checkpoint.
///
/// - Throws: ``BusyResourceError`` if another task already waits to read `fd`;
///   ``ClosedResourceError`` if ``notifyClosing(_:)`` is called for it; `OSError` for an
///   invalid fd; `ValueError` for a negative one; ``Cancelled``.
public func waitReadable(_ fd: Int32) async throws {
    try await waitIO(fd, readable: true, api: "waitReadable", reason: .readable(fd))
}

/// Blocks until `fd` is writable. Flavor: Trio; a checkpoint.
///
/// - Throws: as ``waitReadable(_:)``.
public func waitWritable(_ fd: Int32) async throws {
    try await waitIO(fd, readable: false, api: "waitWritable", reason: .writable(fd))
}

/// Tells the run that `fd` is about to be closed: tasks waiting on it wake with
/// ``ClosedResourceError``. Call it before `close(fd)`. Flavor: sync; does nothing outside a run.
public func notifyClosing(_ fd: Int32) {
    guard let runner = Runner.currentOnThread.value else { return }
    let (reader, writer) = runner.io.takeWaiters(fd: fd)
    if let reader { runner.reschedule(reader, error: ClosedResourceError("another task closed this fd")) }
    if let writer { runner.reschedule(writer, error: ClosedResourceError("another task closed this fd")) }
}

/// `reason` is what a task-tree snapshot shows: the fd, or what it stands for (a child process).
func waitIO(_ fd: Int32, readable: Bool, api: String, reason: WaitReason) async throws {
    let task = try currentTrioTask(api)
    let runner = task.runner
    do {
        try runner.io.addWaiter(task, fd: fd, readable: readable)
    } catch {
        // Still a checkpoint, as every Trio blocking call is.
        try await checkpoint()
        throw error
    }
    if let error = await runner.park(task, for: reason, abort: { _ in
        runner.io.removeWaiter(fd: fd, readable: readable)
        return .succeeded
    }) {
        throw error
    }
}

/// A socket's wait for readiness, through the record its ``SocketHandle`` caches (see
/// ``IOManager``): no dictionary lookup, and no `epoll_ctl` while the socket keeps reading.
/// Same contract as ``waitReadable(_:)`` / ``waitWritable(_:)``: a checkpoint, one waiter per
/// direction, woken with ``ClosedResourceError`` by ``notifyClosing(_:)``.
func waitOwnedIO(_ watch: IOManager.Watch, task: TrioTask, readable: Bool) async throws {
    let runner = task.runner
    do {
        try runner.io.addWaiter(task, to: watch, readable: readable, keepReading: readable)
    } catch {
        // Still a checkpoint, as every Trio blocking call is.
        try await checkpoint()
        throw error
    }
    let reason = readable ? WaitReason.readable(watch.fd) : .writable(watch.fd)
    if let error = await runner.park(task, for: reason, abort: ownedAbort(watch, runner: runner, readable: readable)) {
        throw error
    }
}

/// The abort callback of an owner's wait in one direction, cached on the record: a park is on
/// every round trip of a connection, and a fresh closure would be an allocation each time.
@inline(__always)
private func ownedAbort(_ watch: IOManager.Watch, runner: Runner, readable: Bool) -> (RaiseCancel) -> Abort {
    if let abort = readable ? watch.abortRead : watch.abortWrite { return abort }
    // The record is owned by the runner's I/O manager and an abort runs only during the run, so
    // neither reference needs to keep anything alive (and a strong one to the record would be a
    // cycle).
    let abort: (RaiseCancel) -> Abort = { [unowned(unsafe) runner, unowned watch] _ in
        runner.io.removeWaiter(from: watch, readable: readable)
        return .succeeded
    }
    if readable { watch.abortRead = abort } else { watch.abortWrite = abort }
    return abort
}
