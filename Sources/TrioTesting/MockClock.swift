import TrioPlatform
import Trio

#if canImport(Glibc)
import Glibc
#endif

/// A clock for tests: time stands still (or runs at `rate`) and moves when told to. Flavor: sync.
///
/// With `autojumpThreshold: 0` the clock jumps straight to the next deadline whenever every task
/// is blocked, so timeout logic runs exactly and instantly:
///
/// ```swift
/// try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
///     try await Trio.sleep(3600)   // returns at once; currentTime() is now 3600
/// }
/// ```
///
/// The virtual time starts at 0. `waitAllTasksBlocked` takes priority over an autojump.
public final class MockClock: TrioClock, @unchecked Sendable {
    private struct State {
        var rate: Double
        var autojumpThreshold: Double
        var realBase: Double
        var virtualBase: Double
    }

    private let state: ThreadLock<State>

    /// Creates a clock at virtual time 0.
    ///
    /// - Parameters:
    ///   - rate: virtual seconds per real second (0: time only moves by jumps). Must be ≥ 0.
    ///   - autojumpThreshold: real seconds of every task being blocked after which the clock jumps
    ///     to the next deadline (`.infinity`: never). Must be ≥ 0.
    ///
    /// Invalid values trap with a message; use ``setRate(_:)`` / ``setAutojumpThreshold(_:)`` for a
    /// throwing check.
    public init(rate: Double = 0, autojumpThreshold: Double = .infinity) {
        precondition(rate >= 0, "MockClock: rate must be >= 0")
        precondition(autojumpThreshold >= 0, "MockClock: autojumpThreshold must be >= 0")
        state = ThreadLock(State(rate: rate, autojumpThreshold: autojumpThreshold, realBase: monotonicSeconds(), virtualBase: 0))
    }

    /// Virtual seconds per real second. Setting a negative or NaN value traps; see ``setRate(_:)``.
    public var rate: Double {
        get { state.withLock { $0.rate } }
        set { precondition(newValue >= 0, "MockClock: rate must be >= 0"); applyRate(newValue) }
    }

    /// Sets ``rate``. Flavor: sync. - Throws: `Trio.ValueError` for a negative or NaN rate.
    public func setRate(_ newValue: Double) throws {
        guard newValue >= 0 else { throw ValueError("rate must be >= 0") }
        applyRate(newValue)
    }

    private func applyRate(_ newValue: Double) {
        let now = monotonicSeconds()
        state.withLock { state in
            state.virtualBase += state.rate * (now - state.realBase)
            state.realBase = now
            state.rate = newValue
        }
    }

    /// Real seconds of every task being blocked before the clock jumps to the next deadline.
    /// Setting a negative or NaN value traps; see ``setAutojumpThreshold(_:)``.
    public var autojumpThreshold: Double {
        get { state.withLock { $0.autojumpThreshold } }
        set {
            precondition(newValue >= 0, "MockClock: autojumpThreshold must be >= 0")
            state.withLock { $0.autojumpThreshold = newValue }
        }
    }

    /// Sets ``autojumpThreshold``. Flavor: sync. - Throws: `Trio.ValueError` for a negative or NaN value.
    public func setAutojumpThreshold(_ newValue: Double) throws {
        guard newValue >= 0 else { throw ValueError("autojump threshold must be >= 0") }
        state.withLock { $0.autojumpThreshold = newValue }
    }

    /// Moves virtual time forward by `seconds`. Flavor: sync; not a checkpoint (sleepers whose
    /// deadline passed wake at the next scheduling pass).
    ///
    /// - Throws: `Trio.ValueError` for a negative or NaN amount ("time can't go backwards").
    public func jump(_ seconds: Double) throws {
        guard seconds >= 0 else { throw ValueError("time can't go backwards") }
        state.withLock { $0.virtualBase += seconds }
    }

    /// Does nothing: the clock starts when it is created.
    public func startClock() {}

    /// The virtual time.
    public func currentTime() -> Double {
        let now = monotonicSeconds()
        return state.withLock { $0.virtualBase + $0.rate * (now - $0.realBase) }
    }

    /// Real seconds until `deadline`: scaled by the rate, and effectively forever at rate 0.
    public func deadlineToSleepTime(_ deadline: Double) -> Double {
        let virtualTimeout = deadline - currentTime()
        if virtualTimeout <= 0 { return 0 }
        let rate = self.rate
        return rate > 0 ? virtualTimeout / rate : 999_999_999
    }

    /// Jumps to the next deadline.
    public func autojump(secondsToNextDeadline: Double) {
        if secondsToNextDeadline > 0 && secondsToNextDeadline < .infinity {
            try? jump(secondsToNextDeadline)
        }
    }
}
