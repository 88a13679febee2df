import Testing
import Trio
import TrioTesting

/// Trio's `test_parking_lot.py`, in spirit.
@Suite struct SyncParkingLotTests {
    @Test func parksAndUnparksInFIFOOrder() throws {
        let log = try Trio.run { () -> [String] in
            var log: [String] = []
            let lot = ParkingLot()
            log.append("empty \(lot.isEmpty) \(lot.count) \(lot.statistics().tasksWaiting)")
            // Nothing parked: unparking wakes nobody.
            log.append("unpark \(lot.unpark().count) \(lot.unparkAll().count)")
            try await withNursery { nursery in
                var tasks: [String: TrioTask] = [:]
                for name in ["a", "b", "c", "d"] {
                    try nursery.startSoon(name: name) {
                        tasks[name] = try Lowlevel.currentTask()
                        try await lot.park()
                        log.append("woke \(name)")
                    }
                    // One at a time, so that the parking order is known.
                    try await waitAllTasksBlocked()
                }
                log.append("parked \(lot.count) \(lot.isEmpty) \(lot.statistics().tasksWaiting)")
                let first = lot.unpark()
                log.append("unparked \(first.map(\.name)) \(first.first === tasks["a"])")
                try await waitAllTasksBlocked()
                log.append("unparked \(lot.unpark(count: 2).map(\.name))")
                try await waitAllTasksBlocked()
                log.append("unparked \(lot.unparkAll().map(\.name)) left \(lot.count)")
            }
            // Cannot park outside a task of a run's thread, and the lot still works afterwards.
            log.append("\(lot) \(lot.unpark(count: -1).count)")
            return log
        }
        #expect(log == [
            "empty true 0 0", "unpark 0 0", "parked 4 false 4", "unparked [\"a\"] true", "woke a",
            "unparked [\"b\", \"c\"]", "woke b", "woke c", "unparked [\"d\"] left 0", "woke d",
            "<ParkingLot with 0 waiting> 0",
        ])
    }

    @Test func aCancelledParkLeavesTheLot() throws {
        let (log, cancelled) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> ([String], Bool) in
            var log: [String] = []
            let lot = ParkingLot()
            let scope = CancelScope()
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await scope.run { try await lot.park() }
                    log.append("cancelled one is out")
                }
                try nursery.startSoon {
                    try await lot.park()
                    log.append("second woke")
                }
                try await waitAllTasksBlocked()
                log.append("parked \(lot.count)")
                scope.cancel()
                try await waitAllTasksBlocked()
                log.append("parked \(lot.count)")
                log.append("unparked \(lot.unpark().count)")
            }
            // Already cancelled: parking raises Cancelled without ever queueing.
            let cancelled = CancelScope()
            try await cancelled.run {
                cancelled.cancel()
                try await lot.park()
            }
            log.append("still empty \(lot.isEmpty)")
            return (log, cancelled.cancelledCaught)
        }
        #expect(log == ["parked 2", "cancelled one is out", "parked 1", "unparked 1", "second woke", "still empty true"])
        #expect(cancelled)
    }

    @Test func reparkMovesWaitersWithoutWakingThem() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> [String] in
            var log: [String] = []
            let lot1 = ParkingLot()
            let lot2 = ParkingLot()
            let scope = CancelScope()
            try await withNursery { nursery in
                for index in 0..<4 {
                    try nursery.startSoon {
                        if index == 1 {
                            try await scope.run { try await lot1.park() }
                            log.append("\(index) cancelled")
                        } else {
                            try await lot1.park()
                            log.append("\(index) woke")
                        }
                    }
                    try await waitAllTasksBlocked()
                }
                lot1.repark(to: lot2)
                log.append("after repark \(lot1.count) \(lot2.count)")
                lot1.repark(to: lot2, count: 2)
                try await waitAllTasksBlocked()
                log.append("after repark 2: \(lot1.count) \(lot2.count); nobody woke")
                // Cancelling a reparked task takes it out of the lot it now sits in.
                scope.cancel()
                try await waitAllTasksBlocked()
                log.append("after cancel \(lot1.count) \(lot2.count)")
                lot1.unparkAll()
                try await waitAllTasksBlocked()
                log.append("lot1 wakes \(lot1.unparkAll().count)")
                // Reparking into the same lot moves each task once (to the back), not forever.
                lot2.reparkAll(to: lot2)
                log.append("same lot \(lot2.count)")
                lot2.reparkAll(to: lot1)
                log.append("moved back \(lot1.count) \(lot2.count)")
                lot1.unpark(count: 1)
                try await waitAllTasksBlocked()
                lot1.unparkAll()
            }
            return log
        }
        #expect(log == [
            "after repark 3 1", "after repark 2: 1 3; nobody woke", "1 cancelled", "after cancel 1 2",
            "3 woke", "lot1 wakes 0", "same lot 2", "moved back 2 0", "0 woke", "2 woke",
        ])
    }

    @Test func aBrokenLotFailsItsWaitersAndLaterParks() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> [String] in
            var log: [String] = []
            let lot = ParkingLot()
            let child = ParkingLot()
            var breaker: TrioTask?
            try await withNursery { nursery in
                for _ in 0..<2 {
                    try nursery.startSoon {
                        log.append(await outcome(messages: true) { try await lot.park() })
                    }
                }
                try await waitAllTasksBlocked()
                // Reparked into a lot that then breaks: the error comes from that lot.
                lot.repark(to: child)
                breaker = try Lowlevel.currentTask()
                try lot.breakLot()
                try await waitAllTasksBlocked()
                log.append("child still parked \(child.count)")
                try child.breakLot(task: breaker)
            }
            log.append(await outcome { try await lot.park() })
            try lot.breakLot(task: breaker)
            log.append("broken by \(lot.brokenBy.count) \(lot.brokenBy.allSatisfy { $0 === breaker }) \(lot)")
            // Unparking a broken lot wakes nobody.
            log.append("unpark \(lot.unparkAll().count)")
            return log
        }
        let brokenByMain = "BrokenResourceError: Parking lot broken by <TrioTask main>"
        #expect(log == [
            brokenByMain, "child still parked 1", brokenByMain, "BrokenResourceError", "broken by 2 true "
                + "<broken ParkingLot with 0 waiting>", "unpark 0",
        ])
    }

    @Test func aBreakerTaskBreaksTheLotWhenItExits() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> [String] in
            var log: [String] = []
            let lot = ParkingLot()
            let spared = ParkingLot()
            var exited: TrioTask?
            try await withNursery { nursery in
                try nursery.startSoon(name: "breaker") {
                    let task = try Lowlevel.currentTask()
                    exited = task
                    try Lowlevel.addParkingLotBreaker(task, lot)
                    try Lowlevel.addParkingLotBreaker(task, spared)
                    try Lowlevel.removeParkingLotBreaker(task, spared)
                    log.append(outcomeSync { try Lowlevel.removeParkingLotBreaker(task, spared) })
                    try await Trio.sleep(1)
                }
                try nursery.startSoon {
                    log.append(await outcome(messages: true) { try await lot.park() })
                }
                try nursery.startSoon {
                    try await spared.park()
                    log.append("spared woke normally")
                }
                try await Trio.sleep(2)
                log.append("spared broken \(!spared.brokenBy.isEmpty)")
                spared.unpark()
            }
            let task = try #require(exited)
            log.append("brokenBy breaker \(lot.brokenBy.count == 1 && lot.brokenBy[0] === task)")
            log.append(outcomeSync { try Lowlevel.addParkingLotBreaker(task, spared) })
            return log
        }
        #expect(log == [
            "RuntimeError", "BrokenResourceError: Parking lot broken by <TrioTask breaker>", "spared broken false",
            "spared woke normally", "brokenBy breaker true", "BrokenResourceError",
        ])
    }

    @Test func parkingOutsideARunIsARuntimeError() async throws {
        let lot = Lowlevel.ParkingLot()
        await #expect(throws: RuntimeError.self) { try await lot.park() }
        #expect(throws: RuntimeError.self) { try lot.breakLot() }
        #expect(lot.brokenBy.isEmpty)
    }
}
