import Testing
import Trio
import TrioTesting

/// `failAfter` / `failAt` around a body that never returns, written as their docs say (a `Void`
/// closure result, which compiles without the "will never be executed" warning CI refuses).
@Suite struct TimeoutNeverTests {
    @Test(.trio) func failAfterAroundSleepForeverThrowsTooSlowAtTheDeadline() async throws {
        let start = try Trio.currentTime()
        await #expect(throws: TooSlowError.self) {
            try await failAfter(0.5) { () async throws -> Void in try await Trio.sleepForever() }
        }
        #expect(try Trio.currentTime() - start == 0.5)
    }

    @Test(.trio) func failAtAroundSleepForeverThrowsTooSlowAtTheDeadline() async throws {
        let start = try Trio.currentTime()
        await #expect(throws: TooSlowError.self) {
            try await failAt(start + 2) { () async throws -> Void in try await Trio.sleepForever() }
        }
        #expect(try Trio.currentTime() - start == 2)
    }

    @Test(.trio) func theBodysOwnErrorComesThrough() async throws {
        await #expect(throws: ValueError.self) {
            try await failAfter(1) { () async throws -> Void in throw ValueError("own") }
        }
        await #expect(throws: ValueError.self) {
            try await failAfter(-1) { () async throws -> Void in try await Trio.sleepForever() }
        }
    }
}
