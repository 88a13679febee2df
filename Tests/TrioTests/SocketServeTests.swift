import TestSupport
import Testing
import Trio
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SocketServeTests {
    @Test func serveTCPServesConnectionsAndClosesHandlerStreams() throws {
        let (replies, port, handlerStreamsClosed) = try Trio.run { () -> ([[UInt8]], Int, Bool) in
            var handlerStreams: [SocketStream] = []
            var replies: [[UInt8]] = []
            var port = 0
            try await withNursery { nursery in
                let listeners = try await nursery.start { (status: TaskStatus<[SocketListener]>) in
                    try await serveTCP(port: 0, host: "127.0.0.1", taskStatus: status) { stream in
                        handlerStreams.append(stream)
                        let data = try await stream.receiveSome()
                        try await stream.sendAll(data.reversed())
                    }
                }
                port = listeners[0].localPort
                for message in ["abc", "xyz"] {
                    let client = try await openTCPStream(host: "127.0.0.1", port: port)
                    try await client.sendAll(Array(message.utf8))
                    replies.append(try await client.receiveSome())
                    // The handler returned, so the server closed its end: EOF.
                    replies.append(try await client.receiveSome())
                    try await client.aclose()
                }
                nursery.cancelScope.cancel()
            }
            return (replies, port, handlerStreams.allSatisfy { $0.fileDescriptor == -1 })
        }
        #expect(replies == [Array("cba".utf8), [], Array("zyx".utf8), []])
        #expect(handlerStreamsClosed)
        #expect(openSocketCount(port: port) == 0)
    }

    @Test func serveListenersUsesTheHandlerNurseryAndReturnsListeners() throws {
        let (sameListeners, handlerRanInOuterNursery) = try Trio.run { () -> (Bool, Bool) in
            let listeners = try await openTCPListeners(port: 0, host: "127.0.0.1")
            var handlerParent: Nursery?
            var handlerNursery: Nursery?
            var same = false
            try await withNursery { outer in
                handlerNursery = outer
                try await withNursery { nursery in
                    let started = try await nursery.start { (status: TaskStatus<[any Listener]>) in
                        try await serveListeners(listeners, handlerNursery: outer, taskStatus: status) { _ in
                            handlerParent = try Lowlevel.currentTask().parentNursery
                        }
                    }
                    same = started.count == 1 && (started[0] as AnyObject) === listeners[0]
                    let client = try await openTCPStream(host: "127.0.0.1", port: listeners[0].localPort)
                    let eof = try await client.receiveSome()
                    #expect(eof.isEmpty)
                    try await client.aclose()
                    nursery.cancelScope.cancel()
                }
            }
            return (same, handlerParent != nil && handlerParent === handlerNursery)
        }
        #expect(sameListeners)
        #expect(handlerRanInOuterNursery)
    }

    @Test func acceptRetriesAfterRunningOutOfFileDescriptors() throws {
        let (accepted, sleptFor) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> (Int, Double) in
            let listener = FlakyListener(failures: 3)
            var accepted = 0
            let start = try Trio.currentTime()
            var end = start
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await serveListeners([listener]) { _ in
                        accepted += 1
                        end = try Trio.currentTime()
                        nursery.cancelScope.cancel()
                    }
                }
            }
            return (accepted, end - start)
        }
        #expect(accepted == 1)
        // Three EMFILEs, each followed by a 100 ms pause on the (mock) clock.
        #expect(abs(sleptFor - 0.3) < 1e-9)
    }

    @Test func otherAcceptErrorsPropagate() throws {
        let errno = try Trio.run { () -> Int32? in
            do {
                try await serveListeners([FlakyListener(failures: 1, errno: EINVAL)]) { _ in }
            } catch let group as ExceptionGroup {
                return (group.leaves.first as? OSError)?.errno
            }
        }
        #expect(errno == EINVAL)
    }
}

/// A listener whose first `failures` accepts fail with `errno`, then hands out memory streams.
private final class FlakyListener: Listener {
    var failures: Int
    let errno: Int32
    init(failures: Int, errno: Int32 = EMFILE) {
        self.failures = failures
        self.errno = errno
    }
    func accept() async throws -> StapledStream {
        try await checkpoint()
        if failures > 0 {
            failures -= 1
            throw OSError(errno: errno, operation: "accept")
        }
        let (a, _) = memoryStreamPair()
        return a as! StapledStream
    }
    func aclose() async throws { try await checkpoint() }
}
