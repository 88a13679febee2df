// A TrioService in a ServiceGroup, for the signal tests (LifecycleSignalTests): the test starts
// this program, talks to its server and sends it SIGTERM or SIGINT. Every step it reaches is one
// line on standard output, so the test waits for lines, never for time.
//
// Usage: trio-lifecycle-child <sigint: graceful | cancel> <grace period in seconds>
//
// The server answers one request per connection: the line "SLOW <seconds>" makes the handler
// reply "STARTED", sleep that long, and reply "DONE".

import Logging
import ServiceLifecycle
import Trio
import TrioServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// One line to standard output, at once (the test reads it through a pipe).
func say(_ line: String) {
    print(line)
    fflush(nil)
}

/// Reads up to the first newline; `nil` when the peer closed first.
func readLine(_ stream: SocketStream) async throws -> String? {
    var bytes: [UInt8] = []
    while !bytes.contains(UInt8(ascii: "\n")) {
        let chunk = try await stream.receiveSome()
        if chunk.isEmpty { return nil }
        bytes += chunk
    }
    return String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
}

func handle(_ stream: SocketStream) async throws {
    guard let line = try await readLine(stream), line.hasPrefix("SLOW "),
        let seconds = Double(line.dropFirst(5))
    else { return }
    say("HANDLER-START")
    try await stream.sendAll(Array("STARTED\n".utf8))
    do {
        try await sleep(seconds)
    } catch let cancelled as Cancelled {
        say("HANDLER-CANCELLED")
        throw cancelled
    }
    try await stream.sendAll(Array("DONE\n".utf8))
    say("HANDLER-DONE")
}

let arguments = CommandLine.arguments
guard arguments.count == 3, ["graceful", "cancel"].contains(arguments[1]), let grace = Double(arguments[2]) else {
    say("usage: trio-lifecycle-child <graceful|cancel> <grace seconds>")
    exit(2)
}
let sigintIsGraceful = arguments[1] == "graceful"

let service = TrioService(name: "child", gracePeriod: grace) { shutdown in
    do {
        try await withNursery { nursery in
            try nursery.startSoon(name: "shutdown watcher") {
                try await shutdown.wait()
                say("SHUTDOWN-BEGAN")
            }
            try await withNursery { handlers in
                // Only the accept loop stops at once; the handlers run in `handlers`, outside it.
                _ = try await shutdown.cancelOnShutdown {
                    try await withNursery { acceptor in
                        let listeners = try await acceptor.start { status in
                            try await serveTCP(
                                port: 0, host: "127.0.0.1", handlerNursery: handlers, taskStatus: status, handle)
                        }
                        say("READY port=\(listeners[0].localPort)")
                    }
                }
                say("STOPPED-ACCEPTING")
            }
        }
        say("TRIO-MAIN-END")
    } catch {
        // Nurseries wrap their children's Cancelled in an ExceptionGroup: it is still only cancellation.
        let leaves = (error as? ExceptionGroup)?.leaves ?? [error]
        say(leaves.allSatisfy { $0 is Cancelled } ? "TRIO-MAIN-CANCELLED" : "TRIO-MAIN-FAILED \(error)")
        throw error
    }
}

var logger = Logger(label: "trio-lifecycle-child")
logger.logLevel = .notice
let group = ServiceGroup(
    configuration: ServiceGroupConfiguration(
        services: [service],
        gracefulShutdownSignals: sigintIsGraceful ? [.sigterm, .sigint] : [.sigterm],
        cancellationSignals: sigintIsGraceful ? [] : [.sigint],
        logger: logger))
do {
    try await group.run()
    say("GROUP-END ok")
} catch {
    say("GROUP-END error=\(type(of: error))")
}
