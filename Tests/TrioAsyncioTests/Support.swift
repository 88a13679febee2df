import Asyncio
import AsyncioTestSupport
import Trio
import TrioAsyncio
import TrioTesting

// The shared helpers, under the names every file of this target uses without an import.
typealias Log = AsyncioTestSupport.Log
typealias TestError = AsyncioTestSupport.TestError

/// The asyncio loops hosted in a Trio run, for the conformance suites of AsyncioTestSupport
/// (AsyncioTests runs the same suites on the standalone loop).
enum HostedLoops {
    /// `TrioEventLoop` inside `openLoop`, and `SyncTrioEventLoop`.
    static let all = [AsyncioLoopKind.trio, .syncTrio].map(ConformanceLoop.init)
    /// The hosted loops that run with blocking `runUntilComplete` / `runForever`.
    static let blocking = AsyncioLoopKind.blocking.filter { $0 != .selector }.map(ConformanceLoop.init)
}

extension ConformanceLoop {
    /// The conformance loop of one of TrioTesting's loop kinds.
    init(_ kind: AsyncioLoopKind) {
        self.init(
            name: kind.rawValue,
            run: { virtualTime, main in try kind.run(virtualTime: virtualTime, main) },
            makeLoop: { virtualTime in try kind.makeLoop(virtualTime: virtualTime) }
        )
    }
}
