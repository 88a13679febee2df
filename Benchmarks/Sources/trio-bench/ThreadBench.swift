import Trio

/// `to_thread`: sequential `ToThread.runSync { }` round trips per second (one task, so each call
/// reuses the idle worker of the previous one; median of 5 runs of 20 000 calls).
let toThreadWorkload = Workload(name: "to_thread") {
    var rates: [Double] = []
    for _ in 0..<5 {
        rates.append(try Trio.run {
            let count = 20_000
            let start = monotonicSeconds()
            for _ in 0..<count { try await ToThread.runSync {} }
            return Double(count) / (monotonicSeconds() - start)
        })
    }
    report("to_thread", median(rates), "roundtrips/s")
}
