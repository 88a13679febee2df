import Testing
import Trio
import TrioTesting

/// A Trio task cancelled while it is suspended in plain Swift code hears about it on stderr, once
/// it has stayed there longer than a short grace period (0.1 s of real time).
@Suite(.serialized) struct SwiftSuspensionWarningTests {
    @Test func aTaskCancelledWhileSuspendedInPlainSwiftCodeIsWarnedOnce() async throws {
        let name = "stuck-in-swift-7a3"
        var stillRan = false
        let text = try await capturingStandardError {
            stillRan = try await runMockedAsync { () -> Bool in
                var stillRan = false
                try await withNursery { nursery in
                    try nursery.startSoon(name: name) {
                        // Not cancellable by Trio: the task sleeps its full time although cancelled.
                        try? await Task.sleep(for: .seconds(1))
                        // Away again, as long, while cancelled: no second warning.
                        try? await Task.sleep(for: .seconds(1))
                        stillRan = true
                    }
                    try await waitAllTasksBlocked()
                    nursery.cancelScope.cancel()
                }
                return stillRan
            }
        }
        #expect(stillRan)
        let lines = text.split(separator: "\n").filter { $0.contains("<TrioTask \(name)>") }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("swiftAsTrio") == true)
    }

    @Test func aTaskThatSuspendsWhileAlreadyCancelledIsWarned() async throws {
        let name = "late-swift-await-5c2"
        let text = try await capturingStandardError {
            try await runMockedAsync {
                try await awayWhileCancelled(naming: name) { try? await Task.sleep(for: .seconds(1)) }
            }
        }
        #expect(text.contains("<TrioTask \(name)>"))
    }

    /// Code that only passes through plain Swift (an actor hop, a `Task.yield()`) on its way to
    /// the next checkpoint is not worth a warning.
    @Test func aBriefExcursionIsNotWarned() async throws {
        let name = "brief-excursion-3e8"
        let text = try await capturingStandardError {
            try await runMockedAsync {
                try await awayWhileCancelled(naming: name) { await Task.yield() }
                // Outlive the grace period, so that a pending check has had its say.
                try await swiftAsTrio { try await Task.sleep(for: .milliseconds(300)) }
            }
        }
        #expect(!text.contains("<TrioTask \(name)>"))
    }

    @Test func aTaskWaitingInSwiftAsTrioIsNotWarned() async throws {
        let name = "adapted-swift-call-9b1"
        let text = try await capturingStandardError {
            try await runMockedAsync {
                try await withNursery { nursery in
                    try nursery.startSoon(name: name) {
                        try await swiftAsTrio { try await Task.sleep(for: .seconds(3600)) }
                    }
                    try await waitAllTasksBlocked()
                    nursery.cancelScope.cancel()
                }
                try await swiftAsTrio { try await Task.sleep(for: .milliseconds(300)) }
            }
        }
        #expect(!text.contains("<TrioTask \(name)>"))
    }
}

/// Names the current Trio task, then runs `away` (plain Swift awaits) inside a cancelled scope.
private func awayWhileCancelled(naming name: String, _ away: () async -> Void) async throws {
    let scope = CancelScope()
    try await scope.run {
        try Lowlevel.currentTask().name = name
        scope.cancel()
        await away()
    }
}
