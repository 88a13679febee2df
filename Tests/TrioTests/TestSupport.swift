import Trio
import TrioTesting

/// An error type the tests throw on purpose.
struct Boom: Error, Equatable {
    var tag = "boom"
}

/// Runs `body` in a Trio run on a mock clock that autojumps, so time-based tests are exact.
func runMocked<T>(
    strictExceptionGroups: Bool = true, _ body: sending @escaping () async throws -> T
) throws -> T {
    try Trio.run(clock: MockClock(autojumpThreshold: 0), strictExceptionGroups: strictExceptionGroups, body)
}

/// The leaves of `error` when it is a group, or `[error]`.
func leaves(_ error: any Error) -> [any Error] {
    (error as? ExceptionGroup)?.leaves ?? [error]
}
