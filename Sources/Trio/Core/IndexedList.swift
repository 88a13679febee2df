/// How an ``IndexedList`` reads and writes the position an element keeps of itself. A type per
/// slot (rather than a key path) lets the list specialize to plain field accesses.
protocol IndexSlot {
    associatedtype Element: AnyObject
    static func get(_ element: Element) -> Int
    static func set(_ element: Element, _ index: Int)
}

/// A list of objects that each remember their own position, so that removal is O(1) by swapping
/// in the last element. Order is not kept, but it is deterministic.
///
/// Used for the tasks of a cancel status and the children of a nursery: both change on every
/// spawn and exit, where a hash set would cost more.
struct IndexedList<Slot: IndexSlot> {
    typealias Element = Slot.Element
    private(set) var items: ContiguousArray<Element> = []

    var isEmpty: Bool { items.isEmpty }

    mutating func append(_ element: Element) {
        Slot.set(element, items.count)
        items.append(element)
    }

    mutating func remove(_ element: Element) {
        let index = Slot.get(element)
        let last = items.removeLast()
        if index < items.count {
            items[index] = last
            Slot.set(last, index)
        }
        Slot.set(element, -1)
    }

    /// Empties the list and returns what it held.
    mutating func removeAll() -> ContiguousArray<Element> {
        defer { items = [] }
        return items
    }
}

/// A task's position among the tasks of its cancel status.
enum StatusTaskSlot: IndexSlot {
    static func get(_ task: TrioTask) -> Int { task.statusSlot }
    static func set(_ task: TrioTask, _ index: Int) { task.statusSlot = index }
}

/// A task's position among the children of its nursery.
enum NurseryChildSlot: IndexSlot {
    static func get(_ task: TrioTask) -> Int { task.nurserySlot }
    static func set(_ task: TrioTask, _ index: Int) { task.nurserySlot = index }
}

/// A cancel status's position among its parent's children.
enum StatusChildSlot: IndexSlot {
    static func get(_ status: CancelStatus) -> Int { status.parentSlot }
    static func set(_ status: CancelStatus, _ index: Int) { status.parentSlot = index }
}
