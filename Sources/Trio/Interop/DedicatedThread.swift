#if canImport(Glibc)
import Glibc
#endif
import TrioPlatform

/// A pthread of the library's own that hosts one whole Trio run, for ``runAsync(clock:instruments:strictExceptionGroups:_:)``
/// and ``TrioThread``. Flavor: internal; thread-safe.
///
/// A run blocks its thread for as long as it lasts, so it must never borrow a thread of Swift's
/// cooperative pool: the awaiting Swift task suspends instead, and the run's thread resumes it.
enum DedicatedThread {
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
    static func start(name: String, joinable: Bool, _ body: @escaping @Sendable () -> Void) throws -> pthread_t {
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

extension Runner {
    /// A whole run on the calling thread, as ``run(clock:instruments:strictExceptionGroups:name:_:)``
    /// but without taking `SIGINT`: a run on a thread of its own serves a Swift-concurrency program,
    /// which owns Ctrl-C (as a Python Trio run off the main thread installs no handler either).
    static func runOnDedicatedThread<T>(
        clock: (any TrioClock)?, instruments: [any Instrument], strictExceptionGroups: Bool, name: String,
        _ main: @escaping () async throws -> T
    ) throws -> T {
        // `main` is the caller's to give away: it was made on this thread for this run.
        let body = UncheckedSendable(main)
        let (runner, result) = try Runner.start(
            clock: clock, instruments: instruments, strictExceptionGroups: strictExceptionGroups, name: name
        ) { try await body.value() }
        defer { Runner.currentOnThread.set(nil) }
        runner.runLoop()
        return try runner.finishRun(result)
    }
}
