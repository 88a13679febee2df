import Asyncio
import Testing
@testable import Traio

/// traio's tests/test_misuse.py, in Swift's terms: what traio checks at run time (a non-awaitable given to
/// `spawn`, `with` instead of `async with`) the type system mostly rules out; what remains throws a clear error.
@Suite struct MisuseTests {
    @Test(arguments: LoopFactory.all)
    func aFutureOfAnotherLoopIsRefused(_ factory: LoopFactory) throws {
        let other = try SelectorEventLoop()
        defer { try? other.close() }
        try factory.run { _ in
            let scope = Scope()
            #expect(throws: ValueError.self) { try scope.spawn(future: other.createFuture(of: Int.self)) }
            scope.cancel()
        }
    }

    @Test(arguments: LoopFactory.all)
    func badNumbersAreRefused(_ factory: LoopFactory) throws {
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

    @Test(arguments: LoopFactory.all)
    func infiniteTimesMeanNoLimit(_ factory: LoopFactory) throws {
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

    @Test func aScopeMadeOutsideAnAsyncioTaskIsUnusable() async throws {
        let scope = Scope(timeout: 1)
        #expect(throws: FlavorError.self) { try scope.spawn {} }
        #expect(throws: FlavorError.self) { try scope.fork() }
        #expect(throws: FlavorError.self) { try scope.asFuture() }
        await #expect(throws: FlavorError.self) { try await scope.run { _ in } }
        await #expect(throws: FlavorError.self) { try await scope.wait() }
        scope.cancel()
        scope.finalize()
        #expect(scope.tasks().isEmpty)
    }

    @Test(arguments: LoopFactory.all)
    func runOutsideAnAsyncioTaskIsRefused(_ factory: LoopFactory) async throws {
        // Carries the scope out of the loop's run; used on one thread at a time.
        final class Carrier: @unchecked Sendable { var scope: Scope? }
        let carrier = Carrier()
        try factory.run { _ in carrier.scope = Scope() }
        let scope = try #require(carrier.scope)
        await #expect(throws: FlavorError.self) { try await scope.run { _ in } }
    }

    @Test(arguments: LoopFactory.all)
    func aScopeIsEnteredOnce(_ factory: LoopFactory) throws {
        try factory.run { _ in
            let scope = Scope()
            try await scope.run { scope in
                await #expect(throws: RuntimeError.self) { try await scope.run { _ in } }
            }
            await #expect(throws: RuntimeError.self) { try await scope.run { _ in } }
        }
    }

    @Test(arguments: LoopFactory.all)
    func aDeadOrDyingScopeTakesNoTasks(_ factory: LoopFactory) throws {
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

    @Test func lifecycleTransitions() {
        var state = ScopeLifecycle.open
        #expect(state.acceptsTasks && !state.isSilentlyCancelled && !state.isFinished)
        var changed = state.resolve()
        #expect(!changed)
        changed = state.finalize()
        #expect(changed && state.acceptsTasks)
        changed = state.finalize()
        #expect(!changed)
        changed = state.cancel(reason: TestError(tag: 1))
        #expect(changed)
        changed = state.cancel(reason: nil)
        #expect(!changed)
        #expect(!state.acceptsTasks && !state.isSilentlyCancelled && state.finishedError == nil)
        changed = state.finalize()
        #expect(!changed)
        changed = state.resolve()
        #expect(changed)
        changed = state.resolve()
        #expect(!changed)
        #expect(state.isFinished && state.finishedError as? TestError == TestError(tag: 1))

        var silent = ScopeLifecycle.open
        changed = silent.cancel(reason: nil)
        #expect(changed && silent.isSilentlyCancelled && !silent.isFinished)
        changed = silent.resolve()
        #expect(changed && silent.isSilentlyCancelled && silent.finishedError == nil)
    }
}
