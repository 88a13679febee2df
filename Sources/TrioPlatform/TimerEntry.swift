/// One entry of a timer heap: a deadline, then the order of registration, so that timers due at
/// the same time fire first-in, first-out (as both Trio's and asyncio's loops require).
package struct TimerEntry<Payload>: Comparable {
    /// When the timer is due, in seconds on the loop's clock.
    package let when: Double
    /// Registration order; unique within one heap.
    package let sequence: UInt64
    /// What the timer fires.
    package let payload: Payload

    @inlinable
    package init(when: Double, sequence: UInt64, payload: Payload) {
        self.when = when
        self.sequence = sequence
        self.payload = payload
    }

    @inlinable
    package static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.when < rhs.when || (lhs.when == rhs.when && lhs.sequence < rhs.sequence)
    }

    @inlinable
    package static func == (lhs: Self, rhs: Self) -> Bool { lhs.sequence == rhs.sequence }
}
