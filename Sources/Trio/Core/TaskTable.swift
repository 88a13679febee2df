/// Living Trio tasks by the identity of their Swift task: an open-addressing hash table.
///
/// Every spawn inserts and every exit removes, while look-ups are rare (only a step that came
/// back from another executor needs one, see ``TrioTask/current``). So it hashes a pointer with a
/// multiply and a shift instead of the standard library's seeded hasher, and deletes by shifting
/// later entries back instead of leaving tombstones.
struct TaskTable {
    private var keys: [UnsafeRawPointer?]
    private var values: [Unmanaged<TrioTask>?]
    private var mask: Int
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    init() {
        keys = Array(repeating: nil, count: 16)
        values = Array(repeating: nil, count: 16)
        mask = 15
    }

    @inline(__always)
    private func home(of key: UnsafeRawPointer) -> Int {
        // Fibonacci hashing; task objects are at least 16-byte aligned, so the low bits carry
        // nothing and the high bits of the product are taken.
        let product = UInt(bitPattern: key).multipliedReportingOverflow(by: 0x9E37_79B9_7F4A_7C15).partialValue
        return Int(truncatingIfNeeded: product >> 32) & mask
    }

    subscript(key: UnsafeRawPointer) -> TrioTask? {
        var index = home(of: key)
        while let found = keys[index] {
            if found == key { return values[index]?.takeUnretainedValue() }
            index = (index + 1) & mask
        }
        return nil
    }

    mutating func insert(_ task: TrioTask, for key: UnsafeRawPointer) {
        if (count + 1) * 2 > keys.count { grow() }
        var index = home(of: key)
        while let found = keys[index], found != key { index = (index + 1) & mask }
        if keys[index] == nil { count += 1 }
        keys[index] = key
        values[index] = Unmanaged.passUnretained(task)
    }

    mutating func remove(_ key: UnsafeRawPointer) {
        var index = home(of: key)
        while let found = keys[index] {
            if found == key { break }
            index = (index + 1) & mask
        }
        guard keys[index] != nil else { return }
        count -= 1
        // Backward-shift deletion: move later entries of the same probe run into the hole, so
        // that every entry stays reachable from its home slot without tombstones.
        var hole = index
        var next = (hole + 1) & mask
        while let key = keys[next] {
            let wanted = home(of: key)
            // The entry at `next` may fill the hole if its home is not cyclically in (hole, next].
            let distanceToNext = (next - wanted) & mask
            let distanceToHole = (next - hole) & mask
            if distanceToNext >= distanceToHole {
                keys[hole] = key
                values[hole] = values[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        keys[hole] = nil
        values[hole] = nil
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        let capacity = keys.count * 2
        keys = Array(repeating: nil, count: capacity)
        values = Array(repeating: nil, count: capacity)
        mask = capacity - 1
        count = 0
        for (key, value) in zip(oldKeys, oldValues) {
            if let key, let value { insert(value.takeUnretainedValue(), for: key) }
        }
    }
}
