#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers over the socket system calls, non-blocking, throwing ``OSError``; `nil` means "would block".
enum SocketCalls {
    /// A new non-blocking, close-on-exec socket.
    static func open(family: Int32, type: Int32, protocolNumber: Int32) throws -> Int32 {
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(family, type | flags, protocolNumber)
        guard fd >= 0 else { throw OSError(errno: errno, operation: "socket") }
        return fd
    }

    static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    static func setOption(_ fd: Int32, level: Int32, _ option: Int32, _ value: Int32 = 1) {
        var value = value
        _ = setsockopt(fd, level, option, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    static func setNoDelay(_ fd: Int32) {
        setOption(fd, level: Int32(IPPROTO_TCP), TCP_NODELAY)
    }

    /// Starts a connection; `false` when it is in progress (wait for writability, then ``pendingError(_:)``).
    static func connect(_ fd: Int32, to address: [UInt8]) throws -> Bool {
        let status = address.withUnsafeBytes { raw in
            Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        if status == 0 { return true }
        if errno == EINPROGRESS || errno == EAGAIN || errno == EINTR { return false }
        throw OSError(errno: errno, operation: "connect")
    }

    /// The error of a finished non-blocking connect (`SO_ERROR`), or `nil`.
    static func pendingError(_ fd: Int32) -> OSError? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length)
        return value == 0 ? nil : OSError(errno: value, operation: "connect")
    }

    static func bindAndListen(_ fd: Int32, to address: [UInt8], backlog: Int32) throws {
        let status = address.withUnsafeBytes { raw in
            bind(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard status == 0 else { throw OSError(errno: errno, operation: "bind") }
        guard listen(fd, backlog) == 0 else { throw OSError(errno: errno, operation: "listen") }
    }

    /// Accepts one connection as a non-blocking socket; `nil` when none is pending.
    static func accept(_ fd: Int32) throws -> Int32? {
        while true {
            let client = Glibc.accept(fd, nil, nil)
            if client >= 0 {
                setNonBlocking(client)
                return client
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK, ECONNABORTED: return nil
            default: throw OSError(errno: errno, operation: "accept")
            }
        }
    }

    /// Receives into `buffer`: the byte count (0 at EOF), or `nil` when nothing is available.
    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, isPipe: Bool = false) throws -> Int? {
        while true {
            let count = isPipe
                ? read(fd, buffer.baseAddress, buffer.count)
                : recv(fd, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw OSError(errno: errno, operation: isPipe ? "read" : "recv")
            }
        }
    }

    /// Sends what the socket takes now: the byte count (0 when it would block).
    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, isPipe: Bool = false) throws -> Int {
        while true {
            let count = isPipe
                ? Glibc.write(fd, bytes.baseAddress, bytes.count)
                : Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return 0
            default: throw OSError(errno: errno, operation: isPipe ? "write" : "send")
            }
        }
    }
}
