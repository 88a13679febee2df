/// Detects two tasks using a one-user-at-a-time operation concurrently (Trio's
/// `ConflictDetector`): the second one gets ``BusyResourceError`` instead of corrupting state.
///
/// Single-threaded like everything in a run, so a flag is enough. Shared with TrioTesting's
/// stream pairs.
package struct ConflictDetector {
    private var busy = false
    private let message: String

    package init(_ message: String) { self.message = message }

    package mutating func enter() throws {
        if busy { throw BusyResourceError(message) }
        busy = true
    }

    package mutating func exit() { busy = false }
}
