import TrioPlatform

/// A loop's own announcement as the running loop of its thread, made once and reused for every batch it runs
/// (``setRunningLoop(_:)`` allocates on every call).
package final class RunningLoopMarker: @unchecked Sendable {
    private let box: ThreadLoopSlot.Box

    /// A marker for `loop`. It holds the loop strongly: a loop that keeps its marker must drop it when it stops
    /// running.
    package init(_ loop: any AbstractEventLoop) { box = ThreadLoopSlot.Box(loop) }

    /// Runs `body` with the loop announced as this thread's running loop, then restores the previous one.
    @inline(__always)
    package func withRunning<R>(_ body: () throws -> R) rethrows -> R {
        let previous = ThreadLoopSlot.running.swapIn(box)
        defer { ThreadLoopSlot.running.restore(previous, after: box) }
        return try body()
    }
}

/// Where ``getRunningLoop()`` and ``getEventLoop()`` look when no loop runs callbacks on this thread right now:
/// a loop hosted by another runtime (TrioAsyncio's `openLoop`) is the running loop of that runtime's tasks too.
package enum LoopProviders {
    private static let providers = ThreadLock<[@Sendable () -> (any AbstractEventLoop)?]>([])

    /// Adds a provider (call once per bridge module).
    package static func register(_ provider: @escaping @Sendable () -> (any AbstractEventLoop)?) {
        providers.withLock { $0.append(provider) }
    }

    static func provided() -> (any AbstractEventLoop)? {
        for provider in providers.withLock({ $0 }) {
            if let loop = provider() { return loop }
        }
        return nil
    }
}
