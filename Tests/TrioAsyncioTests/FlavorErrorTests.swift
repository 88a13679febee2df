import Asyncio
import Sniffio
import Testing
import Trio
import TrioAsyncio
import TrioTesting

/// Checks that `body` throws a `FlavorError` whose message names `function` and every word of `mentions`.
func expectFlavorError(
    _ function: String, mentions: [String], sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("\(function) did not throw", sourceLocation: sourceLocation)
    } catch let error as FlavorError {
        for word in [function] + mentions {
            #expect(error.message.contains(word), "\(error.message) should mention \(word)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("\(function) threw \(error), not a FlavorError", sourceLocation: sourceLocation)
    }
}

let fromTrio = ["Trio task", "aioAsTrio", "allowAsyncio"]
let fromAsyncio = ["asyncio task", "trioAsAio"]

/// Every asyncio-flavored primitive called from a Trio task, each through its own row.
func callEveryAsyncioPrimitive(loop: TrioEventLoop) async {
    let future = loop.createFuture(of: Int.self)
    await expectFlavorError("Awaiting a Future", mentions: fromTrio) { _ = try await future.value }
    await expectFlavorError("Asyncio.sleep", mentions: fromTrio) { try await Asyncio.sleep(0.1) }
    await expectFlavorError("Asyncio.sleep", mentions: fromTrio) { try await Asyncio.sleep(0) }
    await expectFlavorError("Asyncio.Queue.get", mentions: fromTrio) { _ = try await Asyncio.Queue<Int>().get() }
    await expectFlavorError("Asyncio.Queue.put", mentions: fromTrio) { try await Asyncio.Queue<Int>().put(1) }
    await expectFlavorError("Asyncio.Queue.join", mentions: fromTrio) { try await Asyncio.Queue<Int>().join() }
    await expectFlavorError("Asyncio.Lock.acquire", mentions: fromTrio) { try await Asyncio.Lock().acquire() }
    await expectFlavorError("Asyncio.Event.wait", mentions: fromTrio) { try await Asyncio.Event().wait() }
    await expectFlavorError("Asyncio.Semaphore.acquire", mentions: fromTrio) {
        try await Asyncio.Semaphore(1).acquire()
    }
    await expectFlavorError("Asyncio.Condition.wait", mentions: fromTrio) { try await Asyncio.Condition().wait() }
    await expectFlavorError("Asyncio.StreamReader.read", mentions: fromTrio) { _ = try await StreamReader().read(1) }
    await expectFlavorError("Asyncio.StreamReader", mentions: fromTrio) {
        _ = try await StreamReader().readline()
    }
    await expectFlavorError("Asyncio.openConnection", mentions: fromTrio) {
        _ = try await Asyncio.openConnection(host: "127.0.0.1", port: 9)
    }
    await expectFlavorError("Asyncio.startServer", mentions: fromTrio) {
        _ = try await Asyncio.startServer(host: "127.0.0.1", port: 0) { _, _ in }
    }
    await expectFlavorError("Asyncio.timeout", mentions: fromTrio) { _ = try await Asyncio.timeout(1) { 1 } }
    await expectFlavorError("AsyncioTaskGroup", mentions: fromTrio) { _ = try await withAsyncioTaskGroup { _ in 1 } }
    await expectFlavorError("Asyncio.gather", mentions: fromTrio) { _ = try await gather([future]) }
    await expectFlavorError("Asyncio.wait", mentions: fromTrio) { _ = try await Asyncio.wait([future]) }
    await expectFlavorError("Asyncio.waitFor", mentions: fromTrio) { _ = try await waitFor(future, timeout: 1) }
    await expectFlavorError("Asyncio.toThread", mentions: fromTrio) { _ = try await toThread { 1 } }
    future.cancel()
}

/// Every Trio-flavored primitive called from asyncio code.
func callEveryTrioPrimitive(under: String) async {
    await expectFlavorError("Trio.checkpoint", mentions: fromAsyncio) { try await Trio.checkpoint() }
    await expectFlavorError("Trio.checkpointIfCancelled", mentions: fromAsyncio) { try await checkpointIfCancelled() }
    await expectFlavorError("Trio.sleep", mentions: fromAsyncio) { try await Trio.sleep(0.1) }
    await expectFlavorError("Trio.sleepUntil", mentions: fromAsyncio) { try await Trio.sleepUntil(1e9) }
    await expectFlavorError("Trio.sleepForever", mentions: fromAsyncio) { try await Trio.sleepForever() }
    await expectFlavorError("Trio.Event.wait", mentions: fromAsyncio) { try await Trio.Event().wait() }
    await expectFlavorError("Trio.Lock.acquire", mentions: fromAsyncio) { try await Trio.Lock().acquire() }
    await expectFlavorError("Trio.Semaphore.acquire", mentions: fromAsyncio) { try await Trio.Semaphore(1).acquire() }
    await expectFlavorError("Trio.Condition.wait", mentions: fromAsyncio) { try await Trio.Condition().wait() }
    await expectFlavorError("Trio.CapacityLimiter.acquire", mentions: fromAsyncio) {
        try await CapacityLimiter(1).acquire()
    }
    let (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 1)
    await expectFlavorError("Trio.MemorySendChannel.send", mentions: fromAsyncio) { try await send.send(1) }
    await expectFlavorError("Trio.MemoryReceiveChannel.receive", mentions: fromAsyncio) { _ = try await receive.receive() }
    await expectFlavorError("Trio.withNursery", mentions: fromAsyncio) { try await withNursery { _ in } }
    await expectFlavorError("Trio.CancelScope.run", mentions: fromAsyncio) { try await CancelScope().run {} }
    await expectFlavorError("Trio.currentEffectiveDeadline", mentions: fromAsyncio) { _ = try currentEffectiveDeadline() }
    await expectFlavorError("TrioAsyncio.openLoop", mentions: fromAsyncio) { try await openLoop { _ in } }
    await expectFlavorError("allowAsyncio", mentions: fromAsyncio) { try await allowAsyncio {} }
    await expectFlavorError("runAioCoroutine", mentions: fromAsyncio) { _ = try await runAioCoroutine { 1 } }
    await expectFlavorError("aioAsTrio", mentions: fromAsyncio) {
        let f = aioAsTrio { () async throws -> Int in 1 }
        _ = try await f()
    }
    _ = under
}

/// The FlavorError rows: each flavor's primitives from the other flavor, both directions.
@Suite struct FlavorErrorTests {
    @Test(.trioAsyncio) func asyncioPrimitivesFromATrioTaskUnderOpenLoop() async throws {
        await callEveryAsyncioPrimitive(loop: try TrioTestScope.loop)
    }

    @Test func asyncioPrimitivesFromATrioTaskWithoutALoop() throws {
        try Trio.run {
            await expectFlavorError("Asyncio.sleep", mentions: fromTrio) { try await Asyncio.sleep(1) }
            await expectFlavorError("Asyncio.Queue.get", mentions: fromTrio) { _ = try await Asyncio.Queue<Int>().get() }
        }
    }

    @Test(.trioAsyncio) func asyncioPrimitivesFromANestedTrioTask() async throws {
        // A Trio task started by an asyncio task (trioAsAio) is Trio-flavored, not asyncio-flavored.
        let loop = try TrioTestScope.loop
        try await loop.runAioCoroutine {
            try await loop.trioAsFuture { await callEveryAsyncioPrimitive(loop: loop) }.value
        }
    }

    @Test(.trioAsyncio) func trioPrimitivesFromAnAsyncioTaskOfATrioEventLoop() async throws {
        let loop = try TrioTestScope.loop
        try await loop.runAioCoroutine { await callEveryTrioPrimitive(under: "TrioEventLoop") }
    }

    @Test(.trioAsyncio) func trioPrimitivesFromAnAsyncioTaskNestedInTrioInAsyncio() async throws {
        let loop = try TrioTestScope.loop
        try await loop.runAioCoroutine {
            try await loop.trioAsFuture {
                try await loop.runAioCoroutine { await callEveryTrioPrimitive(under: "nested") }
            }.value
        }
    }

    @Test(.trioAsyncio) func trioPrimitivesFromATrioEventLoopCallback() async throws {
        let loop = try TrioTestScope.loop
        let done = Trio.Event()
        var message = ""
        try loop.callSoon {
            do {
                _ = try currentEffectiveDeadline()
            } catch let error as FlavorError {
                message = error.message
            } catch {
                message = "\(error)"
            }
            done.set()
        }
        try await done.wait()
        #expect(message.contains("currentEffectiveDeadline"))
        #expect(message.contains("trioAsAio"))
    }

    @Test func trioPrimitivesFromASelectorEventLoopTask() throws {
        try Asyncio.run { await callEveryTrioPrimitive(under: "SelectorEventLoop") }
    }

    @Test func outsideEveryRunTheErrorsStayAsTheyWere() async throws {
        await #expect(throws: RuntimeError.self) { try await Trio.sleep(1) }
        await #expect(throws: RuntimeError.self) { try await Trio.checkpoint() }
        do {
            try await Asyncio.sleep(1)
            Issue.record("Asyncio.sleep did not throw")
        } catch let error as FlavorError {
            #expect(error.message.contains("outside an asyncio task"))
            #expect(!error.message.contains("Trio task"))
        }
    }

    @Test func flavorErrorIsOneTypeForEveryModule() {
        let error: any Error = Trio.FlavorError("x")
        #expect(error is Asyncio.FlavorError)
        #expect(error is TrioAsyncio.FlavorError)
        #expect(Trio.FlavorError("x").message == "x")
        #expect("\(FlavorError("x"))" == "FlavorError: x")
    }
}
