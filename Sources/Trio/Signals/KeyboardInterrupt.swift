/// Thrown by ``run(clock:instruments:strictExceptionGroups:name:_:)`` when the program got
/// `SIGINT` (Ctrl-C) while running (Python's `KeyboardInterrupt`).
///
/// On `SIGINT` the run cancels everything below its system nursery, as if the main task's
/// surroundings were cancelled, so tasks unwind through their cleanup code; once they have,
/// `run` throws this instead of the cancellation. A program that wants to handle `SIGINT`
/// itself catches it with ``withSignalReceiver(_:_:)``, which takes precedence.
public struct KeyboardInterrupt: Error, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// `KeyboardInterrupt`.
    public var description: String { "KeyboardInterrupt" }
}
