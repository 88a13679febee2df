import Asyncio
import Testing
// The shared bottom-layer helpers come with this target for its users.
@_exported import TestSupport

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

