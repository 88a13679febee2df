import Testing
import Trio
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

@Suite struct IOWaitTests {
    private static func socketPair() -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        let status = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds)
        precondition(status == 0)
        return (fds[0], fds[1])
    }

    @Test func waitReadableWakesWhenDataArrives() throws {
        let (a, b) = Self.socketPair()
        defer { close(a); close(b) }
        let log = try Trio.run { () -> [String] in
            var log: [String] = []
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await waitReadable(a)
                    log.append("readable")
                }
                try await waitAllTasksBlocked()
                log.append("writing")
                _ = write(b, "x", 1)
            }
            return log
        }
        #expect(log == ["writing", "readable"])
    }

    @Test func waitWritableReturnsForAnEmptySocket() throws {
        let (a, b) = Self.socketPair()
        defer { close(a); close(b) }
        #expect(throws: Never.self) { try Trio.run { try await waitWritable(a) } }
    }

    @Test func secondWaiterInTheSameDirectionIsBusy() throws {
        let (a, b) = Self.socketPair()
        defer { close(a); close(b) }
        let busy = try Trio.run { () -> Bool in
            var busy = false
            try await withNursery { nursery in
                try nursery.startSoon { try await waitReadable(a) }
                try await waitAllTasksBlocked()
                do { try await waitReadable(a) } catch is BusyResourceError { busy = true }
                // A writer may wait at the same time: the directions are separate.
                try await waitWritable(a)
                nursery.cancelScope.cancel()
            }
            return busy
        }
        #expect(busy)
    }

    @Test func notifyClosingWakesWaitersWithClosedResourceError() throws {
        let (a, b) = Self.socketPair()
        defer { close(b) }
        let closed = try Trio.run { () -> Int in
            var closed = 0
            try await withNursery { nursery in
                try nursery.startSoon {
                    do { try await waitReadable(a) } catch is ClosedResourceError { closed += 1 }
                }
                try await waitAllTasksBlocked()
                notifyClosing(a)
                close(a)
            }
            return closed
        }
        #expect(closed == 1)
    }

    @Test func cancelledWaitCanBeRetried() throws {
        let (a, b) = Self.socketPair()
        defer { close(a); close(b) }
        let ok = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> Bool in
            let result: Void? = try await moveOnAfter(1) { try await waitReadable(a) }
            // The cancelled waiter was removed, so a new one is not "busy".
            _ = write(b, "x", 1)
            try await waitReadable(a)
            return result == nil
        }
        #expect(ok)
    }

    @Test func aRecycledFdNumberCanBeWaitedOnAgain() throws {
        // After a wait fired, the old registration may linger (disarmed) in epoll; a new file
        // that gets the same fd number must still be waitable.
        let ok = try Trio.run { () -> Bool in
            let (a, b) = Self.socketPair()
            _ = write(b, "x", 1)
            try await waitReadable(a)
            // Put a different socket at a's number, atomically (no other thread can take it).
            let (c, d) = Self.socketPair()
            dup2(c, a)
            close(c)
            close(b)
            defer { close(a); close(d) }
            var woke = false
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await waitReadable(a)
                    woke = true
                }
                try await waitAllTasksBlocked()
                _ = write(d, "y", 1)
            }
            return woke
        }
        #expect(ok)
    }
}
