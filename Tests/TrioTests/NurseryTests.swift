import Testing
import Trio
import TrioTesting

@Suite struct NurseryTests {
    @Test func waitsForEveryChildAndReturnsTheBodyValue() throws {
        let (value, log, now) = try runMocked { () -> (Int?, [Int], Double) in
            var log: [Int] = []
            let value = try await withNursery { n -> Int in
                for i in [3, 1, 2] {
                    try n.startSoon { try await Trio.sleep(Double(i)); log.append(i) }
                }
                return 7
            }
            return (value, log, try Trio.currentTime())
        }
        #expect(value == 7)
        #expect(log == [1, 2, 3])
        #expect(now == 3)
    }

    @Test func startSoonAfterCloseIsAnError() throws {
        let message = try runMocked { () -> String in
            var escaped: Nursery?
            try await withNursery { n in escaped = n }
            do {
                try escaped!.startSoon {}
                return "no error"
            } catch let error as RuntimeError {
                return error.message
            }
        }
        #expect(message == "Nursery is closed to new arrivals")
    }

    @Test func childrenMaySpawnIntoAClosingNursery() throws {
        let log = try runMocked { () -> [String] in
            var log: [String] = []
            try await withNursery { n in
                try n.startSoon {
                    try await Trio.sleep(1)
                    // The body has finished by now: the nursery is closing but still open.
                    try n.startSoon {
                        try await Trio.sleep(1)
                        log.append("grandchild")
                    }
                    log.append("child")
                }
            }
            log.append("after")
            return log
        }
        #expect(log == ["child", "grandchild", "after"])
    }

    @Test func crashingChildCancelsSiblingsAndBody() throws {
        let outcome = try runMocked { () -> ([String], [any Error]) in
            var log: [String] = []
            do {
                try await withNursery { n in
                    try n.startSoon {
                        do { try await Trio.sleepForever() } catch { log.append("sibling cancelled"); throw error }
                    }
                    try n.startSoon {
                        try await Trio.sleep(1)
                        throw Boom()
                    }
                    do { try await Trio.sleepForever() } catch { log.append("body cancelled"); throw error }
                }
                return (log, [])
            } catch {
                return (log, leaves(error))
            }
        }
        #expect(outcome.0.sorted() == ["body cancelled", "sibling cancelled"])
        #expect(outcome.1.count == 1)
        #expect(outcome.1.first is Boom)
    }

    @Test func severalErrorsAreGrouped() throws {
        let errors = try runMocked { () -> [any Error] in
            do {
                try await withNursery { n in
                    try n.startSoon { throw Boom(tag: "a") }
                    try n.startSoon { throw Boom(tag: "b") }
                }
                return []
            } catch let group as ExceptionGroup {
                #expect(group.message == "Exceptions from Trio nursery")
                return group.errors
            }
        }
        let tags = errors.compactMap { ($0 as? Boom)?.tag }.sorted()
        #expect(tags == ["a", "b"])
    }

    @Test func bodyErrorAndChildErrorAreGrouped() throws {
        let count = try runMocked { () -> Int in
            do {
                try await withNursery { n in
                    try n.startSoon { throw Boom(tag: "child") }
                    throw Boom(tag: "body")
                }
                return 0
            } catch let group as ExceptionGroup {
                return group.errors.count
            }
        }
        #expect(count == 2)
    }

    @Test func nonStrictNurseryRaisesASingleErrorBare() throws {
        let bare = try runMocked { () -> Bool in
            do {
                try await withNursery(strictExceptionGroups: false) { n in
                    try n.startSoon { throw Boom() }
                    try await Trio.sleepForever()
                }
                return false
            } catch is Boom {
                return true
            }
        }
        #expect(bare)
    }

    @Test func nonStrictNurseryStillGroupsTwoErrors() throws {
        let count = try runMocked { () -> Int in
            do {
                try await withNursery(strictExceptionGroups: false) { n in
                    try n.startSoon { throw Boom(tag: "a") }
                    try n.startSoon { throw Boom(tag: "b") }
                }
                return 0
            } catch let group as ExceptionGroup {
                return group.errors.count
            }
        }
        #expect(count == 2)
    }

    @Test func cancellingTheNurseryScopeIsAbsorbed() throws {
        let (result, caught) = try runMocked { () -> (Int??, Bool) in
            var scope: CancelScope?
            let result = try await withNursery { n -> Int in
                scope = n.cancelScope
                try n.startSoon { try await Trio.sleepForever() }
                try n.startSoon {
                    try await Trio.sleep(1)
                    n.cancelScope.cancel()
                }
                try await Trio.sleepForever()
            }
            return (result, scope!.cancelledCaught)
        }
        #expect(result == .some(nil))
        #expect(caught)
    }

    @Test func taskTreeIntrospection() throws {
        let facts = try runMocked { () -> [Bool] in
            var facts: [Bool] = []
            let me = try Lowlevel.currentTask()
            try await withNursery { n in
                facts.append(n.parentTask === me)
                facts.append(me.childNurseries.last === n)
                try n.startSoon(name: "kid") {
                    let task = try Lowlevel.currentTask()
                    facts.append(task.name == "kid")
                    facts.append(task.parentNursery === n)
                    try await Trio.sleep(1)
                }
                try await Trio.checkpoint()
                facts.append(n.childTasks.map(\.name) == ["kid"])
            }
            facts.append(me.childNurseries.isEmpty)
            return facts
        }
        #expect(facts == [true, true, true, true, true, true])
    }

    @Test func defaultTaskNameSaysWhereItWasSpawned() throws {
        let name = try runMocked { () -> String in
            var name = ""
            try await withNursery { n in try n.startSoon { name = try Lowlevel.currentTask().name } }
            return name
        }
        #expect(name.contains("NurseryTests.swift"))
    }
}

@Suite struct NurseryStartTests {
    @Test func startReturnsTheValueAndMovesTheTask() throws {
        let facts = try runMocked { () -> [String] in
            var facts: [String] = []
            try await withNursery { target in
                let value: Int = try await withNursery { caller -> Int in
                    try await target.start(name: "server") { (status: TaskStatus<Int>) in
                        let me = try Lowlevel.currentTask()
                        facts.append("eventual is target: \(me.eventualParentNursery === target)")
                        facts.append("parent is caller's temp: \(me.parentNursery !== target)")
                        try status.started(42)
                        facts.append("parent now target: \(me.parentNursery === target)")
                        facts.append("eventual cleared: \(me.eventualParentNursery == nil)")
                        try await Trio.sleep(5)
                        facts.append("server done")
                    }
                }!
                facts.append("value \(value) at \(try Trio.currentTime())")
            }
            return facts
        }
        #expect(facts == [
            "eventual is target: true", "parent is caller's temp: true", "parent now target: true",
            "eventual cleared: true", "value 42 at 0.0", "server done",
        ])
    }

    @Test func startedTaskIsNoLongerUnderTheCallersScope() throws {
        let log = try runMocked { () -> [String] in
            var log: [String] = []
            try await withNursery { target in
                let callerScope = CancelScope()
                try await callerScope.run {
                    try await target.start { (status: TaskStatus<Void>) in
                        try status.started()
                        try await Trio.sleep(2)
                        log.append("survived")
                    }
                    // Cancelling the caller's scope must not reach the moved task.
                    callerScope.cancel()
                    try await Trio.sleep(1)
                }
                log.append("caller scope caught: \(callerScope.cancelledCaught)")
            }
            return log
        }
        #expect(log == ["caller scope caught: true", "survived"])
    }

    @Test func errorBeforeStartedComesOutOfStartUnwrapped() throws {
        let (caught, targetFine) = try runMocked { () -> (Bool, Bool) in
            var caught = false
            try await withNursery { target in
                do {
                    try await target.start { (_: TaskStatus<Void>) in throw Boom() }
                } catch is Boom {
                    caught = true
                }
            }
            return (caught, true)
        }
        #expect(caught)
        #expect(targetFine)
    }

    @Test func exitingWithoutStartedIsAnError() throws {
        let message = try runMocked { () -> String in
            try await withNursery { target in
                do {
                    try await target.start { (_: TaskStatus<Void>) in }
                    return "no error"
                } catch let error as RuntimeError {
                    return error.message
                }
            }!
        }
        #expect(message == "child exited without calling task_status.started()")
    }

    @Test func startedTwiceIsAnError() throws {
        let message = try runMocked { () -> String in
            var message = ""
            try await withNursery { target in
                try await target.start { (status: TaskStatus<Void>) in
                    try status.started()
                    do { try status.started() } catch let error as RuntimeError { message = error.message }
                }
            }
            return message
        }
        #expect(message == "called 'started' twice on the same task status")
    }

    @Test func startOnAClosedNurseryIsAnError() throws {
        let threw = try runMocked { () -> Bool in
            var escaped: Nursery?
            try await withNursery { n in escaped = n }
            do {
                try await escaped!.start { (status: TaskStatus<Void>) in try status.started() }
                return false
            } catch is RuntimeError {
                return true
            }
        }
        #expect(threw)
    }

    @Test func cancellingTheCallerCancelsAStartingTask() throws {
        let (log, caught) = try runMocked { () -> ([String], Bool) in
            var log: [String] = []
            let scope = CancelScope(relativeDeadline: 1)
            try await withNursery { target in
                try await scope.run {
                    try await target.start { (status: TaskStatus<Void>) in
                        do { try await Trio.sleep(10) } catch { log.append("starter cancelled"); throw error }
                        try status.started()
                    }
                    log.append("not reached")
                }
            }
            return (log, scope.cancelledCaught)
        }
        #expect(log == ["starter cancelled"])
        #expect(caught)
    }

    @Test func targetNurseryStaysOpenWhileAStartIsPending() throws {
        let log = try runMocked { () -> [String] in
            var log: [String] = []
            try await withNursery { outer in
                var target: Nursery!
                try outer.startSoon {
                    try await withNursery { n in
                        target = n
                        try await Trio.sleep(5)   // the only thing keeping it open, apart from the start
                    }
                    log.append("target closed")
                }
                try await Trio.sleep(1)
                try await target.start { (status: TaskStatus<Void>) in
                    try await Trio.sleep(10)
                    try status.started()
                    try await Trio.sleep(1)
                    log.append("moved task done at \(try Trio.currentTime())")
                }
            }
            return log
        }
        #expect(log == ["moved task done at 12.0", "target closed"])
    }
}
