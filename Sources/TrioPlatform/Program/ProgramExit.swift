import SharedErrors
#if canImport(Glibc)
import Glibc
#endif

/// How a program whose main run failed ends, for the `runMain` entry points of every flavor.
///
/// A Python program that dies of an uncaught exception prints it and exits with status 1; one
/// interrupted by Ctrl-C prints `KeyboardInterrupt` and then kills itself with `SIGINT` under the
/// default disposition, so that its parent (a shell, `make`, a supervisor) sees "terminated by
/// SIGINT" (status 130 in a shell) and stops too. Swift's default for an error thrown at top level is
/// a crash report instead. Ending the process belongs here because the signal disposition it
/// resets is process-wide state, which only the platform layer touches.
package enum ProgramExit {
    /// Ends the process for `error`: `KeyboardInterrupt` → one line on standard error, then death by
    /// `SIGINT`; anything else → its report (``report(_:)``) on standard error and status 1. Standard
    /// output is flushed first, so nothing the program printed is lost.
    package static func terminate(for error: any Error) -> Never {
        fflush(nil)
        if error is KeyboardInterrupt {
            writeToStandardError("KeyboardInterrupt\n")
            dieBySIGINT()
        }
        writeToStandardError(report(error) + "\n")
        exit(1)
    }

    /// What `terminate(for:)` prints for an error other than `KeyboardInterrupt`: its description,
    /// and for an ``ExceptionGroup`` every nested error, one per line under its group.
    package static func report(_ error: any Error) -> String {
        var lines: [String] = []
        append(error, to: &lines, prefix: "", childPrefix: "")
        return lines.joined(separator: "\n")
    }

    private static func append(_ error: any Error, to lines: inout [String], prefix: String, childPrefix: String) {
        guard let group = error as? ExceptionGroup else {
            lines.append(prefix + describe(error))
            return
        }
        let noun = group.errors.count == 1 ? "sub-exception" : "sub-exceptions"
        lines.append(prefix + "ExceptionGroup: \(group.message) (\(group.errors.count) \(noun))")
        for (index, member) in group.errors.enumerated() {
            let last = index == group.errors.count - 1
            append(
                member, to: &lines, prefix: childPrefix + (last ? "└─ " : "├─ "),
                childPrefix: childPrefix + (last ? "   " : "│  "))
        }
    }

    /// The error's own description when it has one, else its qualified type and value (a bare enum
    /// case alone would not say what failed).
    private static func describe(_ error: any Error) -> String {
        if let described = error as? any CustomStringConvertible { return described.description }
        return String(reflecting: error)
    }

    private static func writeToStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
        bytes.removeAll()
    }

    /// Restores `SIGINT`'s default action and raises it on this thread, as CPython does on the way
    /// out of a `KeyboardInterrupt`. Falls back to status 130 should the signal not end the process.
    private static func dieBySIGINT() -> Never {
        SignalRegistry.restoreDefaultDisposition(SIGINT)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(SIGINT)
        _exit(128 + SIGINT)
    }
}
