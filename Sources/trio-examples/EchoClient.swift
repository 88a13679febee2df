import ArgumentParser
import Trio

/// `trio-examples echo-client`: the Trio tutorial's echo-client.py.
struct EchoClientExample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-client", abstract: "The Trio tutorial's TCP echo client (echo-client.py).")

    @Option(help: "The port the echo server listens on.") var port = tutorialEchoPort

    func run() throws {
        let port = self.port
        Trio.runMain {
            say("parent: connecting to 127.0.0.1:\(port)")
            let clientStream = try await openTCPStream(host: "127.0.0.1", port: port)
            do {
                try await withNursery { nursery in
                    say("parent: spawning sender...")
                    try nursery.startSoon { try await sender(clientStream) }

                    say("parent: spawning receiver...")
                    try nursery.startSoon {
                        try await receiver(clientStream)
                        // Python's sys.exit(): stop everything, exit with status 0.
                        nursery.cancelScope.cancel()
                    }
                }
            } catch {
                try? await acloseForcefully(clientStream)
                throw error
            }
            try await clientStream.aclose()
        }
    }
}

private func sender(_ clientStream: SocketStream) async throws {
    say("sender: started!")
    while true {
        let data = Array("async can sometimes be confusing, but I believe in you!".utf8)
        say("sender: sending \(pythonBytesRepr(data))")
        try await clientStream.sendAll(data)
        try await Trio.sleep(1)
    }
}

private func receiver(_ clientStream: SocketStream) async throws {
    say("receiver: started!")
    for try await data in clientStream.chunks {
        say("receiver: got data \(pythonBytesRepr(data))")
    }
    say("receiver: connection closed")
}
