import TestSupport
import Testing
import Trio
import TrioTesting

/// `asSafeChannel` / `withSafeChannel`: Trio's `as_safe_channel`, with a producer closure in place
/// of an async generator.
@Suite struct SafeChannelTests {
    @Test(.trio) func theConsumerGetsEveryValueThenTheEnd() async throws {
        let got = try await asSafeChannel(of: Int.self) { send in
            for i in 1...3 { try await send(i) }
        }.open { channel in
            var got: [Int] = []
            for try await value in channel { got.append(value) }
            return got
        }
        #expect(got == [1, 2, 3])
    }

    @Test(.trio) func aProducerThatSendsNothingEndsTheIterationAtOnce() async throws {
        let count = try await withSafeChannel(of: String.self, { _ in }) { channel in
            var count = 0
            for try await _ in channel { count += 1 }
            return count
        }
        #expect(count == 0)
    }

    @Test(.trio) func theProducerComputesEachValueOnlyWhenAskedForIt() async throws {
        var log: [String] = []
        let numbers = asSafeChannel(of: Int.self) { send in
            for i in 1...3 {
                log.append("make \(i)")
                try await send(i)
            }
            log.append("producer returned")
        }
        try await numbers.open { channel in
            // Not started before the first request, however long the consumer waits.
            try await Trio.sleep(1)
            log.append("asking")
            log.append("got \(try await channel.receive())")
            for _ in 0..<3 { try await Trio.checkpoint() }
            log.append("asking")
            log.append("got \(try await channel.receive())")
            try await Trio.sleep(1)
        }
        // The third value is never made: the block ended without asking for it.
        #expect(log == ["asking", "make 1", "got 1", "asking", "make 2", "got 2"])
    }

    @Test(.trio) func aProducerErrorComesOutOfTheBlockUnwrapped() async throws {
        var got: [Int] = []
        var error: (any Error)?
        do {
            try await withSafeChannel(of: Int.self, { send in
                try await send(1)
                throw Boom(tag: "producer")
            }) { channel in
                for try await value in channel { got.append(value) }
            }
        } catch let caught {
            error = caught
        }
        #expect(got == [1])
        #expect(error as? Boom == Boom(tag: "producer"))
    }

    @Test(.trio) func aBlockErrorCancelsTheProducerAndComesOutUnwrapped() async throws {
        var events: [String] = []
        var error: (any Error)?
        do {
            try await withSafeChannel(of: Int.self, { send in
                do {
                    try await send(1)
                    try await send(2)
                } catch {
                    events.append("producer: \(type(of: error))")
                    throw error
                }
            }) { channel in
                _ = try await channel.receive()
                throw Boom(tag: "block")
            }
        } catch let caught {
            error = caught
        }
        #expect(events == ["producer: Cancelled"])
        #expect(error as? Boom == Boom(tag: "block"))
    }

    @Test(.trio) func errorsOfBothSidesComeOutTogether() async throws {
        var tags: [String] = []
        do {
            try await withSafeChannel(of: Int.self, { send in
                do { try await send(1) } catch { throw Boom(tag: "producer cleanup") }
            }) { channel in
                for try await _ in channel { throw Boom(tag: "block") }
            }
        } catch let group as ExceptionGroup {
            tags = group.leaves.map { ($0 as? Boom)?.tag ?? "\($0)" }.sorted()
        }
        #expect(tags == ["block", "producer cleanup"])
    }

    @Test(.trio) func aGroupThrownByTheBlockIsNotUnwrapped() async throws {
        var message = "no error"
        do {
            try await withSafeChannel(of: Int.self, { _ in Issue.record("the producer ran") }) { _ in
                throw ExceptionGroup("mine", [Boom()])
            }
        } catch let group as ExceptionGroup {
            message = group.message + " \(group.errors.count)"
        }
        #expect(message == "mine 1")
    }

    @Test(.trio) func cancellingTheBlockBeforeItAsksNeverRunsTheProducer() async throws {
        var ran = false
        let scope = CancelScope()
        try await scope.run {
            try await withSafeChannel(of: Int.self, { _ in ran = true }) { _ in
                scope.cancel()
            }
        }
        #expect(!ran)
        #expect(scope.cancelledCaught)
    }

    @Test(.trio) func anOuterCancelReachesBothSidesAndItsScope() async throws {
        // The producer is woken first, but its cleanup checkpoint lets the block's own cancel land first.
        var events: [String] = []
        let scope = CancelScope()
        try await scope.run {
            try await withSafeChannel(of: Int.self, { send in
                do { try await send(1) } catch {
                    // Cleanup with a checkpoint, as Trio's test_as_safe_channel_multi_cancel.
                    do { try await Trio.checkpoint() } catch let cancelled as Cancelled {
                        events.append("producer cancelled")
                        throw cancelled
                    }
                    throw error
                }
            }) { channel in
                for try await _ in channel {
                    scope.cancel()
                    do { try await Trio.checkpoint() } catch let error as Cancelled {
                        events.append("block cancelled")
                        throw error
                    }
                }
            }
        }
        #expect(events == ["block cancelled", "producer cancelled"])
        #expect(scope.cancelledCaught)
    }

    @Test(.trio) func closingTheConsumerBeforeAskingLeavesTheProducerUnstarted() async throws {
        var ran = false
        var error = "no error"
        try await withSafeChannel(of: Int.self, { _ in ran = true }) { channel in
            try await channel.aclose()
            do { _ = try await channel.receive() } catch is ClosedResourceError { error = "ClosedResourceError" }
        }
        #expect(!ran)
        #expect(error == "ClosedResourceError")
    }

    @Test(.trio) func closingTheConsumerEndsTheProducerQuietlyInItsPendingSend() async throws {
        var events: [String] = []
        var error = "no error"
        try await withSafeChannel(of: Int.self, { send in
            // The producer is held in the send of the value the consumer took last.
            do { try await send(1) } catch {
                events.append("producer: \(type(of: error))")
                throw error
            }
            events.append("not reached")
        }) { channel in
            events.append("got \(try await channel.receive())")
            try await channel.aclose()
            do { _ = try await channel.receive() } catch is ClosedResourceError { error = "ClosedResourceError" }
            try await waitAllTasksBlocked()
        }
        #expect(events == ["got 1", "producer: BrokenResourceError"])
        #expect(error == "ClosedResourceError")
    }

    @Test(.trio) func theProducerClosingTheChannelItselfEndsTheIteration() async throws {
        // Trio's test_as_safe_channel_close_during_iteration.
        var count = 0
        var error = "no error"
        var consumer: SafeReceiveChannel<Int>?
        try await withSafeChannel(of: Int.self, { send in
            try await send(0)
            try await consumer?.aclose()
            while true { try await send(1) }
        }) { channel in
            consumer = channel
            do {
                for try await _ in channel { count += 1 }
            } catch is ClosedResourceError {
                error = "ClosedResourceError"
            }
            try await waitAllTasksBlocked()
        }
        #expect(count == 1)
        #expect(error == "ClosedResourceError")
    }

    @Test(.trio) func twoTasksCanShareTheConsumer() async throws {
        let ready = Event()
        var got: [Int] = []
        try await withSafeChannel(of: Int.self, { send in
            try await ready.wait()
            try await send(0)
            try await send(1)
        }) { channel in
            try await withNursery { nursery in
                for _ in 0..<2 {
                    try await nursery.start { (status: TaskStatus<Void>) in
                        try status.started()
                        got.append(try await channel.receive())
                    }
                }
                ready.set()
            }
        }
        #expect(got == [0, 1])
    }

    @Test(.trio) func nestedChannelsRunIndependently() async throws {
        let pair = asSafeChannel(of: Int.self) { send in
            for i in 0..<2 { try await send(i) }
        }
        var pairs: [String] = []
        try await pair.open { outer in
            for try await i in outer {
                try await pair.open { inner in
                    for try await j in inner { pairs.append("\(i)\(j)") }
                }
            }
        }
        #expect(pairs == ["00", "01", "10", "11"])
    }

    @Test(.trio) func theBlocksValueIsReturned() async throws {
        let sum = try await withSafeChannel(of: Int.self, { send in for i in 1...4 { try await send(i) } }) { channel in
            var sum = 0
            for try await value in channel { sum += value }
            return sum
        }
        #expect(sum == 10)
    }

    @Test func outsideATrioTaskItIsARuntimeError() async throws {
        await #expect(throws: RuntimeError.self) {
            try await withSafeChannel(of: Int.self, { _ in }) { _ in }
        }
    }
}
