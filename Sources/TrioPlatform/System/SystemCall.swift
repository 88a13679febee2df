import CTrioPlatform
import SharedErrors
#if canImport(Glibc)
import Glibc
#endif

// The package's one convention for calling the C library (after swift-nio's `syscall(blocking:)`):
// a call returning -1 with `errno` is retried on `EINTR` (a signal handler ran, nothing happened),
// and any other failure becomes an `OSError` naming the call. The operation's name is an
// autoclosure, so the success path builds no string.

/// Calls `body` until it is not interrupted; returns its result, or throws ``OSError`` naming
/// `operation` when it fails. Flavor: sync.
///
/// `EAGAIN` is an error here: use ``nonBlockingSystemCall(_:_:)`` on non-blocking descriptors.
@inlinable @inline(__always)
package func systemCall<Result: BinaryInteger>(
    _ operation: @autoclosure () -> String, _ body: () throws -> Result
) throws -> Result {
    while true {
        let result = try body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR { continue }
        throw OSError(errno: code, operation: operation())
    }
}

/// Calls `body` (a system call on a non-blocking descriptor) until it is not interrupted: its
/// result, `nil` when it would block (`EAGAIN` / `EWOULDBLOCK`), or ``OSError`` naming
/// `operation` for any other failure. Flavor: sync.
@inlinable @inline(__always)
package func nonBlockingSystemCall<Result: BinaryInteger>(
    _ operation: @autoclosure () -> String, _ body: () throws -> Result
) throws -> Result? {
    while true {
        let result = try body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR { continue }
        if code == EAGAIN || code == EWOULDBLOCK { return nil }
        throw OSError(errno: code, operation: operation())
    }
}
