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

    @Test func adaptedFunctionsOfBothFlavors() throws {
        let (viaAio, viaTrio, flag, libraries) = try runWithLoop { loop -> (Int, Int, Int, [String]) in
            let sth = SomeThing()
            let asAio = aioAsTrio(loop: loop, sth.dlyAsyncio)
            let viaAio = try await asAio()
            let viaTrio = try await loop.runAioCoroutine {
                try await trioAsAio(loop: loop, sth.dlyTrio)().value
            }
            return (viaAio, viaTrio, sth.flag, sth.libraries)
        }
        #expect(viaAio == 4)
        #expect(viaTrio == 8)
        #expect(flag == 3)
        #expect(libraries == ["asyncio", "trio"])
    }

    @Test func adaptedFutureIteratorAndContextManager() throws {
        let (value, items, flags) = try runWithLoop { loop -> (Int, [Int], [Int]) in
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
            return (value, items, flags)
        }
        #expect(value == 4)
        #expect(items == [1, 2])
        #expect(flags == [1, 1, 1, 3])
    }

    // MARK: TestAllow

    @Test func allowAsyncioCallsTrioThroughAFuture() throws {
        let (value, flag) = try runWithLoop { loop -> (Int, Int) in
            let sth = SomeThing()
            let value = try await allowAsyncio { try await trioAsAio(loop: loop, sth.dlyTrio)().value }
            return (value, sth.flag)
        }
        #expect(value == 8)
        #expect(flag == 2)
    }

    @Test func allowAsyncioCallsAsyncioDirectly() throws {
        let (value, flag, library) = try runWithLoop { _ -> (Int, Int, String) in
            let sth = SomeThing()
            let value = try await allowAsyncio { try await sth.dlyAsyncio() }
            return (value, sth.flag, sth.libraries.first ?? "")
        }
        #expect(value == 4)
        #expect(flag == 1)
        // The asyncio code runs in the Trio task itself.
        #expect(library == "trio")
    }

    @Test func allowAsyncioAwaitsAFutureOfATask() throws {
        let (value, flag) = try runWithLoop { loop -> (Int, Int) in
            let sth = SomeThing()
            let value = try await allowAsyncio {
                let task = try loop.createTask { try await sth.dlyAsyncio() }
                return try await task.value
            }
            return (value, sth.flag)
        }
        #expect(value == 4)
        #expect(flag == 1)
    }

    @Test func allowAsyncioReturnsAFutureSetByAnAsyncioTask() throws {
        let (value, flag) = try runWithLoop { loop -> (Int, Int) in
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
            return (value, sth.flag)
        }
        #expect(value == 4)
        #expect(flag == 1)
    }

    @Test func allowAsyncioCallsAnAdaptedFunction() throws {
        let value = try runWithLoop { loop -> Int in
            let sth = SomeThing()
            let adapted = aioAsTrio(loop: loop, sth.dlyAsyncio)
            return try await allowAsyncio { try await adapted() }
        }
        #expect(value == 4)
    }

    @Test func allowAsyncioIteratesAnAsyncioSequence() throws {
        let (items, flag) = try runWithLoop { _ -> ([Int], Int) in
            let sth = SomeThing()
            var items: [Int] = []
            try await allowAsyncio {
                for try await n in sth.iterAsyncio() { items.append(n) }
            }
            return (items, sth.flag)
        }
        #expect(items == [1, 2])
        #expect(flag == 1)
    }

    @Test func allowAsyncioEntersAnAsyncioContextManager() throws {
        let flags = try runWithLoop { _ -> [Int] in
            let sth = SomeThing()
            var flags: [Int] = []
            try await allowAsyncio {
                let manager = SomeThing.AsyncioContext(sth)
                _ = try await manager.aenter()
                flags.append(sth.flag)
                _ = try await manager.aexit(nil)
            }
            flags.append(sth.flag)
            return flags
        }
        #expect(flags == [1, 3])
    }

    // MARK: Both flavors in one body

    @Test func trioAndAsyncioPrimitivesMixInOneBody() throws {
        let (times, received) = try runWithLoop { loop -> ([Double], [Int]) in
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
            return (times, received)
        }
        #expect(times == [1, 3, 4])
        #expect(received == [5, 6])
    }

    @Test func aTrioCancelInsideAllowAsyncioCancelsTheAsyncioWaitAndRaisesCancelled() throws {
        let (caught, seen, elapsed) = try runWithLoop { loop -> (Bool, String, Double) in
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
            return (scope.cancelledCaught, seen, loop.time() - start)
        }
        #expect(caught)
        #expect(seen == "Cancelled")
        #expect(elapsed == 1)
    }

    @Test func asyncioTimeoutWorksInsideAllowAsyncio() throws {
        let (timedOut, elapsed) = try runWithLoop { loop -> (Bool, Double) in
            let start = loop.time()
            var timedOut = false
            try await allowAsyncio {
                do {
                    try await Asyncio.timeout(2) { try await Asyncio.sleep(10) }
                } catch is Asyncio.TimeoutError {
                    timedOut = true
                }
            }
            return (timedOut, loop.time() - start)
        }
        #expect(timedOut)
        #expect(elapsed == 2)
    }

    @Test func sleepZeroInsideAllowAsyncioLetsTheLoopRun() throws {
        let ran = try runWithLoop { loop -> Bool in
            var ran = false
            try loop.callSoon { ran = true }
            try await allowAsyncio { try await Asyncio.sleep(0) }
            return ran
        }
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

    @Test func asyncioPrimitivesAfterAllowAsyncioAreWrongFlavorAgain() throws {
        try runWithLoop { _ in
            try await allowAsyncio { try await Asyncio.sleep(0.1) }
            await expectFlavorError("Asyncio.sleep", mentions: fromTrio) { try await Asyncio.sleep(0.1) }
        }
    }
}
