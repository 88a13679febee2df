import Asyncio
import Testing
import Trio
import TrioAsyncio
import TrioTesting

/// trio-asyncio's `aio_as_trio(f)(x)` idiom: adapting a function and calling it in one expression.
@Suite struct InlineAdapterTests {
    @Test(.trioAsyncio) func aioAsTrioCalledInlineWithOneAndTwoArguments() async throws {
        let start = try Trio.currentTime()
        let one = try await aioAsTrio { (n: Int) async throws -> Int in
            try await Asyncio.sleep(0.1)
            return 2 * n
        }(21)
        let two = try await aioAsTrio { (a: Int, b: String) async throws -> Int in
            try await Asyncio.sleep(0.1)
            return a + b.count
        }(1, "abc")
        #expect(one == 42)
        #expect(two == 4)
        #expect(try abs(Trio.currentTime() - start - 0.2) < 1e-9)  // both ran their asyncio sleeps
    }

    @Test(.trioAsyncio) func trioAsAioCalledInlineWithOneAndTwoArguments() async throws {
        let loop = try TrioTestScope.loop
        let (one, two) = try await loop.runAioCoroutine {
            let one = try await trioAsAio { (n: Int) async throws -> Int in
                try await Trio.sleep(0.1)
                return n + 1
            }(41).value
            let two = try await trioAsAio { (a: String, b: Int) async throws -> String in
                try await Trio.checkpoint()
                return String(repeating: a, count: b)
            }("ab", 2).value
            return (one, two)
        }
        #expect(one == 42)
        #expect(two == "abab")
    }

    @Test(.trioAsyncio) func inlineAdaptersRefuseTheWrongFlavorLikeThePackForms() async throws {
        let loop = try TrioTestScope.loop
        _ = try await loop.runAioCoroutine {
            await #expect(throws: FlavorError.self) { _ = try await aioAsTrio { (n: Int) in n }(1) }
        }
    }
}
