#if canImport(Glibc)
import Glibc
#endif

/// Hooks into the run loop, for tracing, profiling and tests. Flavor: sync, called on the loop
/// thread; hooks must not block.
///
/// Every hook has a default that does nothing, so an instrument implements only what it needs.
/// A hook that throws is treated as a crashing instrument: it is logged to standard error and
/// removed from the run, and the other instruments keep running (as in Trio).
///
/// The order matches Trio's: `beforeRun`; for each task `taskSpawned`, `taskScheduled`, then per
/// step `beforeTaskStep` … `afterTaskStep` (a task that reschedules itself, as a checkpoint does,
/// reports `taskScheduled` before its `afterTaskStep`); `taskExited`; around each poll for I/O
/// `beforeIOWait(timeout:)` and `afterIOWait(timeout:)`; `afterRun`.
public protocol Instrument: AnyObject {
    /// The run is starting.
    func beforeRun() throws
    /// The run has finished.
    func afterRun() throws
    /// A task was created.
    func taskSpawned(_ task: TrioTask) throws
    /// A task became runnable.
    func taskScheduled(_ task: TrioTask) throws
    /// A task is about to run one step.
    func beforeTaskStep(_ task: TrioTask) throws
    /// A task finished one step (it blocked, yielded or exited).
    func afterTaskStep(_ task: TrioTask) throws
    /// A task finished.
    func taskExited(_ task: TrioTask) throws
    /// The runner is about to wait for I/O for up to `timeout` seconds (0: a quick poll).
    func beforeIOWait(timeout: Double) throws
    /// The runner finished waiting for I/O.
    func afterIOWait(timeout: Double) throws
}

extension Instrument {
    /// Does nothing.
    public func beforeRun() throws {}
    /// Does nothing.
    public func afterRun() throws {}
    /// Does nothing.
    public func taskSpawned(_ task: TrioTask) throws {}
    /// Does nothing.
    public func taskScheduled(_ task: TrioTask) throws {}
    /// Does nothing.
    public func beforeTaskStep(_ task: TrioTask) throws {}
    /// Does nothing.
    public func afterTaskStep(_ task: TrioTask) throws {}
    /// Does nothing.
    public func taskExited(_ task: TrioTask) throws {}
    /// Does nothing.
    public func beforeIOWait(timeout: Double) throws {}
    /// Does nothing.
    public func afterIOWait(timeout: Double) throws {}
}

/// The runner's list of instruments, each installed once.
struct Instruments {
    private(set) var list: [any Instrument]

    init(_ list: [any Instrument]) {
        self.list = []
        for instrument in list where !self.contains(instrument) { self.list.append(instrument) }
    }

    var isEmpty: Bool { list.isEmpty }

    func contains(_ instrument: any Instrument) -> Bool { list.contains { $0 === instrument } }

    mutating func add(_ instrument: any Instrument) {
        if !contains(instrument) { list.append(instrument) }
    }

    /// Returns false when the instrument was not installed.
    mutating func remove(_ instrument: any Instrument) -> Bool {
        guard let index = list.firstIndex(where: { $0 === instrument }) else { return false }
        list.remove(at: index)
        return true
    }
}

/// Writes a line to standard error without touching the (non-Sendable) `stderr` global.
func writeToStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
