import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif
import DequeModule

/// A pool of OS threads (its own `pthread`s, not Swift's concurrent pool) running submitted work in FIFO order;
/// threads start on demand up to `maxWorkers`.
///
/// Flavor: sync, thread-safe. The default executor of ``SelectorEventLoop``.
public final class ThreadPoolExecutor: ConcurrentExecutor, @unchecked Sendable {
    /// The most threads the pool starts.
    public let maxWorkers: Int

    private let condition = ThreadCondition()
    // Guarded by `mutex`.
    private var work = Deque<@Sendable () -> Void>()
    private var threads: [pthread_t] = []
    private var idle = 0
    private var isShutdown = false

    /// Creates a pool of at most `maxWorkers` threads (default: CPU count + 4, at most 32, as CPython).
    public init(maxWorkers: Int? = nil) {
        self.maxWorkers = max(1, maxWorkers ?? min(32, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) + 4))
    }

    /// Queues `work`, starting a thread when the queue holds more items than there are idle threads and the pool
    /// is below `maxWorkers`.
    ///
    /// Flavor: sync, thread-safe. - Throws: `RuntimeError` after ``shutdown(wait:)``.
    public func submit(_ work: @escaping @Sendable () -> Void) throws {
        condition.lock()
        defer { condition.unlock() }
        if isShutdown { throw RuntimeError("cannot schedule new futures after shutdown") }
        self.work.append(work)
        // An idle thread takes one item; `idle` only drops once it has woken up, so compare it with the queue
        // rather than with zero: two items submitted before the one idle thread wakes need two threads
        // (CPython's idle semaphore), or work that waits for later work deadlocks below `maxWorkers`.
        if self.work.count > idle && threads.count < maxWorkers { startThread() }
        if idle > 0 { condition.signal() }
    }

    /// Refuses new work and lets the threads exit once the queue is empty; with `wait`, joins them.
    ///
    /// Flavor: sync, thread-safe; blocking when `wait` is true.
    public func shutdown(wait: Bool) {
        condition.lock()
        isShutdown = true
        let toJoin = threads
        threads = wait ? [] : threads
        condition.broadcast()
        condition.unlock()
        if wait {
            for thread in toJoin { pthread_join(thread, nil) }
        } else {
            for thread in toJoin { pthread_detach(thread) }
            condition.lock()
            threads = []
            condition.unlock()
        }
    }

    private func startThread() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, nil, { raw in
            let pool = Unmanaged<ThreadPoolExecutor>.fromOpaque(raw!).takeRetainedValue()
            pool.workerLoop()
            return nil
        }, context)
        if result == 0 {
            threads.append(thread)
        } else {
            Unmanaged<ThreadPoolExecutor>.fromOpaque(context).release()
        }
    }

    private func workerLoop() {
        condition.lock()
        while true {
            if let next = work.popFirst() {
                condition.unlock()
                next()
                condition.lock()
            } else if isShutdown {
                break
            } else {
                idle += 1
                condition.wait()
                idle -= 1
            }
        }
        condition.unlock()
    }
}
