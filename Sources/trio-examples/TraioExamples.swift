import ArgumentParser
import Asyncio
import Traio

#if canImport(Glibc)
import Glibc
#endif

/// The traio-flavored example commands.
let traioExamples: [any ParsableCommand.Type] = [TraioSimple.self]

/// `trio-examples traio-simple [--scale S]`: traio's README examples, one after the other, on the standalone
/// asyncio loop: a simple scope, the same without `async with`, a task that does not bubble, a master task,
/// a task not awaited, a fork cancelled by its parent's timeout, `Scope.current`, and an executor job.
struct TraioSimple: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traio-simple",
        abstract: "traio's README examples (Scope: timeouts, bubble, master, awaited, fork) on asyncio."
    )

    @Option(help: "Multiplies the README's durations (1: its own 3 s fetches, 10 s jobs, …).")
    var scale = 0.1

    func run() throws {
        let scale = scale
        guard scale > 0 else { throw ValidationError("--scale must be positive") }
        Asyncio.runMain {
            let example = TraioReadme(scale: scale, start: try getRunningLoop().time())
            try await example.simpleScope()
            try await example.withoutRun()
            try await example.noBubble()
            try await example.master()
            try await example.notAwaited()
            try await example.fork()
            try await example.currentScope()
            try await example.executor()
        }
    }
}

/// The README's programs; `seconds(x)` scales its durations.
private struct TraioReadme {
    let scale: Double
    let start: Double

    func seconds(_ readme: Double) -> Double { (readme * scale * 1000).rounded() / 1000 }

    func say(_ text: String) {
        let now = (try? getRunningLoop().time()) ?? start
        let hundredths = Int(((now - start) * 100).rounded())
        let stamp = "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
        print("[\(String(repeating: " ", count: max(0, 6 - stamp.count)))\(stamp) s] \(text)")
        fflush(nil)
    }

    func fetchURL(_ index: Int) async throws {
        try await Asyncio.sleep(seconds(3))
        say("  fetched url \(index)")
    }

    /// "Simple Scope": ten fetches in a scope with a timeout; the block ends when all are done.
    func simpleScope() async throws {
        say("simple scope: ten fetches of \(seconds(3)) s, timeout \(seconds(10)) s")
        try await Scope(timeout: seconds(10), name: "fetches").run { scope in
            for index in 0..<10 {
                try scope.spawn { try await fetchURL(index) }
            }
        }
        say("simple scope: all fetched")
    }

    /// The same without `async with`: `<<`, `finalize()`, then awaiting the scope.
    func withoutRun() async throws {
        say("without run: the same, with <<, finalize() and wait()")
        let scope = Scope(timeout: seconds(10))
        for index in 0..<10 {
            try scope << { try await fetchURL(index) }
        }
        scope.finalize()
        try await scope.wait()
        say("without run: all fetched")
    }

    /// "bubble": a failing task that does not bubble leaves the scope to its timeout.
    func noBubble() async throws {
        say("bubble: a task fails without bubbling; the scope runs to its \(seconds(0.5)) s timeout")
        do {
            try await Scope(timeout: seconds(0.5)).run { scope in
                try scope << { try await Asyncio.sleep(seconds(10)) }
                try scope.spawn(bubble: false) {
                    try await Asyncio.sleep(seconds(0.01))
                    throw ValueError("not interesting")
                }
            }
        } catch is TimeoutError {
            say("bubble: TimeoutError, as expected")
        }
    }

    /// "master": the scope ends with its master task, cancelling the long fetch.
    func master() async throws {
        say("master: the scope ends when its master task does")
        try await Scope(timeout: seconds(0.5)).run { scope in
            try scope << { try await Asyncio.sleep(seconds(10)) }
            try scope.spawn(master: true) { try await Asyncio.sleep(seconds(0.01)) }
        }
        say("master: done, the long task was cancelled")
    }

    /// "awaited": a periodic background task that the scope does not wait for.
    func notAwaited() async throws {
        say("awaited: a periodic background task, not awaited, and a \(seconds(10)) s job")
        try await Scope().run { scope in
            try scope.spawn(awaited: false) {
                while true {
                    say("  background tick")
                    try await Asyncio.sleep(seconds(1))
                }
            }
            try scope << { try await Asyncio.sleep(seconds(10)) }
        }
        say("awaited: the job is done and the background task cancelled")
    }

    /// "Nested Scope": the parent's timeout cancels a fork with a longer one.
    func fork() async throws {
        say("fork: parent timeout \(seconds(0.2)) s, fork timeout \(seconds(0.5)) s")
        do {
            try await Scope(timeout: seconds(0.2)).run { parent in
                try await parent.fork(timeout: seconds(0.5)).run { inner in
                    try inner << { try await Asyncio.sleep(seconds(10)) }
                }
            }
        } catch is TimeoutError {
            say("fork: the parent timed out first and cancelled the fork")
        }
    }

    /// "Getting current Scope": a handler forks the scope it runs in without being given it.
    func currentScope() async throws {
        say("current scope: a spawned handler forks Scope.current")
        try await Scope(name: "main").run { main in
            try main << {
                guard let current = Scope.current else { return }
                try await current.fork(name: "handler").run { scope in
                    try scope << { say("  in \(Scope.current?.name ?? "?"), forked from \(current.name)") }
                }
            }
        }
    }

    /// "Running synchronous code with executors": the scope times out; the thread cannot be stopped.
    func executor() async throws {
        let job = seconds(2)
        say("executor: a \(job) s thread job in a scope with a \(seconds(0.2)) s timeout")
        let loop = try getRunningLoop()
        let future = try loop.runInExecutor(nil) { _ = usleep(useconds_t(job * 1_000_000)) }
        do {
            try await Scope(timeout: seconds(0.2)).run { scope in try scope << future }
        } catch is TimeoutError {
            say("executor: TimeoutError; the thread runs on to its end")
        }
        do {
            try await future.value
        } catch is CancelledError {
            // The scope cancelled the future; the thread is not stopped: wait for it by the clock.
            try await Asyncio.sleep(job)
        }
        say("executor: done")
    }
}
