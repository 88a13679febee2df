/// What ``runProcess(_:stdin:captureStdout:captureStderr:check:environment:deliverCancel:)`` returns
/// (Python's `subprocess.CompletedProcess`).
public struct CompletedProcess: Sendable, CustomStringConvertible {
    /// The command line.
    public let args: [String]
    /// The exit code, or minus the signal number that killed the process.
    public let returnCode: Int32
    /// Everything the process wrote to standard output, if it was captured.
    public let stdout: [UInt8]?
    /// Everything the process wrote to standard error, if it was captured.
    public let stderr: [UInt8]?

    /// Creates the value.
    public init(args: [String], returnCode: Int32, stdout: [UInt8]?, stderr: [UInt8]?) {
        self.args = args
        self.returnCode = returnCode
        self.stdout = stdout
        self.stderr = stderr
    }

    /// `CompletedProcess(args: …, returnCode: …)`.
    public var description: String { "CompletedProcess(args: \(args), returnCode: \(returnCode))" }
}

/// A process run with `check: true` failed (Python's `subprocess.CalledProcessError`).
public struct CalledProcessError: Error, Sendable, CustomStringConvertible {
    /// The exit code, or minus the signal number that killed the process.
    public let returnCode: Int32
    /// The command line.
    public let args: [String]
    /// The captured standard output, if any.
    public let stdout: [UInt8]?
    /// The captured standard error, if any.
    public let stderr: [UInt8]?

    /// Creates the error.
    public init(returnCode: Int32, args: [String], stdout: [UInt8]?, stderr: [UInt8]?) {
        self.returnCode = returnCode
        self.args = args
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Python's wording: "Command '…' returned non-zero exit status n." / "died with signal n."
    public var description: String {
        returnCode < 0
            ? "CalledProcessError: Command '\(args)' died with signal \(-returnCode)."
            : "CalledProcessError: Command '\(args)' returned non-zero exit status \(returnCode)."
    }
}

/// Runs `command` to completion (Trio's `run_process`). Flavor: Trio; a checkpoint.
///
/// The child's standard input is fed `stdin` and then closed (`nil` or `[]`: it reads end of
/// file at once; the child exiting without reading it all is not an error). Captured output is
/// read concurrently, so a chatty child cannot deadlock on a full pipe; uncaptured output goes
/// to this process's own stdout/stderr.
///
/// If the call is cancelled (or fails) while the child runs, `deliverCancel` stops it — by
/// default `SIGTERM`, then `SIGKILL` after 5 seconds — and the call waits for the child to
/// exit before throwing, so no process or zombie outlives it.
///
/// - Parameters:
///   - command: the program and its arguments (see ``openProcess(_:stdin:stdout:stderr:environment:)``).
///   - stdin: the bytes to feed to the child's standard input.
///   - captureStdout: collect standard output into ``CompletedProcess/stdout``.
///   - captureStderr: collect standard error into ``CompletedProcess/stderr``.
///   - check: throw ``CalledProcessError`` for a non-zero ``CompletedProcess/returnCode``.
///   - environment: the child's whole environment (default: ours).
///   - deliverCancel: how to stop the child when cancelled; it runs shielded and is cancelled
///     itself once the child has exited.
/// - Throws: ``CalledProcessError``; what ``openProcess(_:stdin:stdout:stderr:environment:)``
///   throws; ``Cancelled``.
public func runProcess(
    _ command: [String], stdin: [UInt8]? = nil, captureStdout: Bool = false, captureStderr: Bool = false,
    check: Bool = true, environment: [String: String]? = nil,
    deliverCancel: ((TrioProcess) async throws -> Void)? = nil
) async throws -> CompletedProcess {
    let deliverCancel = deliverCancel ?? terminateThenKill
    var output: [UInt8] = []
    var errors: [UInt8] = []
    // Started outside the nursery, so that a failure to start comes out bare, not in a group.
    let process = try await openProcess(
        command, stdin: .pipe, stdout: captureStdout ? .pipe : .inherit,
        stderr: captureStderr ? .pipe : .inherit, environment: environment)
    try await withNursery { nursery in
        do {
            if let input = process.stdin {
                process.stdin = nil
                process.stdio = nil
                try nursery.startSoon(name: "runProcess stdin feeder") {
                    defer { (input as? FdStream)?.close() }
                    do {
                        try await input.sendAll(stdin ?? [])
                    } catch is BrokenResourceError {
                        // The child exited or closed its stdin without reading everything.
                    }
                }
            }
            if let stream = process.stdout {
                process.stdout = nil
                try nursery.startSoon(name: "runProcess stdout reader") {
                    defer { (stream as? FdStream)?.close() }
                    for try await chunk in stream.chunks { output += chunk }
                }
            }
            if let stream = process.stderr {
                process.stderr = nil
                try nursery.startSoon(name: "runProcess stderr reader") {
                    defer { (stream as? FdStream)?.close() }
                    for try await chunk in stream.chunks { errors += chunk }
                }
            }
            try await process.wait()
        } catch {
            // Stop the child and wait for it, shielded, then let the error go on.
            let killerScope = CancelScope(shield: true)
            try await CancelScope(shield: true).run {
                try nursery.startSoon(name: "runProcess deliver cancel") {
                    try await killerScope.run { try await deliverCancel(process) }
                }
                try await process.wait()
                killerScope.cancel()
            }
            throw error
        }
    }
    let returnCode = process.returnCode ?? -1
    let stdout = captureStdout ? output : nil
    let stderr = captureStderr ? errors : nil
    if check && returnCode != 0 {
        throw CalledProcessError(returnCode: returnCode, args: command, stdout: stdout, stderr: stderr)
    }
    return CompletedProcess(args: command, returnCode: returnCode, stdout: stdout, stderr: stderr)
}

/// How ``runProcess(_:stdin:captureStdout:captureStderr:check:environment:deliverCancel:)`` stops
/// a child by default when cancelled: `SIGTERM`, and `SIGKILL` if it still runs 5 seconds later.
private func terminateThenKill(_ process: TrioProcess) async throws {
    do {
        try process.terminate()
        try await sleep(5)
        logError("process \(process) ignored SIGTERM for 5 seconds; trying SIGKILL")
        try process.kill()
    } catch let error as OSError {
        logError("tried to kill process \(process), but failed with: \(error)")
    }
}
