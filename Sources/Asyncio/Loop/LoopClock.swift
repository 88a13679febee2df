/// Where a standalone asyncio loop's ``AbstractEventLoop/time()`` comes from. Flavor: sync.
///
/// Tests of timing-dependent asyncio code run on ``autojump``: no test then depends on how fast the
/// machine is, and a test that sleeps an hour takes no time (what Trio's `MockClock` with
/// `autojumpThreshold: 0` does for Trio code, and what pytest's `looptime` plugin does for asyncio).
public enum LoopClock: Sendable, Equatable {
    /// The system's monotonic clock, in seconds. The default.
    case monotonic
    /// Virtual time: starts at 0 and stands still while callbacks run; whenever the loop would wait
    /// with nothing ready and no I/O event pending, it jumps straight to the next timer. With no timer
    /// the loop waits for I/O (or another thread) as usual.
    case autojump
}
