import Testing
import Trio
import TrioTesting

@Suite struct StreamTests {
    @Test func memoryStreamsPassHalfCloseableConformance() throws {
        #expect(throws: Never.self) {
            try Trio.run {
                try await checkHalfCloseableStream({ memoryStreamPair() }, cloggedStreams: nil)
            }
        }
    }

    @Test func lockstepStreamsPassTwoWayConformanceIncludingClogged() throws {
        #expect(throws: Never.self) {
            try Trio.run {
                // Lockstep streams have no buffer: every fresh pair is already clogged.
                try await checkOneWayStream(
                    { lockstepStreamOneWayPair() }, cloggedStreams: { lockstepStreamOneWayPair() })
                try await checkTwoWayStream({ lockstepStreamPair() }, cloggedStreams: { lockstepStreamPair() })
            }
        }
    }

    @Test func memoryOneWayPairPassesOneWayConformance() throws {
        #expect(throws: Never.self) {
            try Trio.run {
                try await checkOneWayStream({ memoryStreamOneWayPair() }, cloggedStreams: nil)
            }
        }
    }

    @Test func conformanceCheckCatchesABrokenStream() throws {
        // A stream that forgets to raise after close must be reported, not waved through.
        let failure = try Trio.run { () -> String? in
            do {
                try await checkOneWayStream({
                    let (s, r) = memoryStreamOneWayPair()
                    return (ForgetfulSendStream(s), r)
                }, cloggedStreams: nil)
                return nil
            } catch let failure as StreamCheckFailure {
                return failure.message
            }
        }
        #expect(failure?.contains("after aclose") == true)
    }

    @Test func memoryStreamPumpMovesDataAndEOF() throws {
        let (moved, data, eof) = try Trio.run { () -> (Bool, [UInt8], [UInt8]) in
            let send = MemorySendStream()
            let receive = MemoryReceiveStream()
            let before = try memoryStreamPump(send, receive)
            try await send.sendAll([1, 2, 3])
            try memoryStreamPump(send, receive)
            let data = try await receive.receiveSome(maxBytes: 10)
            send.close()
            try memoryStreamPump(send, receive)
            return (before, data, try await receive.receiveSome(maxBytes: 10))
        }
        #expect(moved == false)
        #expect(data == [1, 2, 3])
        #expect(eof == [])
    }

    @Test func stapledStreamSendEOFClosesANonHalfCloseableSendStream() throws {
        let result = try Trio.run { () -> [UInt8] in
            let (s, r) = memoryStreamOneWayPair()
            let (_, r2) = memoryStreamOneWayPair()
            let stapled = StapledStream(sendStream: s, receiveStream: r2)
            try await stapled.sendAll([7])
            try await stapled.sendEOF()
            let first = try await r.receiveSome(maxBytes: nil)
            let second = try await r.receiveSome(maxBytes: nil)
            return first + [0xFF] + second
        }
        #expect(result == [7, 0xFF])
    }

    @Test func lockstepSendBlocksUntilReceived() throws {
        let log = try Trio.run { () -> [String] in
            var log: [String] = []
            let (a, b) = lockstepStreamPair()
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await a.sendAll([1, 2])
                    log.append("sent")
                }
                try await waitAllTasksBlocked()
                log.append("blocked")
                let got = try await b.receiveSome(maxBytes: 5)
                log.append("got \(got)")
            }
            return log
        }
        #expect(log == ["blocked", "got [1, 2]", "sent"] || log == ["blocked", "sent", "got [1, 2]"])
        #expect(log.first == "blocked")
    }
}

/// Wraps a send stream but ignores closing: the conformance check must notice.
private final class ForgetfulSendStream: SendStream {
    let inner: any SendStream
    init(_ inner: any SendStream) { self.inner = inner }
    func sendAll(_ data: [UInt8]) async throws { try await inner.sendAll(data) }
    func waitSendAllMightNotBlock() async throws { try await inner.waitSendAllMightNotBlock() }
    func aclose() async throws { try await checkpoint() }
}
