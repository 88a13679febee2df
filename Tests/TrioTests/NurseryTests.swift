import TestSupport
import Testing
import Trio
import TrioTesting

@Suite struct NurseryTests {
    @Test(.trio) func waitsForEveryChildAndReturnsTheBodyValue() async throws {
        var log: [Int] = []
        let value = try await withNursery { n -> Int in
            for i in [3, 1, 2] {
                try n.startSoon { try await Trio.sleep(Double(i)); log.append(i) }
            }
            return 7
        }
        #expect(value == 7)
        #expect(log == [1, 2, 3])
        #expect(try Trio.currentTime() == 3)
    }

    @Test(.trio) func startSoonAfterCloseIsAnError() async throws {
        var escaped: Nursery?
        try await withNursery { n in escaped = n }
        var message = "no error"
        do {
            try escaped!.startSoon {}
        } catch let error as RuntimeError {
            message = error.message
        }
        #expect(message == "Nursery is closed to new arrivals")
    }

    @Test(.trio) func childrenMaySpawnIntoAClosingNursery() async throws {
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
        #expect(log == ["child", "grandchild", "after"])
    }

    @Test(.trio) func crashingChildCancelsSiblingsAndBody() async throws {
        var log: [String] = []
        var errors: [any Error] = []
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
        } catch {
            errors = leaves(error)
        }
        #expect(log.sorted() == ["body cancelled", "sibling cancelled"])
        #expect(errors.count == 1)
        #expect(errors.first is Boom)
    }

    @Test(.trio) func severalErrorsAreGrouped() async throws {
        var errors: [any Error] = []
        do {
            try await withNursery { n in
                try n.startSoon { throw Boom(tag: "a") }
                try n.startSoon { throw Boom(tag: "b") }
            }
        } catch let group as ExceptionGroup {
            #expect(group.message == "Exceptions from Trio nursery")
            errors = group.errors
        }
        let tags = errors.compactMap { ($0 as? Boom)?.tag }.sorted()
        #expect(tags == ["a", "b"])
    }

    @Test(.trio) func bodyErrorAndChildErrorAreGrouped() async throws {
        var count = 0
        do {
            try await withNursery { n in
                try n.startSoon { throw Boom(tag: "child") }
                throw Boom(tag: "body")
            }
        } catch let group as ExceptionGroup {
            count = group.errors.count
        }
        #expect(count == 2)
    }

    @Test(.trio) func nonStrictNurseryRaisesASingleErrorBare() async throws {
        var bare = false
        do {
            try await withNursery(strictExceptionGroups: false) { n in
                try n.startSoon { throw Boom() }
                try await Trio.sleepForever()
            }
        } catch is Boom {
            bare = true
        }
        #expect(bare)
    }

    @Test(.trio) func nonStrictNurseryStillGroupsTwoErrors() async throws {
        var count = 0
        do {
            try await withNursery(strictExceptionGroups: false) { n in
                try n.startSoon { throw Boom(tag: "a") }
                try n.startSoon { throw Boom(tag: "b") }
            }
        } catch let group as ExceptionGroup {
            count = group.errors.count
        }
        #expect(count == 2)
    }

    @Test(.trio) func cancellingTheNurseryScopeIsAbsorbed() async throws {
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
        #expect(result == nil)
        #expect(scope!.cancelledCaught)
    }

    @Test(.trio) func taskTreeIntrospection() async throws {
        let me = try Lowlevel.currentTask()
        // The test's own run keeps a nursery open around the body: count from here.
        let nurseriesBefore = me.childNurseries.count
        var opened: Nursery?
        try await withNursery { n in
            opened = n
            #expect(n.parentTask === me)
            #expect(me.childNurseries.last === n)
            #expect(me.childNurseries.count == nurseriesBefore + 1)
            var kidChecked = false
            try n.startSoon(name: "kid") {
                let task = try Lowlevel.currentTask()
                #expect(task.name == "kid")
                #expect(task.parentNursery === n)
                kidChecked = true
                try await Trio.sleep(1)
            }
            try await Trio.checkpoint()
            #expect(kidChecked)
            #expect(n.childTasks.map(\.name) == ["kid"])
        }
        #expect(me.childNurseries.count == nurseriesBefore)
        #expect(!me.childNurseries.contains { $0 === opened })
    }

    @Test(.trio) func defaultTaskNameSaysWhereItWasSpawned() async throws {
        var name = ""
        try await withNursery { n in try n.startSoon { name = try Lowlevel.currentTask().name } }
        #expect(name.contains("NurseryTests.swift"))
    }
}

@Suite struct NurseryStartTests {
    @Test(.trio) func startReturnsTheValueAndMovesTheTask() async throws {
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
        #expect(facts == [
            "eventual is target: true", "parent is caller's temp: true", "parent now target: true",
            "eventual cleared: true", "value 42 at 0.0", "server done",
        ])
    }

    @Test(.trio) func startedTaskIsNoLongerUnderTheCallersScope() async throws {
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
        #expect(log == ["caller scope caught: true", "survived"])
    }

    @Test(.trio) func errorBeforeStartedComesOutOfStartUnwrapped() async throws {
        var caught = false
        try await withNursery { target in
            do {
                try await target.start { (_: TaskStatus<Void>) in throw Boom() }
            } catch is Boom {
                caught = true
            }
        }
        #expect(caught)
    }

    @Test(.trio) func exitingWithoutStartedIsAnError() async throws {
        var message = "no error"
        try await withNursery { target in
            do {
                try await target.start { (_: TaskStatus<Void>) in }
            } catch let error as RuntimeError {
                message = error.message
            }
        }
        #expect(message == "child exited without calling task_status.started()")
    }

    @Test(.trio) func startedTwiceIsAnError() async throws {
        var message = ""
        try await withNursery { target in
            try await target.start { (status: TaskStatus<Void>) in
                try status.started()
                do { try status.started() } catch let error as RuntimeError { message = error.message }
            }
        }
        #expect(message == "called 'started' twice on the same task status")
    }

    @Test(.trio) func startOnAClosedNurseryIsAnError() async throws {
        var escaped: Nursery?
        try await withNursery { n in escaped = n }
        await #expect(throws: RuntimeError.self) {
            try await escaped!.start { (status: TaskStatus<Void>) in try status.started() }
        }
    }

    @Test(.trio) func cancellingTheCallerCancelsAStartingTask() async throws {
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
        #expect(log == ["starter cancelled"])
        #expect(scope.cancelledCaught)
    }

    @Test(.trio) func targetNurseryStaysOpenWhileAStartIsPending() async throws {
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
        #expect(log == ["moved task done at 12.0", "target closed"])
    }
}
