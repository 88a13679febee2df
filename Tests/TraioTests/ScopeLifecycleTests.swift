import AsyncioTestSupport
import Testing
@testable import Traio

// The scope's lifecycle state machine by itself, without a loop (internal: `ScopeLifecycle`).

extension MisuseTests {
    @Test func lifecycleTransitions() {
        var state = ScopeLifecycle.open
        #expect(state.acceptsTasks && !state.isSilentlyCancelled && !state.isFinished)
        var changed = state.resolve()
        #expect(!changed)
        changed = state.finalize()
        #expect(changed && state.acceptsTasks)
        changed = state.finalize()
        #expect(!changed)
        changed = state.cancel(reason: TestError(tag: 1))
        #expect(changed)
        changed = state.cancel(reason: nil)
        #expect(!changed)
        #expect(!state.acceptsTasks && !state.isSilentlyCancelled && state.finishedError == nil)
        changed = state.finalize()
        #expect(!changed)
        changed = state.resolve()
        #expect(changed)
        changed = state.resolve()
        #expect(!changed)
        #expect(state.isFinished && state.finishedError as? TestError == TestError(tag: 1))

        var silent = ScopeLifecycle.open
        changed = silent.cancel(reason: nil)
        #expect(changed && silent.isSilentlyCancelled && !silent.isFinished)
        changed = silent.resolve()
        #expect(changed && silent.isSilentlyCancelled && silent.finishedError == nil)
    }
}
