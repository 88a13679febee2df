import Asyncio
import Glibc
import Synchronization
import Testing

public struct FlavorConformance {
    public init() {}

    public func asyncioPrimitivesOutsideATaskThrowFlavorError() async throws {
        let lock = Asyncio.Lock()
        let event = Asyncio.Event()
        let queue = Asyncio.Queue<Int>()
        try queue.putNowait(1)
        await #expect(throws: FlavorError.self) { try await lock.acquire() }
        #expect(!lock.locked)
        await #expect(throws: FlavorError.self) { try await event.wait() }
        await #expect(throws: FlavorError.self) { try await queue.get() }
        await #expect(throws: FlavorError.self) { try await queue.put(2) }
        await #expect(throws: FlavorError.self) { try await Asyncio.Semaphore(1).acquire() }
        await #expect(throws: FlavorError.self) { try await StreamReader().read(1) }
        await #expect(throws: FlavorError.self) { try await timeout(1) { 1 } }
        await #expect(throws: FlavorError.self) { try await withAsyncioTaskGroup { _ in 1 } }
        await #expect(throws: FlavorError.self) { try await gather([Future<Int>]()) }
        do {
            try await Asyncio.sleep(0)
            Issue.record("sleep outside a task did not throw")
        } catch let error as FlavorError {
            #expect(error.message.contains("Asyncio.sleep called outside an asyncio task"))
        }
        #expect(throws: RuntimeError.self) { try Asyncio.createTask { 1 } }
    }
}

public struct LoopPolicyConformance {
    public init() {}

    public func getEventLoopReturnsTheSetLoopOrCreatesOne() throws {
        let loop = newEventLoop()
        defer { try? loop.close() }
        setEventLoop(loop)
        #expect(try getEventLoop() === loop)
        setEventLoop(nil)
        let created = try getEventLoop()
        defer {
            setEventLoop(nil)
            try? created.close()
        }
        #expect(created !== loop)
        #expect(try getEventLoop() === created)
    }

    public func getEventLoopInsideARunningLoopIsThatLoop(_ factory: ConformanceLoop) throws {
        let same = try factory.run { loop in try getEventLoop() === loop }
        #expect(same)
    }

    public func debugModeRejectsCallsFromOtherThreads(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            loop.debug = true
            #expect(loop.debug)
            let result = Unchecked(Log<Bool>())
            let future = loop.createFuture(of: Void.self)
            let target = Unchecked(future)
            var thread: pthread_t?
            try loop.callSoon {
                thread = try? startThread {
                    let threw = (try? loop.callSoon {}) == nil
                    _ = try? loop.callSoonThreadsafe {
                        result.value(threw)
                        try? target.value.setResult(())
                    }
                }
            }
            try loop.runUntilComplete(future)
            if let thread { pthread_join(thread, nil) }
            #expect(result.value.items == [true])
        }
    }

    public func runningAnotherLoopInsideACallbackIsRefused(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let other = try factory.makeLoop()
            defer { try? other.close() }
            var refused: RuntimeError?
            try loop.callSoon {
                do { try other.runForever() } catch { refused = error as? RuntimeError }
                loop.stop()
            }
            try loop.runForever()
            #expect(refused?.message == "Cannot run the event loop while another loop is running")
        }
    }
}

public struct MoreTaskConformance {
    public init() {}

    public func ensureFutureAndTypedWait(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let future = loop.createFuture(of: Int.self)
            #expect(ensureFuture(future) === future)
            let wrapped = try ensureFuture { 5 }
            try loop.callSoon { try? future.setResult(4) }
            let both: [Future<Int>] = [future, wrapped]
            let (done, pending) = try await wait(both)
            #expect(done.count == 2 && pending.isEmpty)
            let results = try done.map { try $0.result() }
            #expect(results == [4, 5])
        }
    }

    public func timeoutAtUsesLoopTime(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let deadline = loop.time() + 0.005
            await #expect(throws: TimeoutError.self) { try await timeoutAt(deadline) { try await Asyncio.sleep(10) } }
            #expect(loop.time() >= deadline)
            let past = try await timeoutAt(nil) { 1 }
            #expect(past == 1)
        }
    }

    public func cancelledSemaphoreWaiterGivesItsUnitBack(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let semaphore = Asyncio.Semaphore(1)
            try await semaphore.acquire()
            let waiter = try loop.createTask { try await semaphore.acquire() }
            let next = try loop.createTask { try await semaphore.acquire() }
            try await Asyncio.sleep(0)
            try semaphore.release()
            // Woken, then cancelled before it ran: the unit must go to `next`.
            waiter.cancel()
            await #expect(throws: CancelledError.self) { try await waiter.value }
            try await next.value
            #expect(semaphore.value == 0)
        }
    }

    public func cancelledConditionWaiterReacquiresTheLock(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let condition = Asyncio.Condition()
            let waiter = try loop.createTask {
                try await condition.acquire()
                do {
                    try await condition.wait()
                } catch {
                    #expect(condition.locked)
                    try condition.release()
                    throw error
                }
            }
            try await Asyncio.sleep(0)
            waiter.cancel()
            await #expect(throws: CancelledError.self) { try await waiter.value }
            #expect(!condition.locked)
        }
    }

    public func conditionWaiterCancelledWhileReacquiringPassesTheNotificationOn(_ factory: ConformanceLoop) throws {
        // CPython 3.13 Condition.wait: whatever ends a wait with an error may come after the notification
        // arrived, so it notifies another waiter. Here the first waiter is notified, then cancelled while it
        // waits for the lock again: the second must not sleep forever.
        let log = Log<String>()
        try factory.run { loop in
            let condition = Asyncio.Condition()
            let waiters = try (1...2).map { index in
                try loop.createTask {
                    try await condition.acquire()
                    defer { try? condition.release() }
                    try await condition.wait()
                    log("woke \(index)")
                }
            }
            try await Asyncio.sleep(0)
            try await condition.acquire()
            try condition.notify(1)
            // The first waiter runs, finds the lock held, and queues for it.
            try await Asyncio.sleep(0)
            waiters[0].cancel()
            try condition.release()
            await #expect(throws: CancelledError.self) { try await waiters[0].value }
            let (done, _) = try await wait([waiters[1]], timeout: 1)
            #expect(done.count == 1)
        }
        #expect(log.items == ["woke 2"])
    }

    public func uncancelDropsAnUndeliveredRequest(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let me = try #require(currentTask())
            me.cancel()
            #expect(me.cancelling() == 1)
            #expect(me.uncancel() == 0)
            // Nothing left to deliver: the next await completes normally.
            try await Asyncio.sleep(0.001)
        }
    }
}

public struct MoreStreamConformance {
    public init() {}

    public func serverAsAsyncContextManagerAndHandlerErrorsAreReported(_ factory: ConformanceLoop) throws {
        var reported: [String] = []
        try factory.run { loop in
            loop.setExceptionHandler { _, context in reported.append(context.message) }
            let server = try await startServer(host: "127.0.0.1", port: 0) { _, _ in throw TestError(tag: 9) }
            try await with(server) { server in
                let (reader, writer) = try await openConnection(host: "127.0.0.1", port: server.port)
                // The failing handler's connection gets closed.
                let rest = try await reader.read()
                #expect(rest.isEmpty)
                writer.close()
                try await writer.waitClosed()
            }
            #expect(!server.isServing)
        }
        #expect(reported == ["Unhandled exception in client_connected_cb"])
    }

    public func largeTransfersKeepOrderUnderFlowControl(_ factory: ConformanceLoop) throws {
        let received = try factory.run { _ in
            let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let server = try await startServer(host: "127.0.0.1", port: 0, limit: 1024) { reader, writer in
                // Read slowly so the client's writer must wait in drain().
                var total: [UInt8] = []
                while true {
                    let chunk = try await reader.read(4096)
                    if chunk.isEmpty { break }
                    total += chunk
                }
                try writer.write(Array("\(total.count):\(total == payload)".utf8))
                writer.close()
            }
            let (reader, writer) = try await openConnection(host: "127.0.0.1", port: server.port)
            for start in stride(from: 0, to: payload.count, by: 64 * 1024) {
                try writer.write(Array(payload[start..<(start + 64 * 1024)]))
                try await writer.drain()
            }
            writer.writeEOF()
            let answer = String(decoding: try await reader.read(), as: UTF8.self)
            writer.close()
            try await writer.waitClosed()
            server.close()
            try await server.waitClosed()
            return answer
        }
        #expect(received == "\(1 << 20):true")
    }
}

public struct ToThreadConformance {
    public init() {}

    public func toThreadRunsElsewhereAndKeepsTheLoopResponsive(_ factory: ConformanceLoop) throws {
        let log = Log<String>()
        let ticked = Atomic<Bool>(false)
        try factory.run { loop in
            let ticker = try loop.createTask {
                try await Asyncio.sleep(0.001)
                log("loop ticked")
                ticked.store(true, ordering: .releasing)
            }
            // The thread returns only after the loop has run the ticker: the loop must not be blocked meanwhile.
            let value = try await toThread { () -> Int in
                while !ticked.load(ordering: .acquiring) { usleep(200) }
                return 7
            }
            log("thread returned \(value)")
            try await ticker.value
        }
        #expect(log.items == ["loop ticked", "thread returned 7"])
    }
}

public struct ServerLifecycleConformance {
    public init() {}

    public func waitClosedWaitsForOpenConnections(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let handlerDone = Asyncio.Event()
            let server = try await startServer(host: "127.0.0.1", port: 0) { reader, writer in
                _ = try await reader.read()
                writer.close()
                handlerDone.set()
            }
            let (_, writer) = try await openConnection(host: "127.0.0.1", port: server.port)
            try await Asyncio.sleep(0.002)
            server.close()
            let closing = try loop.createTask { try await server.waitClosed() }
            try await Asyncio.sleep(0.005)
            #expect(!closing.done)
            writer.close()
            try await writer.waitClosed()
            try await closing.value
            try await handlerDone.wait()
        }
    }

    public func readuntilAtEOFReturnsThePartialData(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let reader = StreamReader()
            reader.feedData(bytes("no separator"))
            reader.feedEOF()
            await #expect {
                try await reader.readuntil(bytes("\n"))
            } throws: { error in
                guard let error = error as? IncompleteReadError else { return false }
                return error.partial == bytes("no separator") && error.expected == nil
            }
            #expect(reader.atEOF)
        }
    }
}
