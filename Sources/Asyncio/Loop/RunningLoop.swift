import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A per-thread slot holding a loop, as CPython keeps the running loop and the policy's loop per thread.
final class ThreadLoopSlot: Sendable {
    final class Box {
        let loop: any AbstractEventLoop
        init(_ loop: any AbstractEventLoop) { self.loop = loop }
    }

    private let key: pthread_key_t

    init() {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in
            if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() }
        }
        self.key = key
    }

    var value: (any AbstractEventLoop)? {
        guard let raw = pthread_getspecific(key) else { return nil }
        return Unmanaged<Box>.fromOpaque(raw).takeUnretainedValue().loop
    }

    /// Stores `loop` and returns the previous value.
    @discardableResult
    func exchange(_ loop: (any AbstractEventLoop)?) -> (any AbstractEventLoop)? {
        let old = pthread_getspecific(key)
        let oldLoop = old.map { Unmanaged<Box>.fromOpaque($0).takeUnretainedValue().loop }
        pthread_setspecific(key, loop.map { Unmanaged.passRetained(Box($0)).toOpaque() })
        if let old { Unmanaged<Box>.fromOpaque(old).release() }
        return oldLoop
    }

    /// Stores `box` (retained once more, as ``exchange(_:)`` stores its boxes) and returns the raw previous
    /// value, for ``restore(_:after:)``: the fast path of a loop that announces itself around every batch with
    /// a box it owns, without allocating.
    func swapIn(_ box: Box) -> UnsafeMutableRawPointer? {
        let old = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passRetained(box).toOpaque())
        return old
    }

    /// Puts back what ``swapIn(_:)`` returned, releasing `box` unless an ``exchange(_:)`` meanwhile already
    /// replaced (and released) it.
    func restore(_ raw: UnsafeMutableRawPointer?, after box: Box) {
        let current = pthread_getspecific(key)
        pthread_setspecific(key, raw)
        if current == Unmanaged.passUnretained(box).toOpaque() { Unmanaged.passUnretained(box).release() }
    }

    static let running = ThreadLoopSlot()
    static let current = ThreadLoopSlot()
}

/// Announces `loop` as the loop running on this thread (`nil`: none) and returns the previous one.
///
/// Flavor: sync. For loop implementations: a loop sets itself while it runs callbacks and restores the
/// previous value after, so ``getRunningLoop()`` works in its callbacks.
@discardableResult
public func setRunningLoop(_ loop: (any AbstractEventLoop)?) -> (any AbstractEventLoop)? {
    ThreadLoopSlot.running.exchange(loop)
}

/// The loop running on this thread, or `nil`.
///
/// Flavor: sync.
public func runningLoopIfAny() -> (any AbstractEventLoop)? {
    ThreadLoopSlot.running.value
}

/// The loop running on this thread.
///
/// Flavor: sync (call it from asyncio tasks and callbacks). - Throws: `RuntimeError` "no running event loop".
public func getRunningLoop() throws -> any AbstractEventLoop {
    guard let loop = ThreadLoopSlot.running.value ?? LoopProviders.provided() else {
        throw RuntimeError("no running event loop")
    }
    return loop
}

/// The running loop; when none runs, this thread's loop set by ``setEventLoop(_:)``, created on first use.
///
/// Flavor: sync.
public func getEventLoop() throws -> any AbstractEventLoop {
    if let loop = ThreadLoopSlot.running.value ?? LoopProviders.provided() { return loop }
    if let loop = ThreadLoopSlot.current.value, !loop.isClosed { return loop }
    let loop = newEventLoop()
    ThreadLoopSlot.current.exchange(loop)
    return loop
}

/// Makes `loop` this thread's current loop for ``getEventLoop()`` (`nil` clears it).
///
/// Flavor: sync.
public func setEventLoop(_ loop: (any AbstractEventLoop)?) {
    ThreadLoopSlot.current.exchange(loop)
}

/// A new event loop: a ``SelectorEventLoop``, unless ``setNewEventLoopFactory(_:)`` installed another
/// factory (asyncio's event loop policy; TrioAsyncio's `SyncTrioEventLoop` is one).
///
/// Flavor: sync. Traps only if the OS refuses an epoll instance or an eventfd, or the factory throws.
public func newEventLoop() -> any AbstractEventLoop {
    do {
        return try makeDefaultEventLoop()
    } catch {
        fatalError("cannot create an event loop: \(error)")
    }
}

/// Makes ``newEventLoop()``, ``getEventLoop()`` (when it creates a loop) and ``run(debug:loopFactory:_:)``
/// (without a `loopFactory`) use `factory`; `nil` restores ``SelectorEventLoop``. Process-wide, like
/// asyncio's `set_event_loop_policy`.
///
/// Flavor: sync, thread-safe.
public func setNewEventLoopFactory(_ factory: (@Sendable () throws -> any AbstractEventLoop)?) {
    DefaultLoopFactory.factory.withLock { $0 = factory }
}

/// What ``newEventLoop()`` makes (see ``setNewEventLoopFactory(_:)``).
func makeDefaultEventLoop() throws -> any AbstractEventLoop {
    if let factory = DefaultLoopFactory.factory.withLock({ $0 }) { return try factory() }
    return try SelectorEventLoop()
}

enum DefaultLoopFactory {
    static let factory = ThreadLock<(@Sendable () throws -> any AbstractEventLoop)?>(nil)
}
