import Testing
import TrioTesting

@testable import Trio

#if canImport(Glibc)
import Glibc
#endif

/// Signal handlers are process-wide: these tests run one at a time, and each uses signals no
/// other test of the package touches.
@Suite(.serialized) struct SignalTests {
    private static func currentHandler(_ signal: Int32) -> OpaquePointer? {
        var action = sigaction()
        sigaction(signal, nil, &action)
        return unsafeBitCast(action.__sigaction_handler.sa_handler, to: OpaquePointer?.self)
    }

    @Test func receiverDeliversASignalSentToTheProcess() throws {
        let received = try Trio.run { () -> Int32? in
            try await withSignalReceiver([SIGUSR1]) { receiver in
                kill(getpid(), SIGUSR1)
                for try await signal in receiver { return signal }
                return nil
            }
        }
        #expect(received == SIGUSR1)
    }

    @Test func repeatsArePendingOnceInArrivalOrder() throws {
        // What the C handler writes is simulated byte by byte, since real signals sent to the
        // process arrive asynchronously, in an order the kernel picks.
        let (first, second, third) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            () -> (Int32, Int32, Int32?) in
            try await withSignalReceiver([SIGWINCH, SIGURG]) { receiver in
                let fd = receiver.writeFD
                for signal in [SIGURG, SIGURG, SIGWINCH, SIGURG] {
                    var byte = UInt8(signal)
                    _ = write(fd, &byte, 1)
                }
                let first = try await receiver.next()
                let second = try await receiver.next()
                let third = try await moveOnAfter(1) { try await receiver.next() }
                return (first, second, third)
            }
        }
        #expect(first == SIGURG)
        #expect(second == SIGWINCH)
        #expect(third == nil)
    }

    @Test func previousHandlersAreRestored() throws {
        let before = Self.currentHandler(SIGUSR2)
        let during = try Trio.run { () -> OpaquePointer? in
            try await withSignalReceiver([SIGUSR2, SIGUSR2]) { _ in Self.currentHandler(SIGUSR2) }
        }
        #expect(during != before)
        #expect(Self.currentHandler(SIGUSR2) == before)
    }

    @Test func unconsumedSignalsAreRedeliveredToThePreviousHandler() throws {
        let outer = try Trio.run { () -> Int32 in
            try await withSignalReceiver([SIGHUP]) { outer in
                try await withSignalReceiver([SIGHUP]) { inner in
                    kill(getpid(), SIGHUP)
                    // Caught by the inner receiver, and left unconsumed.
                    try await waitReadable(inner.readFD)
                }
                return try await outer.next()
            }
        }
        #expect(outer == SIGHUP)
    }

    @Test func receiverCannotBeUsedAfterItsBlock() throws {
        let error = try Trio.run { () -> Bool in
            let receiver = try await withSignalReceiver([SIGUSR1]) { $0 }
            do { _ = try await receiver.next() } catch is RuntimeError { return true }
            return false
        }
        #expect(error)
    }

    @Test func invalidSignalsAreRejected() throws {
        let errors = try Trio.run { () -> Int in
            var errors = 0
            for signals in [[], [SIGKILL], [0], [SIGUSR1, 200]] {
                do { try await withSignalReceiver(signals) { _ in } } catch is ValueError { errors += 1 }
            }
            return errors
        }
        #expect(errors == 4)
    }
}
