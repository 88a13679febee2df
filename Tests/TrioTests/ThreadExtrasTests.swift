import Foundation
import Synchronization
import Testing
import Trio
import TrioTesting

/// The calling thread's OS name, as the kernel reports it.
private func osThreadName() -> String {
    let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?"
    return comm.trimmingCharacters(in: .newlines)
}

/// `ToThread.runSync(threadName:)` and TrioTesting's thread accounting.
@Suite struct ThreadExtrasTests {
    @Test func workerThreadsAreNamedAfterTheirCall() throws {
        let names = try Trio.run { () -> [String?] in
            var names: [String?] = [ToThread.currentThreadName]
            let named = try await ToThread.runSync(threadName: "worker number é for tests") {
                [ToThread.currentThreadName, osThreadName()]
            }
            names += named
            try await withNursery { nursery in
                try nursery.startSoon(name: "namer") {
                    names += try await ToThread.runSync { [ToThread.currentThreadName, osThreadName()] }
                }
            }
            return names
        }
        #expect(names == [
            nil,
            // The kernel keeps 15 bytes; "é" (two) would straddle the cut, so it goes whole.
            "worker number é for tests", "worker number ",
            "ToThread.runSync from namer", "ToThread.runSyn",
        ])
    }

    @Test func waitAllThreadsCompletedWaitsForAbandonedThreads() throws {
        let log = try Trio.run { () -> [String] in
            var log: [String] = ["idle \(try activeThreadCount())"]
            let gate = Gate()
            let threadDone = Atomic<Bool>(false)
            let scope = CancelScope()
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await scope.run {
                        try await ToThread.runSync(abandonOnCancel: true) {
                            gate.wait()
                            threadDone.store(true, ordering: .releasing)
                        }
                    }
                    log.append("abandoned")
                }
                try await waitAllTasksBlocked()
                log.append("running \(try activeThreadCount())")
                scope.cancel()
                try await waitAllTasksBlocked()
                log.append("after abandoning \(try activeThreadCount())")
                try nursery.startSoon {
                    try await waitAllThreadsCompleted()
                    log.append("completed \(threadDone.load(ordering: .acquiring)) \(try activeThreadCount())")
                }
                try await waitAllTasksBlocked()
                log.append("still waiting")
                gate.open()
            }
            return log
        }
        #expect(log == [
            "idle 0", "running 1", "abandoned", "after abandoning 1", "still waiting", "completed true 0",
        ])
    }

    @Test func waitAllThreadsCompletedIsACheckpointEvenWithNoThreads() throws {
        let caught = try Trio.run { () -> Bool in
            try await waitAllThreadsCompleted()
            let scope = CancelScope()
            try await scope.run {
                scope.cancel()
                try await waitAllThreadsCompleted()
            }
            return scope.cancelledCaught
        }
        #expect(caught)
        #expect(throws: RuntimeError.self) { try activeThreadCount() }
    }
}
