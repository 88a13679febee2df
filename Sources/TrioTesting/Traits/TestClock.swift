import Trio

/// The clock of a test's Trio run (``TrioTrait``). Flavor: sync.
///
/// pytest-trio's `autojump_clock` fixture is ``autojump``, the default: virtual time that jumps to
/// the next deadline as soon as every task is blocked, so timing-dependent code is tested
/// deterministically and a test that sleeps an hour takes no time.
public enum TestClock: Sendable {
    /// A ``MockClock`` that jumps to the next deadline once every task has been blocked for
    /// `threshold` real seconds (0: at once).
    case autojump(threshold: Double = 0)
    /// A ``MockClock`` that runs at `rate` virtual seconds per real second (0: stands still until
    /// the test calls `TrioTestScope.clock.jump(_:)`).
    case mock(rate: Double)
    /// The system's monotonic clock, for tests of real I/O under real timeouts.
    case system

    /// ``autojump(threshold:)`` with a threshold of 0.
    public static var autojump: TestClock { .autojump(threshold: 0) }

    /// The clock to give `Trio.run`, and the mock clock the test may drive.
    func make() -> (run: (any TrioClock)?, mock: MockClock?) {
        switch self {
        case .autojump(let threshold):
            let clock = MockClock(autojumpThreshold: threshold)
            return (clock, clock)
        case .mock(let rate):
            let clock = MockClock(rate: rate)
            return (clock, clock)
        case .system:
            return (nil, nil)
        }
    }
}
