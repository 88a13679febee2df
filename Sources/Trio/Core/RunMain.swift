import TrioPlatform

/// Runs `main` as a program's Trio run and ends the process the way a Python program ends when
/// it fails. Flavor: sync (a program's entry point, used instead of a bare top-level `try Trio.run`).
///
/// ```swift
/// // main.swift
/// import Trio
///
/// Trio.runMain {
///     try await serveTCP(port: 8080) { stream in … }
/// }
/// ```
///
/// When `main` returns, so does this. When the run throws, nothing after the call runs:
/// - `KeyboardInterrupt` (Ctrl-C, after every task unwound through its cleanup code) prints one
///   line, `KeyboardInterrupt`, on standard error and ends the process by `SIGINT` under its default
///   action, as CPython does, so that a shell sees status 130 and a script running the program stops;
/// - any other error prints its description on standard error (an `ExceptionGroup` with every
///   error in it, one per line) and exits with status 1.
///
/// Standard output is flushed first in both cases. No crash report is printed: Swift's default for
/// an error thrown at top level is a fatal error with a backtrace.
///
/// - Parameters:
///   - clock: the run's clock (default: the system's monotonic clock).
///   - instruments: hooks called by the run loop (see ``Instrument``).
///   - strictExceptionGroups: whether nurseries wrap even a single error in an `ExceptionGroup`.
///   - name: the main task's name, for instruments.
///   - main: the main task, as for ``run(clock:instruments:strictExceptionGroups:name:_:)``.
public func runMain(
    clock: (any TrioClock)? = nil, instruments: [any Instrument] = [], strictExceptionGroups: Bool = true,
    name: String = "main", _ main: sending @escaping () async throws -> Void
) {
    do {
        try run(
            clock: clock, instruments: instruments, strictExceptionGroups: strictExceptionGroups, name: name, main)
    } catch {
        ProgramExit.terminate(for: error)
    }
}
