#if canImport(Glibc)
import Glibc
#endif

/// A one-value mailbox that a plain thread can block on until another thread (usually the run's
/// thread) puts a value in. Flavor: internal; thread-safe.
final class ThreadMailbox<Value: Sendable>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var value: Value?

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func put(_ newValue: Value) {
        pthread_mutex_lock(mutex)
        value = newValue
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Blocks the calling thread until a value is there, and takes it.
    func take() -> Value {
        pthread_mutex_lock(mutex)
        while value == nil { pthread_cond_wait(condition, mutex) }
        let taken = value!
        value = nil
        pthread_mutex_unlock(mutex)
        return taken
    }
}
