import CTrioPlatform
import Synchronization
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The process-wide plumbing between C signal handlers and Trio runs.
///
/// A signal handler may only do async-signal-safe things, so Trio's handler just writes the
/// signal number into the wake-up pipe registered for that signal; the task that owns the pipe
/// does the rest on its run's thread. The table is a fixed block of memory allocated before any
/// handler is installed: handlers only read it, with atomic 32-bit loads (a handler can run on
/// any thread while another installs), and installs and restores are serialized by
/// ``SignalWakeTable/lock``.
enum SignalWakeTable {
    /// One past the largest signal number (Linux's `_NSIG`).
    static let signalLimit: Int32 = 65

    /// `fds[signal]`: the write end to notify, or -1.
    nonisolated(unsafe) static let fds: UnsafeMutablePointer<Int32> = {
        let table = UnsafeMutablePointer<Int32>.allocate(capacity: Int(signalLimit))
        table.initialize(repeating: -1, count: Int(signalLimit))
        return table
    }()

    /// Serializes changes to handlers and the table (runs on other threads may change them too).
    /// A pthread lock, so that ThreadSanitizer sees the ordering.
    static let lock = ThreadLock<Void>()

    /// The routing of `signal`, read atomically.
    static func fd(for signal: Int32) -> Int32 { ctrio_atomic_load_int(fds + Int(signal)) }

    static func setFD(_ fd: Int32, for signal: Int32) { ctrio_atomic_store_int(fds + Int(signal), fd) }

    /// Installs Trio's handler for `signal`, routing it to `fd`. Returns what to restore.
    static func install(_ signal: Int32, fd: Int32) throws -> Installed {
        _ = fds
        var action = sigaction()
        action.__sigaction_handler.sa_handler = trioSignalHandler
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        var old = sigaction()
        let previousFD = Self.fd(for: signal)
        setFD(fd, for: signal)
        guard sigaction(signal, &action, &old) == 0 else {
            setFD(previousFD, for: signal)
            throw OSError.current("sigaction(\(signal))")
        }
        return Installed(signal: signal, previousAction: old, previousFD: previousFD)
    }

    /// What ``install(_:fd:)`` replaced.
    struct Installed {
        let signal: Int32
        var previousAction: sigaction
        let previousFD: Int32

        /// Puts the previous handler back, then the previous routing.
        func restore() {
            var action = previousAction
            sigaction(signal, &action, nil)
            SignalWakeTable.setFD(previousFD, for: signal)
        }
    }
}

/// Trio's C-level handler: one byte, the signal number, into the registered pipe.
private let trioSignalHandler: @convention(c) (Int32) -> Void = { signal in
    let savedErrno = errno
    if signal > 0 && signal < SignalWakeTable.signalLimit {
        let fd = SignalWakeTable.fd(for: signal)
        if fd >= 0 {
            var byte = UInt8(truncatingIfNeeded: signal)
            _ = write(fd, &byte, 1)
        }
    }
    errno = savedErrno
}
