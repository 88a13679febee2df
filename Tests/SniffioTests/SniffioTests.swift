import Sniffio
import Testing

@Suite struct SniffioTests {
    @Test func outsideEveryRuntimeThrows() {
        #expect(throws: AsyncLibraryNotFoundError.self) { try currentAsyncLibrary() }
    }

    @Test func taskLocalIsReported() async throws {
        try await AsyncLibrary.$taskLibrary.withValue("trio") {
            #expect(try currentAsyncLibrary() == "trio")
        }
    }

    @Test func threadValueWinsAndIsRestored() throws {
        try AsyncLibrary.$taskLibrary.withValue("trio") {
            try AsyncLibrary.withThreadLibrary("asyncio") {
                #expect(try currentAsyncLibrary() == "asyncio")
            }
            #expect(try currentAsyncLibrary() == "trio")
        }
        #expect(AsyncLibrary.threadLibrary == nil)
    }
}
