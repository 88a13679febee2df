import Asyncio
import AsyncioTestSupport
import Testing
import Traio

/// traio's tests/test_misuse.py, in Swift's terms: what traio checks at run time (a non-awaitable given to
/// `spawn`, `with` instead of `async with`) the type system mostly rules out; what remains throws a clear error.
public struct MisuseConformance {
    public init() {}

    public func aFutureOfAnotherLoopIsRefused(_ factory: ConformanceLoop) throws {
        let other = try SelectorEventLoop()
        defer { try? other.close() }
        try factory.run { _ in
            let scope = Scope()
            #expect(throws: ValueError.self) { try scope.spawn(future: other.createFuture(of: Int.self)) }
            scope.cancel()
        }
    }

    public func badNumbersAreRefused(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            try await Scope().run { scope in
                #expect(throws: ValueError.self) { try scope.spawn(cancelTimeout: -1) {} }
                #expect(throws: ValueError.self) { try scope.spawn(cancelTimeout: .nan) {} }
                #expect(throws: ValueError.self) { try scope.fork(timeout: -1) }
                #expect(scope.tasks().isEmpty)
            }
            for bad in [-0.5, Double.nan] {
                let scope = Scope(timeout: bad)
                #expect(throws: ValueError.self) { try scope.spawn {} }
                await #expect(throws: ValueError.self) { try await scope.run { _ in } }
                await #expect(throws: ValueError.self) { try await scope.wait() }
            }
        }
    }

    public func infiniteTimesMeanNoLimit(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: .infinity).run { scope in
                try scope.spawn(cancelTimeout: .infinity) {
                    do { try await run10() } catch { try await Asyncio.sleep(0.3) }
                }
                try await Asyncio.sleep(0.1)
                scope.cancel()
            }
            factory.expectElapsed(loop, since: start, 0.4)
        }
    }


    public func runOutsideAnAsyncioTaskIsRefused(_ factory: ConformanceLoop) async throws {
        // Carries the scope out of the loop's run; used on one thread at a time.
        final class Carrier: @unchecked Sendable { var scope: Scope? }
        let carrier = Carrier()
        try factory.run { _ in carrier.scope = Scope() }
        let scope = try #require(carrier.scope)
        await #expect(throws: FlavorError.self) { try await scope.run { _ in } }
    }

    public func aScopeIsEnteredOnce(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let scope = Scope()
            try await scope.run { scope in
                await #expect(throws: RuntimeError.self) { try await scope.run { _ in } }
            }
            await #expect(throws: RuntimeError.self) { try await scope.run { _ in } }
        }
    }

    public func aDeadOrDyingScopeTakesNoTasks(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let scope = Scope()
            try scope.spawn(cancelTimeout: 0.1) {
                do { try await run10() } catch { try await Asyncio.sleep(0.05) }
            }
            scope.cancel()
            #expect(!scope.done)
            #expect(throws: RuntimeError.self) { try scope.spawn {} }
            #expect(throws: RuntimeError.self) { try scope << {} }
            try await scope.wait()
            #expect(throws: RuntimeError.self) { try scope.spawn {} }
            #expect(throws: RuntimeError.self) { try scope.fork() }
        }
    }

}
