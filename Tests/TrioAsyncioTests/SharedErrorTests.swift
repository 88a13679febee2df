import Asyncio
import Testing
import Trio

@Suite struct SharedErrorTests {
    @Test func bothFlavorsShareThePythonBuiltins() {
        // Module-qualified names resolve to one type, so one catch clause handles both flavors.
        let fromTrio: any Error = Trio.RuntimeError("from trio")
        #expect(fromTrio is Asyncio.RuntimeError)
        #expect(Trio.ValueError.self == Asyncio.ValueError.self)
        #expect(Trio.OSError.self == Asyncio.OSError.self)
        #expect(Trio.ExceptionGroup.self == Asyncio.ExceptionGroup.self)
    }
}
