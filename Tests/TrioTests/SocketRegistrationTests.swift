import Foundation
import Testing
import Trio
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

/// Sockets keep their epoll registration between waits (level-triggered reads, see IOManager):
/// these pin down what that must not change — fd reuse, stale wake-ups, one waiter per
/// direction, cancellation, checkpoints, end of file — and that an unread connection cannot
/// keep the loop from sleeping.
@Suite struct SocketRegistrationTests {
    /// Counts the run loop's I/O waits.
    private final class IOWaitCounter: Instrument {
        var waits = 0
        func beforeIOWait(timeout: Double) throws { waits += 1 }
    }

    @Test func aRecycledFdNumberWorksAfterARegisteredSocketCloses() throws {
        let (sameNumber, received) = try Trio.run { () -> (Bool, [UInt8]) in
            let number = try unusedHighDescriptorNumber()
            let (a, b) = try unixStreamPair(firstAt: number)
            try await withNursery { nursery in
                // A receive that waits, so the socket is registered with the run.
                try nursery.startSoon { _ = try await a.receiveSome() }
                try await waitAllTasksBlocked()
                try await b.sendAll([1])
            }
            let oldNumber = a.fileDescriptor
            try await a.aclose()
            try await b.aclose()
            // The new pair reuses the closed number on purpose.
            let (c, d) = try unixStreamPair(firstAt: number)
            let sameNumber = c.fileDescriptor == oldNumber || d.fileDescriptor == oldNumber
            let reused = c.fileDescriptor == oldNumber ? c : d
            let peer = reused === c ? d : c
            var received: [UInt8] = []
            try await withNursery { nursery in
                try nursery.startSoon { received = try await reused.receiveSome() }
                try await waitAllTasksBlocked()
                try await peer.sendAll([2])
            }
            // A raw wait on the recycled number is not confused by the old socket either.
            try await peer.sendAll([3])
            try await waitReadable(reused.fileDescriptor)
            try await c.aclose()
            try await d.aclose()
            return (sameNumber, received)
        }
        #expect(sameNumber)
        #expect(received == [2])
    }

    @Test func aReceiveWokenForDataSomeoneElseTookWaitsAgain() throws {
        let (stolen, received) = try Trio.run { () -> ([UInt8], [UInt8]) in
            let (a, b) = try unixStreamPair()
            var received: [UInt8] = []
            var stolen: [UInt8] = []
            try await withNursery { nursery in
                try nursery.startSoon { received = try await a.receiveSome() }
                try await waitAllTasksBlocked()
                try await b.sendAll([1])
                // The poll that wakes the receiver runs this task first (it is already queued):
                // take the byte behind the receiver's back, so its wake-up finds nothing.
                while stolen.isEmpty {
                    var byte: UInt8 = 0
                    if recv(a.fileDescriptor, &byte, 1, Int32(MSG_DONTWAIT)) == 1 { stolen.append(byte) }
                    await Lowlevel.cancelShieldedCheckpoint()
                }
                try await waitAllTasksBlocked()
                #expect(received.isEmpty)
                try await b.sendAll([2])
            }
            try await a.aclose()
            try await b.aclose()
            return (stolen, received)
        }
        #expect(stolen == [1])
        #expect(received == [2])
    }

    @Test func rawWaitsOnASocketShareItsOneWaiterPerDirection() throws {
        let outcomes = try Trio.run { () -> [String] in
            let (a, b) = try unixStreamPair()
            var outcomes: [String] = []
            func attempt(_ name: String, _ body: () async throws -> Void) async {
                do {
                    try await body()
                    outcomes.append("\(name): ok")
                } catch is BusyResourceError {
                    outcomes.append("\(name): busy")
                } catch {
                    outcomes.append("\(name): \(type(of: error))")
                }
            }
            try await withNursery { nursery in
                try nursery.startSoon { _ = try await a.receiveSome() }
                try await waitAllTasksBlocked()
                await attempt("waitReadable during receive") { try await waitReadable(a.fileDescriptor) }
                // The other direction is free, and its raw wait works on the registered socket.
                await attempt("waitWritable during receive") { try await waitWritable(a.fileDescriptor) }
                try await b.sendAll([1])
            }
            try await withNursery { nursery in
                try nursery.startSoon { try await waitReadable(a.fileDescriptor) }
                try await waitAllTasksBlocked()
                await attempt("receive during waitReadable") { _ = try await a.receiveSome() }
                nursery.cancelScope.cancel()
            }
            try await a.aclose()
            try await b.aclose()
            return outcomes
        }
        #expect(
            outcomes == [
                "waitReadable during receive: busy", "waitWritable during receive: ok",
                "receive during waitReadable: busy",
            ])
    }

    @Test func aCancelledReceiveFreesItsSlotAndLosesNoData() throws {
        let received = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> [UInt8] in
            let (a, b) = try unixStreamPair()
            // The first receive waits (registering the socket); the second waits first (armed,
            // nothing reported); both are cancelled while parked.
            for _ in 0..<2 {
                let result: [UInt8]? = try await moveOnAfter(1) { try await a.receiveSome() }
                #expect(result == nil)
            }
            try await b.sendAll([7, 8])
            let received = try await a.receiveSome()
            try await a.aclose()
            try await b.aclose()
            return received
        }
        #expect(received == [7, 8])
    }

    @Test func receiveAndSendAreCheckpointsWhetherOrNotTheyWait() throws {
        let results = try Trio.run { () -> [Bool] in
            let (a, b) = try unixStreamPair()
            var results: [Bool] = []
            let receiveOne = { _ = try await a.receiveSome(maxBytes: 1) }
            // Data already there, socket not registered yet: the receive does not wait.
            try await b.sendAll([1, 2])
            results.append(try await isCheckpoint(receiveOne, again: receiveOne))
            // A receive that waits registers the socket; after it, with nothing reported, the
            // next receive waits before trying.
            for _ in 0..<2 {
                try await withNursery { nursery in
                    try nursery.startSoon {
                        try await waitAllTasksBlocked()
                        try await b.sendAll([3])
                    }
                    results.append(try await isCheckpoint(receiveOne, again: receiveOne))
                }
            }
            // Reported while nobody waited (the send's own schedule point polled): tried at once.
            try await b.sendAll([4, 5])
            results.append(try await isCheckpoint(receiveOne, again: receiveOne))
            // A send that fits never waits.
            let send = { try await a.sendAll([6]) }
            results.append(try await isCheckpoint(send, again: send))
            try await a.aclose()
            try await b.aclose()
            return results
        }
        #expect(results == [true, true, true, true, true])
    }

    @Test func endOfFileIsSeenAgainAfterAWait() throws {
        let chunks = try Trio.run { () -> [[UInt8]] in
            let (a, b) = try unixStreamPair()
            var chunks: [[UInt8]] = []
            try await withNursery { nursery in
                try nursery.startSoon {
                    for _ in 0..<3 { chunks.append(try await a.receiveSome()) }
                }
                try await waitAllTasksBlocked()
                try await b.sendAll([1])
                try await waitAllTasksBlocked()
                try await b.aclose()
            }
            try await a.aclose()
            return chunks
        }
        #expect(chunks == [[1], [], []])
    }

    @Test func anUnreadConnectionDoesNotKeepTheLoopAwake() throws {
        let (waits, late) = try Trio.run { () -> (Int, [UInt8]) in
            let counter = IOWaitCounter()
            try Lowlevel.addInstrument(counter)
            let (a, b) = try unixStreamPair()
            var first: [UInt8] = []
            try await withNursery { nursery in
                try nursery.startSoon { first = try await a.receiveSome() }
                try await waitAllTasksBlocked()
                try await b.sendAll([1])
            }
            #expect(first == [1])
            // Now nobody reads `a`, but its read registration is still armed: the loop must go
            // back to sleeping instead of being told about the same data on every pass.
            try await b.sendAll([2])
            let before = counter.waits
            try await sleep(0.05)
            let waits = counter.waits - before
            // And the data is still there for the next receive.
            let late = try await a.receiveSome()
            try await a.aclose()
            try await b.aclose()
            return (waits, late)
        }
        #expect(waits < 10)
        #expect(late == [2])
    }

    /// Streams handed from one run to the next (one thread, one run at a time).
    private final class Pair: @unchecked Sendable {
        let a: SocketStream
        let b: SocketStream
        init() throws { (a, b) = try unixStreamPair() }
    }

    @Test func aSocketWorksInASecondRunAfterWaitingInTheFirst() throws {
        let pair = try Pair()
        for byte: UInt8 in [1, 2] {
            let received = try Trio.run { () -> [UInt8] in
                let (a, b) = (pair.a, pair.b)
                var received: [UInt8] = []
                try await withNursery { nursery in
                    try nursery.startSoon { received = try await a.receiveSome() }
                    try await waitAllTasksBlocked()
                    try await b.sendAll([byte])
                }
                return received
            }
            #expect(received == [byte])
        }
        try Trio.run {
            try await pair.a.aclose()
            try await pair.b.aclose()
        }
    }

    @Test func manyRegisteredConnectionsLeaveNoSocketOpen() throws {
        let port = try Trio.run { () -> Int in
            try await withNursery { nursery in
                let listeners = try await nursery.start { (status: TaskStatus<[SocketListener]>) in
                    try await serveTCP(port: 0, host: "127.0.0.1", taskStatus: status) { stream in
                        for try await data in stream.chunks { try await stream.sendAll(data) }
                    }
                }
                let port = listeners[0].localPort
                try await withNursery { clients in
                    for index in 0..<20 {
                        try clients.startSoon {
                            let client = try await openTCPStream(host: "127.0.0.1", port: port)
                            for round in 0..<20 {
                                try await client.sendAll([UInt8(index), UInt8(round)])
                                var reply: [UInt8] = []
                                while reply.count < 2 { reply += try await client.receiveSome() }
                                #expect(reply == [UInt8(index), UInt8(round)])
                            }
                            try await client.aclose()
                        }
                    }
                }
                nursery.cancelScope.cancel()
                return port
            } ?? 0
        }
        #expect(openSocketCount(port: port) == 0)
    }
}
