import Trio
import TrioTesting

/// An error type the tests throw on purpose.
struct Boom: Error, Equatable {
    var tag = "boom"
}

/// The leaves of `error` when it is a group, or `[error]`.
func leaves(_ error: any Error) -> [any Error] {
    (error as? ExceptionGroup)?.leaves ?? [error]
}

/// Temporary: the tests that came with the fidelity work still call this; they move to `@Test(.trio)`.
func runMocked<T>(
    strictExceptionGroups: Bool = true, _ body: sending @escaping () async throws -> T
) throws -> T {
    try Trio.run(clock: MockClock(autojumpThreshold: 0), strictExceptionGroups: strictExceptionGroups, body)
}
