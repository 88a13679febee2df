import Testing
import Trio
import TrioTesting

/// A Trio task cancelled while it is suspended in plain Swift code hears about it on stderr.
@Suite(.serialized) struct SwiftSuspensionWarningTests {
    @Test func aTaskCancelledWhileSuspendedInPlainSwiftCodeIsWarnedOnce() throws {
        let name = "stuck-in-swift-7a3"
        var stillRan = false
        let text = try capturingStandardError {
            stillRan = try runMocked { () -> Bool in
                var stillRan = false
                try await withNursery { nursery in
                    try nursery.startSoon(name: name) {
                        // Not cancellable by Trio: the task sleeps its full time although cancelled.
                        try? await Task.sleep(for: .milliseconds(20))
                        // Suspending outside Trio again while cancelled: no second warning.
                        try? await Task.sleep(for: .milliseconds(1))
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

    @Test func aTaskThatSuspendsWhileAlreadyCancelledIsWarned() throws {
        let name = "late-swift-await-5c2"
        let text = try capturingStandardError {
            try runMocked {
                let scope = CancelScope()
                try await scope.run {
                    try Lowlevel.currentTask().name = name
                    scope.cancel()
                    await Task.yield()
                }
            }
        }
        #expect(text.contains("<TrioTask \(name)>"))
    }

    @Test func aTaskWaitingInSwiftAsTrioIsNotWarned() throws {
        let name = "adapted-swift-call-9b1"
        let text = try capturingStandardError {
            try runMocked {
                try await withNursery { nursery in
                    try nursery.startSoon(name: name) {
                        try await swiftAsTrio { try await Task.sleep(for: .seconds(3600)) }
                    }
                    try await waitAllTasksBlocked()
                    nursery.cancelScope.cancel()
                }
            }
        }
        #expect(!text.contains("<TrioTask \(name)>"))
    }
}
