import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Sniffio
import TestSupport
import Testing
import Trio
import TrioTesting

@Suite struct RunTests {
    @Test func returnsTheMainTaskValue() throws {
        #expect(try Trio.run { "hello" } == "hello")
    }

    @Test func mainTaskErrorComesOutUnwrapped() {
        #expect(throws: Boom.self) {
            try Trio.run { () async throws -> Int in throw Boom() }
        }
    }

    @Test func mainTaskErrorFromNurseryIsAGroupByDefault() {
        do {
            try Trio.run {
                try await withNursery { n in try n.startSoon { throw Boom() } }
            }
            Issue.record("expected an error")
        } catch let group as ExceptionGroup {
            #expect(group.errors.count == 1)
            #expect(group.errors.first is Boom)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func nonStrictRunUnwrapsSingleErrors() {
        #expect(throws: Boom.self) {
            try Trio.run(strictExceptionGroups: false) {
                try await withNursery { n in try n.startSoon { throw Boom() } }
            }
        }
    }

    @Test func nestedRunIsAClearError() throws {
        let message = try Trio.run { () -> String in
            do {
                try Trio.run { 1 }
                return "no error"
            } catch let error as RuntimeError {
                return error.message
            }
        }
        #expect(message.contains("inside a run"))
    }

    @Test func everyTrioAPIThrowsOutsideARun() async {
        await #expect(throws: RuntimeError.self) { try await Trio.checkpoint() }
        await #expect(throws: RuntimeError.self) { try await Trio.checkpointIfCancelled() }
        await #expect(throws: RuntimeError.self) { try await Trio.sleep(1) }
        await #expect(throws: RuntimeError.self) { try await Trio.sleepUntil(1) }
        await #expect(throws: RuntimeError.self) { try await Trio.sleepForever() }
        await #expect(throws: RuntimeError.self) { try await withNursery { _ in } }
        await #expect(throws: RuntimeError.self) { try await CancelScope().run {} }
        await #expect(throws: RuntimeError.self) { try await moveOnAfter(1) {} }
        await #expect(throws: RuntimeError.self) { try await Trio.Event().wait() }
        await #expect(throws: RuntimeError.self) { try await Lowlevel.waitAllTasksBlocked() }
        await #expect(throws: RuntimeError.self) { _ = try await Lowlevel.waitTaskRescheduled { _ in .succeeded } }
        #expect(throws: RuntimeError.self) { try Trio.currentTime() }
        #expect(throws: RuntimeError.self) { try Trio.currentEffectiveDeadline() }
        #expect(throws: RuntimeError.self) { try Lowlevel.currentTask() }
        #expect(throws: RuntimeError.self) { try Lowlevel.currentRootTask() }
        #expect(throws: RuntimeError.self) { try Lowlevel.currentTrioToken() }
        #expect(throws: RuntimeError.self) { try Lowlevel.currentStatistics() }
        #expect(throws: RuntimeError.self) { try Lowlevel.spawnSystemTask {} }
        #expect(throws: RuntimeError.self) { try Lowlevel.addInstrument(RecordingInstrument()) }
    }

    @Test func sniffioSaysTrioInsideARun() throws {
        let names = try Trio.run { () -> [String] in
            var names = [try currentAsyncLibrary()]
            try await withNursery { n in try n.startSoon { names.append(try currentAsyncLibrary()) } }
            return names
        }
        #expect(names == ["trio", "trio"])
        #expect(throws: AsyncLibraryNotFoundError.self) { try currentAsyncLibrary() }
    }

    @Test func runsFromAPoolThreadWhileThePoolIsBlocked() async throws {
        // Block every other cooperative thread we can get; Trio.run must not need any of them.
        let release = DispatchSemaphore(value: 0)
        let blockers = 4
        for _ in 0..<blockers {
            Task.detached { release.wait() }
        }
        defer { for _ in 0..<blockers { release.signal() } }
        let value = try Trio.run { () -> Int in
            var total = 0
            try await withNursery { n in
                for i in 1...10 { try n.startSoon { try await Trio.sleep(0.001); total += i } }
            }
            return total
        }
        #expect(value == 55)
    }

    @Test(.trio) func taskLocalsAreInheritedByCopy() async throws {
        enum Local { @TaskLocal static var value = "unset" }
        var seen: [String] = []
        try await withNursery { n in
            try Local.$value.withValue("parent") {
                try n.startSoon {
                    try await Trio.sleep(1)
                    seen.append(Local.value)
                }
            }
            // The binding ended in the parent; the child keeps its copy.
            seen.append(Local.value)
        }
        #expect(seen == ["unset", "parent"])
    }

    @Test func mainTaskNameAndRootTask() throws {
        let (main, root, rootNurseries) = try Trio.run(name: "my-main") { () -> (String, String, Int) in
            let root = try Lowlevel.currentRootTask()
            return (try Lowlevel.currentTask().name, root.name, root.childNurseries.count)
        }
        #expect(main == "my-main")
        #expect(root == "<init>")
        #expect(rootNurseries >= 1)
    }

    @Test func clockIsStartedAndUsed() throws {
        let clock = MockClock()
        try clock.jump(50)
        let now = try Trio.run(clock: clock) { try Trio.currentTime() }
        #expect(now == 50)
    }
}

@Suite struct ResourceTests {
    private func openFDCount() -> Int {
        var count = 0
        if let dir = opendir("/proc/self/fd") {
            while readdir(dir) != nil { count += 1 }
            closedir(dir)
        }
        return count
    }

    @Test func runsCloseTheirDescriptors() throws {
        // Each run owns an epoll fd and an eventfd: a leak leaves two per run, 400 here. Other suites
        // run in parallel and hold some dozens of fds of their own at either count, hence the margin.
        let before = openFDCount()
        for _ in 0..<200 {
            try Trio.run {
                try await withNursery { n in try n.startSoon { try await Trio.checkpoint() } }
            }
        }
        #expect(openFDCount() - before < 100)
    }
}
