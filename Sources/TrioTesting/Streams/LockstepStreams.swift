import Trio

/// The shared state of a lockstep pair (Trio's `_LockstepByteQueue`): no buffering at all, a
/// send completes only once a receiver has taken every byte.
final class LockstepByteQueue {
    private var data: [UInt8] = []
    private var senderClosed = false
    private var receiverClosed = false
    private var receiverWaiting = false
    private let waiters = ParkingLot()
    private var sending = ConflictDetector("another task is already sending")
    private var receiving = ConflictDetector("another task is already receiving")

    private func somethingHappened() { waiters.unparkAll() }

    /// Waits until `condition` holds or either side closes.
    private func wait(until condition: () -> Bool) async throws {
        while true {
            if condition() { break }
            if senderClosed || receiverClosed { break }
            try await waiters.park()
        }
        try await checkpoint()
    }

    func closeSender() {
        senderClosed = true
        somethingHappened()
    }

    func closeReceiver() {
        receiverClosed = true
        somethingHappened()
    }

    func sendAll(_ bytes: [UInt8]) async throws {
        try sending.enter()
        defer { sending.exit() }
        if senderClosed { throw ClosedResourceError() }
        if receiverClosed { throw BrokenResourceError() }
        precondition(data.isEmpty, "lockstep stream: data left over from a previous send")
        data += bytes
        somethingHappened()
        try await wait { data.isEmpty }
        if senderClosed { throw ClosedResourceError() }
        if !data.isEmpty && receiverClosed { throw BrokenResourceError() }
    }

    func waitSendAllMightNotBlock() async throws {
        try sending.enter()
        defer { sending.exit() }
        if senderClosed { throw ClosedResourceError() }
        if receiverClosed {
            try await checkpoint()
            return
        }
        try await wait { receiverWaiting }
        if senderClosed { throw ClosedResourceError() }
    }

    func receiveSome(_ maxBytes: Int?) async throws -> [UInt8] {
        try receiving.enter()
        defer { receiving.exit() }
        try validateMaxBytes(maxBytes)
        if receiverClosed { throw ClosedResourceError() }
        receiverWaiting = true
        somethingHappened()
        defer { receiverWaiting = false }
        try await wait { !data.isEmpty }
        if receiverClosed { throw ClosedResourceError() }
        guard !data.isEmpty else {
            precondition(senderClosed, "lockstep stream: woke without data or EOF")
            return []
        }
        let count = min(maxBytes ?? data.count, data.count)
        let chunk = Array(data.prefix(count))
        data.removeFirst(count)
        somethingHappened()
        return chunk
    }
}

/// The sending end of a lockstep pair.
final class LockstepSendStream: SendStream {
    private let queue: LockstepByteQueue

    init(_ queue: LockstepByteQueue) { self.queue = queue }

    /// Blocks until the receiver has taken all of `data`. Flavor: Trio; a checkpoint.
    func sendAll(_ data: [UInt8]) async throws { try await queue.sendAll(data) }

    /// Blocks until a receiver is waiting. Flavor: Trio; a checkpoint.
    func waitSendAllMightNotBlock() async throws { try await queue.waitSendAllMightNotBlock() }

    /// Closes the sending side. Flavor: Trio; a checkpoint.
    func aclose() async throws {
        queue.closeSender()
        try await checkpoint()
    }
}

/// The receiving end of a lockstep pair.
final class LockstepReceiveStream: ReceiveStream {
    private let queue: LockstepByteQueue

    init(_ queue: LockstepByteQueue) { self.queue = queue }

    /// Waits for a sender and takes up to `maxBytes` of its data. Flavor: Trio; a checkpoint.
    func receiveSome(maxBytes: Int?) async throws -> [UInt8] { try await queue.receiveSome(maxBytes) }

    /// Closes the receiving side. Flavor: Trio; a checkpoint.
    func aclose() async throws {
        queue.closeReceiver()
        try await checkpoint()
    }
}

/// A connected one-way pair of streams with no buffering at all (Trio's
/// `lockstep_stream_one_way_pair`): each `sendAll` blocks until the receiver has taken every
/// byte, which shakes out code that assumes buffering. Flavor: sync.
public func lockstepStreamOneWayPair() -> (any SendStream, any ReceiveStream) {
    let queue = LockstepByteQueue()
    return (LockstepSendStream(queue), LockstepReceiveStream(queue))
}

/// A connected two-way pair of unbuffered streams (Trio's `lockstep_stream_pair`), each a
/// `Trio.StapledStream` of two one-way lockstep pairs. Flavor: sync.
public func lockstepStreamPair() -> (any ByteStream, any ByteStream) {
    let (send1, receive1) = lockstepStreamOneWayPair()
    let (send2, receive2) = lockstepStreamOneWayPair()
    return (
        StapledStream(sendStream: send1, receiveStream: receive2),
        StapledStream(sendStream: send2, receiveStream: receive1)
    )
}
