import Trio

/// An error type the tests throw on purpose.
struct Boom: Error, Equatable {
    var tag = "boom"
}

/// The leaves of `error` when it is a group, or `[error]`.
func leaves(_ error: any Error) -> [any Error] {
    (error as? ExceptionGroup)?.leaves ?? [error]
}
