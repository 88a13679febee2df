import Asyncio
import Testing

/// The lifecycle every loop of the package shares, as a value: each transition and each refusal.
@Suite struct LoopStateTests {
    @Test func startStopReturnAndRestart() throws {
        var state = LoopState(stopWhileIdle: .ignored)
        #expect(state.phase == .idle)
        try state.start()
        #expect(state.isRunning)
        let action = state.stop()
        #expect(action == .wakeLoop)
        #expect(state.phase == .stopping)
        #expect(state.isRunning)
        let second = state.stop()
        #expect(second == .none)
        state.runReturned()
        #expect(state.phase == .stopped)
        try state.start()
        #expect(state.phase == .running)
    }

    @Test func refusals() throws {
        var state = LoopState(stopWhileIdle: .ignored)
        try state.start()
        #expect(throws: LoopStateError.alreadyRunning) { try state.start() }
        #expect(throws: LoopStateError.closeWhileRunning) { try state.close() }
        state.runReturned()
        let closed = try state.close()
        #expect(closed)
        #expect(state.isClosed)
        let closedAgain = try state.close()
        #expect(!closedAgain)
        #expect(throws: LoopStateError.closed) { try state.start() }
        #expect(LoopStateError.closeWhileRunning.message == "Cannot close a running event loop")
    }

    /// asyncio's rule for a loop its caller runs: a stop while idle makes the next run do one iteration.
    @Test func aStopWhileIdleMakesTheNextRunStopAfterOneIteration() throws {
        var state = LoopState(stopWhileIdle: .nextRunRunsOnce)
        let action = state.stop()
        #expect(action == .none)
        #expect(state.stopRequested)
        try state.start()
        #expect(state.phase == .stopping)
        #expect(!state.stopRequested)
        state.runReturned()
        try state.start()
        #expect(state.phase == .running)
    }

    /// A loop hosted in a Trio run has nothing to stop while idle.
    @Test func aHostedLoopIgnoresAStopWhileIdle() throws {
        var state = LoopState(stopWhileIdle: .ignored)
        let action = state.stop()
        #expect(action == .none)
        #expect(!state.stopRequested)
        try state.start()
        #expect(state.phase == .running)
    }

    @Test func aStopRequestCanBeTakenAndCloseDropsIt() throws {
        var state = LoopState(stopWhileIdle: .nextRunRunsOnce)
        _ = state.stop()
        let taken = state.takeStopRequest()
        #expect(taken)
        let takenAgain = state.takeStopRequest()
        #expect(!takenAgain)
        _ = state.stop()
        let closed = try state.close()
        #expect(closed)
        #expect(!state.stopRequested)
    }
}
