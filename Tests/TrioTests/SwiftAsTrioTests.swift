import AsyncAlgorithms
import Sniffio
import Synchronization
import Testing
import Trio
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

private enum Flavor {
    @TaskLocal static var tag: String?
}

/// The runs here live on threads of their own (``Trio/runAsync``): a `Trio.run` would hold a thread
/// of Swift's cooperative pool, which the children of `swiftAsTrio` need, while tests run in parallel.
@Suite struct SwiftAsTrioTests {
    @Test func returnsTheValueOfCodeRunningOffTheRunThread() async throws {
        let (loopThread, childThread, value, library, trioCall) = try await runMockedAsync {
            () -> (UInt, UInt, Int, String, String) in
            let loop = threadID()
            let (child, value, library, trioCall) = try await swiftAsTrio { () -> (UInt, Int, String, String) in
                let library = (try? currentAsyncLibrary()) ?? "none"
                let trioCall = await outcome { _ = try Lowlevel.currentTask() }
                return (threadID(), 42, library, trioCall)
            }
            return (loop, child, value, library, trioCall)
        }
        #expect(value == 42)
        #expect(childThread != loopThread)
        // Plain Swift code: no async library, and Trio's task-bound APIs refuse it.
        #expect(library == "none")
        #expect(trioCall == "RuntimeError")
    }

    @Test func otherTrioTasksRunWhileItWaits() async throws {
        let order = try await runMockedAsync { () -> [String] in
            let latch = SwiftLatch()
            var order: [String] = []
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await swiftAsTrio { await latch.wait() }
                    order.append("child finished")
                }
                try await waitAllTasksBlocked()
                order.append("sibling ran")
                latch.open()
            }
            return order
        }
        #expect(order == ["sibling ran", "child finished"])
    }

    @Test func aDeadlineCancelsTaskSleep() async throws {
        let (result, now, sawCancel) = try await runMockedAsync { () -> (Int?, Double, Bool) in
            let sawCancel = Shared(false)
            let result = try await moveOnAfter(1) {
                try await swiftAsTrio { () -> Int in
                    do {
                        try await Task.sleep(for: .seconds(3600))
                    } catch {
                        sawCancel.update { $0 = error is CancellationError }
                        throw error
                    }
                    return 1
                }
            }
            return (result, try Trio.currentTime(), sawCancel.value)
        }
        #expect(result == nil)
        #expect(now == 1)
        #expect(sawCancel)
    }

    @Test func aCancelWaitsUntilTheChildHasReallyFinished() async throws {
        let (cleanedUp, error) = try await runMockedAsync { () -> (Bool, String) in
            let cleanedUp = Shared(false)
            let error = await outcome {
                try await failAfter(1) {
                    try await swiftAsTrio {
                        await waitUntilSwiftCancelled()
                        // Cleanup that suspends: the Trio side must still be waiting after it.
                        for _ in 0..<20 { await Task.yield() }
                        cleanedUp.update { $0 = true }
                        throw CancellationError()
                    }
                }
            }
            return (cleanedUp.value, error)
        }
        #expect(cleanedUp)
        #expect(error == "TooSlowError")
    }

    @Test func cancelledIsRaisedWithTheScopesReason() async throws {
        let reason = try await runMockedAsync { () -> String? in
            var reason: String?
            try await withNursery { nursery in
                try nursery.startSoon {
                    do {
                        try await swiftAsTrio { try await Task.sleep(for: .seconds(3600)) }
                    } catch let cancelled as Cancelled {
                        reason = cancelled.reason
                        throw cancelled
                    }
                }
                try await waitAllTasksBlocked()
                nursery.cancelScope.cancel(reason: "enough")
            }
            return reason
        }
        #expect(reason == "enough")
    }

    @Test func aValueThatCameAnywayIsReturnedAndTheScopeStaysCancelled() async throws {
        let (value, caught) = try await runMockedAsync { () -> (Int?, Bool) in
            var value: Int?
            let scope = CancelScope(relativeDeadline: 1)
            try await scope.run {
                value = try await swiftAsTrio { () -> Int in
                    await waitUntilSwiftCancelled()
                    return 7
                }
                try await Trio.checkpoint()
                Issue.record("the checkpoint after the call must see the cancellation")
            }
            return (value, scope.cancelledCaught)
        }
        #expect(value == 7)
        #expect(caught)
    }

    @Test func anErrorThrownAfterTheCancelPropagatesUnchanged() async throws {
        let error = try await runMockedAsync { () -> String in
            await outcome {
                try await moveOnAfter(1) {
                    try await swiftAsTrio {
                        await waitUntilSwiftCancelled()
                        throw Boom(tag: "late")
                    }
                }
            }
        }
        #expect(error == "Boom")
    }

    @Test func aCancellationErrorOfItsOwnPropagatesUnchanged() async throws {
        let error = try await runMockedAsync { () -> String in
            await outcome { try await swiftAsTrio { throw CancellationError() } }
        }
        #expect(error == "CancellationError")
    }

    @Test func aShieldedScopeNeverCancelsTheChild() async throws {
        let (value, sawCancel, now) = try await runMockedAsync { () -> (Int?, Bool, Double) in
            let latch = SwiftLatch()
            var value: Int?
            var sawCancel = true
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await Trio.sleep(2)
                    latch.open()
                }
                _ = try await moveOnAfter(1) {
                    try await CancelScope(shield: true).run {
                        (value, sawCancel) = try await swiftAsTrio { () -> (Int, Bool) in
                            await latch.wait()
                            return (5, Task.isCancelled)
                        }
                    }
                }
            }
            return (value, sawCancel, try Trio.currentTime())
        }
        #expect(value == 5)
        #expect(!sawCancel)
        #expect(now == 2)
    }

    @Test func anAlreadyCancelledTaskNeverStartsTheBody() async throws {
        let (started, error) = try await runMockedAsync { () -> (Bool, String) in
            let started = Shared(false)
            var error = ""
            let scope = CancelScope()
            try await scope.run {
                scope.cancel()
                error = await outcome { try await swiftAsTrio { started.update { $0 = true } } }
            }
            return (started.value, error)
        }
        #expect(!started)
        #expect(error == "Cancelled")
    }

    @Test func taskLocalsFlowIntoTheChild() async throws {
        let seen = try await runMockedAsync { () -> String? in
            try await Flavor.$tag.withValue("from trio") {
                try await swiftAsTrio { Flavor.tag }
            }
        }
        #expect(seen == "from trio")
    }

    @Test func outsideATrioTaskItThrows() async throws {
        let outside = await outcome(messages: true) { _ = try await swiftAsTrio { 1 } }
        #expect(outside.hasPrefix("RuntimeError: swiftAsTrio must be called from inside a Trio task"))
        let fromChild = try await runMockedAsync { () -> String in
            async let child = outcome(messages: true) { _ = try await swiftAsTrio { 1 } }
            return await child
        }
        #expect(fromChild.contains("not a Trio task"))
    }

    /// A real library nobody here wrote: swift-async-algorithms' timer, cancelled through Swift's
    /// own cancellation, stops at the Trio scope's deadline. An `AsyncSequence` loop ends quietly
    /// when its task is cancelled, so the child returns normally and the next checkpoint raises.
    /// (How often it ticks depends on how busy Swift's pool is, so the test does not count ticks.)
    @Test func anAsyncTimerSequenceStopsAtTheScopesDeadline() async throws {
        let (endedByCancel, elapsed, caught) = try await Trio.runAsync { () -> (Bool, Double, Bool) in
            let start = try Trio.currentTime()
            let scope = CancelScope(relativeDeadline: 0.3)
            var endedByCancel = false
            try await scope.run {
                endedByCancel = try await swiftAsTrio { () -> Bool in
                    for await _ in AsyncTimerSequence(interval: .milliseconds(20), clock: .continuous) {}
                    return Task.isCancelled
                }
                try await Trio.checkpoint()
            }
            return (endedByCancel, try Trio.currentTime() - start, scope.cancelledCaught)
        }
        // The sequence never ends on its own: only the deadline's Task.cancel() stops it.
        #expect(endedByCancel)
        #expect(caught)
        #expect(elapsed >= 0.3)
    }

    /// The same library under a mock clock: the run autojumps to the deadline while `debounce`
    /// waits in real time, so the sequence is cut at exactly the scope's deadline, having emitted
    /// nothing.
    @Test func aDebouncedSequenceIsCutAtTheMockDeadline() async throws {
        let (seen, now) = try await runMockedAsync { () -> ([Int], Double) in
            var seen: [Int] = [-1]
            try await moveOnAfter(10) {
                seen = try await swiftAsTrio { () -> [Int] in
                    var seen: [Int] = []
                    let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
                    continuation.yield(1)
                    // Never finished, and quiet for less than the debounce interval: only
                    // cancellation can end this loop.
                    for await value in stream.debounce(for: .seconds(3600)) { seen.append(value) }
                    continuation.finish()
                    return seen
                }
            }
            return (seen, try Trio.currentTime())
        }
        #expect(seen == [])
        #expect(now == 10)
    }
}
