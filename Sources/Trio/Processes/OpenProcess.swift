/// Starts `command` as a child process and returns at once (Trio's `open_process`).
/// Flavor: Trio; a checkpoint.
///
/// `command[0]` is looked up in `PATH`. The process runs concurrently; talk to it through its
/// pipes and reap it with ``TrioProcess/wait()`` (or ``TrioProcess/aclose()``), usually inside
/// a nursery so that cancellation can kill it.
///
/// - Parameters:
///   - command: the program and its arguments; no shell is involved.
///   - stdin: where the child's standard input comes from (default: ours).
///   - stdout: where its standard output goes (default: ours).
///   - stderr: where its standard error goes (default: ours; ``ProcessIO/stdout`` merges it).
///   - environment: the child's whole environment (default: ours).
/// - Throws: `ValueError` for an empty command, a misplaced ``ProcessIO/stdout`` or a negative
///   ``ProcessIO/fileDescriptor(_:)``; `OSError` if it cannot be started (`ENOENT` for an
///   unknown program, `EBADF` for a descriptor that is not open); ``Cancelled``
///   (before anything was started).
public func openProcess(
    _ command: [String], stdin: ProcessIO = .inherit, stdout: ProcessIO = .inherit,
    stderr: ProcessIO = .inherit, environment: [String: String]? = nil
) async throws -> TrioProcess {
    let spawner = ProcessSpawner(
        command: command, environment: environment, stdin: stdin, stdout: stdout, stderr: stderr)
    try spawner.validate()
    try await checkpointIfCancelled()
    let process = TrioProcess(args: command, spawned: try spawner.spawn())
    await Lowlevel.cancelShieldedCheckpoint()
    return process
}
