#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a pthread mutex. Flavor: sync; thread-safe. Shared by the package's modules.
///
/// Used instead of `Synchronization.Mutex` for state shared with other threads: on Linux that
/// mutex blocks through priority-inheritance futexes, which ThreadSanitizer cannot see, so every
/// contended hand-over shows up as a false data race. A pthread mutex is understood by TSan and
/// costs the same when uncontended.
package final class ThreadLock<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
