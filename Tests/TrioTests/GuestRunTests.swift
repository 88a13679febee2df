import Dispatch
import TestSupport
import Testing
import Trio
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

/// A minimal host event loop: a locked queue of callbacks, run on the thread that calls `run`.
final class HostLoop: @unchecked Sendable {
    private let condition = DispatchSemaphore(value: 0)
    private let lock = DispatchSemaphore(value: 1)
    private var queue: [() -> Void] = []
    private var stopped = false
    private(set) var callbacksRun = 0

    func post(_ callback: @escaping () -> Void) {
        lock.wait()
        queue.append(callback)
        lock.signal()
        condition.signal()
    }

    func stop() { post { self.stopped = true } }

    /// Runs callbacks until `stop()`; gives up after `limit` seconds so a bug cannot hang the suite.
    func run(limit: Double = 10) -> Bool {
        let deadline = DispatchTime.now() + limit
        while !stopped {
            if condition.wait(timeout: deadline) == .timedOut { return false }
            lock.wait()
            let batch = queue
            queue = []
            lock.signal()
            for callback in batch {
                callbacksRun += 1
                callback()
            }
        }
        return true
    }
}

@Suite struct GuestRunTests {
    private func startGuest<T>(
        on host: HostLoop, clock: (any TrioClock)? = nil, _ main: sending @escaping () async throws -> T
    ) throws -> UncheckedBox<ResultHolder<T>> {
        let holder = UncheckedBox(ResultHolder<T>())
        try Lowlevel.startGuestRun(
            clock: clock,
            runSyncSoonThreadsafe: { callback in host.post(callback) },
            doneCallback: { outcome in
                holder.value.outcome = outcome
                host.stop()
            },
            main)
        return holder
    }

    @Test func guestRunDeliversTheResultThroughTheHost() throws {
        let host = HostLoop()
        let holder = try startGuest(on: host) { () -> Int in
            var total = 0
            try await withNursery { n in
                for i in 1...5 { try n.startSoon { try await Trio.sleep(0.001 * Double(i)); total += i } }
            }
            return total
        }
        #expect(host.run())
        #expect(try holder.value.outcome?.get() == 15)
    }

    @Test func hostStaysResponsiveWhileTrioBlocks() throws {
        let host = HostLoop()
        let tokenBox = UncheckedBox(TokenHolder())
        let holder = try startGuest(on: host) { () -> String in
            tokenBox.value.token = try Lowlevel.currentTrioToken()
            let event = Trio.Event()
            tokenBox.value.setEvent = { event.set() }
            try await event.wait()
            return "woken by the host"
        }
        // The host runs its own callbacks while Trio waits, then wakes Trio through the token.
        var hostWork = 0
        func hostStep() {
            hostWork += 1
            if hostWork < 5 {
                host.post(hostStep)
            } else if let token = tokenBox.value.token, let setEvent = tokenBox.value.setEvent {
                let box = UncheckedBox(setEvent)
                try? token.runSyncSoon { box.value() }
            } else {
                host.post(hostStep)
            }
        }
        host.post(hostStep)
        #expect(host.run())
        #expect(hostWork >= 5)
        #expect(try holder.value.outcome?.get() == "woken by the host")
    }

    @Test func errorsReachTheDoneCallback() throws {
        let host = HostLoop()
        let holder = try startGuest(on: host) { () -> Int in throw Boom(tag: "guest") }
        #expect(host.run())
        #expect(throws: Boom.self) { try holder.value.outcome?.get() }
    }

    @Test func guestRunWorksWithAMockClock() throws {
        let host = HostLoop()
        let holder = try startGuest(on: host, clock: MockClock(autojumpThreshold: 0)) { () -> Double in
            try await moveOnAfter(100) { try await Trio.sleepForever() }
            return try Trio.currentTime()
        }
        #expect(host.run())
        #expect(try holder.value.outcome?.get() == 100)
    }

    @Test func aSecondRunOnTheHostThreadIsRefused() throws {
        let host = HostLoop()
        let holder = try startGuest(on: host) { () -> Int in
            try await Trio.sleep(0.01)
            return 1
        }
        #expect(throws: RuntimeError.self) { try Trio.run { 2 } }
        #expect(host.run())
        #expect(try holder.value.outcome?.get() == 1)
    }
}

final class ResultHolder<T> {
    var outcome: Result<T, any Error>?
}

final class TokenHolder {
    var token: TrioToken?
    var setEvent: (() -> Void)?
}
