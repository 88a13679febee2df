#if canImport(Glibc)
import Glibc
#endif

/// What an event loop's exception handler receives: CPython's context dictionary as a struct.
///
/// Flavor: sync.
public struct ExceptionContext {
    /// A sentence saying what went wrong ("Task exception was never retrieved", …).
    public var message: String
    /// The error, when there is one.
    public var error: (any Error)?
    /// The future or task concerned, when it still exists.
    public var future: (any AnyFuture)?
    /// The handle concerned, if any.
    public var handle: Handle?
    /// Other details (for example `"task": name`).
    public var extra: [String: String]

    /// Creates a context.
    public init(
        message: String, error: (any Error)? = nil, future: (any AnyFuture)? = nil,
        handle: Handle? = nil, extra: [String: String] = [:]
    ) {
        self.message = message
        self.error = error
        self.future = future
        self.handle = handle
        self.extra = extra
    }

    /// The lines the default handler writes: the message, then `key: value` details.
    public var formatted: String {
        var lines = [message]
        if let error { lines.append("error: \(String(describing: error))") }
        if let future { lines.append("future: \(String(describing: future))") }
        for key in extra.keys.sorted() { lines.append("\(key): \(extra[key]!)") }
        return lines.joined(separator: "\n")
    }
}

/// A loop's exception handler: called with the loop and the context.
public typealias ExceptionHandler = (any AbstractEventLoop, ExceptionContext) -> Void

/// Writes `context` to standard error, as CPython's default handler logs it. Used by loops without a custom
/// handler.
///
/// Flavor: sync.
public func logExceptionContext(_ context: ExceptionContext) {
    let text = "asyncio: " + context.formatted + "\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
}
