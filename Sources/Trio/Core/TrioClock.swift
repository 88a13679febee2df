import TrioPlatform
/// The clock a run measures time with. Flavor: sync; called by the runner on the loop thread.
///
/// Times are `Double` seconds, and only differences between them mean anything. Supply one to
/// ``run(clock:instruments:strictExceptionGroups:name:_:)``; `TrioTesting.MockClock` is the usual
/// alternative to the default system clock.
public protocol TrioClock: AnyObject {
    /// Called once, before the run starts.
    func startClock()
    /// The current time on this clock.
    func currentTime() -> Double
    /// How many real seconds the runner should block to reach `deadline` on this clock.
    func deadlineToSleepTime(_ deadline: Double) -> Double
    /// After how many real seconds of every task being blocked the runner should call
    /// ``autojump(secondsToNextDeadline:)``. `.infinity` (the default) means never.
    var autojumpThreshold: Double { get }
    /// Called by the runner when every task has been blocked for ``autojumpThreshold``; a mock
    /// clock advances itself to the next deadline here. The default does nothing.
    func autojump(secondsToNextDeadline: Double)
}

extension TrioClock {
    /// Never autojump.
    public var autojumpThreshold: Double { .infinity }
    /// Does nothing.
    public func autojump(secondsToNextDeadline: Double) {}
}

/// The default clock: `CLOCK_MONOTONIC` plus a random offset, so that code cannot come to rely
/// on the absolute value (as in Trio).
public final class SystemClock: TrioClock, @unchecked Sendable {
    private let offset: Double

    /// Creates a clock with a random offset in 10 000 … 200 000 seconds.
    public init() { offset = Double.random(in: 10_000...200_000) }

    /// Does nothing: the system clock is always running.
    public func startClock() {}

    /// Monotonic seconds plus this clock's offset.
    public func currentTime() -> Double { monotonicSeconds() + offset }

    /// `deadline - now`.
    public func deadlineToSleepTime(_ deadline: Double) -> Double { deadline - currentTime() }
}
