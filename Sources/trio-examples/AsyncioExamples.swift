import ArgumentParser
import Asyncio

#if canImport(Glibc)
import Glibc
#endif

/// The asyncio-flavored example commands.
let asyncioExamples: [any ParsableCommand.Type] = [AsyncioEchoServer.self]

/// `trio-examples asyncio-echo-server [--port N]`: the echo server of the asyncio streams documentation,
/// echoing each connection until the client closes it.
struct AsyncioEchoServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asyncio-echo-server",
        abstract: "An asyncio streams echo server (Asyncio.startServer) on 127.0.0.1."
    )

    @Option(help: "Port to listen on (0: any free port).") var port = 8888

    func run() throws {
        let port = port
        Asyncio.runMain {
            let server = try await startServer(host: "127.0.0.1", port: port, echoClient)
            print("Serving on 127.0.0.1:\(server.port)")
            fflush(nil)
            try await server.serveForever()
        }
    }
}

/// Echoes what `reader` yields back through `writer` until EOF, logging each chunk.
private func echoClient(_ reader: StreamReader, _ writer: StreamWriter) async throws {
    let peer = writer.getExtraInfo("peername") as? (host: String, port: Int)
    let address = peer.map { "\($0.host):\($0.port)" } ?? "?"
    while true {
        let data = try await reader.read(100)
        if data.isEmpty { break }
        print("Received \(String(decoding: data, as: UTF8.self).debugDescription) from \(address)")
        fflush(nil)
        try writer.write(data)
        try await writer.drain()
    }
    print("Close the connection to \(address)")
    writer.close()
    try await writer.waitClosed()
}
