import Foundation
import Trio

#if canImport(Glibc)
import Glibc
#endif

/// How many sockets of this process have `port` as their local or remote TCP port, read from
/// /proc: the fd-leak check of a socket test, immune to fds opened by tests running in parallel.
func openSocketCount(port: Int) -> Int {
    let inodes = socketInodesOfThisProcess()
    var count = 0
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9, let inode = Int(fields[9]), inodes.contains(inode) else { continue }
            let ports = [fields[1], fields[2]].compactMap { address in
                address.split(separator: ":").last.flatMap { Int($0, radix: 16) }
            }
            if ports.contains(port) { count += 1 }
        }
    }
    return count
}

private func socketInodesOfThisProcess() -> Set<Int> {
    var inodes = Set<Int>()
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return inodes }
    for entry in entries {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)"),
            target.hasPrefix("socket:[")
        else { continue }
        if let inode = Int(target.dropFirst(8).dropLast()) { inodes.insert(inode) }
    }
    return inodes
}

/// A connected pair of TCP streams over loopback, through a listener that is closed again.
func tcpStreamPair() async throws -> (SocketStream, SocketStream) {
    let listeners = try await openTCPListeners(port: 0, host: "127.0.0.1")
    let listener = listeners[0]
    var server: SocketStream?
    let client: SocketStream
    do {
        client = try await openTCPStream(host: "127.0.0.1", port: listener.localPort)
        server = try await listener.accept()
    } catch {
        try await acloseForcefully(listener)
        throw error
    }
    try await listener.aclose()
    return (client, server!)
}

/// Sends until the stream's buffers are full and a send would block (Trio's `fill_stream`).
func fillStream(_ stream: any SendStream) async throws {
    try await withNursery { nursery in
        try nursery.startSoon {
            while true { try await stream.sendAll([UInt8](repeating: 120, count: 10000)) }
        }
        try nursery.startSoon {
            try await Lowlevel.waitAllTasksBlocked()
            nursery.cancelScope.cancel()
        }
    }
}

/// A connected pair of SocketStreams over a Unix socket pair.
func unixStreamPair() throws -> (SocketStream, SocketStream) {
    var fds: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else {
        throw OSError(errno: errno, operation: "socketpair")
    }
    return (try SocketStream(fileDescriptor: fds[0]), try SocketStream(fileDescriptor: fds[1]))
}

/// A socket pair whose first end has the descriptor number `number` (which must be free): lets a
/// test reuse a number on purpose, which the lowest-free rule cannot promise while other tests
/// open descriptors in parallel.
func unixStreamPair(firstAt number: Int32) throws -> (SocketStream, SocketStream) {
    var fds: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else {
        throw OSError(errno: errno, operation: "socketpair")
    }
    guard dup2(fds[0], number) == number else {
        let error = OSError(errno: errno, operation: "dup2")
        close(fds[0])
        close(fds[1])
        throw error
    }
    close(fds[0])
    _ = fcntl(number, F_SETFD, FD_CLOEXEC)
    return (try SocketStream(fileDescriptor: number), try SocketStream(fileDescriptor: fds[1]))
}

/// A descriptor number far above the ones in use, so that nothing else takes it meanwhile.
func unusedHighDescriptorNumber() throws -> Int32 {
    let probe = fcntl(0, F_DUPFD_CLOEXEC, 900)
    guard probe >= 0 else { throw OSError(errno: errno, operation: "fcntl(F_DUPFD)") }
    close(probe)
    return probe
}

/// Writes into a non-blocking socket until the kernel refuses more.
func fillSocketBuffer(_ fd: Int32) {
    let chunk = [UInt8](repeating: 120, count: 10000)
    while chunk.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) > 0 {}
}
