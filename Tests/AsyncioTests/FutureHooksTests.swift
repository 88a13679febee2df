import Asyncio
import Testing

/// The completion slot of `FutureHooks`, as the bridge of another runtime uses it: each waiter's hook
/// has an id of its own, so one waiter giving up leaves the others' hooks in place.
@Suite struct FutureHooksTests {
    @Test func removingOneCompletionHookLeavesTheOthers() throws {
        let ran = try Asyncio.run(debug: false) { () -> [String] in
            var ran: [String] = []
            let future = try getRunningLoop().createFuture(of: Int.self)
            let first = future.addCompletionHook { ran.append("first") }
            future.addCompletionHook { ran.append("second") }
            let third = future.addCompletionHook { ran.append("third") }
            guard let first, let third else {
                Issue.record("a pending future's hooks have ids")
                return ran
            }
            #expect(first != third)
            future.removeDoneCallback(first)
            try future.setResult(1)
            // Synchronous: they ran inside setResult, in the order they were added.
            #expect(ran == ["second", "third"])
            // Removing a hook that already ran changes nothing.
            future.removeDoneCallback(third)
            return ran
        }
        #expect(ran == ["second", "third"])
    }

    @Test func aHookAddedToADoneFutureRunsAtOnceAndHasNoID() throws {
        let (id, ran) = try Asyncio.run(debug: false) { () -> (CallbackID?, Bool) in
            let future = try getRunningLoop().createFuture(of: Int.self)
            try future.setResult(1)
            var ran = false
            let id = future.addCompletionHook { ran = true }
            return (id, ran)
        }
        #expect(id == nil)
        #expect(ran)
    }
}
