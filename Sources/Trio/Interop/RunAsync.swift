import TrioPlatform

/// Runs `main` as the first task of a new Trio run on a new thread of its own, and returns its
/// result, awaited without blocking any thread of Swift's cooperative pool. Flavor: plain Swift
/// async (call it from any Swift task: a server's request handler, a service, a test).
///
/// The run is a whole ``run(clock:instruments:strictExceptionGroups:name:_:)`` on a dedicated
/// thread; the calling task suspends, and that thread resumes it once the run has completely
/// ended. Any number of these may run at once, each on its own thread. Such a run leaves `SIGINT`
/// to the Swift program: it never throws `KeyboardInterrupt`.
///
/// Cancelling the calling Swift task (`Task.cancel()`) cancels a ``CancelScope`` around `main`;
/// the run unwinds completely, then this throws `CancellationError`, or returns the value if
/// `main` finished anyway.
///
/// ```swift
/// let body = try await Trio.runAsync {
///     try await failAfter(5) { try await fetchWithTrio() }
/// }
/// ```
///
/// For many small calls into Trio, a long-lived ``TrioThread`` saves starting a thread and a run
/// each time.
///
/// - Parameters:
///   - clock: the run's clock (default: the system's monotonic clock).
///   - instruments: hooks called by the run loop, on the run's thread.
///   - strictExceptionGroups: whether nurseries wrap even a single error in an `ExceptionGroup`.
///   - main: the main task; it runs on the run's thread, as a Trio task.
/// - Returns: what `main` returned.
/// - Throws: what `main` threw, unchanged; `CancellationError` when the calling task was
///   cancelled and `main` ended by that cancellation; `OSError` when no thread can be started;
///   ``TrioInternalError`` when a system task failed.
public func runAsync<T: Sendable>(
    clock: sending (any TrioClock)? = nil, instruments: sending [any Instrument] = [],
    strictExceptionGroups: Bool = true, _ main: sending @escaping () async throws -> T
) async throws -> T {
    let link = SwiftCancelLink()
    let inputs = UncheckedSendable((clock, instruments, main))
    return try await withTaskCancellationHandler {
        try await DedicatedThread.run(name: "trio-runAsync") {
            let (clock, instruments, main) = inputs.value
            return try Runner.runOnDedicatedThread(
                clock: clock, instruments: instruments, strictExceptionGroups: strictExceptionGroups, name: "main"
            ) {
                try await runCancellable(link: link, main)
            }
        }
    } onCancel: {
        link.cancel()
    }
}

/// Runs `body` in the current Trio task under `link`'s scope, turning the cancellation the Swift
/// side asked for into `CancellationError`. Flavor: Trio.
///
/// - Throws: what `body` throws; `CancellationError` when `link`'s scope absorbed the cancellation,
///   or when a ``Cancelled`` from an outer scope ends the work after the Swift side asked too.
func runCancellable<T>(link: SwiftCancelLink, _ body: () async throws -> T) async throws -> T {
    let token = try Lowlevel.currentTrioToken()
    do {
        guard let value = try await link.run(token: token, body) else { throw CancellationError() }
        return value
    } catch is Cancelled where link.requested {
        throw CancellationError()
    }
}
