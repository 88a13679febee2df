import Asyncio
import Testing

/// One asyncio loop implementation that the conformance suites (`Conformance/`) run on.
///
/// The suites are written against `any AbstractEventLoop` and reach the loop only through this
/// value, so that the test support depends on Asyncio alone: AsyncioTests runs them on
/// ``selector``, TrioAsyncioTests on the loops hosted in a Trio run (built there from TrioTesting's
/// `AsyncioLoopKind`). Every loop runs on virtual time unless a test passes `virtualTime: false`.
public struct ConformanceLoop: Sendable, CustomTestStringConvertible {
    /// The loop's type name, shown as the test case.
    public let name: String
    private let runMain: @Sendable (Bool, @escaping (any AbstractEventLoop) async throws -> Any) throws -> Any
    private let newLoop: @Sendable (Bool) throws -> any AbstractEventLoop

    /// A loop kind from how it runs a main task to completion and how it makes a blocking loop
    /// (throwing for a loop that only exists while `run` runs it).
    public init(
        name: String,
        run: @escaping @Sendable (_ virtualTime: Bool, _ main: @escaping (any AbstractEventLoop) async throws -> Any)
            throws -> Any,
        makeLoop: @escaping @Sendable (_ virtualTime: Bool) throws -> any AbstractEventLoop
    ) {
        self.name = name
        self.runMain = run
        self.newLoop = makeLoop
    }

    public var testDescription: String { name }

    /// Runs `main` as an asyncio task named "main" on a fresh loop until it completes, then cancels
    /// and awaits the tasks left, closes the loop and returns what `main` returned.
    @discardableResult
    public func run<T>(
        virtualTime: Bool = true, _ main: @escaping (any AbstractEventLoop) async throws -> T
    ) throws -> T {
        // The value comes back as `Any` from the type-erased runner: it is `main`'s own `T`.
        try runMain(virtualTime) { loop in try await main(loop) } as! T
    }

    /// A new loop that runs with blocking `runUntilComplete` / `runForever`.
    public func makeLoop(virtualTime: Bool = true) throws -> any AbstractEventLoop {
        try newLoop(virtualTime)
    }

    /// Hands a new blocking loop to `body` and closes it afterwards.
    public func withLoop<T>(virtualTime: Bool = true, _ body: (any AbstractEventLoop) throws -> T) throws -> T {
        let loop = try makeLoop(virtualTime: virtualTime)
        defer { try? loop.close() }
        return try body(loop)
    }

    /// The standalone epoll loop, `SelectorEventLoop`.
    public static let selector = ConformanceLoop(
        name: "SelectorEventLoop",
        run: { virtualTime, main in
            try runToCompletion(on: SelectorEventLoop(clock: virtualTime ? .autojump : .monotonic), main)
        },
        makeLoop: { virtualTime in try SelectorEventLoop(clock: virtualTime ? .autojump : .monotonic) }
    )

    /// Runs `main` as the task "main" on `loop` (not running) as `asyncio.run` does: until it completes,
    /// then cancels and awaits the tasks left and closes the loop.
    public static func runToCompletion<T>(
        on loop: any AbstractEventLoop, _ main: @escaping (any AbstractEventLoop) async throws -> T
    ) throws -> T {
        defer { try? loop.close() }
        let task = try loop.createTask(name: "main") { try await main(loop) }
        let outcome = Result { try loop.runUntilComplete(task) }
        cancelRemainingTasks(of: loop)
        return try outcome.get()
    }
}
