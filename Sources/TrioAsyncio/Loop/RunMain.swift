import Trio
import TrioPlatform

/// ``run(clock:queueLen:_:)`` as a program's entry point: a Trio run with an asyncio loop open
/// around `main`, ending the process the way a Python program ends when it fails. Flavor: sync.
///
/// On Ctrl-C the run cancels `main` (and with it the loop, whose asyncio tasks are cancelled at its
/// shutdown), waits for everything to unwind, prints `KeyboardInterrupt` on standard error and ends
/// the process by `SIGINT` (status 130 in a shell). Any other error is printed (an
/// `ExceptionGroup` with every error in it) and the process exits with status 1. See `Trio.runMain`.
public func runMain(
    clock: (any TrioClock)? = nil, queueLen: Int? = nil, _ main: sending @escaping () async throws -> Void
) {
    do {
        try run(clock: clock, queueLen: queueLen, main)
    } catch {
        ProgramExit.terminate(for: error)
    }
}
