// nio-echo-server: swift-nio's echo server shape, as the reference the echo benchmark compares against.
//
// Usage: nio-echo-server [PORT]   (default 0: any free port)
// Listens on 127.0.0.1, prints `PORT n` once it accepts connections, then serves until killed.
//
// The event loop group has ONE thread: the other servers in the comparison (Trio, the asyncio loops, the
// C epoll server, the Python ones) each serve every connection from one thread, so one thread keeps the
// comparison about the event loop and not about how many cores a server may use.

import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Writes back whatever arrives, and flushes once per read burst (as swift-nio's own echo example does).
private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A load generator that hangs up abruptly is not the server's problem: drop the connection.
        context.close(promise: nil)
    }
}

/// Writes `text` to a descriptor at once (no stdio buffering, no shared `FILE *`).
private func put(_ text: String, to descriptor: Int32) {
    _ = text.withCString { write(descriptor, $0, strlen($0)) }
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count <= 1, let port = Int(arguments.first ?? "0"), (0...65_535).contains(port) else {
    put("usage: nio-echo-server [PORT]\n", to: 2)
    exit(2)
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelOption(.maxMessagesPerRead, value: 16)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(EchoHandler())
        }
    }

do {
    let channel = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
    guard let bound = channel.localAddress?.port else {
        put("nio-echo-server: the listening socket has no port\n", to: 2)
        exit(1)
    }
    // Unbuffered: the benchmark driver reads this line from a pipe while the server keeps running.
    put("PORT \(bound)\n", to: 1)
    try channel.closeFuture.wait()
} catch {
    put("nio-echo-server: \(error)\n", to: 2)
    exit(1)
}
try? group.syncShutdownGracefully()
