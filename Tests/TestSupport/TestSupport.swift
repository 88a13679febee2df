import SharedErrors
import TrioPlatform
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// The helpers every test target shares, at the bottom of the test graph: they depend on the platform
// layer and the shared errors only, so a test target of any layer can use them without pulling in a
// layer above its own.

/// Moves a non-`Sendable` value into a `@Sendable` closure where the test itself ensures nobody uses
/// it concurrently (for example, the run using it is over before the test reads it again).
public struct UncheckedBox<Value>: @unchecked Sendable {
    /// The boxed value.
    public let value: Value
    /// Boxes `value`.
    public init(_ value: Value) { self.value = value }
}

/// The error ``startThread(_:)`` throws when the OS refuses a thread.
public struct ThreadStartError: Error, CustomStringConvertible {
    /// `pthread_create`'s result.
    public let code: Int32
    public var description: String { "pthread_create failed: \(code)" }
}

/// Starts a plain thread running `body` (tests must not rely on Swift's pool), joinable.
public func startThread(_ body: @escaping @Sendable () -> Void) throws -> pthread_t {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var thread = pthread_t()
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    let result = pthread_create(&thread, nil, { raw in
        Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, context)
    guard result == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        throw ThreadStartError(code: result)
    }
    return thread
}

/// Runs `body` on a detached pthread of its own, outside Swift's cooperative pool.
public func startPlainThread(_ body: @escaping @Sendable () -> Void) {
    do {
        pthread_detach(try startThread(body))
    } catch {
        preconditionFailure("\(error)")
    }
}

/// Polls `condition` every 5 ms for up to 10 s, on the calling thread; true once it holds.
public func eventually(_ condition: () -> Bool) -> Bool {
    let deadline = monotonicSeconds() + 10
    while !condition() {
        if monotonicSeconds() > deadline { return false }
        usleep(5_000)
    }
    return true
}

/// The handler of `signal` as a raw value (0 for `SIG_DFL`, 1 for `SIG_IGN`).
public func signalDisposition(_ signal: Int32) -> Int {
    var action = sigaction()
    sigaction(signal, nil, &action)
    return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
}

/// The leaves of `error` when it is an ``ExceptionGroup``, or `[error]`.
public func leaves(_ error: any Error) -> [any Error] {
    (error as? ExceptionGroup)?.leaves ?? [error]
}

/// Moves `fd` to a number of its own far above the ones the process uses, closing `fd`, and returns
/// the new number. Tests run in parallel, and the kernel hands out the lowest free number: a test
/// that checks "this fd is closed now" on a low number can find another test's new fd there. Up
/// here, and never the same number twice in one process, nobody else gets it after the close.
public func fdAboveTheRest(_ fd: Int32) -> Int32 {
    var limit = rlimit()
    getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    let top = Int32(clamping: min(limit.rlim_cur, 65_536))
    let base = top / 2 + Int32(nextHighFdOffset.add(1, ordering: .relaxed).oldValue % Int(top / 4))
    let moved = fcntl(fd, F_DUPFD_CLOEXEC, base)
    precondition(moved >= 0, "F_DUPFD_CLOEXEC failed: \(errno)")
    close(fd)
    return moved
}

private let nextHighFdOffset = Atomic<Int>(0)
