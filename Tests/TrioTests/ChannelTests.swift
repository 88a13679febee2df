import TestSupport
import Testing
import Trio
import TrioTesting

@Suite struct ChannelTests {
    @Test func bufferedBasicsAndClosing() throws {
        let log = try Trio.run {
            var log: [String] = []
            let (send, receive) = openMemoryChannel(of: String.self, maxBufferSize: 2)
            try send.sendNowait("1")
            let sendIsCheckpoint = try await isCheckpoint(
                { try await send.send("2") }, again: { try await send.send("x") })
            log.append("send checkpoint \(sendIsCheckpoint)")
            log.append("full " + outcomeSync { try send.sendNowait("3") })
            var got: [String] = []
            let receiveIsCheckpoint = try await isCheckpoint(
                { got.append(try await receive.receive()) }, again: { got.append(try await receive.receive()) })
            log.append("receive checkpoint \(receiveIsCheckpoint)")
            got.append(try receive.receiveNowait())
            log.append("got \(got)")
            log.append("empty " + outcomeSync { _ = try receive.receiveNowait() })
            try send.sendNowait("last")
            try await send.aclose()
            log.append("send after close " + (await outcome { try await send.send("late") }))
            log.append("sendNowait after close " + outcomeSync { try send.sendNowait("late") })
            log.append("clone after close " + outcomeSync { _ = try send.clone() })
            try await send.aclose()  // idempotent
            log.append("drain \(try receive.receiveNowait())")
            log.append("then " + (await outcome { _ = try await receive.receive() }))
            log.append("nowait then " + outcomeSync { _ = try receive.receiveNowait() })
            try await receive.aclose()
            log.append("receive after close " + (await outcome { _ = try await receive.receive() }))
            log.append("receiveNowait after close " + outcomeSync { _ = try receive.receiveNowait() })
            return log
        }
        #expect(log == [
            "send checkpoint true", "full WouldBlock", "receive checkpoint true", "got [\"1\", \"2\"]",
            "empty WouldBlock", "send after close ClosedResourceError",
            "sendNowait after close ClosedResourceError", "clone after close ClosedResourceError",
            "drain last", "then EndOfChannel", "nowait then EndOfChannel",
            "receive after close ClosedResourceError", "receiveNowait after close ClosedResourceError",
        ])
    }

    @Test func cancelledReceiveLeavesTheChannelUsable() throws {
        let (caught, waiting, stats) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let (send, receive) = openMemoryChannel(of: String.self, maxBufferSize: 1)
            let scope = CancelScope(relativeDeadline: 10)
            try await scope.run { _ = try await receive.receive() }
            let waiting = receive.statistics().tasksWaitingReceive
            try await send.send("after the timeout")
            return (scope.cancelledCaught, waiting, receive.statistics().currentBufferUsed)
        }
        #expect(caught)
        #expect(waiting == 0)
        #expect(stats == 1)
    }

    @Test func multipleProducersWithClones() throws {
        let got = try Trio.run {
            let (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 0)
            var got: [Int] = []
            try await withNursery { nursery in
                for i in 0..<10 {
                    let clone = try send.clone()
                    try nursery.startSoon {
                        defer { clone.close() }
                        for j in (3 * i)..<(3 * (i + 1)) { try await clone.send(j) }
                    }
                }
                send.close()
                for try await value in receive { got.append(value) }
            }
            return got
        }
        #expect(got.sorted() == Array(0..<30))
    }

    @Test func multipleConsumersShareTheWork() throws {
        let (consumers, received) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var consumers = Set<Int>()
            var received: [Int] = []
            try await withNursery { nursery in
                let (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 1)
                for i in 0..<5 {
                    try nursery.startSoon {
                        for try await value in receive {
                            consumers.insert(i)
                            received.append(value)
                        }
                    }
                }
                try await waitAllTasksBlocked()
                for i in 0..<10 { try await send.send(i) }
                send.close()
            }
            return (consumers, received)
        }
        #expect(consumers == Set(0..<5))
        #expect(received.sorted() == Array(0..<10))
    }

    /// Runs `blocked` in a child until every task is blocked, then `closer`, and reports what the
    /// child's operation threw.
    private static func closeWhileBlocked(
        _ blocked: @escaping () async throws -> Void, _ closer: () async throws -> Void
    ) async throws -> String {
        var result = "still blocked"
        try await withNursery { nursery in
            try nursery.startSoon { result = await outcome(blocked) }
            try await waitAllTasksBlocked()
            try await closer()
        }
        return result
    }

    @Test(arguments: [false, true])
    func closingWakesBlockedTasksWithTheRightError(asynchronously: Bool) throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            var (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 0)
            let s1 = send
            log.append(try await Self.closeWhileBlocked({ try await s1.send(1) }) {
                if asynchronously { try await s1.aclose() } else { s1.close() }
            })
            log.append("persistent " + outcomeSync { try send.sendNowait(1) } + " "
                + (await outcome { try await send.send(1) }))
            log.append("receivers " + outcomeSync { _ = try receive.receiveNowait() } + " "
                + (await outcome { _ = try await receive.receive() }))

            (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 0)
            let (s2, r2) = (send, receive)
            log.append(try await Self.closeWhileBlocked({ try await s2.send(1) }) {
                if asynchronously { try await r2.aclose() } else { r2.close() }
            })
            log.append("persistent " + outcomeSync { try s2.sendNowait(1) } + " "
                + (await outcome { try await s2.send(1) }))

            let (_, r3) = openMemoryChannel(of: Int.self, maxBufferSize: 0)
            log.append(try await Self.closeWhileBlocked({ _ = try await r3.receive() }) {
                if asynchronously { try await r3.aclose() } else { r3.close() }
            })
            log.append("persistent " + outcomeSync { _ = try r3.receiveNowait() } + " "
                + (await outcome { _ = try await r3.receive() }))
            return log
        }
        #expect(log == [
            "ClosedResourceError", "persistent ClosedResourceError ClosedResourceError",
            "receivers EndOfChannel EndOfChannel",
            "BrokenResourceError", "persistent BrokenResourceError BrokenResourceError",
            "ClosedResourceError", "persistent ClosedResourceError ClosedResourceError",
        ])
    }

    @Test func lastSenderClosingWakesReceiversWithEndOfChannel() throws {
        let result = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 3)
            return try await Self.closeWhileBlocked({ _ = try await receive.receive() }) { send.close() }
        }
        #expect(result == "EndOfChannel")
    }

    @Test func receiveClonesCloseIndependently() throws {
        let log = try Trio.run {
            var log: [String] = []
            let (send, r) = openMemoryChannel(of: Int.self, maxBufferSize: 10)
            let r2 = try r.clone()
            let r3 = try r.clone()
            try send.sendNowait(0)
            try await r.aclose()
            r2.close()
            log.append(outcomeSync { _ = try r.clone() })
            log.append(outcomeSync { _ = try r2.clone() })
            log.append("r3 open: " + outcomeSync { try send.sendNowait(1) })
            try await r3.aclose()
            log.append("all closed: " + outcomeSync { try send.sendNowait(2) })
            log.append("buffer dropped: \(send.statistics().currentBufferUsed)")
            return log
        }
        #expect(log == [
            "ClosedResourceError", "ClosedResourceError", "r3 open: ok", "all closed: BrokenResourceError",
            "buffer dropped: 0",
        ])
    }

    @Test func closingOneSendHandleWakesOnlyItsOwnSenders() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            let (s1, receive) = openMemoryChannel(of: String.self, maxBufferSize: 0)
            let s2 = try s1.clone()
            try await withNursery { nursery in
                try nursery.startSoon { log.append("s1 " + (await outcome { try await s1.send("nope") })) }
                try nursery.startSoon { log.append("s2 " + (await outcome { try await s2.send("ok") })) }
                try await waitAllTasksBlocked()
                try await s1.aclose()
                log.append("received \(try await receive.receive())")
            }
            return log.sorted()
        }
        #expect(log == ["received ok", "s1 ClosedResourceError", "s2 ok"])
    }

    @Test func closingOneReceiveHandleWakesOnlyItsOwnReceivers() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            let (send, r1) = openMemoryChannel(of: String.self, maxBufferSize: 0)
            let r2 = try r1.clone()
            try await withNursery { nursery in
                try nursery.startSoon { log.append("r1 " + (await outcome { _ = try await r1.receive() })) }
                try nursery.startSoon { log.append("r2 got \(try await r2.receive())") }
                try await waitAllTasksBlocked()
                try await r1.aclose()
                try await send.send("ok")
            }
            return log.sorted()
        }
        #expect(log == ["r1 ClosedResourceError", "r2 got ok"])
    }

    @Test func unboundedBufferNeverBlocks() throws {
        let got = try Trio.run {
            let (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: Int.max)
            for i in 0..<1000 { try send.sendNowait(i) }
            send.close()
            var got: [Int] = []
            for try await value in receive { got.append(value) }
            return got
        }
        #expect(got == Array(0..<1000))
    }

    @Test func statisticsTrackBufferHandlesAndWaiters() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            let (s, r) = openMemoryChannel(of: Int.self, maxBufferSize: 2)
            func line(_ stats: MemoryChannelStatistics) -> String {
                "buf \(stats.currentBufferUsed)/\(stats.maxBufferSize) peak \(stats.peakBufferUsed) "
                    + "open \(stats.openSendChannels)/\(stats.openReceiveChannels) "
                    + "waiting \(stats.tasksWaitingSend)/\(stats.tasksWaitingReceive)"
            }
            log.append("same \(s.statistics() == r.statistics())")
            log.append(line(s.statistics()))
            try s.sendNowait(0)
            log.append(line(s.statistics()))
            let s2 = try s.clone()
            log.append(line(s.statistics()))
            try await s.aclose()
            let r2 = try r.clone()
            log.append(line(s2.statistics()))
            try await r2.aclose()
            try await withNursery { nursery in
                try s2.sendNowait(1)
                try nursery.startSoon { try await s2.send(2) }
                try nursery.startSoon { try await s2.send(3) }
                try await waitAllTasksBlocked()
                log.append(line(s2.statistics()))
                nursery.cancelScope.cancel()
            }
            log.append(line(s2.statistics()))
            while (try? r.receiveNowait()) != nil {}
            log.append(line(s2.statistics()))
            try await withNursery { nursery in
                try nursery.startSoon { _ = try await r.receive() }
                try await waitAllTasksBlocked()
                log.append(line(s2.statistics()))
                nursery.cancelScope.cancel()
            }
            log.append(line(s2.statistics()))
            return log
        }
        #expect(log == [
            "same true",
            "buf 0/2 peak 0 open 1/1 waiting 0/0",
            "buf 1/2 peak 1 open 1/1 waiting 0/0",
            "buf 1/2 peak 1 open 2/1 waiting 0/0",
            "buf 1/2 peak 1 open 1/2 waiting 0/0",
            "buf 2/2 peak 2 open 1/1 waiting 2/0",
            "buf 2/2 peak 2 open 1/1 waiting 0/0",
            "buf 0/2 peak 2 open 1/1 waiting 0/0",
            "buf 0/2 peak 2 open 1/1 waiting 0/1",
            "buf 0/2 peak 2 open 1/1 waiting 0/0",
        ])
    }

    @Test func anItemSentToAWaitingReceiverBelongsToIt() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            var (s, r) = openMemoryChannel(of: Int.self, maxBufferSize: 1)
            try s.sendNowait(1)
            log.append("own \(try r.receiveNowait())")
            let (s1, r1) = (s, r)
            try await withNursery { nursery in
                try nursery.startSoon { log.append("waiter got \(try await r1.receive())") }
                try await waitAllTasksBlocked()
                try s1.sendNowait(2)
                log.append("steal " + outcomeSync { _ = try r1.receiveNowait() })
            }
            // The same for senders: a freed slot belongs to the waiting sender.
            (s, r) = openMemoryChannel(of: Int.self, maxBufferSize: 1)
            let (s2, r2) = (s, r)
            try s2.sendNowait(1)
            try await withNursery { nursery in
                try nursery.startSoon { try await s2.send(2) }
                try await waitAllTasksBlocked()
                log.append("first \(try r2.receiveNowait())")
                log.append("jump the queue " + outcomeSync { try s2.sendNowait(3) })
                log.append("second \(try await r2.receive())")
            }
            return log
        }
        #expect(log == [
            "own 1", "steal WouldBlock", "waiter got 2", "first 1", "jump the queue WouldBlock", "second 2",
        ])
    }

    @Test func unbufferedIsARendezvous() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            let (s, r) = openMemoryChannel(of: Int.self, maxBufferSize: 0)
            log.append(outcomeSync { _ = try r.receiveNowait() })
            log.append(outcomeSync { try s.sendNowait(1) })
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await s.send(1)
                    log.append("sent 1")
                }
                try await waitAllTasksBlocked()
                log.append("nowait got \(try r.receiveNowait())")
                try nursery.startSoon {
                    log.append("got \(try await r.receive())")
                }
                try await waitAllTasksBlocked()
                try s.sendNowait(2)
            }
            return log
        }
        #expect(log == ["WouldBlock", "WouldBlock", "nowait got 1", "sent 1", "got 2"])
    }

    @Test func cancelledSendDeliversNothing() throws {
        let (received, waiting) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let (s, r) = openMemoryChannel(of: Int.self, maxBufferSize: 0)
            try await moveOnAfter(1) { try await s.send(1) }
            s.close()
            var received: [Int] = []
            for try await value in r { received.append(value) }
            return (received, s.statistics().tasksWaitingSend)
        }
        #expect(received.isEmpty)
        #expect(waiting == 0)
    }

    @Test func nonTrivialValuesTravelIntact() throws {
        let got = try Trio.run {
            let (s, r) = openMemoryChannel(of: [String].self, maxBufferSize: 0)
            var got: [[String]] = []
            try await withNursery { nursery in
                try nursery.startSoon {
                    for i in 0..<3 { try await s.send(Array(repeating: "v\(i)", count: i + 1)) }
                    try await s.aclose()
                }
                for try await value in r { got.append(value) }
            }
            return got
        }
        #expect(got == [["v0"], ["v1", "v1"], ["v2", "v2", "v2"]])
    }

    @Test func manyCancelledWaitersAmongLiveOnesKeepFIFOOrder() throws {
        let (got, waiting) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 0)
            var got: [Int] = []
            // Lots of receivers that time out, interleaved with a few that stay: the queue must
            // sweep the dead records and still serve the live ones oldest first.
            try await withNursery { nursery in
                for i in 0..<60 {
                    if i % 20 == 0 {
                        try nursery.startSoon { got.append(try await receive.receive() * 100 + i) }
                    } else {
                        try nursery.startSoon { _ = try await moveOnAfter(1) { try await receive.receive() } }
                    }
                    try await waitAllTasksBlocked()
                }
                try await Trio.sleep(2)
                for value in 1...3 { try await send.send(value) }
            }
            // A long loop of timed-out receives leaves no waiter behind.
            for _ in 0..<100 { _ = try await moveOnAfter(1) { try await receive.receive() } }
            return (got, receive.statistics().tasksWaitingReceive)
        }
        #expect(got == [100, 220, 340])
        #expect(waiting == 0)
    }

    @Test(.trio) func acloseInACancelledScopeClosesTheHandleThenRaisesCancelled() async throws {
        let (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 1)
        var raised: [String] = []
        let scope = CancelScope()
        try await scope.run {
            scope.cancel()
            do { try await send.aclose() } catch is Cancelled { raised.append("send") }
            do { try await receive.aclose() } catch is Cancelled { raised.append("receive") }
        }
        #expect(send.isClosed && receive.isClosed)
        #expect(raised == ["send", "receive"])
        // Both Cancelled were caught in the body, so the scope had none left to absorb.
        #expect(!scope.cancelledCaught)
    }

    @Test(.trio) func acloseOfTheLastSenderWakesTheReceiverEvenWhenItRaises() async throws {
        let (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 0)
        var received = ""
        var senderRaised = false
        try await withNursery { nursery in
            try nursery.startSoon {
                do { _ = try await receive.receive() } catch is EndOfChannel { received = "EndOfChannel" }
            }
            try await Trio.checkpoint()
            try await moveOnAfter(0) {
                do { try await send.aclose() } catch is Cancelled { senderRaised = true }
            }
        }
        #expect(received == "EndOfChannel")
        #expect(senderRaised)
    }
}
