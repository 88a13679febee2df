import Foundation
import TestSupport
import Testing
import Trio

#if canImport(Glibc)
import Glibc
#endif

/// The program entry points (`Trio.runMain`, `Asyncio.runMain`, `TrioAsyncio.runMain`), each in a
/// process of its own: Ctrl-C and the exit status belong to the whole process.
@Suite struct RunMainTests {
    /// What a probe process did.
    struct Outcome {
        /// `returnCode` as Trio reports it: the exit status, or minus the signal that ended it.
        var code: Int32
        var stdout: String
        var stderr: String
    }

    /// `entry-point-probe`, built next to the test bundle by `swift build --build-tests`.
    static var probeBinary: String { builtExecutable(named: "entry-point-probe") }

    /// Runs the probe; sends `SIGINT` once per `interrupts`, each right after the probe printed
    /// `READY` (its main task is then waiting), so no signal depends on timing.
    static func probe(_ flavor: String, _ mode: String, interrupts: Int = 0) throws -> Outcome {
        let binary = probeBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build entry-point-probe first")
        return try Trio.run { () -> Outcome in
            try await failAfter(60) {
                let process = try await openProcess([binary, flavor, mode], stdout: .pipe, stderr: .pipe)
                var output: [UInt8] = []
                var errors: [UInt8] = []
                try await withNursery { nursery in
                    try nursery.startSoon {
                        for try await chunk in process.stderr!.chunks { errors += chunk }
                    }
                    var sent = 0
                    for try await chunk in process.stdout!.chunks {
                        output += chunk
                        let readies = String(decoding: output, as: UTF8.self).components(separatedBy: "READY\n").count - 1
                        while sent < min(readies, interrupts) {
                            try process.sendSignal(SIGINT)
                            sent += 1
                        }
                    }
                }
                let code = try await process.wait()
                try await process.aclose()
                return Outcome(
                    code: code, stdout: String(decoding: output, as: UTF8.self),
                    stderr: String(decoding: errors, as: UTF8.self))
            }
        }
    }

    @Test(arguments: ["trio", "asyncio", "trio-asyncio"])
    func ctrlCEndsTheProcessBySIGINTAfterCleanup(flavor: String) throws {
        let outcome = try Self.probe(flavor, "interrupt", interrupts: 1)
        #expect(outcome.code == -SIGINT, "\(outcome)")
        #expect(outcome.stderr == "KeyboardInterrupt\n")
        #expect(outcome.stdout == "READY\ncleanup ran\n")
    }

    @Test func aSecondCtrlCStopsAnAsyncioMainTaskThatIgnoresTheFirst() throws {
        let outcome = try Self.probe("asyncio", "stubborn", interrupts: 2)
        #expect(outcome.code == -SIGINT, "\(outcome)")
        #expect(outcome.stderr == "KeyboardInterrupt\n")
        // The first cancel was swallowed; the second Ctrl-C stopped the loop, and the cancel of the
        // tasks left ran the main task's cleanup.
        #expect(outcome.stdout == "READY\nignoring the first cancel\nREADY\ncleanup ran\n")
    }

    @Test(arguments: ["trio", "asyncio", "trio-asyncio"])
    func anUncaughtErrorIsPrintedWithStatus1(flavor: String) throws {
        let outcome = try Self.probe(flavor, "error")
        #expect(outcome.code == 1, "\(outcome)")
        #expect(outcome.stderr == "ValueError: probe failed\n")
        #expect(outcome.stdout.isEmpty)
    }

    @Test(arguments: ["trio", "asyncio", "trio-asyncio"])
    func anUncaughtGroupIsPrintedWithEveryLeaf(flavor: String) throws {
        let outcome = try Self.probe(flavor, "group")
        #expect(outcome.code == 1, "\(outcome)")
        let lines = outcome.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(outcome.stderr)")
        #expect(lines.first?.hasPrefix("ExceptionGroup: ") == true)
        #expect(lines.first?.hasSuffix("(2 sub-exceptions)") == true)
        #expect(lines.dropFirst().contains("├─ ValueError: first child failed"))
        #expect(lines.dropFirst().contains("└─ RuntimeError: second child failed"))
        #expect(!outcome.stderr.contains("Fatal error"))
    }

    @Test(arguments: ["trio", "asyncio", "trio-asyncio"])
    func aMainThatReturnsExitsWithStatus0(flavor: String) throws {
        let outcome = try Self.probe(flavor, "ok")
        #expect(outcome.code == 0, "\(outcome)")
        #expect(outcome.stdout == "done\n")
        #expect(outcome.stderr.isEmpty)
    }
}
