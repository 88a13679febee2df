import TestSupport
import Testing
import TrioPlatform

@testable import Trio

#if canImport(Glibc)
import Glibc
#endif

/// The platform layer's signal registry on its own, with `SIGPWR`, which no other test uses.
@Suite(.serialized) struct SignalRegistryTests {
    /// A non-blocking pipe standing for one subscriber.
    private final class Subscriber {
        let pipe: (read: Int32, write: Int32)
        var received: [Int32] = []
        init() throws { pipe = try openPipe(nonBlocking: true) }
        deinit {
            close(pipe.read)
            close(pipe.write)
        }
        /// Moves what the handler wrote into `received`.
        func drain() {
            var byte: UInt8 = 0
            while read(pipe.read, &byte, 1) == 1 { received.append(Int32(byte)) }
        }
    }

    /// Sends `SIGPWR` to the process, then waits until `expected` have heard it (each once) and
    /// a little longer, so that a subscriber that should not hear it had the chance to.
    private func send(expecting expected: [Subscriber], among all: [Subscriber]) {
        for subscriber in all { subscriber.received = [] }
        kill(getpid(), SIGPWR)
        _ = eventually {
            for subscriber in expected { subscriber.drain() }
            return expected.allSatisfy { !$0.received.isEmpty }
        }
        usleep(20_000)
        for subscriber in all { subscriber.drain() }
    }

    @Test func sharedSubscribersAllHearIt_andOnlyTheTopExclusiveOne() throws {
        let before = signalDisposition(SIGPWR)
        let sharedA = try Subscriber(), sharedB = try Subscriber()
        let guardLike = try Subscriber(), receiverLike = try Subscriber()
        let all = [sharedA, sharedB, guardLike, receiverLike]
        let a = try #require(try SignalRegistry.subscribe(
            SIGPWR, .writeSignalNumber(fd: sharedA.pipe.write), precedence: .shared))
        let low = try #require(try SignalRegistry.subscribe(
            SIGPWR, .writeSignalNumber(fd: guardLike.pipe.write), precedence: .exclusive(level: 0)))
        let high = try #require(try SignalRegistry.subscribe(
            SIGPWR, .writeSignalNumber(fd: receiverLike.pipe.write), precedence: .exclusive(level: 1)))
        let b = try #require(try SignalRegistry.subscribe(
            SIGPWR, .writeSignalNumber(fd: sharedB.pipe.write), precedence: .shared))
        #expect(signalDisposition(SIGPWR) != before)
        #expect(SignalRegistry.subscriberCount(SIGPWR) == 4)

        send(expecting: [sharedA, sharedB, receiverLike], among: all)
        #expect(sharedA.received == [SIGPWR])
        #expect(sharedB.received == [SIGPWR])
        #expect(receiverLike.received == [SIGPWR])
        #expect(guardLike.received == [])

        // The higher exclusive subscriber leaves: the lower one hears it again.
        SignalRegistry.unsubscribe(high)
        send(expecting: [sharedA, sharedB, guardLike], among: all)
        #expect(guardLike.received == [SIGPWR])
        #expect(receiverLike.received == [])

        // A shared one leaves, out of order: the others are untouched.
        SignalRegistry.unsubscribe(a)
        SignalRegistry.unsubscribe(a)  // twice: nothing happens
        send(expecting: [sharedB, guardLike], among: all)
        #expect(sharedA.received == [])
        #expect(sharedB.received == [SIGPWR])
        #expect(guardLike.received == [SIGPWR])

        SignalRegistry.unsubscribe(low)
        #expect(signalDisposition(SIGPWR) != before)
        SignalRegistry.unsubscribe(b)
        // The last one gone: the disposition the process had is back.
        #expect(signalDisposition(SIGPWR) == before)
        #expect(SignalRegistry.subscriberCount(SIGPWR) == 0)
    }

    @Test func uncatchableSignalsAreValueErrors_andRefusedOnesOSErrors() throws {
        let subscriber = try Subscriber()
        for signal in [0, -1, SIGKILL, SIGSTOP, SignalRegistry.signalLimit] {
            #expect(throws: ValueError.self) {
                try SignalRegistry.subscribe(signal, .writeSignalNumber(fd: subscriber.pipe.write), precedence: .shared)
            }
        }
        // glibc keeps signal 32 for its threads: the kernel accepts it, glibc's sigaction refuses it.
        #expect(throws: OSError.self) {
            try SignalRegistry.subscribe(32, .writeSignalNumber(fd: subscriber.pipe.write), precedence: .shared)
        }
        #expect(SignalRegistry.subscriberCount(32) == 0)
    }
}
