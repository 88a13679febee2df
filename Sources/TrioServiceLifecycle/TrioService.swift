#if ServiceLifecycle
import ServiceLifecycle
import Trio

/// A Trio program run as a swift-service-lifecycle `Service`, so that a `ServiceGroup` starts it,
/// shuts it down gracefully on its signals, and cancels it. Flavor: plain Swift async (`run()` is
/// called by the group); `Sendable`.
///
/// ``run()`` runs `main` as the main task of a whole Trio run on a thread of its own
/// (`runAsync(clock:instruments:strictExceptionGroups:_:)`), so the run blocks no thread of
/// Swift's cooperative pool. How the group's requests reach the Trio program:
///
/// - **Graceful shutdown** (the group's `gracefulShutdownSignals`, or another service ending):
///   every scope opened with ``TrioGracefulShutdown/cancelOnShutdown(_:)`` is cancelled at once
///   (a server stops accepting there), and a cancel scope around `main` gets the deadline *now +
///   `gracePeriod`*: in-flight work may finish within the grace period, and whatever still runs
///   then is cancelled (it sees `Cancelled`). A program that ended within the grace period,
///   or was cut short by it, makes `run()` return normally.
/// - **Cancellation** (the group's `cancellationSignals`, a failing service, the group's own
///   `maximumGracefulShutdownDuration`): the whole program is cancelled at once, with no grace,
///   and `run()` throws `CancellationError` once the run has completely unwound.
///
/// ```swift
/// let service = TrioService(name: "echo", gracePeriod: 10) { shutdown in
///     try await withNursery { handlers in
///         // Stops accepting when graceful shutdown begins; the handlers keep their grace.
///         _ = try await shutdown.cancelOnShutdown {
///             try await serveTCP(port: 8080, handlerNursery: handlers) { stream in
///                 try await echo(stream)
///             }
///         }
///     }
/// }
/// let group = ServiceGroup(
///     services: [service], gracefulShutdownSignals: [.sigterm], cancellationSignals: [.sigint],
///     logger: logger)
/// try await group.run()
/// ```
///
/// The run takes no signal itself (a run on its own thread never installs Trio's `SIGINT`
/// handler): the `ServiceGroup` owns the signals it is configured with.
public struct TrioService: Service, CustomStringConvertible {
    /// The service's name: the run's main task and thread are named after it.
    public let name: String
    /// How long in-flight work may go on after graceful shutdown begins, in seconds of the run's
    /// clock.
    public let gracePeriod: Double
    private let main: @Sendable (TrioGracefulShutdown) async throws -> Void

    /// Creates the service; nothing runs until the group calls ``run()``. Flavor: sync.
    ///
    /// - Parameters:
    ///   - name: a name for logs and the run's thread.
    ///   - gracePeriod: seconds that work may go on after graceful shutdown begins (0: cancel
    ///     everything at once; must not be negative or NaN).
    ///   - main: the Trio program; it runs on the run's thread, as a Trio task, and is handed the
    ///     run's graceful-shutdown handle.
    public init(
        name: String = "trio", gracePeriod: Double,
        _ main: @escaping @Sendable (TrioGracefulShutdown) async throws -> Void
    ) {
        self.name = name
        self.gracePeriod = gracePeriod
        self.main = main
    }

    /// `TrioService(name)`. Flavor: sync.
    public var description: String { "TrioService(\(name))" }

    /// Runs the Trio program until it ends. Flavor: plain Swift async; called by the
    /// `ServiceGroup`.
    ///
    /// - Throws: `ValueError` for a negative or NaN grace period; what `main` throws, unchanged;
    ///   `CancellationError` when the calling task was cancelled and the program ended by that
    ///   cancellation; `OSError` when no thread can be started for the run.
    public func run() async throws {
        guard gracePeriod >= 0 else { throw ValueError("TrioService's gracePeriod must be >= 0, not \(gracePeriod)") }
        let shutdown = TrioGracefulShutdown(gracePeriod: gracePeriod)
        let main = self.main
        try await withGracefulShutdownHandler {
            try await Trio.runAsync { try await shutdown.host { try await main(shutdown) } }
        } onGracefulShutdown: {
            shutdown.request()
        }
    }
}
#endif
