import Trio
import TrioPlatform
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

/// A gate for plain Swift tasks: `wait()` suspends until someone calls `open()`, from any thread.
final class SwiftLatch: @unchecked Sendable {
    private let lock = ThreadLock((open: false, waiters: [CheckedContinuation<Void, Never>]()))

    func open() {
        let waiters = lock.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var isOpen: Bool { lock.withLock { $0.open } }

    func wait() async {
        await withCheckedContinuation { continuation in
            let ready = lock.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}

/// Suspends the calling Swift task until it is cancelled, then returns (it does not throw).
func waitUntilSwiftCancelled() async {
    let latch = SwiftLatch()
    await withTaskCancellationHandler { await latch.wait() } onCancel: { latch.open() }
}

/// A value several threads read and write under a lock.
final class Shared<Value>: @unchecked Sendable {
    private let lock: ThreadLock<Value>
    init(_ value: Value) { lock = ThreadLock(value) }
    var value: Value { lock.withLock { $0 } }
    func update<R>(_ body: (inout Value) -> R) -> R { lock.withLock(body) }
}

/// Runs `body` with the process's standard error going to a file, and returns what was written
/// there meanwhile (other tests' lines may be in it too: look for your own).
func capturingStandardError(_ body: () async throws -> Void) async rethrows -> String {
    var template = Array("/tmp/trio-stderr-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    precondition(fd >= 0, "mkstemp failed")
    unlink(&template)
    let saved = dup(2)
    dup2(fd, 2)
    defer {
        dup2(saved, 2)
        close(saved)
        close(fd)
    }
    try await body()
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    lseek(fd, 0, SEEK_SET)
    while true {
        let count = read(fd, &buffer, buffer.count)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// A Trio run on an autojump `MockClock`, on a thread of its own, awaited without holding a
/// thread of Swift's cooperative pool (which the children of `swiftAsTrio` need).
func runMockedAsync<T: Sendable>(_ body: sending @escaping () async throws -> T) async throws -> T {
    try await Trio.runAsync(clock: MockClock(autojumpThreshold: 0), body)
}

/// A Trio task body: opens `started`, sleeps until cancelled, then unwinds through a (shielded)
/// checkpoint before it sets `flag`, so that whoever waits for the task must wait for the cleanup.
func sleepUntilCancelled(started: SwiftLatch, thenSet flag: Shared<Bool>) async throws {
    started.open()
    do {
        try await Trio.sleepForever()
    } catch {
        await Lowlevel.cancelShieldedCheckpoint()
        flag.update { $0 = true }
        throw error
    }
}
