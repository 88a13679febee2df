import CTrioPlatform
import SharedErrors
#if canImport(Glibc)
import Glibc
#endif

/// Starts child processes with `posix_spawnp` for both flavors (Trio's `openProcess`, asyncio's
/// `subprocessExec`). Flavor: sync.
///
/// The child gets its three standard streams as asked, `SIGPIPE` and `SIGXFSZ` at their default
/// action and an empty signal mask (``withChildSignalDefaults(_:)``, as Python's `subprocess`
/// does). Every other descriptor the package creates is close-on-exec from its creation, so the
/// child inherits nothing else of ours. Every file action is checked: one the C library refuses
/// (a descriptor beyond the process's limit) fails the spawn instead of silently leaving the
/// child with the parent's own stream.
package enum ChildSpawner {
    /// What one of the child's standard streams (0, 1, 2) becomes.
    package enum Stream: Equatable {
        /// The parent's own stream.
        case inherit
        /// `/dev/null`.
        case devNull
        /// A duplicate of one of the parent's descriptors (or of the child's stdout already set
        /// up, for stderr: file actions run in order).
        case duplicate(Int32)
        /// A new pipe; the parent keeps the other end.
        case pipe
    }

    /// A started child and the parent's ends of its pipes (blocking, close-on-exec), by child fd.
    package struct Spawned {
        package let pid: pid_t
        package var parentEnds: [Int32: Int32]
    }

    /// Starts `arguments[0]` (searched in `PATH`) with `arguments`.
    ///
    /// - Parameters:
    ///   - environment: `KEY=value` entries, or `nil` for this process's environment.
    ///   - streams: what stdin, stdout and stderr become, in that order.
    /// - Throws: ``OSError`` naming the refused file action (`posix_spawn_file_actions_adddup2 …`),
    ///   `pipe2`, or `posix_spawnp <program>` (`ENOENT` for an unknown program, `EBADF` for a
    ///   descriptor that is not open). Nothing is left open when it throws.
    package static func spawn(_ arguments: [String], environment: [String]?, streams: [Stream]) throws -> Spawned {
        precondition(!arguments.isEmpty && streams.count == 3, "spawn needs a program and three streams")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The child's pipe ends are closed in the parent once the child has them.
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        var parentEnds: [Int32: Int32] = [:]
        do {
            for (index, stream) in streams.enumerated() {
                let target = Int32(index)
                switch stream {
                case .inherit:
                    break
                case .devNull:
                    try check(
                        posix_spawn_file_actions_addopen(
                            &actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0),
                        "addopen /dev/null")
                case .duplicate(let fd):
                    try check(posix_spawn_file_actions_adddup2(&actions, fd, target), "adddup2 \(fd)")
                case .pipe:
                    let pipe = try openPipe()
                    let (child, parent) = target == 0 ? (pipe.read, pipe.write) : (pipe.write, pipe.read)
                    parentEnds[target] = parent
                    childEnds.append(child)
                    // dup2 clears close-on-exec on the child's copy only.
                    try check(posix_spawn_file_actions_adddup2(&actions, child, target), "adddup2 \(child)")
                }
            }
            let argv = arguments.map { strdup($0) } + [nil]
            defer { for argument in argv { free(argument) } }
            let envp = environment.map { $0.map { strdup($0) } + [nil] }
            defer { for entry in envp ?? [] { free(entry) } }
            var pid: pid_t = 0
            let status = withChildSignalDefaults { attributes in
                if let envp { return posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp) }
                return posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
            }
            guard status == 0 else { throw OSError(errno: status, operation: "posix_spawnp \(arguments[0])") }
            return Spawned(pid: pid, parentEnds: parentEnds)
        } catch {
            for fd in parentEnds.values { close(fd) }
            throw error
        }
    }

    /// A file action the C library refuses fails the spawn.
    private static func check(_ status: Int32, _ action: String) throws {
        guard status == 0 else { throw OSError(errno: status, operation: "posix_spawn_file_actions_\(action)") }
    }
}
