import Asyncio
import AsyncioTestSupport
import Testing
import Traio

/// traio's tests/test_nested.py: scopes inside scopes, forks, and `Scope.current`.
public struct NestedConformance {
    public init() {}

    public func anOuterTimeoutEndsAnUnrelatedInnerScope(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            let innerCancelled = Counter()
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope(timeout: 0.2).run { _ in
                    try await Scope(timeout: 0.5).run { inner in
                        try inner.spawn {
                            do { try await run10() } catch { innerCancelled.value += 1; throw error }
                        }
                    }
                }
            }
            factory.expectElapsed(loop, since: start, 0.2)
            #expect(innerCancelled.value == 1)
        }
    }

    public func theParentsTimeoutEndsAFork(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope(timeout: 0.1).run { parent in
                    try await parent.fork().run { inner in try inner.spawn(run10) }
                }
            }
            factory.expectElapsed(loop, since: start, 0.1)
        }
    }

    public func theParentsTimeoutEndsAForkWaitedFor(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            var child: Scope?
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope(timeout: 0.1).run { parent in
                    let inner = try parent.fork()
                    child = inner
                    try inner.spawn(run10)
                    try await inner.wait()
                }
            }
            factory.expectElapsed(loop, since: start, 0.1)
            // A fork is cancelled silently with its parent.
            let inner = try #require(child)
            #expect(inner.done)
            #expect(try inner.exception() == nil)
        }
    }

    public func aForksTimeoutIsRaisedThroughItsParent(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope().run { parent in
                    try parent.spawn(run10)
                    try await parent.fork(timeout: 0.1).run { inner in try inner.spawn(run10) }
                }
            }
            factory.expectElapsed(loop, since: start, 0.1)
        }
    }

    public func aFinishedScopeCannotFork(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let scope = Scope()
            try await scope.run { _ in }
            #expect(throws: RuntimeError.self) { try scope.fork() }
        }
    }

    public func aForksTimeoutInASiblingTaskBubbles(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            func forkParent(_ parent: Scope, timeout: Double) async throws {
                try await parent.fork(timeout: timeout).run { inner in try inner.spawn(run10) }
            }
            let start = loop.time()
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope().run { parent in
                    try parent.spawn(run10)
                    try parent.spawn { try await forkParent(parent, timeout: 0) }
                    try parent.spawn { try await forkParent(parent, timeout: 0.1) }
                }
            }
            factory.expectElapsed(loop, since: start, 0.1)
        }
    }

    public func aForksErrorDoesNotBubbleIntoItsParent(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            let outcome = await capture {
                try await Scope(timeout: 0.5).run { parent in
                    try parent.spawn(name: "run10", run10)
                    let inner = try parent.fork()
                    try inner.spawn { try await Asyncio.sleep(0.2); throw TestError() }
                    await #expect(throws: TestError.self) { try await inner.wait() }
                    factory.expectElapsed(loop, since: start, 0.2)
                }
            }
            #expect(throws: TimeoutError.self) { try outcome.get() }
            factory.expectElapsed(loop, since: start, 0.5)
        }
    }

    public func cancellingAForkThenItsParent(_ factory: ConformanceLoop, waiting: ScopeWait) throws {
        try factory.run { loop in
            let start = loop.time()
            let parent = Scope()
            let child = try parent.fork()
            try child << run10
            try await Asyncio.sleep(0.1)
            child.cancel()
            parent.cancel()
            try await waiting(parent)
            factory.expectElapsed(loop, since: start, 0.1)
            #expect(parent.done && child.done)
        }
    }

    public func cancellingTheFutureOfAScopeCancelsTheScope(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            let scope = Scope()
            try scope << run10
            await #expect(throws: TimeoutError.self) { try await waitFor(scope.asFuture(), timeout: 0.1) }
            try await scope.wait()
            factory.expectElapsed(loop, since: start, 0.1)
        }
    }

    public func theCurrentScope(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            #expect(Scope.current == nil)
            let outer = Scope()
            let unrelated = Scope()
            let checks = Counter()
            func expectCurrent(_ scope: Scope, sourceLocation: SourceLocation = #_sourceLocation) {
                #expect(Scope.current === scope, sourceLocation: sourceLocation)
                checks.value += 1
            }
            try await Scope.withCurrent(unrelated) {
                expectCurrent(unrelated)
                try await outer.run { _ in
                    expectCurrent(outer)
                    try outer << {
                        let old = try #require(Scope.current)
                        expectCurrent(outer)
                        try await old.fork().run { new in
                            expectCurrent(new)
                            try await loop.createTask { expectCurrent(new) }.value
                            try new << { expectCurrent(new) }
                            try old << { expectCurrent(old) }
                        }
                        expectCurrent(outer)
                    }
                }
                expectCurrent(unrelated)
            }
            #expect(Scope.current == nil)
            #expect(checks.value == 9)
        }
    }
}
