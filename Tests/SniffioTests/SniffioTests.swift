import Sniffio
import Testing

@Suite struct SniffioTests {
    @Test func outsideEveryRuntimeThrows() {
        #expect(throws: AsyncLibraryNotFoundError.self) { try currentAsyncLibrary() }
    }

    @Test func taskLocalIsReported() async throws {
        let name = AsyncLibrary.$taskLibrary.withValue("trio") { try? currentAsyncLibrary() }
        #expect(name == "trio")
    }

    @Test func threadValueWinsAndIsRestored() throws {
        let (inner, outer) = AsyncLibrary.$taskLibrary.withValue("trio") { () -> (String?, String?) in
            let inner = AsyncLibrary.withThreadLibrary("asyncio") { try? currentAsyncLibrary() }
            return (inner, try? currentAsyncLibrary())
        }
        #expect(inner == "asyncio")
        #expect(outer == "trio")
        #expect(AsyncLibrary.threadLibrary == nil)
    }
}
