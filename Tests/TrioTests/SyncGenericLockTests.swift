import Testing
import Trio
import TrioTesting

/// Anything that can be used as a lock: the shared surface Trio's generic lock tests exercise.
protocol LockLike: AnyObject {
    func acquire() async throws
    func acquireNowait() throws
    func release() throws
}

extension Lock: LockLike {}
extension StrictFIFOLock: LockLike {}
extension Semaphore: LockLike {}
extension CapacityLimiter: LockLike {}
extension Condition: LockLike {}

enum LockLikeKind: String, CaseIterable, Sendable {
    case lock, strictFIFOLock, semaphore, capacityLimiter, condition

    func make() -> any LockLike {
        switch self {
        case .lock: Lock()
        case .strictFIFOLock: StrictFIFOLock()
        case .semaphore: Semaphore(1)
        case .capacityLimiter: CapacityLimiter(1)
        case .condition: Condition()
        }
    }
}

extension LockLike {
    func holding<T>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { try? release() }
        return try await body()
    }
}

@Suite struct SyncGenericLockTests {
    @Test(arguments: LockLikeKind.allCases)
    func exclusion(kind: LockLikeKind) throws {
        let (acquires, violations) = try Trio.run {
            let lock = kind.make()
            var inside = false
            var acquires = 0
            var violations = 0
            try await withNursery { nursery in
                for _ in 0..<5 {
                    try nursery.startSoon {
                        for _ in 0..<10 {
                            try await lock.holding {
                                acquires += 1
                                if inside { violations += 1 }
                                inside = true
                                try await checkpoint()
                                try await checkpoint()
                                inside = false
                            }
                        }
                    }
                }
            }
            return (acquires, violations)
        }
        #expect(acquires == 50)
        #expect(violations == 0)
    }

    @Test(arguments: LockLikeKind.allCases)
    func fifoFairness(kind: LockLikeKind) throws {
        let (initial, record) = try Trio.run {
            let lock = kind.make()
            var initial: [Int] = []
            var record: [Int] = []
            try await withNursery { nursery in
                for name in 1...3 {
                    try nursery.startSoon {
                        initial.append(name)
                        for _ in 0..<5 { try await lock.holding { record.append(name) } }
                    }
                }
            }
            return (initial, record)
        }
        #expect(record.count == 15)
        for round in 0..<5 {
            #expect(Array(record[(3 * round)..<(3 * round + 3)]) == initial)
        }
    }

    @Test(arguments: LockLikeKind.allCases)
    func nowaitHolderBlocksAcquire(kind: LockLikeKind) throws {
        let record = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let lock = kind.make()
            var record: [String] = []
            try await withNursery { nursery in
                try lock.acquireNowait()
                try nursery.startSoon {
                    record.append("started")
                    try await lock.holding {}
                    record.append("finished")
                }
                try await waitAllTasksBlocked()
                record.append("released")
                try lock.release()
            }
            return record
        }
        #expect(record == ["started", "released", "finished"])
    }
}
