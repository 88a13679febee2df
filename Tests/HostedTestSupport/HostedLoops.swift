import AsyncioTestSupport
import TrioTesting

/// The asyncio loops hosted in a Trio run, as AsyncioTestSupport's `ConformanceLoop`s: the loops the
/// shared conformance bodies (asyncio's and traio's) run on in TrioAsyncioTests and TraioHostedTests,
/// where AsyncioTests and TraioTests run them on the standalone loop.
public enum HostedLoops {
    /// `TrioEventLoop` inside `openLoop`, and `SyncTrioEventLoop`, each on an autojump `MockClock`.
    public static let all = [AsyncioLoopKind.trio, .syncTrio].map(ConformanceLoop.init)
    /// The hosted loops that run with blocking `runUntilComplete` / `runForever`.
    public static let blocking = AsyncioLoopKind.blocking.filter { $0 != .selector }.map(ConformanceLoop.init)
}

extension ConformanceLoop {
    /// The conformance loop of one of TrioTesting's loop kinds.
    public init(_ kind: AsyncioLoopKind) {
        self.init(
            name: kind.rawValue,
            run: { virtualTime, main in try kind.run(virtualTime: virtualTime, main) },
            makeLoop: { virtualTime in try kind.makeLoop(virtualTime: virtualTime) }
        )
    }
}
