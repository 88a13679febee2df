import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A child process and its pipes: CPython's `asyncio.SubprocessTransport`.
///
/// Flavor: sync methods; ``wait()`` is asyncio-flavored. The child is spawned by the platform layer and reaped
/// as soon as it exits (watched through a pidfd on the loop), so it never lingers as a zombie.
public final class SubprocessTransport {
    /// The loop the transport runs on.
    public let loop: any AbstractEventLoop
    /// The child's process id.
    public let pid: pid_t
    /// The child's exit status: its exit code, or minus the signal that killed it; `nil` while it runs.
    public private(set) var returncode: Int32?
    var subprocessProtocol: any SubprocessProtocol
    private var pipes: [Int32: SocketTransport] = [:]
    private var exitWaiters: [Future<Int32>] = []
    private var pidfd: Int32 = -1
    private var finished = false
    private var watching = false

    init(loop: any AbstractEventLoop, pid: pid_t, protocol: any SubprocessProtocol) {
        self.loop = loop
        self.pid = pid
        subprocessProtocol = `protocol`
    }

    /// The transport of the child's stdin (0), stdout (1) or stderr (2), when it is a pipe.
    public func getPipeTransport(_ fd: Int32) -> (any Transport)? { pipes[fd] }

    func attachPipe(childFD: Int32, parentFD: Int32) throws {
        let transport = try SocketTransport(
            loop: loop, fd: parentFD, protocol: PipeForwarder(fd: childFD, owner: self),
            isPipe: true, reading: childFD != 0
        )
        pipes[childFD] = transport
    }

    func startWatching() throws {
        pidfd = ChildProcess.openPidFD(pid)
        if pidfd >= 0 {
            do {
                try loop.addReader(pidfd) { self.reap() }
            } catch {
                Glibc.close(pidfd)
                pidfd = -1
                throw error
            }
        } else {
            // No pidfd (old kernel): poll; the first check comes soon, then every 10 ms.
            try loop.callLater(0.001) { self.pollExit() }
        }
        watching = true
    }

    /// Undoes a start that failed after the spawn: closes the pipes, kills the child and waits until it is
    /// reaped — through the loop when it is watched, else by blocking in `waitpid` for a child that SIGKILL
    /// ends at once. Never throws: the start's own error is the one to report.
    func abandon() async {
        close()
        if watching {
            // The caller's cancellation was delivered once already, so this wait runs to the exit; a second
            // cancellation would leave the reaping to the watch.
            _ = try? await wait()
        } else if returncode == nil {
            if case .exited(let code) = ChildProcess.reap(pid, blocking: true) {
                processExited(code)
            } else {
                processExited(255)
            }
        }
    }

    private func pollExit() {
        reap()
        if returncode == nil { _ = try? loop.callLater(0.01) { self.pollExit() } }
    }

    private func reap() {
        let reaped = ChildProcess.reap(pid, blocking: false)
        if reaped == .running { return }
        if pidfd >= 0 {
            _ = loop.removeReader(pidfd)
            Glibc.close(pidfd)
            pidfd = -1
        }
        if case .exited(let code) = reaped { processExited(code) } else { processExited(255) }
    }

    private func processExited(_ code: Int32) {
        returncode = code
        subprocessProtocol.processExited()
        let waiters = exitWaiters
        exitWaiters = []
        for waiter in waiters { waiter.setOutcomeUnlessDone(.success(code)) }
        tryFinish()
    }

    func pipeClosed(fd: Int32, error: (any Error)?) {
        pipes[fd] = nil
        subprocessProtocol.pipeConnectionLost(fd: fd, error: error)
        tryFinish()
    }

    private func tryFinish() {
        guard !finished, returncode != nil, pipes.isEmpty else { return }
        finished = true
        _ = try? loop.callSoon { self.subprocessProtocol.connectionLost(nil) }
    }

    /// Waits for the child to exit and returns ``returncode``.
    ///
    /// Flavor: asyncio. - Throws: ``CancelledError``.
    public func wait() async throws -> Int32 {
        if let returncode { return returncode }
        let waiter = loop.createFuture(of: Int32.self)
        exitWaiters.append(waiter)
        return try await waiter.value
    }

    /// Sends `signal` to the child (nothing once it was reaped).
    ///
    /// Flavor: sync.
    public func sendSignal(_ signal: Int32) {
        guard returncode == nil else { return }
        _ = Glibc.kill(pid, signal)
    }

    /// Sends SIGTERM.
    public func terminate() { sendSignal(SIGTERM) }

    /// Sends SIGKILL.
    public func kill() { sendSignal(SIGKILL) }

    /// Closes the pipes; kills the child if it still runs (it is still reaped).
    ///
    /// Flavor: sync.
    public func close() {
        for pipe in pipes.values { pipe.close() }
        if returncode == nil { kill() }
    }
}
