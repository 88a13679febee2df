import Asyncio
import AsyncioTestSupport
import Logging
import Testing
import Traio

/// traio's tests/test_general.py: the basic shapes, logging and introspection.
public struct GeneralConformance {
    public init() {}


    public func lifeCycleMessagesAreLoggedAtDebugLevel(_ factory: ConformanceLoop) throws {
        let records = LogRecords()
        try factory.run { _ in
            let scope = Scope(name: "logged", logger: records.logger())
            try await scope.run { scope in
                try scope.spawn(name: "worker") { try await Asyncio.sleep(0.01) }
            }
        }
        let debug = records.all.filter { $0.level == .debug }.map(\.message)
        for text in ["creating Scope(", "adding Task(0, worker) to", "Task(0, worker) done", "finalizing", "finished"] {
            #expect(debug.contains { $0.contains(text) }, "no debug message containing \(text): \(debug)")
        }
        #expect(debug.allSatisfy { $0.contains("logged") || $0.contains("worker") })
    }

    public func theTimeoutIsADebugMessageToo(_ factory: ConformanceLoop) throws {
        let quiet = LogRecords()
        let verbose = LogRecords()
        try factory.run { _ in
            for records in [quiet, verbose] {
                let scope = Scope(timeout: 0.01, logger: records.logger(level: records === quiet ? .info : .debug))
                try scope.spawn(run10)
                await #expect(throws: TimeoutError.self) { try await scope.wait() }
            }
        }
        #expect(quiet.all.isEmpty)
        #expect(verbose.messages(at: .debug, containing: "timeout on Scope(").count == 1)
    }

    public func theDefaultLoggerIsNamedAfterTheScope(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let named = Scope(name: "fetcher")
            #expect(named.logger.label == "fetcher")
            #expect(named.name == "fetcher")
            let anonymous = Scope()
            #expect(anonymous.name.hasPrefix("Scope-"))
            #expect(anonymous.logger.label == anonymous.name)
            let fork = try named.fork()
            #expect(fork.logger.label == "fetcher")
            named.cancel()
            anonymous.cancel()
        }
    }

    public func anEmptyScope(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope().run { _ in }
            factory.expectElapsed(loop, since: start, 0)
        }
    }

    public func anEmptyScopeWithATimeoutEndsAtOnce(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            let scope = Scope(timeout: 0.1)
            try await scope.run { _ in }
            factory.expectElapsed(loop, since: start, 0)
            #expect(try scope.exception() == nil)
        }
    }

    public func aScopeRunsItsTask(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let calls = Counter()
            try await Scope().run { scope in
                try scope << { try await Asyncio.sleep(0.01); calls.value += 1 }
            }
            #expect(calls.value == 1)
        }
    }

    public func aScopeSupervisesAFuture(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: 0.1).run { scope in
                let future = loop.createFuture(of: Int.self)
                let task = try scope.spawn(future: future)
                try future.setResult(7)
                #expect(try await task.value == 7)
            }
            factory.expectElapsed(loop, since: start, 0)
        }
    }

    public func theBodysErrorIsRaised(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            await #expect(throws: TestError.self) { () async throws -> Void in
                try await Scope().run { _ in throw TestError() }
            }
        }
    }

    public func theBodysErrorWaitsForTheTasksToBeCancelled(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let cleaned = Counter()
            let start = loop.time()
            await #expect(throws: TestError.self) { () async throws -> Void in
                try await Scope().run { scope in
                    try scope << {
                        do { try await run10() } catch {
                            try? await Asyncio.sleep(0.05)
                            cleaned.value += 1
                            throw error
                        }
                    }
                    try await Asyncio.sleep(0.01)
                    throw TestError()
                }
            }
            factory.expectElapsed(loop, since: start, 0.06)
            #expect(cleaned.value == 1)
        }
    }

    public func aTasksErrorIsRaised(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            await #expect(throws: TestError.self) { () async throws -> Void in
                try await Scope().run { scope in
                    try scope << { try await Asyncio.sleep(0.01); throw TestError() }
                }
            }
            factory.expectElapsed(loop, since: start, 0.01)
        }
    }

    public func runReturnsTheBodysValue(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let value = try await Scope().run { scope in
                try await scope.spawn { try await Asyncio.sleep(0.01); return 20 }.value + 22
            }
            #expect(value == 42)
        }
    }

    public func aBodyWithAValueInterruptedBySilentCancelRethrows(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            await #expect(throws: CancelledError.self) { () async throws -> Void in
                try await Scope().run { scope -> Int in
                    try scope.spawn(master: true) { try await Asyncio.sleep(0.01) }
                    try await run10()
                    return 1
                }
            }
        }
    }

    public func tasksListsRunningTasksAndForks(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            try await Scope().run { outer in
                for count in 1...10 {
                    try outer << run10
                    #expect(outer.tasks().count == count)
                }
                try await Asyncio.sleep(0.5)
                try await outer.fork(name: "inner").run { inner in
                    for _ in 0..<3 { try inner << run10 }
                    let listing = outer.tasks()
                    #expect(listing.count == 11)
                    #expect(inner.tasks().count == 3)
                    let nested = try #require(listing[inner.description] as? [String: Any])
                    #expect(nested.count == 3)
                    let ages = listing.values.compactMap { $0 as? Double }
                    #expect(ages.count == 10)
                    #expect(ages.allSatisfy { abs($0 - 0.5) <= virtualTimeSlack })
                    #expect(nested.keys.allSatisfy { $0.hasPrefix("Task(") })
                    outer.cancel()
                }
            }
        }
    }
}
