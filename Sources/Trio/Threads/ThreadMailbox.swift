import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A one-value mailbox that a plain thread can block on until another thread (usually the run's
/// thread) puts a value in. Flavor: internal; thread-safe.
final class ThreadMailbox<Value: Sendable>: @unchecked Sendable {
    private let condition = ThreadCondition()
    private var value: Value?

    init() {}

    func put(_ newValue: Value) {
        condition.withLock {
            value = newValue
            condition.signal()
        }
    }

    /// Blocks the calling thread until a value is there, and takes it.
    func take() -> Value {
        condition.withLock {
            while value == nil { condition.wait() }
            defer { value = nil }
            return value!
        }
    }
}
