import Asyncio
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Records events in order, for assertions on callback ordering.
public final class Log<Element> {
    public var items: [Element] = []
    public init() {}
    public func callAsFunction(_ item: Element) { items.append(item) }
}

public struct TestError: Error, Equatable {
    public var tag = 0
    public init(tag: Int = 0) { self.tag = tag }
}

/// The UTF-8 bytes of `text`.
public func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

public struct UncheckedBox<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}

/// Starts a plain thread running `body` (tests must not rely on Swift's pool).
public func startThread(_ body: @escaping @Sendable () -> Void) throws -> pthread_t {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var thread = pthread_t()
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    let result = pthread_create(&thread, nil, { raw in
        Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, context)
    guard result == 0 else { throw TestError(tag: Int(result)) }
    return thread
}

/// Runs `body` on a detached pthread of its own, outside Swift's cooperative pool.
public func startPlainThread(_ body: @escaping @Sendable () -> Void) {
    do {
        pthread_detach(try startThread(body))
    } catch {
        preconditionFailure("pthread_create failed: \(error)")
    }
}
