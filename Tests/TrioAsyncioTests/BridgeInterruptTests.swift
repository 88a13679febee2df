import Foundation
import TestSupport
import Testing
import Trio

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C at every point of the bridge (issue #18; the deadlocks of python-trio/trio-asyncio #88 and
/// #118). Each case runs `entry-point-probe bridge POINT` in a process of its own (SIGINT belongs to the
/// whole process): the probe sends itself SIGINT exactly at that point, and must end as `runMain`
/// does — cleanup run, no descriptor left open, `KeyboardInterrupt` on standard error, death by SIGINT —
/// within a generous bound (the child is killed and the case fails past it).
@Suite struct BridgeInterruptTests {
    /// `entry-point-probe`, built next to the test bundle by `swift build --build-tests`.
    static var probeBinary: String { builtExecutable(named: "entry-point-probe") }

    /// Runs the probe at `point`; returns its return code (minus the signal that ended it), its
    /// standard output and its standard error.
    static func probe(_ point: String) throws -> (code: Int32, stdout: String, stderr: String) {
        let binary = probeBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build entry-point-probe first")
        return try Trio.run {
            // Wall-clock bound on purpose: it only catches a hang, which kills the child.
            try await failAfter(60) {
                let result = try await runProcess(
                    [binary, "bridge", point], captureStdout: true, captureStderr: true, check: false)
                return (
                    result.returnCode, String(decoding: result.stdout!, as: UTF8.self),
                    String(decoding: result.stderr!, as: UTF8.self)
                )
            }
        }
    }

    /// Each point, with what its probe prints before the descriptor count: the marker of the
    /// interrupt and the cleanup that ran.
    static let cases: [(point: String, output: [String])] = [
        // Pending when openLoop is entered: delivered while it starts its nurseries and loop task.
        ("start", ["SIGINT at openLoop entry", "body cleanup ran"]),
        // In a callback: the rest of the batch still runs.
        ("batch", ["SIGINT at callback", "rest of the batch ran", "body cleanup ran"]),
        ("aio-as-trio", ["SIGINT at aioAsTrio", "asyncio cleanup ran"]),
        ("trio-as-aio", ["SIGINT at trioAsAio", "trio cleanup ran", "asyncio cleanup ran"]),
        ("allow-asyncio", ["SIGINT at allowAsyncio", "cleanup ran"]),
        // Asyncio.run on a SyncTrioEventLoop: its Ctrl-C guard cancels the main task.
        ("sync-loop", ["SIGINT at runUntilComplete", "trio cleanup ran", "asyncio cleanup ran"]),
        // Raised by an asyncio task cancelled at shutdown: the shutdown goes on to its end.
        ("shutdown", ["body returns", "trio cleanup ran", "SIGINT at shutdown", "asyncio cleanup ran"]),
        // The loop stopped by hand under a waiting aioAsTrio call: the waiter does not wait for ever.
        ("stopped-loop", ["SIGINT at loop.stop()", "waiter cleanup ran"]),
        // asyncio code raising KeyboardInterrupt itself (trio-asyncio #88).
        ("raised", ["raising"]),
    ]

    @Test(arguments: cases.map(\.point))
    func ctrlCEndsTheRunCleanly(point: String) throws {
        let expected = try #require(Self.cases.first { $0.point == point }).output
        let outcome = try Self.probe(point)
        #expect(outcome.code == -SIGINT, "\(outcome)")
        #expect(outcome.stderr == "KeyboardInterrupt\n", "\(outcome)")
        // The lines in any order (the interleaving of the two sides' cleanup is the scheduler's), the
        // count last: it is taken once the run is over.
        let lines = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.last == "", "the output ends with a newline: \(outcome)")
        #expect(lines.dropLast().last == "leaked descriptors: 0", "\(outcome)")
        #expect(lines.dropLast(2).sorted() == expected.sorted(), "\(outcome)")
    }
}
