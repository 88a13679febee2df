import Asyncio
import Sniffio
import Testing

/// The Asyncio module's binding public names, spelled as tests outside the repo call them: a rename
/// breaks the build. The run checks a few values.
@Suite struct AsyncioAPIContractTests {
    @Test func asyncioContractSpellings() throws {
        let values = try Asyncio.run(debug: false) { () -> [String] in
            var seen: [String] = []
            let loop: any AbstractEventLoop = try getRunningLoop()
            _ = try getEventLoop()
            let handle: Handle = try loop.callSoon {}
            let timer: TimerHandle = try loop.callLater(0) {}
            _ = try loop.callAt(loop.time()) {}
            _ = (handle.cancelled, timer.when)
            let future: Future<Int> = loop.createFuture(of: Int.self)
            try future.setResult(3)
            seen.append("future \(try await future.value)")
            let task: AsyncioTask<Int> = try createTask(name: "t") { 4 }
            seen.append("task \(try await task.value) \(task.name)")
            _ = (task.cancelling(), task.uncancel(), task.done, task.cancelled)
            let id: CallbackID = future.addDoneCallback { _ in }
            _ = future.removeDoneCallback(id)
            _ = ensureFuture(future)
            _ = currentTask()
            _ = allTasks()
            try await Asyncio.sleep(0)
            let both: [Int] = try await gather([future, ensureFuture(future)])
            let results: [Result<Int, any Error>] = try await gather([future], returnExceptions: true)
            seen.append("gather \(both) \(results.count)")
            _ = try await waitFor(future, timeout: nil)
            let (done, pending) = try await wait([future], timeout: nil, returnWhen: .allCompleted)
            seen.append("wait \(done.count) \(pending.count)")
            _ = shield(future)
            _ = try await Asyncio.timeout(nil) { 1 }
            try await withAsyncioTaskGroup { group in _ = try group.createTask { 5 } }
            let queue = Queue<Int>(maxsize: 0)
            try queue.putNowait(1)
            _ = try await queue.get()
            _ = (queue.qsize, queue.maxsize)
            _ = [Asyncio.Event(), Asyncio.Lock(), Asyncio.Semaphore(1), Asyncio.BoundedSemaphore(1),
                 Asyncio.Condition()] as [AnyObject]
            seen.append(try currentAsyncLibrary())
            return seen
        }
        #expect(values == ["future 3", "task 4 t", "gather [3, 3] 1", "wait 1 0", "asyncio"])
        let loop = newEventLoop()
        setEventLoop(loop)
        #expect(!loop.isRunning && !loop.isClosed)
        try loop.close()
        setEventLoop(nil)
        _ = [CancelledError(), TimeoutError(), InvalidStateError("invalid state"), QueueEmpty(), QueueFull()] as [any Error]
    }
}
