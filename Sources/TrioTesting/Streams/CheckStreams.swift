import Trio

/// Makes a fresh connected pair: what is sent into the first comes out of the second.
public typealias OneWayStreamMaker = () async throws -> (any SendStream, any ReceiveStream)
/// Makes a fresh connected pair of two-way streams.
public typealias TwoWayStreamMaker = () async throws -> (any ByteStream, any ByteStream)

/// Checks that a `Trio.SendStream` / `Trio.ReceiveStream` pair behaves as Trio's stream contract
/// requires (Trio's `check_one_way_stream`): data flows, empty sends are harmless, concurrent
/// use raises `Trio.BusyResourceError`, every call checkpoints, closing is idempotent and works
/// even when cancelled, closed and broken ends raise the right errors, and a receive blocked
/// on a stream wakes when the stream is closed. Flavor: Trio; run it inside `Trio.run`.
///
/// - Parameters:
///   - makeStreams: makes a fresh pair for each sub-check.
///   - makeCloggedStreams: makes a pair whose send side is already full (a send would block),
///     to check `Trio.SendStream.waitSendAllMightNotBlock()` and blocked sends; `nil` skips those.
/// - Throws: ``StreamCheckFailure`` describing the first violation; the streams' own
///   unexpected errors.
public func checkOneWayStream(
    _ makeStreams: OneWayStreamMaker, cloggedStreams makeCloggedStreams: OneWayStreamMaker?
) async throws {
    try await withBoth(makeStreams) { s, r in
        func sendAll(_ data: [UInt8]) async throws {
            try await assertCheckpoints("sendAll") { try await s.sendAll(data) }
        }
        func receiveSome(_ maxBytes: Int?) async throws -> [UInt8] {
            try await assertCheckpoints("receiveSome") { try await r.receiveSome(maxBytes: maxBytes) }
        }
        func receiveOne(expecting expected: [UInt8]) async throws {
            let got = try await receiveSome(1)
            try require(got == expected, "received \(got), expected \(expected)")
        }
        func closing(_ resource: any AsyncResource) async throws {
            try await assertCheckpoints("aclose") { try await resource.aclose() }
        }

        try await withNursery { nursery in
            try nursery.startSoon { try await sendAll(Array("x".utf8)) }
            try nursery.startSoon { try await receiveOne(expecting: Array("x".utf8)) }
        }
        // An empty send has no special meaning.
        try await withNursery { nursery in
            try nursery.startSoon {
                try await sendAll([])
                try await sendAll(Array("y".utf8))
            }
            try nursery.startSoon { try await receiveOne(expecting: Array("y".utf8)) }
        }
        // maxBytes: nil is allowed.
        try await withNursery { nursery in
            try nursery.startSoon { try await sendAll(Array("1".utf8)) }
            try nursery.startSoon {
                let got = try await receiveSome(nil)
                try require(got == Array("1".utf8), "receiveSome(nil) got \(got)")
            }
        }
        for invalid in [-1, 0] {
            try await expectRaises(ValueError.self, "receiveSome(maxBytes: \(invalid))") {
                _ = try await r.receiveSome(maxBytes: invalid)
            }
        }

        try await expectRaises(BusyResourceError.self, "two concurrent receiveSome") {
            try await withNursery { nursery in
                try nursery.startSoon { _ = try await receiveSome(1) }
                try nursery.startSoon { _ = try await receiveSome(1) }
            }
        }

        // With a receiver blocked, waitSendAllMightNotBlock must return (streams may have no
        // buffer at all, hence the concurrent receive, cancelled afterwards).
        try await withNursery { nursery in
            try nursery.startSoon {
                try await assertCheckpoints("waitSendAllMightNotBlock") { try await s.waitSendAllMightNotBlock() }
                nursery.cancelScope.cancel()
            }
            try nursery.startSoon { _ = try await receiveSome(1) }
        }

        // Closing the receiver breaks the sender, eventually and for good.
        try await withNursery { nursery in
            try nursery.startSoon {
                try await expectRaises(BrokenResourceError.self, "sendAll after the receiver closed") {
                    while true { try await sendAll([UInt8](repeating: 120, count: 100)) }
                }
            }
            try nursery.startSoon { try await closing(r) }
        }
        try await expectRaises(BrokenResourceError.self, "sendAll on a broken stream") {
            try await sendAll([UInt8](repeating: 120, count: 100))
        }
        try await expectRaises(ClosedResourceError.self, "receiveSome after aclose") { _ = try await receiveSome(4096) }
        try await closing(r)
        try await closing(r)

        try await closing(s)
        try await expectRaises(ClosedResourceError.self, "sendAll after aclose") {
            try await sendAll([UInt8](repeating: 120, count: 100))
        }
        try await expectRaises(ClosedResourceError.self, "empty sendAll after aclose") { try await sendAll([]) }
        try await expectRaises(ClosedResourceError.self, "waitSendAllMightNotBlock after aclose") {
            try await assertCheckpoints("waitSendAllMightNotBlock") { try await s.waitSendAllMightNotBlock() }
        }
        try await closing(s)
        try await closing(s)
    }

    // Send then close gracefully: the receiver gets the data, then end of file.
    try await withBoth(makeStreams) { s, r in
        try await withNursery { nursery in
            try nursery.startSoon {
                try await s.sendAll(Array("y".utf8))
                try await s.aclose()
            }
            try nursery.startSoon {
                try await waitAllTasksBlocked()
                let first = try await r.receiveSome(maxBytes: 1)
                try require(first == Array("y".utf8), "received \(first) before EOF, expected y")
                let second = try await r.receiveSome(maxBytes: 1)
                try require(second.isEmpty, "received \(second) after the sender closed, expected EOF")
                try await r.aclose()
            }
        }
    }

    try await withBoth(makeStreams) { s, r in
        try await acloseForcefully(r)
        try await expectRaises(BrokenResourceError.self, "sendAll after the receiver closed forcefully") {
            while true { try await s.sendAll([UInt8](repeating: 120, count: 100)) }
        }
        try await expectRaises(ClosedResourceError.self, "receiveSome after closing forcefully") {
            _ = try await r.receiveSome(maxBytes: 4096)
        }
    }

    try await withBoth(makeStreams) { s, r in
        try await acloseForcefully(s)
        try await expectRaises(ClosedResourceError.self, "sendAll after closing forcefully") {
            try await s.sendAll(Array("123".utf8))
        }
        // Either a clean EOF or BrokenResourceError is fine; data or a hang is not.
        do {
            let got = try await r.receiveSome(maxBytes: 1)
            try require(got.isEmpty, "received \(got) after the sender closed forcefully")
        } catch is BrokenResourceError {}
    }

    // A cancelled aclose still closes.
    try await withBoth(makeStreams) { s, r in
        let scope = CancelScope()
        scope.cancel()
        try await scope.run { try await r.aclose() }
        let scope2 = CancelScope()
        scope2.cancel()
        try await scope2.run { try await s.aclose() }
        try await expectRaises(ClosedResourceError.self, "sendAll after a cancelled aclose") {
            try await s.sendAll(Array("123".utf8))
        }
        try await expectRaises(ClosedResourceError.self, "receiveSome after a cancelled aclose") {
            _ = try await r.receiveSome(maxBytes: 4096)
        }
    }

    // Operations cancelled before they start leave the streams closeable.
    try await withBoth(makeStreams) { s, r in
        let scope = CancelScope()
        scope.cancel()
        try await scope.run {
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await expectRaises(Cancelled.self, "cancelled sendAll") { try await s.sendAll(Array("x".utf8)) }
                }
                try nursery.startSoon {
                    try await expectRaises(Cancelled.self, "cancelled receiveSome") {
                        _ = try await r.receiveSome(maxBytes: 1)
                    }
                }
            }
        }
        try await withNursery { nursery in
            try nursery.startSoon { try await s.aclose() }
            try nursery.startSoon { try await r.aclose() }
        }
    }

    // Closing a stream wakes a task blocked receiving on it.
    try await withBoth(makeStreams) { _, r in
        try await withNursery { nursery in
            try nursery.startSoon {
                try await expectRaises(ClosedResourceError.self, "receiveSome blocked while the stream closed") {
                    _ = try await r.receiveSome(maxBytes: 10)
                }
            }
            try await waitAllTasksBlocked()
            try await r.aclose()
        }
    }

    if let makeCloggedStreams {
        try await checkCloggedOneWayStream(makeCloggedStreams)
    }
}

private func checkCloggedOneWayStream(_ makeCloggedStreams: OneWayStreamMaker) async throws {
    try await withBoth(makeCloggedStreams) { s, r in
        var record: [String] = []
        try await withNursery { nursery in
            try nursery.startSoon {
                record.append("waiter sleeping")
                try await assertCheckpoints("waitSendAllMightNotBlock") { try await s.waitSendAllMightNotBlock() }
                record.append("waiter wokeup")
                nursery.cancelScope.cancel()
            }
            try await waitAllTasksBlocked()
            try nursery.startSoon {
                try await waitAllTasksBlocked()
                record.append("receiver starting")
                while true { _ = try await r.receiveSome(maxBytes: 16834) }
            }
        }
        try require(
            record == ["waiter sleeping", "receiver starting", "waiter wokeup"],
            "waitSendAllMightNotBlock on a clogged stream: order was \(record)")
    }

    try await withBoth(makeCloggedStreams) { s, _ in
        try await expectRaises(BusyResourceError.self, "two concurrent waitSendAllMightNotBlock") {
            try await withNursery { nursery in
                try nursery.startSoon { try await s.waitSendAllMightNotBlock() }
                try nursery.startSoon { try await s.waitSendAllMightNotBlock() }
            }
        }
        try await expectRaises(BusyResourceError.self, "waitSendAllMightNotBlock concurrent with sendAll") {
            try await withNursery { nursery in
                try nursery.startSoon { try await s.waitSendAllMightNotBlock() }
                try nursery.startSoon { try await s.sendAll(Array("123".utf8)) }
            }
        }
    }

    try await withBoth(makeCloggedStreams) { s, _ in
        try await expectRaises(BusyResourceError.self, "two concurrent sendAll") {
            try await withNursery { nursery in
                try nursery.startSoon { try await s.sendAll(Array("123".utf8)) }
                try nursery.startSoon { try await s.sendAll(Array("123".utf8)) }
            }
        }
    }

    // Closing the receiver lets a blocked waitSendAllMightNotBlock return (or raise Broken).
    try await withBoth(makeCloggedStreams) { s, r in
        try await withNursery { nursery in
            try nursery.startSoon {
                do {
                    try await assertCheckpoints("waitSendAllMightNotBlock") { try await s.waitSendAllMightNotBlock() }
                } catch is BrokenResourceError {}
            }
            try nursery.startSoon {
                try await waitAllTasksBlocked()
                try await acloseForcefully(r)
            }
        }
    }
    try await withBoth(makeCloggedStreams) { s, r in
        try await acloseForcefully(r)
        do {
            try await assertCheckpoints("waitSendAllMightNotBlock") { try await s.waitSendAllMightNotBlock() }
        } catch is BrokenResourceError {}
    }

    // Closing the send stream wakes a task blocked in a send-side call.
    func closeSoon(_ s: any SendStream) async throws {
        try await waitAllTasksBlocked()
        try await acloseForcefully(s)
    }
    try await withBoth(makeCloggedStreams) { s, _ in
        try await withNursery { nursery in
            try nursery.startSoon { try await closeSoon(s) }
            try await expectRaises(ClosedResourceError.self, "sendAll blocked while the stream closed") {
                try await s.sendAll(Array("xyzzy".utf8))
            }
        }
    }
    try await withBoth(makeCloggedStreams) { s, _ in
        try await withNursery { nursery in
            try nursery.startSoon { try await closeSoon(s) }
            try await expectRaises(ClosedResourceError.self, "waitSendAllMightNotBlock blocked while closed") {
                try await s.waitSendAllMightNotBlock()
            }
        }
    }
}

/// Checks a pair of two-way streams (Trio's `check_two_way_stream`): the one-way checks in
/// both directions, then 1 MiB sent both ways at once in random chunk sizes, then a close seen
/// as end of file by the peer. Flavor: Trio.
///
/// - Throws: ``StreamCheckFailure`` describing the first violation.
public func checkTwoWayStream(
    _ makeStreams: @escaping TwoWayStreamMaker, cloggedStreams makeCloggedStreams: TwoWayStreamMaker?
) async throws {
    try await checkOneWayStream(
        { let (a, b) = try await makeStreams(); return (a, b) },
        cloggedStreams: makeCloggedStreams.map { maker in { let (a, b) = try await maker(); return (a, b) } })
    try await checkOneWayStream(
        { let (a, b) = try await makeStreams(); return (b, a) },
        cloggedStreams: makeCloggedStreams.map { maker in { let (a, b) = try await maker(); return (b, a) } })

    try await withBoth(makeStreams) { s1, s2 in
        let size = 1 << 20
        let chunkMax = 1 << 14
        var generator = SeededGenerator(seed: 0)
        let data = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }

        func sender(_ stream: any ByteStream, _ data: [UInt8], seed: UInt64) async throws {
            var generator = SeededGenerator(seed: seed)
            var offset = 0
            while offset < data.count {
                let end = min(data.count, offset + Int.random(in: 1...chunkMax, using: &generator))
                try await stream.sendAll(Array(data[offset..<end]))
                offset = end
            }
        }
        func receiver(_ stream: any ByteStream, _ expected: [UInt8], seed: UInt64) async throws {
            var generator = SeededGenerator(seed: seed)
            var got: [UInt8] = []
            while got.count < expected.count {
                let chunk = try await stream.receiveSome(maxBytes: Int.random(in: 1...chunkMax, using: &generator))
                try require(!chunk.isEmpty, "early EOF after \(got.count) bytes in the duplex test")
                got += chunk
            }
            try require(got == expected, "duplex test: received data differs from what was sent")
        }
        try await withNursery { nursery in
            try nursery.startSoon { try await sender(s1, data, seed: 0) }
            try nursery.startSoon { try await sender(s2, data.reversed(), seed: 1) }
            try nursery.startSoon { try await receiver(s1, data.reversed(), seed: 2) }
            try nursery.startSoon { try await receiver(s2, data, seed: 3) }
        }

        try await withNursery { nursery in
            try nursery.startSoon {
                let got = try await s2.receiveSome(maxBytes: 10)
                try require(got.isEmpty, "expected EOF after the peer closed, got \(got)")
                try await s2.aclose()
            }
            try nursery.startSoon { try await s1.aclose() }
        }
    }
}

/// Checks a pair of half-closeable streams (Trio's `check_half_closeable_stream`): the
/// two-way checks, then `Trio.HalfCloseableStream.sendEOF()` semantics (the peer sees EOF after
/// the data, sending fails afterwards, repeating it is fine, the other direction still works,
/// and it conflicts with a concurrent send). Flavor: Trio.
///
/// - Throws: ``StreamCheckFailure`` describing the first violation, including when a stream is
///   not a `Trio.HalfCloseableStream`.
public func checkHalfCloseableStream(
    _ makeStreams: @escaping TwoWayStreamMaker, cloggedStreams makeCloggedStreams: TwoWayStreamMaker?
) async throws {
    try await checkTwoWayStream(makeStreams, cloggedStreams: makeCloggedStreams)

    func halfCloseable(_ maker: @escaping TwoWayStreamMaker) -> () async throws -> (
        any HalfCloseableStream, any HalfCloseableStream
    ) {
        {
            let (a, b) = try await maker()
            guard let a = a as? any HalfCloseableStream, let b = b as? any HalfCloseableStream else {
                try? await acloseForcefully(a)
                try? await acloseForcefully(b)
                throw StreamCheckFailure("the streams are not HalfCloseableStreams")
            }
            return (a, b)
        }
    }

    func sendXThenEOF(_ s: any HalfCloseableStream) async throws {
        try await s.sendAll(Array("x".utf8))
        try await assertCheckpoints("sendEOF") { try await s.sendEOF() }
    }
    func expectXThenEOF(_ r: any HalfCloseableStream) async throws {
        try await waitAllTasksBlocked()
        let first = try await r.receiveSome(maxBytes: 10)
        try require(first == Array("x".utf8), "expected x before EOF, got \(first)")
        let second = try await r.receiveSome(maxBytes: 10)
        try require(second.isEmpty, "expected EOF after sendEOF, got \(second)")
    }

    try await withBoth(halfCloseable(makeStreams)) { s1, s2 in
        try await withNursery { nursery in
            try nursery.startSoon { try await sendXThenEOF(s1) }
            try nursery.startSoon { try await expectXThenEOF(s2) }
        }
        try await expectRaises(ClosedResourceError.self, "sendAll after sendEOF") {
            try await s1.sendAll(Array("y".utf8))
        }
        try await assertCheckpoints("second sendEOF") { try await s1.sendEOF() }
        try await withNursery { nursery in
            try nursery.startSoon { try await sendXThenEOF(s2) }
            try nursery.startSoon { try await expectXThenEOF(s1) }
        }
    }

    if let makeCloggedStreams {
        try await withBoth(halfCloseable(makeCloggedStreams)) { s1, _ in
            try await expectRaises(BusyResourceError.self, "sendEOF concurrent with sendAll") {
                try await withNursery { nursery in
                    try nursery.startSoon { try await s1.sendAll(Array("x".utf8)) }
                    try await waitAllTasksBlocked()
                    try nursery.startSoon { try await s1.sendEOF() }
                }
            }
        }
        try await withBoth(halfCloseable(makeCloggedStreams)) { s1, _ in
            try await expectRaises(BusyResourceError.self, "sendEOF concurrent with waitSendAllMightNotBlock") {
                try await withNursery { nursery in
                    try nursery.startSoon { try await s1.waitSendAllMightNotBlock() }
                    try await waitAllTasksBlocked()
                    try nursery.startSoon { try await s1.sendEOF() }
                }
            }
        }
    }
}
