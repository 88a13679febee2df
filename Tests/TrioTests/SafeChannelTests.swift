import Testing
import Trio
import TrioTesting

/// `asSafeChannel` / `withSafeChannel`: Trio's `as_safe_channel`, with a producer closure in place
/// of an async generator.
@Suite struct SafeChannelTests {
    @Test func theConsumerGetsEveryValueThenTheEnd() throws {
        let got = try runMocked { () -> [Int] in
            try await asSafeChannel(of: Int.self) { send in
                for i in 1...3 { try await send(i) }
            }.open { channel in
                var got: [Int] = []
                for try await value in channel { got.append(value) }
                return got
            }
        }
        #expect(got == [1, 2, 3])
    }

    @Test func aProducerThatSendsNothingEndsTheIterationAtOnce() throws {
        let count = try runMocked { () -> Int in
            try await withSafeChannel(of: String.self, { _ in }) { channel in
                var count = 0
                for try await _ in channel { count += 1 }
                return count
            }
        }
        #expect(count == 0)
    }

    @Test func theProducerComputesEachValueOnlyWhenAskedForIt() throws {
        let log = try runMocked { () -> [String] in
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
            return log
        }
        // The third value is never made: the block ended without asking for it.
        #expect(log == ["asking", "make 1", "got 1", "asking", "make 2", "got 2"])
    }

    @Test func aProducerErrorComesOutOfTheBlockUnwrapped() throws {
        let (got, error) = try runMocked { () -> ([Int], (any Error)?) in
            var got: [Int] = []
            do {
                try await withSafeChannel(of: Int.self, { send in
                    try await send(1)
                    throw Boom(tag: "producer")
                }) { channel in
                    for try await value in channel { got.append(value) }
                }
                return (got, nil)
            } catch {
                return (got, error)
            }
        }
        #expect(got == [1])
        #expect(error as? Boom == Boom(tag: "producer"))
    }

    @Test func aBlockErrorCancelsTheProducerAndComesOutUnwrapped() throws {
        let (events, error) = try runMocked { () -> ([String], (any Error)?) in
            var events: [String] = []
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
                return (events, nil)
            } catch {
                return (events, error)
            }
        }
        #expect(events == ["producer: Cancelled"])
        #expect(error as? Boom == Boom(tag: "block"))
    }

    @Test func errorsOfBothSidesComeOutTogether() throws {
        let tags = try runMocked { () -> [String] in
            do {
                try await withSafeChannel(of: Int.self, { send in
                    do { try await send(1) } catch { throw Boom(tag: "producer cleanup") }
                }) { channel in
                    for try await _ in channel { throw Boom(tag: "block") }
                }
                return []
            } catch let group as ExceptionGroup {
                return group.leaves.map { ($0 as? Boom)?.tag ?? "\($0)" }.sorted()
            }
        }
        #expect(tags == ["block", "producer cleanup"])
    }

    @Test func aGroupThrownByTheBlockIsNotUnwrapped() throws {
        let message = try runMocked { () -> String in
            do {
                try await withSafeChannel(of: Int.self, { _ in Issue.record("the producer ran") }) { _ in
                    throw ExceptionGroup("mine", [Boom()])
                }
                return "no error"
            } catch let group as ExceptionGroup {
                return group.message + " \(group.errors.count)"
            }
        }
        #expect(message == "mine 1")
    }

    @Test func cancellingTheBlockBeforeItAsksNeverRunsTheProducer() throws {
        let (ran, caught) = try runMocked { () -> (Bool, Bool) in
            var ran = false
            let scope = CancelScope()
            try await scope.run {
                try await withSafeChannel(of: Int.self, { _ in ran = true }) { _ in
                    scope.cancel()
                }
            }
            return (ran, scope.cancelledCaught)
        }
        #expect(!ran)
        #expect(caught)
    }

    @Test func anOuterCancelReachesBothSidesAndItsScope() throws {
        // The producer is woken first, but its cleanup checkpoint lets the block's own cancel land first.
        let (events, caught) = try runMocked { () -> ([String], Bool) in
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
            return (events, scope.cancelledCaught)
        }
        #expect(events == ["block cancelled", "producer cancelled"])
        #expect(caught)
    }

    @Test func closingTheConsumerBeforeAskingLeavesTheProducerUnstarted() throws {
        let (ran, error) = try runMocked { () -> (Bool, String) in
            var ran = false
            var error = "no error"
            try await withSafeChannel(of: Int.self, { _ in ran = true }) { channel in
                try await channel.aclose()
                do { _ = try await channel.receive() } catch is ClosedResourceError { error = "ClosedResourceError" }
            }
            return (ran, error)
        }
        #expect(!ran)
        #expect(error == "ClosedResourceError")
    }

    @Test func closingTheConsumerEndsTheProducerQuietlyInItsPendingSend() throws {
        let (events, error) = try runMocked { () -> ([String], String) in
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
            return (events, error)
        }
        #expect(events == ["got 1", "producer: BrokenResourceError"])
        #expect(error == "ClosedResourceError")
    }

    @Test func theProducerClosingTheChannelItselfEndsTheIteration() throws {
        // Trio's test_as_safe_channel_close_during_iteration.
        let (count, error) = try runMocked { () -> (Int, String) in
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
            return (count, error)
        }
        #expect(count == 1)
        #expect(error == "ClosedResourceError")
    }

    @Test func twoTasksCanShareTheConsumer() throws {
        let got = try runMocked { () -> [Int] in
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
            return got
        }
        #expect(got == [0, 1])
    }

    @Test func nestedChannelsRunIndependently() throws {
        let pairs = try runMocked { () -> [String] in
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
            return pairs
        }
        #expect(pairs == ["00", "01", "10", "11"])
    }

    @Test func theBlocksValueIsReturned() throws {
        let sum = try runMocked { () -> Int in
            try await withSafeChannel(of: Int.self, { send in for i in 1...4 { try await send(i) } }) { channel in
                var sum = 0
                for try await value in channel { sum += value }
                return sum
            }
        }
        #expect(sum == 10)
    }

    @Test func outsideATrioTaskItIsARuntimeError() async throws {
        await #expect(throws: RuntimeError.self) {
            try await withSafeChannel(of: Int.self, { _ in }) { _ in }
        }
    }
}
