import Asyncio
import Testing

public struct QueueConformance {
    public init() {}

    public func fifoOrderAndNowaitErrors(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let queue = Asyncio.Queue<Int>(maxsize: 2)
            #expect(queue.empty)
            try queue.putNowait(1)
            try await queue.put(2)
            #expect(queue.full && queue.qsize() == 2)
            #expect(throws: QueueFull.self) { try queue.putNowait(3) }
            #expect(try queue.getNowait() == 1)
            #expect(try await queue.get() == 2)
            #expect(throws: QueueEmpty.self) { try queue.getNowait() }
        }
    }

    public func putWaitsForRoomAndGetWaitsForItems(_ factory: ConformanceLoop) throws {
        let log = Log<String>()
        try factory.run { loop in
            let queue = Asyncio.Queue<Int>(maxsize: 1)
            let producer = try loop.createTask {
                for item in 1...3 {
                    try await queue.put(item)
                    log("put \(item)")
                }
            }
            let consumer = try loop.createTask {
                var got: [Int] = []
                for _ in 1...3 {
                    got.append(try await queue.get())
                    log("got \(got.last!)")
                }
                return got
            }
            #expect(try await consumer.value == [1, 2, 3])
            try await producer.value
        }
        #expect(log.items.filter { $0.hasPrefix("got") } == ["got 1", "got 2", "got 3"])
        #expect(log.items.firstIndex(of: "got 1")! < log.items.firstIndex(of: "put 2")!)
    }

    public func joinWaitsForTaskDone(_ factory: ConformanceLoop) throws {
        let log = Log<String>()
        try factory.run { loop in
            let queue = Asyncio.Queue<Int>()
            try await queue.join()
            for item in 1...3 { try queue.putNowait(item) }
            let worker = try loop.createTask {
                while true {
                    let item = try await queue.get()
                    try await Asyncio.sleep(0.001)
                    log("done \(item)")
                    try queue.taskDone()
                }
            }
            try await queue.join()
            log("joined")
            worker.cancel()
            await #expect(throws: CancelledError.self) { try await worker.value }
            #expect(throws: ValueError.self) { try queue.taskDone() }
        }
        #expect(log.items == ["done 1", "done 2", "done 3", "joined"])
    }

    public func cancelledGetterDoesNotLoseAnItem(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let queue = Asyncio.Queue<Int>()
            let first = try loop.createTask { try await queue.get() }
            let second = try loop.createTask { try await queue.get() }
            try await Asyncio.sleep(0)
            try queue.putNowait(1)
            first.cancel()
            await #expect(throws: CancelledError.self) { try await first.value }
            #expect(try await second.value == 1)
        }
    }

    public func lifoAndPriorityOrders(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let lifo = LifoQueue<Int>()
            let priority = PriorityQueue<Int>()
            for item in [2, 3, 1] {
                try lifo.putNowait(item)
                try await priority.put(item)
            }
            #expect(try [lifo.getNowait(), lifo.getNowait(), lifo.getNowait()] == [1, 3, 2])
            var ordered: [Int] = []
            for _ in 0..<3 { ordered.append(try await priority.get()) }
            #expect(ordered == [1, 2, 3])
        }
    }
}
