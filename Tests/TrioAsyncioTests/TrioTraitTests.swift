import Foundation
import Asyncio
import Sniffio
import Synchronization
import Testing
import Trio
import TrioAsyncio
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

/// TrioTesting's `.trio` / `.trioAsyncio` traits: what a test body gets, and how failures read.
@Suite struct TrioTraitTests {
    @Test(.trio) func theBodyIsTheMainTaskOfARunOnVirtualTime() async throws {
        #expect(try currentAsyncLibrary() == "trio")
        #expect(try Lowlevel.currentTask().name.isEmpty == false)
        let start = try Trio.currentTime()
        try await Trio.sleep(3600)
        #expect(try Trio.currentTime() - start == 3600)
    }

    @Test(.trio(clock: .mock(rate: 0))) func aStillMockClockMovesOnlyWhenJumped() async throws {
        let start = try Trio.currentTime()
        try TrioTestScope.clock.jump(5)
        #expect(try Trio.currentTime() - start == 5)
    }

    @Test(.trio(clock: .system)) func theSystemClockHasNoMockToDrive() async throws {
        #expect(throws: RuntimeError.self) { _ = try TrioTestScope.clock }
        try await Trio.sleep(0.01)
    }

    @Test(.trio) func backgroundTasksAreCancelledWhenTheBodyReturns() async throws {
        let finished = Mutex(false)
        try TrioTestScope.nursery.startSoon {
            defer { finished.withLock { $0 = true } }
            try await Trio.sleepForever()
        }
        try await waitAllTasksBlocked()
        #expect(!finished.withLock { $0 })
    }

    @Test(.trio) func anExpectationInAChildTaskRecordsAgainstTheTest() async throws {
        await withKnownIssue("recorded from a nursery child") {
            try await withNursery { nursery in
                try nursery.startSoon { #expect(Bool(false), "from a child task") }
            }
        }
    }

    @Test(.trioAsyncio) func aTrioAsyncioTestRunsInsideOpenLoop() async throws {
        let loop = try TrioTestScope.loop
        #expect(CurrentLoop.value === loop)
        let start = loop.time()
        try await allowAsyncio { try await Asyncio.sleep(600) }
        let doubled = try await aioAsTrio { (n: Int) async throws -> Int in
            try await Asyncio.sleep(1)
            return 2 * n
        }(21)
        #expect(doubled == 42)
        #expect(loop.time() - start == 601)
    }

    @Test func theLoopIsOnlyForTrioAsyncioTests() throws {
        #expect(throws: RuntimeError.self) { _ = try TrioTestScope.loop }
        #expect(throws: RuntimeError.self) { _ = try TrioTestScope.nursery }
    }
}

/// Every test of a suite marked `.trio` gets a run of its own.
@Suite(.trio) struct TrioTraitOnASuiteTests {
    @Test func first() async throws {
        try await Trio.sleep(10)
        #expect(try Trio.currentTime() >= 10)
    }

    @Test(arguments: [1, 2]) func eachCaseToo(_ seconds: Int) async throws {
        let start = try Trio.currentTime()
        try await Trio.sleep(Double(seconds))
        #expect(try Trio.currentTime() - start == Double(seconds))
    }
}

/// The trait's failures, shown failing: each runs the trait's scope around a body that must fail, and
/// Swift Testing's known-issue mechanism checks which issues it recorded.
@Suite struct TrioTraitFailureTests {
    struct Failure: Error, Equatable { let tag: Int }

    /// Runs `body` under `trait` as a test's body, inside this test, and returns the issues it recorded.
    static func issues(
        under trait: TrioTrait = .trio, _ body: @escaping @Sendable () async throws -> Void
    ) async throws -> [Issue] {
        let recorded = Mutex<[Issue]>([])
        try await withKnownIssue {
            try await trait.provideScope(for: Test.current!, testCase: Test.Case.current, performing: body)
        } matching: { issue in
            recorded.withLock { $0.append(issue) }
            return true
        }
        return recorded.withLock { $0 }
    }

    @Test func eachLeafOfAGroupIsItsOwnIssue() async throws {
        let issues = try await Self.issues {
            try await withNursery { nursery in
                try nursery.startSoon { throw Failure(tag: 1) }
                try nursery.startSoon { throw Failure(tag: 2) }
            }
        }
        let tags = issues.compactMap { ($0.error as? Failure)?.tag }.sorted()
        #expect(tags == [1, 2])
        #expect(issues.count == 2)
    }

    @Test func aPlainErrorIsOneIssue() async throws {
        let issues = try await Self.issues { throw Failure(tag: 7) }
        #expect(issues.count == 1)
        #expect((issues.first?.error as? Failure)?.tag == 7)
    }

    @Test func aWorkerThreadLeftRunningFailsTheTest() async throws {
        let issues = try await Self.issues {
            _ = try await moveOnAfter(0.1) {
                try await ToThread.runSync(abandonOnCancel: true) { usleep(200_000) }
            }
        }
        #expect(issues.count == 1)
        #expect(issues.first.map { "\($0)" }?.contains("worker-thread") == true, "\(issues)")
    }

    /// Somewhere a test can leave a socket, as a test that stores one in a long-lived object does.
    final class Holder: @unchecked Sendable {
        var stream: SocketStream?
        var fd: Int32 = -1
    }

    @Test func aSocketLeftOpenFailsTheTestAndIsNamed() async throws {
        let holder = Holder()
        let issues = try await Self.issues {
            var pair: [Int32] = [-1, -1]
            #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
            let (a, b) = (try SocketStream(fileDescriptor: pair[0]), try SocketStream(fileDescriptor: pair[1]))
            try await withNursery { nursery in
                // `b` waits for data, so it registers with the run's I/O manager, and keeps it.
                try nursery.startSoon { _ = try await b.receiveSome() }
                try await waitAllTasksBlocked()
                try await a.sendAll([1])
            }
            try await a.aclose()
            // `b` outlives the test's body, still registered with the run.
            holder.stream = b
            holder.fd = pair[1]
        }
        holder.stream = nil
        #expect(issues.count == 1, "\(issues)")
        #expect(issues.first.map { "\($0)" }?.contains("[\(holder.fd)]") == true, "\(issues)")
    }

    @Test func aRunThatCleansUpRecordsNothing() async throws {
        // Without withKnownIssue: any issue recorded here fails this test.
        try await TrioTrait.trio.provideScope(for: Test.current!, testCase: Test.Case.current) {
            var pair: [Int32] = [-1, -1]
            #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
            let (a, b) = (try SocketStream(fileDescriptor: pair[0]), try SocketStream(fileDescriptor: pair[1]))
            try await a.sendAll([1])
            _ = try await b.receiveSome()
            try await a.aclose()
            try await b.aclose()
            _ = try await moveOnAfter(0.1) { try await ToThread.runSync(abandonOnCancel: true) { usleep(1000) } }
            try await waitAllThreadsCompleted()
        }
    }

    @Test func cancellingTheTestBeforeItsRunStartsEndsTheRun() async throws {
        let issues = try await Self.cancelled(after: nil)
        #expect(issues.count == 1)
        #expect(issues.first.map { "\($0)" }?.contains("cancelled") == true, "\(issues)")
    }

    @Test func cancellingTheTestWhileItsRunWaitsEndsTheRun() async throws {
        let (started, signal) = AsyncStream<Void>.makeStream()
        let issues = try await Self.cancelled(after: started) { signal.yield() }
        #expect(issues.count == 1)
        #expect(issues.first.map { "\($0)" }?.contains("cancelled") == true, "\(issues)")
    }

    /// Runs a body that waits for ever under the trait in a Swift task, cancels that task (as
    /// `.timeLimit` does) once `started` yields (at once when `nil`), and returns the issues.
    static func cancelled(
        after started: AsyncStream<Void>?, _ onStart: @escaping @Sendable () -> Void = {}
    ) async throws -> [Issue] {
        let recorded = Mutex<[Issue]>([])
        try await withKnownIssue {
            let test = Test.current!
            let testCase = Test.Case.current
            let task = Task {
                try await TrioTrait.trio(clock: .system).provideScope(for: test, testCase: testCase) {
                    onStart()
                    try await Trio.sleepForever()
                }
            }
            if let started {
                for await _ in started { break }
            }
            task.cancel()
            try await task.value
        } matching: { issue in
            recorded.withLock { $0.append(issue) }
            return true
        }
        return recorded.withLock { $0 }
    }
}


/// `AsyncioLoopKind`: one case per loop, each on virtual time (the example of "Testing with swift-trio").
@Suite struct AsyncioLoopKindTests {
    @Test(arguments: AsyncioLoopKind.allCases)
    func timeoutCancelsTheSlowTask(on kind: AsyncioLoopKind) throws {
        let elapsed = try kind.run { loop in
            let start = loop.time()
            await #expect(throws: Asyncio.TimeoutError.self) {
                try await Asyncio.waitFor(Asyncio.createTask { try await Asyncio.sleep(10) }, timeout: 1)
            }
            return loop.time() - start
        }
        #expect(elapsed == 1)
    }

    @Test(arguments: AsyncioLoopKind.allCases)
    func realTimeIsAvailableToo(on kind: AsyncioLoopKind) throws {
        let elapsed = try kind.run(virtualTime: false) { loop in
            let start = loop.time()
            try await Asyncio.sleep(0.01)
            return loop.time() - start
        }
        #expect(elapsed >= 0.01)
    }

    @Test(.timeLimit(.minutes(1)), arguments: AsyncioLoopKind.allCases)
    func runAsyncLeavesThePoolFreeForTheSwiftTasksTheLoopsWaitFor(on kind: AsyncioLoopKind) async throws {
        // More loops at once than the cooperative pool has threads (one per core), each waiting in a
        // Swift child task until every child has started: loops blocking threads of the pool would
        // leave their children none to start on.
        let count = ProcessInfo.processInfo.activeProcessorCount + 2
        let gathering = Gathering(expected: count)
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<count {
                group.addTask {
                    try await kind.runAsync { _ in
                        try await swiftAsAio { () -> Int in
                            await gathering.arriveAndWait()
                            return index
                        }.value
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values.sorted() == Array(0..<count))
    }

    @Test(arguments: AsyncioLoopKind.allCases)
    func runAsyncReturnsWhatMainThrows(on kind: AsyncioLoopKind) async {
        await #expect(throws: ValueError.self) {
            try await kind.runAsync { _ in
                try await Asyncio.sleep(5)
                throw ValueError("from main")
            }
        }
    }

    @Test func aTrioEventLoopIsNotMadeOutsideOpenLoop() {
        #expect(throws: ValueError.self) { _ = try AsyncioLoopKind.trio.makeLoop() }
    }
}

/// Holds each arriving task until `expected` tasks have arrived.
private actor Gathering {
    private let expected: Int
    private var arrived = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(expected: Int) { self.expected = expected }

    func arriveAndWait() async {
        arrived += 1
        if arrived == expected {
            for waiter in waiting { waiter.resume() }
            waiting = []
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}
