#if canImport(Glibc)
import Glibc
#endif

// The write end of the self-pipe the C signal handler writes signal numbers to. Signals are per process, so
// one loop at a time may own it (CPython likewise handles signals in one loop, through `set_wakeup_fd`).
// A trivially-initialized global: reading it from a signal handler involves no lazy initialization.
nonisolated(unsafe) private var signalPipeWriteFD: Int32 = -1

private let writeSignalNumber: @convention(c) (Int32) -> Void = { signal in
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(signalPipeWriteFD, &byte, 1)
    errno = savedErrno
}

/// The loop's signal handlers and its end of the self-pipe.
struct SignalState {
    var handlers: [Int32: () -> Void] = [:]
    var readFD: Int32 = -1
    var writeFD: Int32 = -1
}

extension SelectorEventLoop {
    /// Calls `callback` on the loop thread whenever `signal` arrives (see
    /// ``AbstractEventLoop/addSignalHandler(_:_:)``).
    ///
    /// Flavor: sync. - Throws: ``ValueError`` for an invalid or uncatchable signal, ``RuntimeError`` when the loop
    /// is closed or another loop owns signal handling, ``OSError`` when the pipe cannot be made.
    public func addSignalHandler(_ signal: Int32, _ callback: @escaping () -> Void) throws {
        if isClosed { throw RuntimeError("Event loop is closed") }
        guard signal > 0, signal < 65, signal != SIGKILL, signal != SIGSTOP else {
            throw ValueError("invalid or uncatchable signal number \(signal)")
        }
        try openSignalPipe()
        var action = sigaction()
        action.__sigaction_handler.sa_handler = writeSignalNumber
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        guard sigaction(signal, &action, nil) == 0 else {
            let error = OSError(errno: errno, operation: "sigaction(\(signal))")
            // Do not keep the process-wide pipe claimed for no handler (CPython undoes set_wakeup_fd).
            if signalState.handlers.isEmpty { closeSignalPipe() }
            throw error
        }
        signalState.handlers[signal] = callback
    }

    /// Removes the handler of `signal`, restoring the default disposition.
    public func removeSignalHandler(_ signal: Int32) -> Bool {
        guard signalState.handlers.removeValue(forKey: signal) != nil else { return false }
        restoreDefault(signal)
        if signalState.handlers.isEmpty { closeSignalPipe() }
        return true
    }

    func closeSignalHandling() {
        for signal in signalState.handlers.keys { restoreDefault(signal) }
        signalState.handlers.removeAll()
        closeSignalPipe()
    }

    private func restoreDefault(_ signal: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_DFL
        sigemptyset(&action.sa_mask)
        sigaction(signal, &action, nil)
    }

    private func openSignalPipe() throws {
        guard signalState.readFD < 0 else { return }
        guard signalPipeWriteFD < 0 else { throw RuntimeError("another event loop handles signals") }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw OSError(errno: errno, operation: "pipe") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        signalState.readFD = fds[0]
        signalState.writeFD = fds[1]
        signalPipeWriteFD = fds[1]
        try addReader(fds[0]) { [unowned self] in self.dispatchSignals() }
    }

    private func closeSignalPipe() {
        guard signalState.readFD >= 0 else { return }
        _ = removeReader(signalState.readFD)
        signalPipeWriteFD = -1
        Glibc.close(signalState.readFD)
        Glibc.close(signalState.writeFD)
        signalState.readFD = -1
        signalState.writeFD = -1
    }

    private func dispatchSignals() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(signalState.readFD, &buffer, buffer.count)
            guard count > 0 else { return }
            for byte in buffer[0..<count] {
                if let handler = signalState.handlers[Int32(byte)] { _ = try? callSoon(handler) }
            }
        }
    }
}
