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
}

