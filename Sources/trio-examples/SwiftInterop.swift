import ArgumentParser
import Dispatch
import Trio

/// Plain Swift concurrency and Trio, both ways: a Trio program that puts a deadline on a plain
/// Swift async function (`swiftAsTrio`), and a plain Swift `async` main that hands work to a
/// `TrioThread`.
struct SwiftInteropExample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swift-interop",
        abstract: "A deadline on plain Swift async code (swiftAsTrio), and plain Swift async code calling a TrioThread.")

    func run() throws {
        print("-- a Trio program calling plain Swift concurrency code")
        Trio.runMain(trioProgram)
        print("-- a plain Swift async program calling into a TrioThread")
        try waitForPlainSwift(plainSwiftProgram)
    }
}

/// Stands for any library built on Swift concurrency (an HTTP client, a database driver): it
/// knows nothing of Trio and stops only when its Swift task is cancelled.
private func plainSwiftLookup(_ key: String, takes seconds: Double) async throws -> String {
    try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
    return "value of \(key)"
}

@Sendable private func trioProgram() async throws {
    let quick = try await swiftAsTrio { try await plainSwiftLookup("quick", takes: 0.1) }
    print("got \(quick)")
    let start = try Trio.currentTime()
    // Without swiftAsTrio this would take the full 10 seconds: no cancel scope reaches Task.sleep.
    let slow = try await moveOnAfter(0.5) {
        try await swiftAsTrio { try await plainSwiftLookup("slow", takes: 10) }
    }
    let waited = try Trio.currentTime() - start
    print(slow == nil ? "slow lookup cancelled at the 0.5 s deadline (waited \(rounded(waited)) s)" : "got \(slow!)")
}

@Sendable private func plainSwiftProgram() async throws {
    let trio = try TrioThread(name: "trio-example")
    // Three requests at once, as a server's handlers would make them; each is a Trio task.
    let replies = try await withThrowingTaskGroup(of: String.self) { group in
        for delay in [0.3, 0.1, 0.2] {
            group.addTask {
                try await trio.run {
                    try await Trio.sleep(delay)
                    return "Trio task that slept \(delay) s"
                }
            }
        }
        var replies: [String] = []
        for try await reply in group { replies.append(reply) }
        return replies
    }
    for reply in replies { print("reply: \(reply)") }
    // A deadline inside the Trio task: Trio's own timeouts work there as usual.
    let timedOut = try await trio.run { try await moveOnAfter(0.1) { try await Trio.sleepForever() } == nil }
    print("Trio's moveOnAfter inside the TrioThread timed out: \(timedOut)")
    try await trio.shutdown()
    print("TrioThread shut down")
}

private func rounded(_ seconds: Double) -> Double { (seconds * 100).rounded() / 100 }

/// Runs a plain Swift async program from this (main, not cooperative) thread and waits for it.
private func waitForPlainSwift(_ body: @escaping @Sendable () async throws -> Void) throws {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var outcome: Result<Void, any Error> = .success(())
    Task {
        do { try await body() } catch { outcome = .failure(error) }
        done.signal()
    }
    done.wait()
    try outcome.get()
}
