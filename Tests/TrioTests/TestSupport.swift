import Trio
import TrioPlatform

#if canImport(Glibc)
import Glibc
#endif

/// An error type the tests throw on purpose.
struct Boom: Error, Equatable {
    var tag = "boom"
}

/// The leaves of `error` when it is a group, or `[error]`.
func leaves(_ error: any Error) -> [any Error] {
    (error as? ExceptionGroup)?.leaves ?? [error]
}

/// The handler of `signal` as a raw value (0 for `SIG_DFL`, 1 for `SIG_IGN`).
func signalDisposition(_ signal: Int32) -> Int {
    var action = sigaction()
    sigaction(signal, nil, &action)
    return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
}

/// Polls `condition` every 5 ms for up to 10 s, on a plain thread; true once it holds.
func eventually(_ condition: () -> Bool) -> Bool {
    let deadline = monotonicSeconds() + 10
    while !condition() {
        if monotonicSeconds() > deadline { return false }
        usleep(5_000)
    }
    return true
}
