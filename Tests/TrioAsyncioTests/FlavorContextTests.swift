import Asyncio
import Sniffio
import Testing
import Trio
import TrioAsyncio
import TrioTesting

/// A task-local standing for a Python `ContextVar`.
enum Probe {
    @TaskLocal static var value = "unset"
}

private func library() -> String { (try? currentAsyncLibrary()) ?? "none" }

/// Sniffio in every context, and task-locals across the adapters (trio-asyncio's `test_misc.py`
/// `test_contextvars` and flavor checks).
@Suite struct FlavorContextTests {
    @Test(.trioAsyncio) func sniffioInEveryContext() async throws {
        let loop = try TrioTestScope.loop
        var seen: [String] = ["trio-task:" + library()]
        let callbackDone = Trio.Event()
        try loop.callSoon {
            seen.append("callback:" + library())
            callbackDone.set()
        }
        try await callbackDone.wait()
        let timerDone = Trio.Event()
        try loop.callLater(0.5) {
            seen.append("timer:" + library())
            timerDone.set()
        }
        try await timerDone.wait()
        try await loop.runAioCoroutine {
            seen.append("asyncio-task:" + library())
            try await Asyncio.sleep(0.1)
            seen.append("asyncio-task-after-wait:" + library())
            try await trioAsAio(loop: loop) {
                seen.append("nested-trio:" + library())
                try await Trio.sleep(0.1)
                seen.append("nested-trio-after-wait:" + library())
                try await loop.runAioCoroutine {
                    seen.append("nested-asyncio:" + library())
                    try await Asyncio.sleep(0.1)
                }
                seen.append("back-in-nested-trio:" + library())
            }().value
            seen.append("back-in-asyncio:" + library())
        }
        seen.append("back-in-trio:" + library())
        try await withNursery { nursery in
            try nursery.startSoon { seen.append("trio-child:" + library()) }
        }
        try await allowAsyncio {
            try await Asyncio.sleep(0.1)
            seen.append("allow-asyncio:" + library())
        }
        try await loop.runAioCoroutine {
            let f = try loop.runInExecutor(nil) { 1 }
            _ = try await f.value
            seen.append("after-executor:" + library())
        }
        #expect(seen == [
            "trio-task:trio", "callback:asyncio", "timer:asyncio", "asyncio-task:asyncio",
            "asyncio-task-after-wait:asyncio", "nested-trio:trio", "nested-trio-after-wait:trio",
            "nested-asyncio:asyncio", "back-in-nested-trio:trio", "back-in-asyncio:asyncio", "back-in-trio:trio",
            "trio-child:trio", "allow-asyncio:trio", "after-executor:asyncio",
        ])
    }

    @Test(.trioAsyncio) func sniffioOnSiblingAndNestedLoops() async throws {
        let outer = try TrioTestScope.loop
        var seen: [String] = []
        try await openLoop { inner in
            try await inner.runAioCoroutine { seen.append("inner:" + library()) }
            seen.append("between:" + library())
            try await outer.runAioCoroutine { seen.append("outer:" + library()) }
        }
        seen.append("after:" + library())
        #expect(seen == ["inner:asyncio", "between:trio", "outer:asyncio", "after:trio"])
    }

    /// trio-asyncio's `test_contextvars`: outer → asyncio (sets middle) → Trio (sees middle, sets
    /// inner) → back: asyncio still sees middle, Trio still sees outer.
    @Test(.trioAsyncio) func taskLocalsFlowByCopyAndNeverLeakBack() async throws {
        let loop = try TrioTestScope.loop
        var seen: [String] = []
        try await Probe.$value.withValue("outer") {
            let fudgeInAio = aioAsTrio(loop: loop) { () async throws in
                seen.append("aio:" + Probe.value)
                try await Probe.$value.withValue("middle") {
                    try await trioAsAio(loop: loop) { () async throws in
                        seen.append("trio:" + Probe.value)
                        try await Probe.$value.withValue("inner") {
                            try await Trio.sleep(0.1)
                            seen.append("trio-inner:" + Probe.value)
                        }
                    }().value
                    seen.append("aio-after:" + Probe.value)
                }
                seen.append("aio-end:" + Probe.value)
            }
            try await fudgeInAio()
            seen.append("trio-after:" + Probe.value)
        }
        #expect(seen == [
            "aio:outer", "trio:middle", "trio-inner:inner", "aio-after:middle", "aio-end:outer", "trio-after:outer",
        ])
    }

    @Test(.trioAsyncio) func taskLocalsReachTasksStartedFromACallbackAsTheLoopHasThem() async throws {
        // A callback has no task of its own: a Trio task started from it sees the loop's values
        // (CurrentLoop), never a stale value of some asyncio task.
        let loop = try TrioTestScope.loop
        var seenLoop = false
        var probe = ""
        let done = Trio.Event()
        try Probe.$value.withValue("caller") {
            try loop.callSoon {
                _ = trioAsAio(loop: loop) { () async throws in
                    seenLoop = CurrentLoop.value === loop
                    probe = Probe.value
                    done.set()
                }()
            }
        }
        try await done.wait()
        #expect(seenLoop)
        #expect(probe == "unset")
    }

    @Test(.trioAsyncio) func aTrioTaskStartedFromAsyncioIsNotAnAsyncioTask() async throws {
        let loop = try TrioTestScope.loop
        let (task, flavor) = try await loop.runAioCoroutine {
            try await loop.trioAsFuture { () async throws -> (Bool, String) in
                (Asyncio.currentTask() == nil, library())
            }.value
        }
        #expect(task)
        #expect(flavor == "trio")
    }
}
