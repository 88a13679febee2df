import Asyncio
import Sniffio
import Testing
import Trio
import TrioAsyncio
import TrioTesting

/// trio-asyncio's `interop/test_calls.py` and the cancellation rules across the boundary.
@Suite struct InteropCallTests {
    @Test(.trioAsyncio) func asyncioCallsTrioAndBack() async throws {
        var flag = 0
        let trioPart: (Int) async throws -> Int = { value in
            flag |= 1
            try await Trio.sleep(0.01)
            flag |= 2
            return value * 2
        }
        let viaAsyncio: (Int) async throws -> Int = { value in
            let g = trioAsAio(trioPart)
            return try await g(value).value
        }
        let h = aioAsTrio(viaAsyncio)
        let result = try await h(4)
        #expect(result == 8)
        #expect(flag == 3)
    }

    @Test(.trioAsyncio) func trioAsAioFutureWorksFromASynchronousCallback() async throws {
        let loop = try TrioTestScope.loop
        let done = Trio.Event()
        var value = 0
        try loop.callSoon {
            let double: (Int) async throws -> Int = { try await Trio.sleep(1); return $0 * 2 }
            let g = trioAsAio(double)
            g(21).addDoneCallback { future in
                value = (try? future.result()) ?? -1
                done.set()
            }
        }
        try await done.wait()
        #expect(value == 42)
    }

    @Test(.trioAsyncio) func errorsCrossBothWaysUnchanged() async throws {
        let loop = try TrioTestScope.loop
        var tags: [Int] = []
        do {
            _ = try await loop.runAioCoroutine { () async throws -> Int in throw TestError(tag: 1) }
        } catch let error as TestError { tags.append(error.tag) }
        do {
            _ = try await loop.runAioCoroutine { () async throws -> Int in
                try await loop.trioAsFuture { () async throws -> Int in
                    try await Trio.sleep(0)
                    throw TestError(tag: 2)
                }.value
            }
        } catch let error as TestError { tags.append(error.tag) }
        #expect(tags == [1, 2])
    }

    @Test(.trioAsyncio) func aTrioTaskCancelledFromAsyncioReachesTheTrioCallerAsCancelledError() async throws {
        // test_asyncio_trio_cancel_out: asyncio saw the Trio task end cancelled; nothing cancelled the
        // Trio caller, so it gets CancelledError, not Cancelled.
        let loop = try TrioTestScope.loop
        var flag = 0
        var outcome = "no error"
        do {
            try await loop.runAioCoroutine {
                let future = try loop.trioAsFuture {
                    flag |= 1
                    try await Trio.sleep(0.01)
                    flag |= 2
                    try await Trio.sleep(10)
                    flag |= 4
                }
                try loop.callLater(1) { future.cancel() }
                try await future.value
            }
            outcome = "returned"
        } catch is CancelledError {
            outcome = "CancelledError"
        } catch is Cancelled {
            outcome = "Cancelled"
        }
        #expect(flag == 3)
        #expect(outcome == "CancelledError")
    }

    @Test(.trioAsyncio) func anAsyncioCancelOfItsOwnReachesTheTrioCallerUnchanged() async throws {
        // test_trio_asyncio_cancel_out: the future was cancelled by asyncio, not by Trio.
        let loop = try TrioTestScope.loop
        var outcomes: [String] = []
        let scope = CancelScope()
        try await scope.run {
            do {
                _ = try await loop.runAioCoroutine { () async throws -> Int in
                    try await Asyncio.sleep(0.01)
                    let future = loop.createFuture(of: Int.self)
                    future.cancel(message: "own")
                    return try future.result()
                }
            } catch let error as CancelledError {
                outcomes.append("CancelledError(\(error.message ?? ""))")
            }
            do {
                let future = loop.createFuture(of: Int.self)
                future.cancel()
                _ = try await loop.runAioFuture(future)
            } catch is CancelledError {
                outcomes.append("CancelledError")
            }
        }
        outcomes.append(scope.cancelCalled ? "scope cancelled" : "scope untouched")
        #expect(outcomes == ["CancelledError(own)", "CancelledError", "scope untouched"])
    }

    @Test(.trioAsyncio) func cancellingTheAsyncioAwaiterCancelsTheTrioTaskAndWaitsForIt() async throws {
        // test_asyncio_trio_cancel_in
        let loop = try TrioTestScope.loop
        var flag = 0
        try await loop.runAioCoroutine {
            let started = Asyncio.Event()
            let future = try loop.trioAsFuture {
                started.set()
                defer { flag |= 2 }
                do {
                    try await Trio.sleep(1)
                    flag |= 4
                } catch let cancelled as Cancelled {
                    flag |= 1
                    throw cancelled
                }
            }
            try await started.wait()
            future.cancel()
            // Still pending: the Trio task has not ended yet.
            #expect(!future.done)
            do { try await future.value } catch is CancelledError { flag |= 8 }
            #expect(flag & 2 == 2, "resolved only once the Trio task had ended")
        }
        #expect(flag == 1 | 2 | 8)
    }

    @Test(.trioAsyncio) func aTrioCancelReachesAsyncioAsCancelledErrorOnly() async throws {
        // test_trio_asyncio_cancel_in
        let loop = try TrioTestScope.loop
        var flag = 0
        var reason: String?
        let started = Trio.Event()
        try await withNursery { nursery in
            try nursery.startSoon {
                try await loop.runAioCoroutine {
                    started.set()
                    defer { flag |= 2 }
                    do {
                        try await Asyncio.sleep(9999)
                        flag |= 4
                    } catch let error as CancelledError {
                        flag |= 1
                        reason = error.message
                    } catch is Cancelled {
                        flag |= 16
                    }
                }
            }
            try await started.wait()
            nursery.cancelScope.cancel(reason: "shutting down")
        }
        flag |= 8
        #expect(flag == 1 | 2 | 8)
        #expect(reason == "shutting down", "the cancel's reason travels across as the message")
    }

    @Test(.trioAsyncio) func whenAsyncioSwallowsTheCancelTheTrioCallerGetsTheValue() async throws {
        let loop = try TrioTestScope.loop
        let value = try await moveOnAfter(1) {
            try await loop.runAioCoroutine { () async throws -> Int in
                do { try await Asyncio.sleep(10) } catch is CancelledError { return 7 }
                return 0
            }
        }
        #expect(value == 7)
    }

    @Test(.trioAsyncio) func whenTrioCancelsAndAsyncioEndsCancelledTheCallerGetsCancelled() async throws {
        let loop = try TrioTestScope.loop
        let start = try Trio.currentTime()
        let scope = CancelScope(relativeDeadline: 2)
        try await scope.run {
            _ = try await loop.runAioCoroutine { try await Asyncio.sleep(10) }
        }
        #expect(scope.cancelledCaught)
        #expect(try Trio.currentTime() - start == 2)
    }

    @Test(.trioAsyncio) func aCancelledErrorRaisedDirectlyInAsyncioIsNotCancelled() async throws {
        // test_trio_asyncio_cancel_direct: the error escapes the nursery unchanged.
        let loop = try TrioTestScope.loop
        await #expect(throws: (any Error).self) {
            try await withNursery { nursery in
                try nursery.startSoon {
                    _ = try await loop.runAioCoroutine { () async throws -> Int in
                        throw CancelledError(message: "direct")
                    }
                }
                try await Trio.sleep(1)
                nursery.cancelScope.cancel()
            }
        }
    }

    @Test(.trioAsyncio) func aFutureCancelledBeforeItsTrioTaskStartedResolvesCancelled() async throws {
        // trio-asyncio #161
        let loop = try TrioTestScope.loop
        var ran = false
        let future = try loop.trioAsFuture { ran = true }
        future.cancel()
        try await loop.synchronize()
        try await Trio.sleep(1)
        #expect(future.cancelled)
        #expect(!ran)
    }

    @Test(.trioAsyncio) func anErrorRaisedAfterTheCancelBecomesTheFuturesError() async throws {
        // test_trio_as_fut_throws_after_cancelled
        let loop = try TrioTestScope.loop
        let future = try loop.trioAsFuture {
            do { try await Trio.sleepForever() } catch { throw TestError(tag: 9) }
        }
        try await waitAllTasksBlocked()
        future.cancel()
        await #expect(throws: TestError(tag: 9)) { try await loop.runAioFuture(future) }
    }

    @Test(.trioAsyncio) func aValueReturnedDespiteTheCancelResolvesTheFuture() async throws {
        let loop = try TrioTestScope.loop
        let future = try loop.trioAsFuture { () async throws -> Int in
            _ = try? await Trio.sleepForever()
            return 5
        }
        try await waitAllTasksBlocked()
        future.cancel()
        let value = try await loop.runAioFuture(future)
        #expect(value == 5)
    }

    @Test(.trioAsyncio) func sequencesCrossBothWays() async throws {
        let loop = try TrioTestScope.loop
        let numbers = AsyncStream<Int> { continuation in
            for n in 1...5 { continuation.yield(n) }
            continuation.finish()
        }
        var fromAsyncio: [Int] = []
        for try await n in runAioGenerator(loop: loop, numbers) { fromAsyncio.append(n) }
        let (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 10)
        for n in [10, 20, 30] { try send.sendNowait(n) }
        send.close()
        let fromTrio = try await loop.runAioCoroutine { () async throws -> [Int] in
            var items: [Int] = []
            for try await n in trioAsAio(receive) { items.append(n) }
            return items
        }
        #expect(fromAsyncio == [1, 2, 3, 4, 5])
        #expect(fromTrio == [10, 20, 30])
    }

    @Test(.trioAsyncio) func cancellingTheConsumerCancelsThePendingAsyncioRead() async throws {
        let loop = try TrioTestScope.loop
        var flag = 0
        let hold = Asyncio.Event()
        // A sequence whose second element waits on an asyncio event.
        struct Held: AsyncSequence {
            typealias Element = Int
            let hold: Asyncio.Event
            let seen: () -> Void
            struct AsyncIterator: AsyncIteratorProtocol {
                var count = 0
                let hold: Asyncio.Event
                let seen: () -> Void
                mutating func next() async throws -> Int? {
                    count += 1
                    if count == 1 { return 1 }
                    seen()
                    try await hold.wait()
                    return nil
                }
            }
            func makeAsyncIterator() -> AsyncIterator { AsyncIterator(hold: hold, seen: seen) }
        }
        let scope = CancelScope()
        try await withNursery { nursery in
            try nursery.startSoon {
                try await scope.run {
                    for try await _ in runAioGenerator(loop: loop, Held(hold: hold, seen: { flag |= 1 })) {}
                }
            }
            try await waitAllTasksBlocked()
            scope.cancel()
        }
        #expect(flag == 1)
        #expect(scope.cancelledCaught)
    }

    @Test(.trioAsyncio) func contextManagersCrossBothWays() async throws {
        final class Recorder: AsyncContextManager {
            var events: [String] = []
            func aenter() async throws -> Recorder {
                events.append("enter:" + ((try? currentAsyncLibrary()) ?? "?"))
                return self
            }
            func aexit(_ error: (any Error)?) async throws -> Bool {
                events.append("exit:" + ((try? currentAsyncLibrary()) ?? "?"))
                return false
            }
        }
        let loop = try TrioTestScope.loop
        let asyncioSide = Recorder()
        let manager = aioAsTrio(asyncioSide)
        _ = try await manager.aenter()
        _ = try await manager.aexit(nil)
        let trioSide = Recorder()
        try await loop.runAioCoroutine {
            let wrapped = trioAsAio(trioSide)
            _ = try await wrapped.aenter()
            _ = try await wrapped.aexit(nil)
        }
        #expect(asyncioSide.events + trioSide.events == ["enter:asyncio", "exit:asyncio", "enter:trio", "exit:trio"])
    }
}
