import Trio
import TrioAsyncio

/// What a test running under ``TrioTrait`` can reach of its run: pytest-trio's fixtures. Flavor: sync;
/// from the test's body and the tasks it starts.
///
/// ```swift
/// @Test(.trio) func timesOut() async throws {
///     try TrioTestScope.nursery.startSoon { try await server() }   // cancelled when the test ends
///     try TrioTestScope.clock.jump(10)
/// }
/// ```
public enum TrioTestScope {
    /// The scope of the test running on this task, if any.
    @TaskLocal static var current: Context?

    /// A test's run, as the trait set it up. Used on the run's thread only.
    final class Context: @unchecked Sendable {
        let clock: MockClock?
        var nursery: Nursery?
        var loop: TrioEventLoop?

        init(clock: MockClock?) { self.clock = clock }
    }

    /// The run's ``MockClock`` (pytest-trio's `mock_clock` / `autojump_clock` fixture), to `jump` it or
    /// change its rate.
    ///
    /// - Throws: `RuntimeError` outside a `.trio` test, or when the test runs on the system clock.
    public static var clock: MockClock {
        get throws {
            guard let context = current else { throw notInTrioTest("clock") }
            guard let clock = context.clock else {
                throw RuntimeError("TrioTestScope.clock: this test runs on the system clock (.trio(clock: .system))")
            }
            return clock
        }
    }

    /// A nursery for background tasks (pytest-trio's `nursery` fixture): it is cancelled when the test's
    /// body returns, and the test fails with whatever its tasks raise.
    ///
    /// - Throws: `RuntimeError` outside a `.trio` test.
    public static var nursery: Nursery {
        get throws {
            guard let nursery = current?.nursery else { throw notInTrioTest("nursery") }
            return nursery
        }
    }

    /// The asyncio loop a `.trioAsyncio` test runs in (trio-asyncio's `loop` fixture).
    ///
    /// - Throws: `RuntimeError` outside a `.trioAsyncio` test.
    public static var loop: TrioEventLoop {
        get throws {
            guard let loop = current?.loop else {
                throw RuntimeError("TrioTestScope.loop is only available in a test marked .trioAsyncio")
            }
            return loop
        }
    }

    private static func notInTrioTest(_ what: String) -> RuntimeError {
        RuntimeError("TrioTestScope.\(what) is only available in a test marked .trio or .trioAsyncio, from its run")
    }
}
