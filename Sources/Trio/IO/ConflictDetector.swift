/// Detects two tasks using a one-user-at-a-time operation concurrently (Trio's
/// `ConflictDetector`): the second one gets ``BusyResourceError`` instead of corrupting state.
///
/// Single-threaded like everything in a run, so a flag is enough.
struct ConflictDetector {
    private var busy = false
    private let message: String

    init(_ message: String) { self.message = message }

    mutating func enter() throws {
        if busy { throw BusyResourceError(message) }
        busy = true
    }

    mutating func exit() { busy = false }
}
