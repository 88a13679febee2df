import Testing
import Trio

/// The binding names of the Swift-concurrency interop, spelled exactly as tests outside the repo call them:
/// a renamed label or type breaks the build here.
@Suite struct SwiftInteropContractTests {
    @Test func swiftInteropContractSpellings() async throws {
        let fromRun: Int = try await Trio.runAsync(clock: nil, instruments: [], strictExceptionGroups: true) {
            () async throws -> Int in
            try await swiftAsTrio { @Sendable () async throws -> Int in 1 }
        }
        let thread: TrioThread = try TrioThread(name: "trio", clock: nil)
        let token: TrioToken = thread.token
        let fromThread: Int = try await thread.run { () async throws -> Int in 2 }
        try await thread.shutdown()
        #expect(fromRun + fromThread == 3)
        #expect(throws: RunFinishedError.self) { try token.runSyncSoon {} }
    }
}
