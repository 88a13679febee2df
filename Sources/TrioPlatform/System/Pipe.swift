import CTrioPlatform
import SharedErrors
#if canImport(Glibc)
import Glibc
#endif

/// A new pipe, close-on-exec from its creation (`pipe2`): a child spawned meanwhile by another
/// thread must not inherit it. Flavor: sync.
///
/// - Parameter nonBlocking: both ends `O_NONBLOCK` (signal self-pipes); spawners set it on the
///   parent's end only, since the child's end must block.
/// - Throws: ``OSError`` (`pipe2`).
package func openPipe(nonBlocking: Bool = false) throws -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    _ = try systemCall("pipe2") { ctrio_pipe2(&fds, O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0)) }
    return (fds[0], fds[1])
}

/// Adds `O_NONBLOCK` to `fd`'s status flags.
///
/// - Throws: ``OSError`` (`fcntl`).
package func setNonBlocking(_ fd: Int32) throws {
    let flags = try systemCall("fcntl(F_GETFL)") { fcntl(fd, F_GETFL) }
    if flags & O_NONBLOCK == 0 { _ = try systemCall("fcntl(F_SETFL)") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) } }
}

/// `write` that reports a closed pipe as `EPIPE` without killing the process with `SIGPIPE`
/// (sockets have `MSG_NOSIGNAL`; pipes do not). `SIGPIPE` is blocked on this thread around the
/// call and a signal the call raised is consumed, so the process's signal handling is untouched.
/// Flavor: sync. Returns what `write` returns, with its `errno`.
@inline(never)  // Out of line: its signal sets would make every caller's frame large.
package func writeWithoutSIGPIPE(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    var pipeSignal = sigset_t()
    sigemptyset(&pipeSignal)
    sigaddset(&pipeSignal, SIGPIPE)
    var oldMask = sigset_t()
    pthread_sigmask(SIG_BLOCK, &pipeSignal, &oldMask)
    if sigismember(&oldMask, SIGPIPE) == 1 { return write(fd, pointer, count) }
    var pending = sigset_t()
    sigpending(&pending)
    let alreadyPending = sigismember(&pending, SIGPIPE) == 1
    let written = write(fd, pointer, count)
    let savedErrno = errno
    if written < 0 && savedErrno == EPIPE && !alreadyPending {
        var noWait = timespec()
        _ = sigtimedwait(&pipeSignal, nil, &noWait)
    }
    pthread_sigmask(SIG_SETMASK, &oldMask, nil)
    errno = savedErrno
    return written
}
