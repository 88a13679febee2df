import CTrioPlatform
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A running (or finished) child process started by ``openProcess(_:stdin:stdout:stderr:environment:)``
/// (Trio's `trio.Process`). Flavor: Trio.
///
/// Waiting uses a pidfd that becomes readable when the child exits, watched by
/// the run's epoll like any fd; the child is reaped as soon as someone sees it has exited
/// (``wait()``, ``returnCode``, ``poll()``). A process dropped before it was waited for is
/// handed to a process-wide reaper that reaps it when it exits, so no zombie is left either way
/// (its exit status is then lost).
public final class TrioProcess: AsyncResource, CustomStringConvertible {
    /// The command line the process was started with.
    public let args: [String]
    /// The child's process id.
    public let pid: Int32
    /// The parent's end of the child's standard input, when it was started with ``ProcessIO/pipe``.
    public var stdin: (any SendStream)?
    /// The parent's end of the child's standard output, when it was started with ``ProcessIO/pipe``.
    public var stdout: (any ReceiveStream)?
    /// The parent's end of the child's standard error, when it was started with ``ProcessIO/pipe``.
    public var stderr: (any ReceiveStream)?
    /// ``stdin`` and ``stdout`` stapled into one stream, when both are pipes.
    public var stdio: StapledStream?

    private var exitStatus: Int32?
    private var pidfd: Int32
    /// Whether some task is parked on the pidfd (only one may be); the others wait for it.
    private var pidfdWatched = false
    private var watcherDone = Event()

    init(args: [String], spawned: ProcessSpawner.Spawned) {
        self.args = args
        self.pid = spawned.pid
        // The pid cannot be recycled before we reap it, so opening the pidfd late is safe.
        self.pidfd = ChildProcess.openPidFD(spawned.pid)
        self.stdin = spawned.stdin.map { FdStream(fileDescriptor: $0) }
        self.stdout = spawned.stdout.map { FdStream(fileDescriptor: $0) }
        self.stderr = spawned.stderr.map { FdStream(fileDescriptor: $0) }
        if let stdin, let stdout { stdio = StapledStream(sendStream: stdin, receiveStream: stdout) }
    }

    deinit {
        closePidfd()
        // Reap if it has exited; a child still running when its last reference goes keeps
        // running, and the process-wide reaper reaps it when it exits (no zombie is left).
        if exitStatus == nil, reap(blocking: false) == nil { ChildReaper.shared.adopt(pid: pid) }
    }

    /// The exit status: the exit code, or minus the signal number if a signal killed it; `nil`
    /// while it runs. Reading it reaps a finished child. Flavor: sync.
    public var returnCode: Int32? { poll() }

    /// Checks, without blocking, whether the child has exited; returns ``returnCode``. Flavor: sync.
    @discardableResult
    public func poll() -> Int32? {
        if exitStatus == nil { _ = reap(blocking: false) }
        return exitStatus
    }

    /// Waits for the child to exit and returns its ``returnCode``. Several tasks may wait at
    /// once. Flavor: Trio; a checkpoint (also when it has already exited).
    ///
    /// - Throws: ``Cancelled`` (the child keeps running).
    @discardableResult
    public func wait() async throws -> Int32 {
        if let code = poll() {
            try await checkpoint()
            return code
        }
        while true {
            if let code = poll() { return code }
            if pidfdWatched {
                try await watcherDone.wait()
                continue
            }
            pidfdWatched = true
            defer {
                pidfdWatched = false
                let done = watcherDone
                watcherDone = Event()
                done.set()
            }
            if pidfd >= 0 {
                do {
                    try await waitIO(pidfd, readable: true, api: "TrioProcess.wait", reason: .process(pid))
                } catch is ClosedResourceError {}
                if let code = reap(blocking: true) { return code }
            } else {
                // No pidfd (kernel older than 5.3): poll with a short sleep.
                try await sleep(0.01)
            }
        }
    }

    /// Sends `signal` to the child, unless it has already been reaped. Flavor: sync.
    ///
    /// - Throws: `OSError` if `kill` fails.
    public func sendSignal(_ signal: Int32) throws {
        guard poll() == nil else { return }
        guard Glibc.kill(pid, signal) == 0 else { throw OSError.current("kill \(pid)") }
    }

    /// Kills the child with `SIGKILL`. Flavor: sync.
    ///
    /// - Throws: `OSError` if `kill` fails.
    public func kill() throws { try sendSignal(SIGKILL) }

    /// Asks the child to stop with `SIGTERM`. Flavor: sync.
    ///
    /// - Throws: `OSError` if `kill` fails.
    public func terminate() throws { try sendSignal(SIGTERM) }

    /// Closes the pipes, then waits for the child; if that wait is cancelled the child is
    /// killed (and reaped) first. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``Cancelled``, after the child was killed and reaped.
    public func aclose() async throws {
        for stream in [stdin as (any AsyncResource)?, stdout, stderr].compactMap({ $0 }) {
            try? await acloseForcefully(stream)
        }
        do {
            try await wait()
        } catch {
            if poll() == nil {
                try? kill()
                _ = try? await CancelScope(shield: true).run { try await wait() }
            }
            throw error
        }
    }

    /// `<TrioProcess [args]: running>` or `…: exited with status n` / `…: exited with signal n`.
    public var description: String {
        let state: String
        switch exitStatus {
        case nil: state = "running"
        case let code? where code < 0: state = "exited with signal \(-code)"
        case let code?: state = "exited with status \(code)"
        }
        return "<TrioProcess \(args): \(state)>"
    }

    /// `waitpid`; records the status and releases the pidfd once the child is gone.
    private func reap(blocking: Bool) -> Int32? {
        switch ChildProcess.reap(pid, blocking: blocking) {
        case .running:
            return exitStatus
        case .lost:
            // Someone else reaped it (a SIGCHLD handler that reaps everything): the status is
            // lost, as in Python.
            if exitStatus == nil { exitStatus = 255 }
        case .exited(let code):
            exitStatus = code
        }
        closePidfd()
        return exitStatus
    }

    private func closePidfd() {
        guard pidfd >= 0 else { return }
        notifyClosing(pidfd)
        close(pidfd)
        pidfd = -1
    }
}
