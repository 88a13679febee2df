import Asyncio
import Glibc
import Sniffio
import Synchronization
import Testing
import TrioPlatform

public struct EventLoopConformance {
    public init() {}

    public func callSoonRunsInFIFOOrderOnlyWhenTheLoopRuns(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let log = Log<Int>()
            for index in 0..<5 { try loop.callSoon { log(index) } }
            #expect(log.items.isEmpty)
            try loop.callSoon { loop.stop() }
            try loop.runForever()
            #expect(log.items == [0, 1, 2, 3, 4])
        }
    }

    public func stopInsideACallbackFinishesTheIterationFirst(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let log = Log<String>()
            try loop.callSoon { log("a") }
            try loop.callSoon {
                log("stop")
                loop.stop()
                // Scheduled during the iteration: belongs to the next one.
                _ = try? loop.callSoon { log("next") }
            }
            try loop.callSoon { log("c") }
            try loop.runForever()
            #expect(log.items == ["a", "stop", "c"])
            #expect(!loop.isRunning)
            try loop.callSoon { loop.stop() }
            try loop.runForever()
            #expect(log.items == ["a", "stop", "c", "next"])
        }
    }

    public func stopBeforeRunForeverRunsOneIteration(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let log = Log<Int>()
            try loop.callSoon { log(1) }
            loop.stop()
            try loop.runForever()
            #expect(log.items == [1])
        }
    }

    public func cancelledHandleDoesNotRun(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let log = Log<Int>()
            let handle = try loop.callSoon { log(1) }
            try loop.callSoon { log(2) }
            handle.cancel()
            #expect(handle.cancelled)
            try loop.callSoon { loop.stop() }
            try loop.runForever()
            #expect(log.items == [2])
        }
    }

    public func timersRunInDueOrderAndNotEarly(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let log = Log<String>()
            var firedAt: [String: Double] = [:]
            let start = loop.time()
            func record(_ name: String) { log(name); firedAt[name] = loop.time() }
            let later = try loop.callLater(0.03) { record("30ms") }
            try loop.callLater(0.01) { record("10ms") }
            try loop.callAt(start + 0.02) { record("20ms") }
            try loop.callLater(0.01) { record("10ms-second") }
            try loop.callSoon { record("soon") }
            try loop.callLater(0.04) { loop.stop() }
            #expect(later.when >= start + 0.03)
            try loop.runForever()
            #expect(log.items == ["soon", "10ms", "10ms-second", "20ms", "30ms"])
            #expect(firedAt["10ms"]! >= start + 0.01)
            #expect(firedAt["20ms"]! >= start + 0.02)
            #expect(firedAt["30ms"]! >= later.when)
        }
    }

    public func dueTimersQueueBehindCallbacksAlreadyReady(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let log = Log<String>()
            try loop.callLater(-1) { log("past timer") }
            try loop.callSoon { log("soon") }
            try loop.callAt(loop.time() - 5) { log("older timer") }
            try loop.callSoon { loop.stop() }
            try loop.runForever()
            // Due timers join the ready queue after the callbacks already in it, oldest deadline first.
            #expect(log.items == ["soon", "older timer", "past timer"])
        }
    }

    public func cancelledTimerDoesNotRun(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let log = Log<Int>()
            let timer = try loop.callLater(0.001) { log(1) }
            try loop.callLater(0.005) { log(2) }
            timer.cancel()
            try loop.callLater(0.01) { loop.stop() }
            try loop.runForever()
            #expect(log.items == [2])
        }
    }

    public func manyCancelledTimersAreDropped(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let log = Log<Int>()
            let timers = try (0..<500).map { index in try loop.callLater(10) { log(index) } }
            for timer in timers { timer.cancel() }
            try loop.callLater(0.001) { log(-1) }
            try loop.callLater(0.002) { loop.stop() }
            try loop.runForever()
            #expect(log.items == [-1])
        }
    }

    public func nanDeadlinesAreRefused(_ factory: ConformanceLoop) throws {
        // NaN compares false with every deadline: at the top of the timer heap it would keep every other timer
        // from ever firing. CPython 3.13's sleep() refuses it with ValueError; the loop does so for all timers.
        try factory.withLoop { loop in
            let later = #expect(throws: ValueError.self) { try loop.callLater(.nan) {} }
            let at = #expect(throws: ValueError.self) { try loop.callAt(.nan) {} }
            try #require(later != nil && at != nil)
            let log = Log<String>()
            try loop.callLater(0.001) {
                log("timer")
                loop.stop()
            }
            try loop.runForever()
            #expect(log.items == ["timer"])
        }
    }

    public func sleepRefusesNaN(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            await #expect(throws: ValueError.self) { try await Asyncio.sleep(.nan) }
        }
    }

    public func timeIsMonotonic(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let first = loop.time()
            let second = loop.time()
            #expect(second >= first)
        }
    }

    public func stateRules(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            var nested: (any Error)?
            var closeWhileRunning: (any Error)?
            try loop.callSoon {
                #expect(loop.isRunning)
                do { try loop.runForever() } catch { nested = error }
                do { try loop.close() } catch { closeWhileRunning = error }
                loop.stop()
            }
            try loop.runForever()
            #expect((nested as? RuntimeError)?.message == "This event loop is already running")
            #expect((closeWhileRunning as? RuntimeError)?.message == "Cannot close a running event loop")
            try loop.close()
            #expect(loop.isClosed)
            try loop.close()
            #expect(throws: RuntimeError.self) { try loop.callSoon {} }
            #expect(throws: RuntimeError.self) { try loop.callSoonThreadsafe {} }
            #expect(throws: RuntimeError.self) { try loop.callLater(1) {} }
            #expect(throws: RuntimeError.self) { try loop.callAt(.nan) {} }
            #expect(throws: RuntimeError.self) { try loop.runForever() }
        }
    }

    public func runUntilCompleteReturnsTheResultOrThrows(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let future = loop.createFuture(of: Int.self)
            try loop.callLater(0.001) { try? future.setResult(42) }
            #expect(try loop.runUntilComplete(future) == 42)
            let failing = loop.createFuture(of: Int.self)
            try loop.callSoon { try? failing.setException(TestError(tag: 7)) }
            #expect(throws: TestError(tag: 7)) { try loop.runUntilComplete(failing) }
            let never = loop.createFuture(of: Int.self)
            try loop.callSoon { loop.stop() }
            #expect {
                try loop.runUntilComplete(never)
            } throws: { error in
                (error as? RuntimeError)?.message == "Event loop stopped before Future completed."
            }
        }
    }

    public func callSoonThreadsafeWakesABlockedLoop(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let future = loop.createFuture(of: Int.self)
            let target = Unchecked(future)
            let thread = try startThread {
                usleep(5_000)
                _ = try? loop.callSoonThreadsafe { try? target.value.setResult(5) }
            }
            #expect(try loop.runUntilComplete(future) == 5)
            pthread_join(thread, nil)
        }
    }

    public func readersAndWritersFollowTheFileDescriptor(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            var fds: [Int32] = [-1, -1]
            #expect(pipe(&fds) == 0)
            defer { close(fds[0]); close(fds[1]) }
            let log = Log<String>()
            try loop.addReader(fds[0]) { log("first reader") }
            // Re-adding replaces.
            try loop.addReader(fds[0]) {
                var byte: UInt8 = 0
                _ = read(fds[0], &byte, 1)
                log("reader \(byte)")
                _ = loop.removeReader(fds[0])
                loop.stop()
            }
            try loop.addWriter(fds[1]) {
                log("writer")
                var byte: UInt8 = 9
                _ = write(fds[1], &byte, 1)
                _ = loop.removeWriter(fds[1])
            }
            try loop.runForever()
            #expect(log.items == ["writer", "reader 9"])
            #expect(!loop.removeReader(fds[0]))
            #expect(!loop.removeWriter(fds[1]))
        }
    }

    public func sniffioSaysAsyncioInCallbacksAndTasks(_ factory: ConformanceLoop) throws {
        let inTask = try factory.run { loop in
            var inCallback: String?
            let future = loop.createFuture(of: Void.self)
            try loop.callSoon {
                inCallback = try? currentAsyncLibrary()
                try? future.setResult(())
            }
            try await future.value
            return [try currentAsyncLibrary(), inCallback]
        }
        #expect(inTask == ["asyncio", "asyncio"])
        #expect(throws: AsyncLibraryNotFoundError.self) { try currentAsyncLibrary() }
    }

    public func getRunningLoopInsideAndOutside(_ factory: ConformanceLoop) throws {
        #expect(throws: RuntimeError.self) { try getRunningLoop() }
        let same = try factory.run { loop in try getRunningLoop() === loop }
        #expect(same)
    }

    public func customExceptionHandlerReceivesContexts(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            var messages: [String] = []
            loop.setExceptionHandler { _, context in messages.append(context.message) }
            #expect(loop.getExceptionHandler() != nil)
            loop.callExceptionHandler(ExceptionContext(message: "hello"))
            do {
                let future = loop.createFuture(of: Int.self)
                try future.setException(TestError())
            }
            #expect(messages == ["hello", "Future exception was never retrieved"])
            loop.setExceptionHandler(nil)
            #expect(loop.getExceptionHandler() == nil)
        }
    }

    public func runInExecutorRunsOnAnotherThread(_ factory: ConformanceLoop) throws {
        let (value, sameThread) = try factory.run { loop in
            let mine = UInt(pthread_self())
            let future = try loop.runInExecutor(nil) { (21 * 2, UInt(pthread_self()) == mine) }
            return try await future.value
        }
        #expect(value == 42)
        #expect(!sameThread)
    }

    public func runInExecutorPropagatesErrors(_ factory: ConformanceLoop) throws {
        #expect(throws: TestError(tag: 3)) {
            try factory.run { loop in
                let executor = ThreadPoolExecutor(maxWorkers: 1)
                defer { executor.shutdown(wait: true) }
                return try await loop.runInExecutor(executor) { () throws -> Int in throw TestError(tag: 3) }.value
            }
        }
    }

    public func runInExecutorCancelledBeforeStartingNeverRuns(_ factory: ConformanceLoop) throws {
        // CPython cancels the concurrent future along with the asyncio one, and a worker skips a cancelled work
        // item; a call already running goes on to the end and its result is dropped.
        let executor = ThreadPoolExecutor(maxWorkers: 1)
        defer { executor.shutdown(wait: true) }
        let started = DispatchSemaphoreLike()
        let release = DispatchSemaphoreLike()
        let blockerFinished = DispatchSemaphoreLike()
        let queuedRan = DispatchSemaphoreLike()
        try factory.run { loop in
            let blocker = try loop.runInExecutor(executor) {
                started.signal()
                _ = release.wait(seconds: 10)
                blockerFinished.signal()
                return 1
            }
            #expect(started.wait(seconds: 5))
            let queued = try loop.runInExecutor(executor) {
                queuedRan.signal()
                return 2
            }
            #expect(queued.cancel())
            #expect(blocker.cancel())
            // The cancellation reaches the work item through a done-callback, as CPython's chained futures do.
            try await Asyncio.sleep(0)
            release.signal()
            // FIFO with one worker: once this ran, the queued item had its turn.
            let after = try await loop.runInExecutor(executor) { 3 }.value
            #expect(after == 3)
            #expect(blocker.cancelled && queued.cancelled)
        }
        #expect(blockerFinished.wait(seconds: 0))
        #expect(!queuedRan.wait(seconds: 0))
    }

    public func threadPoolStartsAThreadWhenWorkOutnumbersIdleThreads() throws {
        // CPython's ThreadPoolExecutor reuses an idle thread only for one item: a second item submitted before
        // that thread wakes up gets a thread of its own. Otherwise work that waits for later work deadlocks
        // while the pool is below max_workers.
        let executor = ThreadPoolExecutor(maxWorkers: 4)
        defer { executor.shutdown(wait: true) }
        for _ in 0..<3 {
            let warmedUp = DispatchSemaphoreLike()
            try executor.submit { warmedUp.signal() }
            #expect(warmedUp.wait(seconds: 5))
            // Let every worker go idle again.
            usleep(20_000)
            let second = DispatchSemaphoreLike()
            let firstSawSecond = DispatchSemaphoreLike()
            try executor.submit {
                if second.wait(seconds: 1) { firstSawSecond.signal() }
            }
            try executor.submit { second.signal() }
            #expect(firstSawSecond.wait(seconds: 5))
        }
    }

    /// A real-time signal no other test of the process sends, and the cases one after the other: a test that
    /// heard another's signal would stop listening while its own was still on the way, and a signal that finds
    /// no subscriber gets the process's default action (for this one, as for SIGUSR1: the process ends).
    public func signalHandlerRunsOnTheLoop(_ factory: ConformanceLoop) throws {
        let signal = __libc_current_sigrtmin() + 1
        // A loop dropped without close() gives signal handling back, as CPython's loop __del__ closes it;
        // otherwise no later loop could handle signals.
        do {
            let dropped = try factory.makeLoop()
            try dropped.addSignalHandler(signal) {}
        }
        // A signal the OS refuses (glibc keeps 32 for itself) leaves nothing claimed behind either, as CPython
        // undoes set_wakeup_fd when its first handler fails.
        try factory.withLoop { refusing in
            #expect(throws: OSError.self) { try refusing.addSignalHandler(32) {} }
            try factory.withLoop { other in
                try other.addSignalHandler(signal) {}
                #expect(other.removeSignalHandler(signal))
            }
        }
        try factory.withLoop { loop in
            let log = Log<String>()
            try loop.addSignalHandler(signal) {
                log("signal")
                loop.stop()
            }
            try loop.callSoon { kill(getpid(), signal) }
            try loop.runForever()
            #expect(log.items == ["signal"])
            #expect(loop.removeSignalHandler(signal))
            #expect(!loop.removeSignalHandler(signal))
            #expect(throws: ValueError.self) { try loop.addSignalHandler(SIGKILL) {} }
        }
    }
}

struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A counting semaphore with a timed wait, on pthreads (tests must not rely on Swift's pool).
final class DispatchSemaphoreLike: @unchecked Sendable {
    private var count = 0
    private let condition = ThreadCondition()

    func signal() {
        condition.withLock {
            count += 1
            condition.signal()
        }
    }

    /// Waits for a signal at most `seconds`; `false` on timeout.
    func wait(seconds: Double) -> Bool {
        let deadline = monotonicSeconds() + seconds
        return condition.withLock {
            while count == 0 {
                let remaining = deadline - monotonicSeconds()
                if remaining <= 0 || !condition.wait(seconds: remaining) && count == 0 { return false }
            }
            count -= 1
            return true
        }
    }
}
