import Testing
import Trio
import TrioTesting

/// A borrower that is not a task (Trio lets any hashable object borrow).
final class Borrower: CustomStringConvertible {
    let name: String
    init(_ name: String) { self.name = name }
    var description: String { name }
}

extension CapacityLimiter {
    /// The borrowers' names, sorted, for comparisons.
    func borrowerNames() -> [String] {
        statistics().borrowers.map { ($0 as? Borrower)?.name ?? ($0 is TrioTask ? "task" : "?") }.sorted()
    }
}

@Suite struct SyncCapacityLimiterTests {
    @Test func tokensBorrowersAndErrors() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            log.append("zero \(CapacityLimiter(0).totalTokens)")
            let limiter = CapacityLimiter(2)
            log.append("\(limiter.totalTokens) \(limiter.borrowedTokens) \(limiter.availableTokens)")
            log.append("release " + outcomeSync(messages: true) { try limiter.release() })
            try limiter.acquireNowait()
            var stats = limiter.statistics()
            log.append("stats \(stats.borrowedTokens)/\(stats.totalTokens) waiting \(stats.tasksWaiting) "
                + "me \(stats.borrowers.first === (try Lowlevel.currentTask()))")
            log.append("again " + outcomeSync(messages: true) { try limiter.acquireNowait() })
            log.append("async again " + (await outcome { try await limiter.acquire() }))
            let someone = Borrower("someone")
            let behalfIsCheckpoint = try await isCheckpoint(
                { try await limiter.acquireOnBehalfOf(someone) },
                again: { try await limiter.acquireOnBehalfOf(Borrower("x")) })
            log.append("behalf checkpoint \(behalfIsCheckpoint)")
            log.append("third " + outcomeSync { try limiter.acquireOnBehalfOfNowait(Borrower("third")) })
            log.append("borrowers \(limiter.borrowerNames())")
            try limiter.releaseOnBehalfOf(try Lowlevel.currentTask())
            log.append("borrowers \(limiter.borrowerNames())")
            try limiter.releaseOnBehalfOf(someone)
            try await limiter.withToken { log.append("inside \(limiter.borrowedTokens)") }
            log.append("after \(limiter.borrowedTokens)")

            let one = Borrower("one"), two = Borrower("two"), three = Borrower("three")
            try await withNursery { nursery in
                try await limiter.acquireOnBehalfOf(one)
                try await limiter.acquireOnBehalfOf(two)
                try nursery.startSoon { try await limiter.acquireOnBehalfOf(three) }
                try await waitAllTasksBlocked()
                stats = limiter.statistics()
                log.append("borrowed \(stats.borrowedTokens) waiting \(stats.tasksWaiting)")
                try limiter.releaseOnBehalfOf(two)
                // Fairness: the freed token went straight to the waiter.
                log.append("borrowed \(limiter.borrowedTokens) " + outcomeSync { try limiter.acquireNowait() })
            }
            try limiter.releaseOnBehalfOf(three)
            try limiter.releaseOnBehalfOf(one)
            log.append("end \(limiter.borrowedTokens)")
            return log
        }
        #expect(log == [
            "zero 0", "2 0 2",
            "release RuntimeError: this borrower isn't holding any of this CapacityLimiter's tokens",
            "stats 1/2 waiting 0 me true",
            "again RuntimeError: this borrower is already holding one of this CapacityLimiter's tokens",
            "async again RuntimeError", "behalf checkpoint true", "third WouldBlock",
            "borrowers [\"someone\", \"task\"]", "borrowers [\"someone\"]", "inside 1", "after 0",
            "borrowed 2 waiting 1", "borrowed 2 WouldBlock", "end 0",
        ])
    }

    @Test func unlimitedTokens() throws {
        let available = try Trio.run {
            let limiter = CapacityLimiter(Int.max)
            try limiter.acquireNowait()
            return (limiter.borrowedTokens, limiter.availableTokens)
        }
        #expect(available == (1, Int.max))
    }

    @Test func changingTotalTokensWakesFIFOAndNeverRevokes() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            let limiter = CapacityLimiter(2)
            log.append(outcomeSync(messages: true) { try limiter.setTotalTokens(-1) })
            log.append("total \(limiter.totalTokens)")
            let borrowers = (0..<5).map { Borrower("\($0)") }
            try await withNursery { nursery in
                for borrower in borrowers {
                    try nursery.startSoon { try await limiter.acquireOnBehalfOf(borrower) }
                    try await waitAllTasksBlocked()
                }
                log.append("\(limiter.borrowerNames()) waiting \(limiter.statistics().tasksWaiting)")
                limiter.totalTokens += 2
                log.append("\(limiter.borrowerNames()) waiting \(limiter.statistics().tasksWaiting)")
                limiter.totalTokens -= 3
                log.append("borrowed \(limiter.borrowedTokens) total \(limiter.totalTokens)")
                for i in 0..<3 { try limiter.releaseOnBehalfOf(borrowers[i]) }
                log.append("\(limiter.borrowerNames()) waiting \(limiter.statistics().tasksWaiting)")
                try limiter.releaseOnBehalfOf(borrowers[3])
                log.append("\(limiter.borrowerNames()) waiting \(limiter.statistics().tasksWaiting)")
            }
            return log
        }
        #expect(log == [
            "ValueError: total_tokens must be >= 0", "total 2",
            "[\"0\", \"1\"] waiting 3", "[\"0\", \"1\", \"2\", \"3\"] waiting 1", "borrowed 4 total 1",
            "[\"3\"] waiting 1", "[\"4\"] waiting 0",
        ])
    }

    @Test func zeroTokensLetNobodyThrough() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            let limiter = CapacityLimiter(5)
            let b = (0..<7).map { Borrower("\($0)") }
            try await withNursery { nursery in
                limiter.totalTokens = 0
                for i in 0..<5 {
                    try nursery.startSoon { try await limiter.acquireOnBehalfOf(b[i]) }
                    try await waitAllTasksBlocked()
                }
                log.append("\(limiter.borrowerNames()) waiting \(limiter.statistics().tasksWaiting)")
                limiter.totalTokens = 5
                log.append("\(limiter.borrowerNames()) waiting \(limiter.statistics().tasksWaiting)")
                for i in 0..<5 { try limiter.releaseOnBehalfOf(b[i]) }
                limiter.totalTokens = 0
                log.append("nowait " + outcomeSync { try limiter.acquireNowait() })
                try nursery.startSoon { try await limiter.acquireOnBehalfOf(b[6]) }
                try await waitAllTasksBlocked()
                log.append("\(limiter.borrowerNames()) waiting \(limiter.statistics().tasksWaiting)")
                limiter.totalTokens = 1
                log.append("\(limiter.borrowerNames()) waiting \(limiter.statistics().tasksWaiting)")
                try limiter.releaseOnBehalfOf(b[6])
                try await limiter.acquireOnBehalfOf(b[0])
                try nursery.startSoon { try await limiter.acquireOnBehalfOf(b[1]) }
                try await waitAllTasksBlocked()
                limiter.totalTokens = 0
                try limiter.releaseOnBehalfOf(b[0])
                try await waitAllTasksBlocked()
                log.append("\(limiter.borrowerNames()) waiting \(limiter.statistics().tasksWaiting)")
                limiter.totalTokens = 1
                log.append("\(limiter.borrowerNames()) waiting \(limiter.statistics().tasksWaiting)")
                try limiter.releaseOnBehalfOf(b[1])
                limiter.totalTokens = 0
                try nursery.startSoon { try await limiter.acquireOnBehalfOf(b[2]) }
                try await waitAllTasksBlocked()
                nursery.cancelScope.cancel()
            }
            log.append("\(limiter.borrowerNames()) waiting \(limiter.statistics().tasksWaiting)")
            return log
        }
        #expect(log == [
            "[] waiting 5", "[\"0\", \"1\", \"2\", \"3\", \"4\"] waiting 0", "nowait WouldBlock",
            "[] waiting 1", "[\"6\"] waiting 0", "[] waiting 1", "[\"1\"] waiting 0", "[] waiting 0",
        ])
    }

    @Test func cancelledAcquireLeavesNothingBehind() throws {
        let (borrowed, waiting, nextGetsIt) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let limiter = CapacityLimiter(1)
            try await limiter.acquire()
            try await withNursery { nursery in
                try nursery.startSoon { try await limiter.acquire() }
                try await waitAllTasksBlocked()
                nursery.cancelScope.cancel()
            }
            let borrowed = limiter.borrowedTokens
            let waiting = limiter.statistics().tasksWaiting
            try limiter.release()
            // The cancelled task must not be handed the token later.
            let next = Borrower("next")
            let ok = outcomeSync { try limiter.acquireOnBehalfOfNowait(next) }
            return (borrowed, waiting, ok)
        }
        #expect(borrowed == 1)
        #expect(waiting == 0)
        #expect(nextGetsIt == "ok")
    }
}
