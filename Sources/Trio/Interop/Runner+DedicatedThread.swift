import TrioPlatform

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
