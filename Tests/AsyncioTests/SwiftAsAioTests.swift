import AsyncioTestSupport
import Asyncio
import Sniffio
import Synchronization
import Testing
import TrioPlatform

#if canImport(Glibc)
import Glibc
#endif

private final class ThreadStart {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Runs `main` on a fresh loop on a thread of its own, awaited without holding a thread of Swift's
/// cooperative pool (which the children of `swiftAsAio` need, while tests run in parallel).
private func runOnOwnThread<T: Sendable>(
    _ main: @escaping @Sendable (any AbstractEventLoop) async throws -> T
) async throws -> T {
    return try await withCheckedThrowingContinuation { continuation in
        let start = ThreadStart {
            continuation.resume(with: Result { try ConformanceLoop.selector.run(main) })
        }
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, Unmanaged.passRetained(start).toOpaque())
        precondition(rc == 0, "pthread_create failed")
        pthread_detach(thread)
    }
}

/// Suspends the calling Swift task until it is cancelled, then returns.
private func waitUntilSwiftCancelled() async {
    let opened = ThreadLock((open: false, waiter: CheckedContinuation<Void, Never>?.none))
    await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            let ready = opened.withLock { state -> Bool in
                if state.open { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    } onCancel: {
        opened.withLock { state -> CheckedContinuation<Void, Never>? in
            state.open = true
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }
}

/// Each case runs its loop on a thread of its own (`runOnOwnThread`): its Swift child tasks need threads
/// of the cooperative pool, which loops blocking them could starve.
@Suite struct SwiftAsAioTests {
    @Test func theFutureGetsTheValueOfCodeRunningOffTheLoopThread() async throws {
        let (sameThread, value, library) = try await runOnOwnThread { _ -> (Bool, Int, String) in
            let loopThread = UInt(pthread_self())
            let future = try swiftAsAio { () -> (UInt, Int, String) in
                (UInt(pthread_self()), 42, (try? currentAsyncLibrary()) ?? "none")
            }
            let (childThread, value, library) = try await future.value
            return (childThread == loopThread, value, library)
        }
        #expect(!sameThread)
        #expect(value == 42)
        #expect(library == "none")
    }

    @Test func cancellingTheFutureCancelsTheChildAndResolvesOnlyWhenItHasFinished() async throws {
        let (returnedTrue, doneRightAway, cleanedUp, cancelled, message) = try await runOnOwnThread {
            _ -> (Bool, Bool, Bool, Bool, String?) in
            let cleanedUp = Atomic<Bool>(false)
            let future = try swiftAsAio {
                await waitUntilSwiftCancelled()
                for _ in 0..<20 { await Task.yield() }
                cleanedUp.store(true, ordering: .releasing)
                throw CancellationError()
            }
            let returnedTrue = future.cancel(message: "stop")
            let doneRightAway = future.done
            var message: String?
            do {
                _ = try await future.value
            } catch let error as CancelledError {
                message = error.message
            }
            return (returnedTrue, doneRightAway, cleanedUp.load(ordering: .acquiring), future.cancelled, message)
        }
        #expect(returnedTrue)
        #expect(!doneRightAway)
        #expect(cleanedUp)
        #expect(cancelled)
        #expect(message == "stop")
    }

    @Test func aValueThatCameAnywayCompletesTheFuture() async throws {
        let (value, cancelled, secondCancel) = try await runOnOwnThread { _ -> (Int, Bool, Bool) in
            let future = try swiftAsAio { () -> Int in
                await waitUntilSwiftCancelled()
                return 7
            }
            future.cancel()
            let value = try await future.value
            return (value, future.cancelled, future.cancel())
        }
        #expect(value == 7)
        #expect(!cancelled)
        #expect(!secondCancel)
    }

    @Test func waitForTimesOutPlainSwiftCode() async throws {
        let (error, childSawCancel) = try await runOnOwnThread { _ -> (String, Bool) in
            let sawCancel = Atomic<Bool>(false)
            let future = try swiftAsAio {
                do {
                    try await Task.sleep(for: .seconds(3600))
                } catch {
                    sawCancel.store(true, ordering: .releasing)
                    throw error
                }
            }
            do {
                try await waitFor(future, timeout: 0.05)
                return ("no error", false)
            } catch {
                return ("\(type(of: error))", sawCancel.load(ordering: .acquiring))
            }
        }
        #expect(error == "TimeoutError")
        #expect(childSawCancel)
    }

    @Test func aCancellationErrorOfItsOwnIsAnOrdinaryError() async throws {
        let (cancelled, error) = try await runOnOwnThread { _ -> (Bool, String) in
            let future = try swiftAsAio { () -> Int in throw CancellationError() }
            var thrown = "none"
            do { _ = try await future.value } catch { thrown = "\(type(of: error))" }
            return (future.cancelled, thrown)
        }
        #expect(!cancelled)
        #expect(error == "CancellationError")
    }

    @Test func theFutureCompletesItself() async throws {
        let refused = try await runOnOwnThread { _ -> Int in
            let future = try swiftAsAio { 1 }
            var refused = 0
            do { try future.setResult(2) } catch is RuntimeError { refused += 1 }
            do { try future.setException(TestError()) } catch is RuntimeError { refused += 1 }
            _ = try await future.value
            return refused
        }
        #expect(refused == 2)
    }

    @Test func outsideARunningLoopItIsAFlavorError() {
        #expect(throws: FlavorError.self) { _ = try swiftAsAio { 1 } }
    }
}
