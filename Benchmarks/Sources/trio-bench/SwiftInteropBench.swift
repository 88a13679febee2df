import Dispatch
import Trio

/// `swift_as_trio`: sequential `swiftAsTrio { }` round trips per second from one Trio task (each
/// call starts a Swift task on the global pool, parks the Trio task, and wakes it from the pool;
/// median of 5 runs of 20 000 calls).
let swiftAsTrioWorkload = Workload(name: "swift_as_trio") {
    var rates: [Double] = []
    for _ in 0..<5 {
        rates.append(try Trio.run {
            let count = 20_000
            let start = monotonicSeconds()
            for _ in 0..<count { try await swiftAsTrio {} }
            return Double(count) / (monotonicSeconds() - start)
        })
    }
    report("swift_as_trio", median(rates), "roundtrips/s")
}

/// `trio_thread_run`: sequential `TrioThread.run { }` round trips per second from one plain Swift
/// task (each call hands a Trio task to the run's thread and resumes the caller from it; median of
/// 5 runs of 20 000 calls on one `TrioThread`).
let trioThreadRunWorkload = Workload(name: "trio_thread_run") {
    let rates = try blockOn { () -> [Double] in
        let trio = try TrioThread(name: "trio-bench")
        var rates: [Double] = []
        for _ in 0..<5 {
            let count = 20_000
            let start = monotonicSeconds()
            for _ in 0..<count { try await trio.run {} }
            rates.append(Double(count) / (monotonicSeconds() - start))
        }
        try await trio.shutdown()
        return rates
    }
    report("trio_thread_run", median(rates), "roundtrips/s")
}

/// Runs plain Swift async code from the benchmark's own (non-cooperative) thread and waits for it.
private func blockOn<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var outcome: Result<T, any Error>?
    Task {
        do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        done.signal()
    }
    done.wait()
    return try outcome!.get()
}
