import ArgumentParser
import Trio

/// `trio-examples echo-server`: the Trio tutorial's echo-server.py.
struct EchoServerExample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-server", abstract: "The Trio tutorial's TCP echo server (echo-server.py).")

    @Option(help: "The port to listen on.") var port = tutorialEchoPort

    func run() throws {
        let port = self.port
        // Ctrl-C: "KeyboardInterrupt" on stderr and death by SIGINT, as the Python program ends.
        Trio.runMain {
            // Each connection gets a number, so that the prints of simultaneous connections can
            // be told apart.
            var connectionCounter = 0
            try await serveTCP(port: port) { serverStream in
                let ident = connectionCounter
                connectionCounter += 1
                say("echo_server \(ident): started")
                do {
                    for try await data in serverStream.chunks {
                        say("echo_server \(ident): received data \(pythonBytesRepr(data))")
                        try await serverStream.sendAll(data)
                    }
                    say("echo_server \(ident): connection closed")
                } catch let cancelled as Cancelled {
                    // Not the connection's fault: the server is shutting down (Python's
                    // `except Exception` does not catch Cancelled either).
                    throw cancelled
                } catch {
                    // An error escaping the handler would stop the whole server.
                    say("echo_server \(ident): crashed: \(error)")
                }
            }
        }
    }
}
