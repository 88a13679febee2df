#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thrown by ``currentAsyncLibrary()`` when the caller runs under neither Trio nor asyncio.
///
/// Flavor: sync. Mirrors Python sniffio's `AsyncLibraryNotFoundError`.
public struct AsyncLibraryNotFoundError: Error, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// A sentence saying what was looked for.
    public var description: String {
        "AsyncLibraryNotFoundError: unknown async library, or not in async context "
            + "(call this from inside Trio.run or an asyncio event loop)"
    }
}

/// The name of the async library running the current task or callback: `"trio"` or `"asyncio"`.
///
/// Flavor: sync; not a checkpoint. A callback or step that an event loop runs on this thread
/// (see ``AsyncLibrary/withThreadLibrary(_:_:)``) wins over the task-local value, as Python's
/// sniffio checks its thread-local before its context variable.
///
/// - Throws: ``AsyncLibraryNotFoundError`` outside both runtimes.
public func currentAsyncLibrary() throws -> String {
    if let name = AsyncLibrary.threadLibrary { return name }
    if let name = AsyncLibrary.taskLibrary { return name }
    for detector in AsyncLibrary.registry.detectors {
        if let name = detector() { return name }
    }
    throw AsyncLibraryNotFoundError()
}

/// The hooks the runtimes use to say which flavor is running. Users rarely need these.
public enum AsyncLibrary {
    /// The flavor of the current Swift task, set by the runtime that started it.
    @TaskLocal public static var taskLibrary: String?

    /// The flavor a loop announced for the code it is running on this thread right now.
    public static var threadLibrary: String? {
        guard let raw = pthread_getspecific(threadKey) else { return nil }
        return Unmanaged<Box>.fromOpaque(raw).takeUnretainedValue().name
    }

    /// Runs `body` with ``threadLibrary`` set to `name` on this thread, restoring the old value after.
    ///
    /// Flavor: sync. Event loops wrap each callback they run in this.
    public static func withThreadLibrary<R>(_ name: String?, _ body: () throws -> R) rethrows -> R {
        let old = pthread_getspecific(threadKey)
        // The two runtimes' names are interned: loops announce themselves on every batch they run.
        let interned = name == "asyncio" ? asyncioBox : name == "trio" ? trioBox : nil
        let box = interned ?? name.map { Unmanaged.passRetained(Box($0)).toOpaque() }
        pthread_setspecific(threadKey, box)
        defer {
            pthread_setspecific(threadKey, old)
            if interned == nil, let box { Unmanaged<Box>.fromOpaque(box).release() }
        }
        return try body()
    }

    // Never released: process-wide constants.
    nonisolated(unsafe) private static let asyncioBox = Unmanaged.passRetained(Box("asyncio")).toOpaque()
    nonisolated(unsafe) private static let trioBox = Unmanaged.passRetained(Box("trio")).toOpaque()

    /// Registers a detector asked after the thread-local and task-local values: a runtime that
    /// can tell cheaply whether it is running the caller (Trio checks for its current task) uses
    /// this instead of binding a task-local in every task, which costs memory per task. Python's
    /// sniffio likewise falls back to asking asyncio for its running loop. Each `id` is kept once.
    public static func registerDetector(id: String, _ detector: @escaping @Sendable () -> String?) {
        registry.add(id: id, detector)
    }

    static let registry = DetectorRegistry()

    private final class Box {
        let name: String
        init(_ name: String) { self.name = name }
    }

    // A process-wide key; the boxes are owned by `withThreadLibrary`, so no destructor is needed.
    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}

/// The registered detectors, behind a pthread mutex of their own: Sniffio depends on nothing, so
/// it does not borrow TrioPlatform's `ThreadLock`. A pthread mutex (not `Synchronization.Mutex`)
/// keeps the hand-over visible to ThreadSanitizer. Registration happens once per runtime; the
/// lookup runs only when neither the thread-local nor the task-local value answers.
final class DetectorRegistry: @unchecked Sendable {
    // Guarded by `mutex`: both are read and written only between its lock and unlock.
    private var ids: Set<String> = []
    private var list: [@Sendable () -> String?] = []
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func add(id: String, _ detector: @escaping @Sendable () -> String?) {
        pthread_mutex_lock(mutex)
        if ids.insert(id).inserted { list.append(detector) }
        pthread_mutex_unlock(mutex)
    }

    var detectors: [@Sendable () -> String?] {
        pthread_mutex_lock(mutex)
        let result = list
        pthread_mutex_unlock(mutex)
        return result
    }
}
