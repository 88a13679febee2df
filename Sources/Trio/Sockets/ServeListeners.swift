import CTrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Accepts connections on every listener forever, running `handler` for each one in its own
/// task. Flavor: Trio; a checkpoint; returns only by throwing.
///
/// Each stream is closed (forcefully) when its handler returns or throws. A handler's error
/// propagates out of the nursery it runs in, so it stops the server unless the handler catches
/// it, as in Trio. When `accept` fails with `EMFILE`, `ENFILE`, `ENOMEM` or `ENOBUFS`, the error
/// is logged to standard error and accepting resumes after 100 ms. The listeners are closed when
/// serving stops.
///
/// - Parameters:
///   - listeners: where connections come from.
///   - handlerNursery: where handler tasks run; `nil` uses an internal nursery, so that the
///     handlers stop with the server.
///   - taskStatus: for `nursery.start`: reports `listeners` once they are being served.
///   - handler: called with each new connection.
/// - Throws: ``Cancelled`` when cancelled; a listener's or handler's error otherwise.
public func serveListeners(
    _ listeners: [any Listener], handlerNursery: Nursery? = nil, taskStatus: TaskStatus<[any Listener]>? = nil,
    _ handler: @escaping (any ByteStream) async throws -> Void
) async throws -> Never {
    func acceptLoop<L: Listener>(_ listener: L) -> (Nursery) async throws -> Void {
        { nursery in try await serveOneListener(listener, handlerNursery: nursery) { try await handler($0) } }
    }
    try await serveAll(listeners.map { acceptLoop($0) }, handlerNursery: handlerNursery) {
        try taskStatus?.started(listeners)
    }
}

/// Runs one accept loop per listener in a nursery of its own, and reports readiness once all
/// of them have been started (the listeners already queue connections by then).
func serveAll(
    _ acceptLoops: [(Nursery) async throws -> Void], handlerNursery: Nursery?, started: () throws -> Void
) async throws -> Never {
    try await withNursery { nursery in
        let target = handlerNursery ?? nursery
        for loop in acceptLoops {
            try nursery.startSoon(name: "serve listener") { try await loop(target) }
        }
        try started()
    }
    throw TrioInternalError("accept loops never finish without an error")
}

/// How long to wait before accepting again after running out of file descriptors or memory.
let acceptCapacitySleep = 0.1

/// The errnos that mean "no resources right now", worth retrying later.
let acceptCapacityErrnos: [Int32: String] = [
    EMFILE: "EMFILE", ENFILE: "ENFILE", ENOMEM: "ENOMEM", ENOBUFS: "ENOBUFS",
]

/// Trio's `_serve_one_listener`: accept forever, one handler task per connection.
func serveOneListener<L: Listener>(
    _ listener: L, handlerNursery: Nursery, _ handler: @escaping (L.Stream) async throws -> Void
) async throws -> Never {
    do {
        while true {
            let stream: L.Stream
            do {
                stream = try await listener.accept()
            } catch let error as OSError {
                guard let name = acceptCapacityErrnos[error.errno] else { throw error }
                logError(
                    "accept returned \(name) (\(String(cString: strerror(error.errno)))); "
                        + "retrying in \(acceptCapacitySleep) seconds")
                try await sleep(acceptCapacitySleep)
                continue
            }
            try handlerNursery.startSoon(name: "connection handler") {
                try await runHandler(stream, handler)
            }
        }
    } catch {
        try? await acloseForcefully(listener)
        throw error
    }
}

/// Runs the handler, then closes its stream whatever happened.
private func runHandler<S: ByteStream>(_ stream: S, _ handler: (S) async throws -> Void) async throws {
    do {
        try await handler(stream)
    } catch {
        try? await acloseForcefully(stream)
        throw error
    }
    try await acloseForcefully(stream)
}

/// Writes one line to standard error (the Trio library's logger has no Swift counterpart here).
func logError(_ message: String) {
    writeToStandardError("trio: \(message)\n")
}
