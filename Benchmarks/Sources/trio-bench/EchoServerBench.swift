import ArgumentParser
import Trio

#if canImport(Glibc)
import Glibc
#endif

/// `trio-bench echo-server [--port P]`: a quiet Trio echo server on 127.0.0.1 for load
/// generators. Prints `PORT n` once it listens, then serves until killed.
struct EchoServerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-server", abstract: "A quiet Trio echo server (serveTCP) for the echo benchmark.")

    @Option(help: "The port to listen on (0: any free port).") var port = 0

    func run() throws {
        let port = self.port
        try Trio.run {
            try await withNursery { nursery in
                let listeners = try await nursery.start { (status: TaskStatus<[SocketListener]>) in
                    try await serveTCP(port: port, host: "127.0.0.1", taskStatus: status) { stream in
                        do {
                            while true {
                                let data = try await stream.receiveSome()
                                if data.isEmpty { return }
                                try await stream.sendAll(data)
                            }
                        } catch is BrokenResourceError {
                            // A load generator that hangs up abruptly is not the server's problem.
                        }
                    }
                }
                writeLine("PORT \(listeners[0].localPort)")
            }
        }
    }
}

/// Writes a line to standard output at once (no stdio buffering: a parent reads it from a pipe).
func writeLine(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(1, $0, strlen($0)) }
}
