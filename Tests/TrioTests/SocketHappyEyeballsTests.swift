import Testing
import TrioPlatform
import TrioTesting

@testable import Trio

#if canImport(Glibc)
import Glibc
#endif

/// Drives the connection race with scripted fake connections on a mock clock, as Trio's
/// test_highlevel_open_tcp_stream does with its fake socket factory.
@Suite struct SocketHappyEyeballsTests {
    final class FakeConnection {
        let name: String
        var closed = false
        init(_ name: String) { self.name = name }
    }

    /// `script`: per target, how long its connect takes and whether it succeeds.
    static func race(_ script: [(String, Double, Bool)], delay: Double) throws
        -> (winner: String?, starts: [String: Double], closed: [String], finishedAt: Double)
    {
        try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var starts: [String: Double] = [:]
            var opened: [FakeConnection] = []
            var winner: String?
            do {
                let connection = try await connectHappyEyeballs(
                    script, delay: delay,
                    open: { target in
                        let connection = FakeConnection(target.0)
                        opened.append(connection)
                        return connection
                    },
                    connect: { connection, target in
                        starts[target.0] = try Trio.currentTime()
                        try await Trio.sleep(target.1)
                        if !target.2 { throw OSError(errno: ECONNREFUSED, operation: "connect \(target.0)") }
                    },
                    close: { $0.closed = true })
                winner = connection.name
            } catch is HappyEyeballsFailures {}
            return (winner, starts, opened.filter(\.closed).map(\.name).sorted(), try Trio.currentTime())
        }
    }

    @Test func slowFirstAttemptLosesToTheNextOneStartedAfterTheDelay() throws {
        let result = try Self.race([("a", 10, true), ("b", 1, true), ("c", 1, true)], delay: 0.25)
        #expect(result.winner == "b")
        #expect(result.starts == ["a": 0, "b": 0.25, "c": 0.5])
        #expect(result.closed == ["a", "c"])
        #expect(result.finishedAt == 1.25)
    }

    @Test func aFailureStartsTheNextAttemptAtOnce() throws {
        let result = try Self.race([("a", 0.1, false), ("b", 0.1, false), ("c", 0.1, true)], delay: 5)
        #expect(result.winner == "c")
        #expect(result.starts == ["a": 0, "b": 0.1, "c": 0.2])
        #expect(result.closed == ["a", "b"])
    }

    @Test func allFailing() throws {
        let result = try Self.race([("a", 1, false), ("b", 2, false)], delay: 0.5)
        #expect(result.winner == nil)
        #expect(result.closed == ["a", "b"])
        #expect(result.finishedAt == 2.5)
    }

    @Test func cancellingTheRaceClosesEveryAttempt() throws {
        let (cancelled, closed) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> (Bool, [String]) in
            var opened: [FakeConnection] = []
            let result: FakeConnection? = try await moveOnAfter(1) {
                try await connectHappyEyeballs(
                    [("a", 10.0), ("b", 10.0), ("c", 10.0)], delay: 0.25,
                    open: { target in
                        let connection = FakeConnection(target.0)
                        opened.append(connection)
                        return connection
                    },
                    connect: { _, target in try await Trio.sleep(target.1) },
                    close: { $0.closed = true })
            }
            return (result == nil, opened.filter(\.closed).map(\.name).sorted())
        }
        #expect(cancelled)
        #expect(closed == ["a", "b", "c"])
    }

    @Test func interleavingFamiliesMovesTheFirstOtherFamilySecond() {
        func info(_ family: Int32) -> AddressInfo {
            AddressInfo(family: family, type: 1, proto: 6, address: SocketAddress())
        }
        let reordered = interleavingFamilies([info(AF_INET6), info(AF_INET6), info(AF_INET6), info(AF_INET)])
        #expect(reordered.map(\.family) == [AF_INET6, AF_INET, AF_INET6, AF_INET6])
    }
}
