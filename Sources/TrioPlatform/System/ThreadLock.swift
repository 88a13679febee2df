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

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        // No `defer`: the access to `value` must visibly end before the unlock, or
        // ThreadSanitizer sees the exclusivity bookkeeping outside the lock.
        let result: R
        do {
            result = try body(&value)
        } catch {
            pthread_mutex_unlock(mutex)
            throw error
        }
        pthread_mutex_unlock(mutex)
        return result
    }
}

extension ThreadLock where Value == Void {
    /// A lock that guards code rather than a value.
    package convenience init() { self.init(()) }

    /// Runs `body` holding the lock. There is no value to access: a zero-sized stored value's
    /// exclusivity bookkeeping lands on the object header, where ThreadSanitizer reports races.
    package func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }
}
