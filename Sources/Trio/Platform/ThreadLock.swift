#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex guarding a value. Used for state shared with other threads instead of
/// `Synchronization.Mutex` because ThreadSanitizer understands pthread locks (it cannot see the
/// futex calls `Mutex` makes on Linux), and thread-crossing code must stay checkable with
/// `swift test --sanitize=thread`.
final class ThreadLock<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
