import Asyncio
import AsyncioTestSupport
import Foundation
import Testing
import TrioPlatform
import TrioTesting

@testable import Trio

#if canImport(Glibc)
import Glibc
#endif

/// Trio and asyncio in one process share one OS layer (TrioPlatform): signals, close-on-exec
/// and spawning behave the same whichever flavor does what. Tests that touch process-wide
/// signal state run in a child process of their own (see
/// ``ChildProcessTests/run(_:)``), as do the descriptor-inheritance
/// tests, so that no other test's descriptors or signals interfere.
@Suite struct PlatformLayerTests {
    private static var inChild: Bool {
        ChildProcessTests.isChild
    }

    /// Runs the child-only test `name` in a fresh process and checks that it ran and passed.
    private func expectPassesInChild(_ name: String) throws {
        let (code, output) = try ChildProcessTests.run(name)
        #expect(code == 0, "\(output)")
        #expect(output.contains("\(name)() passed"), "the child did not pass \(name): \(output)")
    }

    // MARK: Signals shared by both flavors

    @Test func trioAndAsyncioBothHandleSIGUSR1() throws {
        try expectPassesInChild("sharedSIGUSR1InChild")
    }

    @Test(.enabled(if: inChild))
    func sharedSIGUSR1InChild() throws {
        let before = signalDisposition(SIGUSR1)
        let asyncio = try BackgroundAsyncioLoop()
        let asyncioSeen = ThreadLock(0)
        let handler = { asyncioSeen.withLock { $0 += 1 } }
        let asyncioCount = { asyncioSeen.withLock { $0 } }
        try Trio.run {
            try await withSignalReceiver([SIGUSR1]) { receiver in
                // Subscribed after Trio's receiver: it must not take the signal away from it.
                try asyncio.sync { try $0.addSignalHandler(SIGUSR1, handler) }
                kill(getpid(), SIGUSR1)
                #expect(try await failAfter(10) { try await receiver.next() } == SIGUSR1)
                #expect(eventually { asyncioCount() == 1 })

                // Removing the asyncio handler leaves Trio's receiver working.
                #expect(try asyncio.sync { $0.removeSignalHandler(SIGUSR1) })
                kill(getpid(), SIGUSR1)
                #expect(try await failAfter(10) { try await receiver.next() } == SIGUSR1)
                #expect(asyncioCount() == 1)

                try asyncio.sync { try $0.addSignalHandler(SIGUSR1, handler) }
            }
            // And the reverse: Trio's receiver leaving leaves asyncio's handler working.
            kill(getpid(), SIGUSR1)
            #expect(eventually { asyncioCount() == 2 })
        }
        #expect(try asyncio.sync { $0.removeSignalHandler(SIGUSR1) })
        try asyncio.stop()
        // The last subscriber gone, the process's own disposition is back.
        #expect(signalDisposition(SIGUSR1) == before)
        #expect(SignalRegistry.subscriberCount(SIGUSR1) == 0)
    }

    @Test func ctrlCRaisesKeyboardInterruptWhileAndAfterAnAsyncioLoopHandlesSIGINT() throws {
        try expectPassesInChild("ctrlCBesideAnAsyncioSIGINTHandlerInChild")
    }

    @Test(.enabled(if: inChild))
    func ctrlCBesideAnAsyncioSIGINTHandlerInChild() throws {
        let asyncio = try BackgroundAsyncioLoop()
        let asyncioSeen = ThreadLock(0)
        // The asyncio loop handles SIGINT before the run starts.
        try asyncio.sync { try $0.addSignalHandler(SIGINT) { asyncioSeen.withLock { $0 += 1 } } }
        #expect(throws: KeyboardInterrupt.self) {
            try Trio.run {
                kill(getpid(), SIGINT)
                // Bounded: without Ctrl-C handling the run would sleep forever.
                _ = try await moveOnAfter(10) { try await Trio.sleepForever() }
            }
        }
        // The asyncio loop heard it too.
        #expect(eventually { asyncioSeen.withLock { $0 } == 1 })
        #expect(throws: KeyboardInterrupt.self) {
            try Trio.run {
                // Removing the asyncio handler leaves the run's Ctrl-C handling in place.
                #expect(try asyncio.sync { $0.removeSignalHandler(SIGINT) })
                kill(getpid(), SIGINT)
                _ = try await moveOnAfter(10) { try await Trio.sleepForever() }
            }
        }
        try asyncio.stop()
        #expect(signalDisposition(SIGINT) == 0)  // SIG_DFL, as the process started
    }

    // MARK: SIGPIPE

    @Test func anAsyncioSubprocessLeavesSIGPIPEAlone() throws {
        try expectPassesInChild("asyncioSubprocessAndSIGPIPEInChild")
    }

    @Test(.enabled(if: inChild))
    func asyncioSubprocessAndSIGPIPEInChild() throws {
        let before = signalDisposition(SIGPIPE)
        let code = try Asyncio.run { () -> Int32? in
            // The child exits without reading: feeding it a megabyte hits a closed pipe, which
            // must be an error the transport handles, not SIGPIPE for this process.
            let process = try await createSubprocessExec("true", stdin: .pipe, stdout: .pipe)
            _ = try await process.communicate([UInt8](repeating: 120, count: 1 << 20))
            return process.returncode
        }
        #expect(code == 0)
        #expect(signalDisposition(SIGPIPE) == before)
    }

    // MARK: Close-on-exec

    @Test func aChildSpawnedByTrioHoldsNoSocketAcceptedByAsyncio() throws {
        try expectPassesInChild("trioSpawnsWhileAsyncioAcceptsInChild")
    }

    @Test(.enabled(if: inChild))
    func trioSpawnsWhileAsyncioAcceptsInChild() throws {
        let inherited = try openSockets()
        let server = try ConnectingClient.listen()
        defer { close(server.fd) }
        let asyncio = try BackgroundAsyncioLoop()
        let accepted = ThreadLock(0)
        let acceptor = try asyncio.sync { loop in
            try loop.createTask {
                while true {
                    let client = try await loop.sockAccept(server.fd)
                    close(client)
                    accepted.withLock { $0 += 1 }
                }
            }
        }
        let clients = (0..<3).map { _ in ConnectingClient(port: server.port) }
        // Each spawn copies the descriptor table once: many of them, several at a time, so that
        // some copy lands right after an accept (where a socket made close-on-exec only by a
        // later fcntl would be inherited).
        let listings = try Trio.run { () -> [String] in
            var listings: [String] = []
            try await withNursery { nursery in
                for _ in 0..<4 {
                    try nursery.startSoon {
                        for _ in 0..<50 {
                            let result = try await runProcess(["ls", "-l", "/proc/self/fd"], captureStdout: true)
                            listings.append(String(decoding: result.stdout ?? [], as: UTF8.self))
                        }
                    }
                }
            }
            return listings
        }
        for client in clients { client.stop() }
        _ = try asyncio.sync { _ in acceptor.cancel() }
        #expect(eventually { (try? asyncio.sync { _ in acceptor.done }) == true })
        try asyncio.stop()
        #expect(accepted.withLock { $0 } > 0)
        for listing in listings { #expect(sockets(in: listing).isSubset(of: inherited), "\(listing)") }
    }

    @Test func aChildSpawnedByAsyncioHoldsNoSocketAcceptedByTrio() throws {
        try expectPassesInChild("asyncioSpawnsWhileTrioAcceptsInChild")
    }

    @Test(.enabled(if: inChild))
    func asyncioSpawnsWhileTrioAcceptsInChild() throws {
        let inherited = try openSockets()
        let port = ThreadLock(0)
        let stopping = ThreadLock(false)
        let accepted = ThreadLock(0)
        let finished = ThreadLock(false)
        startPlainThread {
            try? Trio.run {
                let listener = try await openTCPListeners(port: 0, host: "127.0.0.1")[0]
                port.withLock { $0 = listener.localPort }
                while !stopping.withLock({ $0 }) {
                    let stream = try await listener.accept()
                    try await stream.aclose()
                    accepted.withLock { $0 += 1 }
                }
                try await listener.aclose()
            }
            finished.withLock { $0 = true }
        }
        #expect(eventually { port.withLock { $0 } != 0 })
        let client = ConnectingClient(port: port.withLock { $0 })
        let listings = try Asyncio.run { () -> [String] in
            var listings: [String] = []
            for _ in 0..<40 {
                let process = try await createSubprocessExec("ls", ["-l", "/proc/self/fd"], stdout: .pipe)
                let (out, _) = try await process.communicate()
                listings.append(String(decoding: out ?? [], as: UTF8.self))
            }
            return listings
        }
        stopping.withLock { $0 = true }
        client.stop()
        // One more connection wakes the accept loop so that it sees `stopping`.
        ConnectingClient.connectOnce(port: port.withLock { $0 })
        #expect(eventually { finished.withLock { $0 } })
        #expect(accepted.withLock { $0 } > 0)
        for listing in listings { #expect(sockets(in: listing).isSubset(of: inherited), "\(listing)") }
    }

    /// The sockets (`socket:[inode]`) named in a listing of `/proc/<pid>/fd`.
    private func sockets(in listing: String) -> Set<Substring> {
        Set(listing.split(whereSeparator: \.isWhitespace).filter { $0.hasPrefix("socket:") })
    }

    /// The sockets this process has open now: at the start of a child test, those it inherited
    /// from the test process that started it (some of that process's tests open sockets without
    /// close-on-exec); the children it spawns inherit them again, and only those.
    private func openSockets() throws -> Set<Substring> {
        let entries = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        return Set(entries.compactMap { entry -> Substring? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)"),
                target.hasPrefix("socket:")
            else { return nil }
            return Substring(target)
        })
    }

    // MARK: Spawning

    /// A descriptor number `posix_spawn_file_actions_adddup2` refuses: at or beyond the limit.
    private static let refusedFD = Int32.max

    /// The `OSError` that `body` throws, if any.
    private static func caughtOSError(_ body: () async throws -> Void) async rethrows -> OSError? {
        do {
            try await body()
            return nil
        } catch let error as OSError {
            return error
        }
    }

    @Test(arguments: ["trio", "asyncio"])
    func aRefusedFileActionFailsTheSpawn(flavor: String) throws {
        let error = flavor == "trio"
            ? try Trio.run {
                try await Self.caughtOSError {
                    _ = try await openProcess(["true"], stdout: .fileDescriptor(Self.refusedFD))
                }
            }
            : try Asyncio.run {
                try await Self.caughtOSError {
                    _ = try await createSubprocessExec("true", stdout: .fd(Self.refusedFD))
                }
            }
        #expect(error?.errno == EBADF)
        #expect(error?.operation.hasPrefix("posix_spawn_file_actions_adddup2") == true, "\(String(describing: error))")
    }

    @Test func aDescriptorThatIsNotOpenFailsBothSpawns() throws {
        // Within the limit, so the file action is accepted and the spawn itself fails. The
        // highest number is the least likely to be in use by another test.
        let unused = Int32(getdtablesize() - 1)
        try #require(fcntl(unused, F_GETFD) < 0, "fd \(unused) is open")
        #expect(throws: OSError.self) {
            try Trio.run { _ = try await openProcess(["true"], stdout: .fileDescriptor(unused)) }
        }
        #expect(throws: OSError.self) {
            try Asyncio.run { _ = try await createSubprocessExec("true", stdout: .fd(unused)) }
        }
    }
}

/// A plain thread connecting to `127.0.0.1:port` and closing, again and again, until stopped:
/// the other side accepts in a tight loop.
final class ConnectingClient: Sendable {
    private let stopping = ThreadLock(false)
    private let stopped = ThreadLock(false)

    init(port: Int) {
        startPlainThread {
            while !self.stopping.withLock({ $0 }) { Self.connectOnce(port: port) }
            self.stopped.withLock { $0 = true }
        }
    }

    func stop() {
        stopping.withLock { $0 = true }
        _ = eventually { stopped.withLock { $0 } }
    }

    /// One blocking connection, closed at once (its own socket is close-on-exec).
    static func connectOnce(port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        close(fd)
    }

    /// A listening, non-blocking, close-on-exec socket on a free port of `127.0.0.1`.
    static func listen() throws -> (fd: Int32, port: Int) {
        let fd = try SocketCalls.open(family: AF_INET, type: Int32(SOCK_STREAM.rawValue), protocol: 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bytes = withUnsafeBytes(of: &address) { SocketAddress($0) }
        try SocketCalls.bind(fd, to: bytes)
        try SocketCalls.listen(fd, backlog: 4096)
        return (fd, try SocketCalls.name(fd, peer: false).port)
    }
}
