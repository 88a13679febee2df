import TrioPlatform
import DequeModule

#if canImport(Glibc)
import Glibc
#endif

/// The process-wide cache of worker threads behind ``ToThread`` (Trio's `start_thread_soon`).
/// Flavor: internal; thread-safe.
///
/// These are the library's own pthreads, never Swift's cooperative pool: a job may block for as
/// long as it likes. A finished worker waits for the next job and exits after
/// ``idleTimeout`` seconds without one, so a busy program reuses threads and an idle one holds
/// none.
final class WorkerThreadPool: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    static let shared = WorkerThreadPool()
    static let idleTimeout: Int = 10

    private let condition = ThreadCondition()
    private var jobs = Deque<Job>()
    /// Workers waiting for a job and not yet promised one.
    private var idle = 0

    private init() {}

    /// Runs `job` on an idle worker, or on a new one.
    ///
    /// - Throws: `OSError` when a new thread cannot be created.
    func submit(_ job: @escaping Job) throws {
        let handedOver = condition.withLock { () -> Bool in
            guard idle > 0 else { return false }
            idle -= 1
            jobs.append(job)
            condition.signal()
            return true
        }
        if !handedOver { try spawn(job) }
    }

    private final class Start {
        let pool: WorkerThreadPool
        let job: Job
        init(pool: WorkerThreadPool, job: @escaping Job) {
            self.pool = pool
            self.job = job
        }
    }

    private func spawn(_ job: @escaping Job) throws {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let start = Unmanaged.passRetained(Start(pool: self, job: job)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            start.pool.workerMain(first: start.job)
            return nil
        }, start)
        if rc != 0 {
            Unmanaged<Start>.fromOpaque(start).release()
            throw OSError(errno: rc, operation: "pthread_create")
        }
    }

    private func workerMain(first: @escaping Job) {
        var next: Job? = first
        while true {
            // The job is a temporary, released once it has run, so that what it captured (the
            // caller's task, its limiter) is not kept alive by a sleeping thread.
            next.take()!()
            condition.lock()
            idle += 1
            while jobs.isEmpty {
                if !condition.wait(seconds: Double(Self.idleTimeout)) && jobs.isEmpty {
                    idle -= 1
                    condition.unlock()
                    return
                }
            }
            // Whoever queued this job already counted us out of `idle`.
            next = jobs.removeFirst()
            condition.unlock()
        }
    }
}
