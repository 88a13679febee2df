import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

// One non-blocking read or write on a socket or a pipe, through the platform layer's system-call
// helper. Kept in this module so that they inline into the transports' hot paths (only generic
// functions of TrioPlatform inline across modules).

/// Receives into `buffer` (`read` on a pipe, `recv` on a socket): the byte count (0 at end of file),
/// or `nil` when nothing is available.
///
/// - Throws: `OSError` (`recv` / `read`).
@inline(__always)
func receiveSome(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, isPipe: Bool = false) throws -> Int? {
    try nonBlockingSystemCall(isPipe ? "read" : "recv") {
        isPipe ? read(fd, buffer.baseAddress, buffer.count) : recv(fd, buffer.baseAddress, buffer.count, 0)
    }
}

/// Sends what `fd` takes now (`write` on a pipe, `send` on a socket): the byte count, 0 when it would
/// block. A closed peer is `EPIPE`, never `SIGPIPE` (`MSG_NOSIGNAL`; pipes block the signal on this
/// thread around the write), so the process's own `SIGPIPE` disposition is never touched.
///
/// - Throws: `OSError` (`send` / `write`).
@inline(__always)
func sendSome(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, isPipe: Bool = false) throws -> Int {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
    return try nonBlockingSystemCall(isPipe ? "write" : "send") {
        isPipe ? writeWithoutSIGPIPE(fd, base, bytes.count) : Glibc.send(fd, base, bytes.count, Int32(MSG_NOSIGNAL))
    } ?? 0
}
