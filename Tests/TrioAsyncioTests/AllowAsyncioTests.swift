import Asyncio
import Sniffio
import Testing
import Trio
import TrioAsyncio
import TrioTesting

/// trio-asyncio's `SomeThing` from `interop/test_adapter.py`: one helper of each flavor, each
/// checking Sniffio and setting a bit of `flag`.
final class SomeThing {
    var flag = 0
    var libraries: [String] = []

    func dlyTrio() async throws -> Int {
        libraries.append((try? currentAsyncLibrary()) ?? "none")
        try await Trio.sleep(0.01)
        flag |= 2
        return 8
    }

    func dlyAsyncio() async throws -> Int {
        libraries.append((try? currentAsyncLibrary()) ?? "none")
        try await Asyncio.sleep(0.01)
        flag |= 1
        return 4
    }

    /// An asyncio-flavored sequence: 1, 2, with an asyncio sleep before each element and the end.
    func iterAsyncio() -> AsyncioCounter { AsyncioCounter(owner: self) }

    /// 1, 2, each after an asyncio sleep, then bit 1 of the owner's flag at the end. A sequence of
    /// its own rather than an `AsyncThrowingStream`, whose closure would have to be `@Sendable`.
    struct AsyncioCounter: AsyncSequence {
        let owner: SomeThing
        struct AsyncIterator: AsyncIteratorProtocol {
            let owner: SomeThing
            var n = 0
            mutating func next() async throws -> Int? {
                try await Asyncio.sleep(0.01)
                n += 1
                if n <= 2 { return n }
                owner.flag |= 1
                return nil
            }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(owner: owner) }
    }

    /// An asyncio-flavored context manager that sets bit 1 on entry and bit 2 on exit.
    final class AsyncioContext: AsyncContextManager {
        let owner: SomeThing
        init(_ owner: SomeThing) { self.owner = owner }
        func aenter() async throws -> SomeThing {
            try await Asyncio.sleep(0.01)
            owner.flag |= 1
            return owner
        }
        func aexit(_ error: (any Error)?) async throws -> Bool {
            try await Asyncio.sleep(0.01)
            owner.flag |= 2
            return false
        }
    }
}

/// trio-asyncio's `interop/test_adapter.py` (`TestAdapt` and `TestAllow`) and the rest of
/// `allowAsyncio`'s contract.
@Suite struct AllowAsyncioTests {
    // MARK: TestAdapt

    @Test(.trioAsyncio) func adaptedFunctionsOfBothFlavors() async throws {
        let loop = try TrioTestScope.loop
        let sth = SomeThing()
        let asAio = aioAsTrio(loop: loop, sth.dlyAsyncio)
        let viaAio = try await asAio()
        let viaTrio = try await loop.runAioCoroutine {
            try await trioAsAio(loop: loop, sth.dlyTrio)().value
        }
        #expect(viaAio == 4)
        #expect(viaTrio == 8)
        #expect(sth.flag == 3)
        #expect(sth.libraries == ["asyncio", "trio"])
    }

    @Test(.trioAsyncio) func adaptedFutureIteratorAndContextManager() async throws {
        let loop = try TrioTestScope.loop
        var flags: [Int] = []
        let sth = SomeThing()
        let future = try loop.createTask { try await sth.dlyAsyncio() }
        let value = try await aioAsTrio(future)
        flags.append(sth.flag)
        let iterating = SomeThing()
        var items: [Int] = []
        #expect(try currentAsyncLibrary() == "trio")
        for try await n in aioAsTrio(iterating.iterAsyncio()) { items.append(n) }
        flags.append(iterating.flag)
        let entering = SomeThing()
        let manager = aioAsTrio(SomeThing.AsyncioContext(entering))
        _ = try await manager.aenter()
        flags.append(entering.flag)
        _ = try await manager.aexit(nil)
        flags.append(entering.flag)
        #expect(value == 4)
        #expect(items == [1, 2])
        #expect(flags == [1, 1, 1, 3])
    }

    // MARK: TestAllow

    @Test(.trioAsyncio) func allowAsyncioCallsTrioThroughAFuture() async throws {
        let loop = try TrioTestScope.loop
        let sth = SomeThing()
        let value = try await allowAsyncio { try await trioAsAio(loop: loop, sth.dlyTrio)().value }
        #expect(value == 8)
        #expect(sth.flag == 2)
    }

    @Test(.trioAsyncio) func allowAsyncioCallsAsyncioDirectly() async throws {
        let sth = SomeThing()
        let value = try await allowAsyncio { try await sth.dlyAsyncio() }
        #expect(value == 4)
        #expect(sth.flag == 1)
        // The asyncio code runs in the Trio task itself.
        #expect(sth.libraries.first == "trio")
    }

    @Test(.trioAsyncio) func allowAsyncioAwaitsAFutureOfATask() async throws {
        let loop = try TrioTestScope.loop
        let sth = SomeThing()
        let value = try await allowAsyncio {
            let task = try loop.createTask { try await sth.dlyAsyncio() }
            return try await task.value
        }
        #expect(value == 4)
        #expect(sth.flag == 1)
    }

    @Test(.trioAsyncio) func allowAsyncioReturnsAFutureSetByAnAsyncioTask() async throws {
        let loop = try TrioTestScope.loop
        let sth = SomeThing()
        let future = try await allowAsyncio { () async throws -> Future<Int> in
            let future = loop.createFuture(of: Int.self)
            _ = try loop.createTask {
                try await Asyncio.sleep(0.01)
                sth.flag |= 1
                try future.setResult(4)
            }
            return future
        }
        let value = try await allowAsyncio { try await future.value }
        #expect(value == 4)
        #expect(sth.flag == 1)
    }

    @Test(.trioAsyncio) func allowAsyncioCallsAnAdaptedFunction() async throws {
        let loop = try TrioTestScope.loop
        let sth = SomeThing()
        let adapted = aioAsTrio(loop: loop, sth.dlyAsyncio)
        let value = try await allowAsyncio { try await adapted() }
        #expect(value == 4)
    }

    @Test(.trioAsyncio) func allowAsyncioIteratesAnAsyncioSequence() async throws {
        let sth = SomeThing()
        var items: [Int] = []
        try await allowAsyncio {
            for try await n in sth.iterAsyncio() { items.append(n) }
        }
        #expect(items == [1, 2])
        #expect(sth.flag == 1)
    }

    @Test(.trioAsyncio) func allowAsyncioEntersAnAsyncioContextManager() async throws {
        let sth = SomeThing()
        var flags: [Int] = []
        try await allowAsyncio {
            let manager = SomeThing.AsyncioContext(sth)
            _ = try await manager.aenter()
            flags.append(sth.flag)
            _ = try await manager.aexit(nil)
        }
        flags.append(sth.flag)
        #expect(flags == [1, 3])
    }

    // MARK: Both flavors in one body

    @Test(.trioAsyncio) func trioAndAsyncioPrimitivesMixInOneBody() async throws {
        let loop = try TrioTestScope.loop
        var times: [Double] = []
        let start = loop.time()
        let queue = Asyncio.Queue<Int>()
        let (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 1)
        var received: [Int] = []
        try await allowAsyncio {
            try await Trio.sleep(1)
            times.append(loop.time() - start)
            try await Asyncio.sleep(2)
            times.append(loop.time() - start)
            try await queue.put(5)
            received.append(try await queue.get())
            try await send.send(6)
            received.append(try await receive.receive())
            let lock = Asyncio.Lock()
            try await lock.acquire()
            try lock.release()
            try await withNursery { nursery in
                try nursery.startSoon { try await Trio.sleep(1) }
            }
            times.append(loop.time() - start)
        }
        #expect(times == [1, 3, 4])
        #expect(received == [5, 6])
    }

    @Test(.trioAsyncio) func aTrioCancelInsideAllowAsyncioCancelsTheAsyncioWaitAndRaisesCancelled() async throws {
        let loop = try TrioTestScope.loop
        let start = loop.time()
        var seen = ""
        let event = Asyncio.Event()
        let scope = CancelScope(deadline: try Trio.currentTime() + 1)
        try await scope.run {
            try await allowAsyncio {
                do {
                    try await event.wait()
                } catch {
                    // The waiting code is the Trio task: it gets Trio's Cancelled, as from runAioFuture.
                    seen = error is Cancelled ? "Cancelled" : "\(error)"
                    throw error
                }
            }
        }
        #expect(scope.cancelledCaught)
        #expect(seen == "Cancelled")
        #expect(loop.time() - start == 1)
    }

    @Test(.trioAsyncio) func asyncioTimeoutWorksInsideAllowAsyncio() async throws {
        let loop = try TrioTestScope.loop
        let start = loop.time()
        var timedOut = false
        try await allowAsyncio {
            do {
                try await Asyncio.timeout(2) { try await Asyncio.sleep(10) }
            } catch is Asyncio.TimeoutError {
                timedOut = true
            }
        }
        #expect(timedOut)
        #expect(loop.time() - start == 2)
    }

    @Test(.trioAsyncio) func sleepZeroInsideAllowAsyncioLetsTheLoopRun() async throws {
        let loop = try TrioTestScope.loop
        var ran = false
        try loop.callSoon { ran = true }
        try await allowAsyncio { try await Asyncio.sleep(0) }
        #expect(ran)
    }

    @Test func allowAsyncioOutsideOpenLoopNamesOpenLoop() throws {
        try Trio.run {
            do {
                try await allowAsyncio {}
                Issue.record("allowAsyncio outside openLoop did not throw")
            } catch let error as RuntimeError {
                #expect(error.message.contains("openLoop"))
            }
        }
    }

    @Test func allowAsyncioOutsideEveryRunIsAFlavorError() async {
        await #expect(throws: FlavorError.self) { try await allowAsyncio {} }
    }

    @Test(.trioAsyncio) func asyncioPrimitivesAfterAllowAsyncioAreWrongFlavorAgain() async throws {
        try await allowAsyncio { try await Asyncio.sleep(0.1) }
        await expectFlavorError("Asyncio.sleep", mentions: fromTrio) { try await Asyncio.sleep(0.1) }
    }
}
