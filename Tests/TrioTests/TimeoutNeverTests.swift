import Testing
import Trio
import TrioTesting

/// `failAfter` / `failAt` around a body that never returns, written as their docs say (a `Void`
/// closure result, which compiles without the "will never be executed" warning CI refuses).
@Suite struct TimeoutNeverTests {
    @Test func failAfterAroundSleepForeverThrowsTooSlowAtTheDeadline() throws {
        let elapsed = try runMocked { () -> Double in
            let start = try Trio.currentTime()
            await #expect(throws: TooSlowError.self) {
                try await failAfter(0.5) { () async throws -> Void in try await Trio.sleepForever() }
            }
            return try Trio.currentTime() - start
        }
        #expect(elapsed == 0.5)
    }

    @Test func failAtAroundSleepForeverThrowsTooSlowAtTheDeadline() throws {
        let elapsed = try runMocked { () -> Double in
            let start = try Trio.currentTime()
            await #expect(throws: TooSlowError.self) {
                try await failAt(start + 2) { () async throws -> Void in try await Trio.sleepForever() }
            }
            return try Trio.currentTime() - start
        }
        #expect(elapsed == 2)
    }

    @Test func theBodysOwnErrorComesThrough() throws {
        try runMocked {
            await #expect(throws: ValueError.self) {
                try await failAfter(1) { () async throws -> Void in throw ValueError("own") }
            }
            await #expect(throws: ValueError.self) {
                try await failAfter(-1) { () async throws -> Void in try await Trio.sleepForever() }
            }
        }
    }
}
