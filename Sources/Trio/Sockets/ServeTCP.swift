/// Listens on `port` and serves each TCP connection with `handler` in its own task, forever.
/// Flavor: Trio; a checkpoint; returns only by throwing.
///
/// ``openTCPListeners(port:host:backlog:)`` followed by the loop of
/// ``serveListeners(_:handlerNursery:taskStatus:_:)``: each stream is closed when its handler
/// finishes, and accept failures for lack of resources are logged and retried every 100 ms.
///
/// ```swift
/// let listeners = try await nursery.start { status in
///     try await serveTCP(port: 0, host: "127.0.0.1", taskStatus: status) { stream in ... }
/// }
/// let port = listeners[0].localPort
/// ```
///
/// - Parameters:
///   - port: the port, 0 for one the kernel picks (see ``openTCPListeners(port:host:backlog:)``).
///   - host: the local address to bind (`nil`: every interface).
///   - backlog: the listen queue length (`nil`: the system maximum).
///   - handlerNursery: where handler tasks run; `nil` uses an internal nursery.
///   - taskStatus: for `nursery.start`: reports the listeners once serving.
///   - handler: called with each new connection.
/// - Throws: what ``openTCPListeners(port:host:backlog:)`` throws; ``Cancelled``; a handler's
///   error.
public func serveTCP(
    port: Int, host: String? = nil, backlog: Int? = nil, handlerNursery: Nursery? = nil,
    taskStatus: TaskStatus<[SocketListener]>? = nil, _ handler: @escaping (SocketStream) async throws -> Void
) async throws -> Never {
    let listeners = try await openTCPListeners(port: port, host: host, backlog: backlog)
    let loops: [(Nursery) async throws -> Void] = listeners.map { listener in
        { nursery in try await serveOneListener(listener, handlerNursery: nursery, handler) }
    }
    try await serveAll(loops, handlerNursery: handlerNursery) { try taskStatus?.started(listeners) }
}
