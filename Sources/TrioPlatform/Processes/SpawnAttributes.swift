#if canImport(Glibc)
import Glibc
#endif

/// Calls `body` with `posix_spawn` attributes that give a child the signal state a fresh program
/// expects, as CPython's `restore_signals` does: `SIGPIPE` and `SIGXFSZ` back to their default
/// action (the parent ignores `SIGPIPE` so that a closed pipe is an error, not death) and no
/// blocked signals (Swift's concurrency threads block most of them).
package func withChildSignalDefaults<Result>(
    _ body: (inout posix_spawnattr_t) throws -> Result
) rethrows -> Result {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGPIPE)
    sigaddset(&defaults, SIGXFSZ)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    return try body(&attributes)
}
