import Testing
import Trio
import TrioTesting

@Suite struct SmokeTests {
    @Test func runReturnsValue() throws {
        let v = try Trio.run { 42 }
        #expect(v == 42)
    }

    @Test func nurseryAndSleep() throws {
        let (log, now) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            try await withNursery { n in
                try n.startSoon { try await Trio.sleep(2); log.append("b") }
                try n.startSoon { try await Trio.sleep(1); log.append("a") }
            }
            return (log, try Trio.currentTime())
        }
        #expect(log == ["a", "b"])
        #expect(now == 2)
    }
}
