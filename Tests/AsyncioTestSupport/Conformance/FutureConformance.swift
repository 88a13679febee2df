import Asyncio
import Testing

public struct FutureConformance {
    public init() {}

    public func stateTransitions(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let future = loop.createFuture(of: Int.self)
            #expect(!future.done)
            #expect(throws: InvalidStateError.self) { try future.result() }
            #expect(throws: InvalidStateError.self) { try future.exception() }
            try future.setResult(1)
            #expect(future.done && !future.cancelled)
            #expect(try future.result() == 1)
            #expect(try future.exception() == nil)
            #expect(throws: InvalidStateError.self) { try future.setResult(2) }
            #expect(throws: InvalidStateError.self) { try future.setException(TestError()) }
            #expect(!future.cancel())
        }
    }

    public func callbacksAClosedLoopCannotScheduleAreReported(_ factory: ConformanceLoop) throws {
        // CPython's add_done_callback on a done future (and set_result with callbacks waiting) goes through
        // call_soon, which raises "Event loop is closed" once the loop is closed: the callback must not vanish
        // without a word. Here the methods do not throw, so the loop's exception handler hears of it.
        let loop = try factory.makeLoop()
        let reports = Log<ExceptionContext>()
        loop.setExceptionHandler { _, context in reports(context) }
        let done = loop.createFuture(of: Int.self)
        try done.setResult(1)
        let pending = loop.createFuture(of: Int.self)
        pending.addDoneCallback { _ in Issue.record("a closed loop ran a callback") }
        try loop.close()
        done.addDoneCallback { _ in Issue.record("a closed loop ran a callback") }
        #expect(pending.cancel())
        #expect(reports.items.count == 2)
        for report in reports.items {
            #expect((report.error as? RuntimeError)?.message == "Event loop is closed")
            #expect(report.future != nil)
        }
    }

    public func cancelCarriesTheMessage(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let future = loop.createFuture(of: Int.self)
            #expect(future.cancel(message: "bye"))
            #expect(future.cancelled && future.done)
            #expect(!future.cancel())
            #expect {
                try future.result()
            } throws: { error in
                (error as? CancelledError)?.message == "bye"
            }
            #expect(throws: CancelledError.self) { try future.exception() }
        }
    }

    public func doneCallbacksRunThroughTheReadyQueueInOrder(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let log = Log<String>()
            let future = loop.createFuture(of: Int.self)
            future.addDoneCallback { log("first \(try! $0.result())") }
            let removed = future.addDoneCallback { _ in log("removed") }
            future.addDoneCallback { _ in log("second") }
            #expect(future.removeDoneCallback(removed) == 1)
            #expect(future.removeDoneCallback(removed) == 0)
            try loop.callSoon { log("before") }
            try future.setResult(3)
            #expect(log.items.isEmpty)
            try loop.callSoon { log("after") }
            try loop.callSoon { loop.stop() }
            try loop.runForever()
            #expect(log.items == ["before", "first 3", "second", "after"])
            // A callback added to a done future is scheduled, not called inline.
            future.addDoneCallback { _ in log("late") }
            #expect(log.items.count == 4)
            try loop.callSoon { loop.stop() }
            try loop.runForever()
            #expect(log.items.last == "late")
        }
    }

    public func awaitingReturnsResultOrThrows(_ factory: ConformanceLoop) throws {
        let outcome = try factory.run { loop in
            let good = loop.createFuture(of: String.self)
            let bad = loop.createFuture(of: String.self)
            try loop.callLater(0.001) { try? good.setResult("ok") }
            try loop.callSoon { try? bad.setException(TestError(tag: 1)) }
            let value = try await good.value
            do {
                _ = try await bad.value
                return "no error"
            } catch let error as TestError {
                return value + "/\(error.tag)"
            }
        }
        #expect(outcome == "ok/1")
    }

    public func awaitingOutsideATaskIsAFlavorError(_ factory: ConformanceLoop) async throws {
        let loop = try factory.makeLoop()
        defer { try? loop.close() }
        let future = loop.createFuture(of: Int.self)
        await #expect(throws: FlavorError.self) { try await future.value }
        await #expect(throws: FlavorError.self) { try await Asyncio.sleep(0) }
    }

    public func unretrievedExceptionIsReportedOnlyWhenNotRetrieved(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            var reports: [String] = []
            loop.setExceptionHandler { _, context in
                reports.append(context.message + ":" + String(describing: context.error.map { "\($0)" } ?? ""))
            }
            do {
                let retrieved = loop.createFuture(of: Int.self)
                try retrieved.setException(TestError(tag: 1))
                _ = try retrieved.exception()
            }
            do {
                let cancelled = loop.createFuture(of: Int.self)
                cancelled.cancel()
            }
            do {
                let lost = loop.createFuture(of: Int.self)
                try lost.setException(TestError(tag: 2))
            }
            #expect(reports == ["Future exception was never retrieved:TestError(tag: 2)"])
        }
    }
}
