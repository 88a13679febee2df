import AsyncioTestSupport
import TrioTesting

/// The loops hosted in a Trio run that traio's suites run on: `TrioEventLoop` inside `openLoop`, and
/// `SyncTrioEventLoop`, each on an autojump `MockClock` as the standalone loop runs on `LoopClock.autojump`.
enum HostedLoops {
    static let all = [ConformanceLoop(.trio), ConformanceLoop(.syncTrio)]
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
