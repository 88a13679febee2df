#if canImport(Glibc)
import Glibc
#endif
import SharedErrors

/// A pthread of the package's own that hosts one whole blocking run (a Trio run for Trio's `runAsync` and
/// `TrioThread`, a loop for TrioTesting's `AsyncioLoopKind.runAsync`). Flavor: package; thread-safe.
///
/// A run blocks its thread for as long as it lasts, so it must never borrow a thread of Swift's
/// cooperative pool: the awaiting Swift task suspends instead, and the run's thread resumes it.
package enum DedicatedThread {
    private final class Start {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts a thread named `name` running `body`; a detached thread unless `joinable`.
    ///
    /// - Throws: `OSError` when the thread cannot be created.
    @discardableResult
    package static func start(name: String, joinable: Bool, _ body: @escaping @Sendable () -> Void) throws -> pthread_t {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if !joinable { pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED)) }
        let start = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            OSThreadName.set(start.name)
            start.body()
            return nil
        }, start)
        if rc != 0 {
            Unmanaged<Start>.fromOpaque(start).release()
            throw OSError(errno: rc, operation: "pthread_create")
        }
        return thread
    }

    /// Runs `body` on a new thread named `name` and returns its result, awaited without blocking a thread
    /// of Swift's cooperative pool: the calling task suspends, and the thread resumes it once `body` has
    /// returned.
    ///
    /// - Throws: what `body` throws; `OSError` when the thread cannot be created.
    package static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        // The outcome crosses under a lock rather than inside the continuation: when `body` ends before the
        // calling task has suspended, the runtime continues that task without a queued job, through atomics
        // that ThreadSanitizer does not see, and it would report what `body` wrote as raced by the caller's
        // reads. The lock makes the hand-over visible.
        let handoff = ThreadLock<Result<T, any Error>?>(nil)
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            do {
                try start(name: name, joinable: false) {
                    let outcome = Result { try body() }
                    handoff.withLock { $0 = outcome }
                    // `body` is over (the thread only returns from here): the awaiting task may go on.
                    continuation.resume()
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
        return try handoff.withLock { $0! }.get()
    }
}
