import Testing

@testable import Trio

@Suite struct TaskTableTests {
    /// Random inserts and removals, checked against a dictionary after every operation: probe runs
    /// that wrap around the end and back-shifted deletions must keep every entry reachable.
    @Test func matchesADictionaryUnderRandomInsertsAndRemovals() throws {
        let tasks = try Trio.run { () -> [TrioTask] in
            var tasks: [TrioTask] = []
            try await withNursery { nursery in
                for _ in 0..<64 { try nursery.startSoon {} }
                tasks = nursery.childTasks
            }
            return tasks
        }
        var table = TaskTable()
        var reference: [Int: TrioTask] = [:]
        var generator = SystemRandomNumberGenerator()
        // Keys spaced like heap objects (16-byte aligned), some deliberately close together.
        let keys = (1...300).map { UnsafeRawPointer(bitPattern: 0x1000 + $0 * 16)! }
        for step in 0..<5_000 {
            let key = keys[Int.random(in: 0..<keys.count, using: &generator)]
            let task = tasks[step % tasks.count]
            if Bool.random(using: &generator) {
                table.insert(task, for: key)
                reference[Int(bitPattern: key)] = task
            } else {
                table.remove(key)
                reference[Int(bitPattern: key)] = nil
            }
            #expect(table.count == reference.count)
        }
        for key in keys {
            #expect(table[key] === reference[Int(bitPattern: key)])
        }
    }
}
