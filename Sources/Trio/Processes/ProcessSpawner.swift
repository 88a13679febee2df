import CTrioPlatform
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Starts a child with `posix_spawnp` and hands back the parent's ends of its pipes.
///
/// The child gets its three standard streams as asked, `SIGPIPE` and `SIGXFSZ` reset to their
/// defaults and an empty signal mask (as Python's `subprocess` does); every other fd of the
/// parent is close-on-exec (all of Trio's are), so the child inherits nothing else of ours.
struct ProcessSpawner {
    struct Spawned {
        let pid: pid_t
        var stdin: Int32?
        var stdout: Int32?
        var stderr: Int32?
    }

    let command: [String]
    let environment: [String: String]?
    let stdin: ProcessIO
    let stdout: ProcessIO
    let stderr: ProcessIO

    func validate() throws {
        if command.isEmpty { throw ValueError("command must not be empty") }
        if stdin == .stdout || stdout == .stdout { throw ValueError("ProcessIO.stdout is only valid for stderr") }
        for case .fileDescriptor(let fd) in [stdin, stdout, stderr] where fd < 0 {
            throw ValueError("invalid file descriptor \(fd)")
        }
    }

    /// A file action that is refused (e.g. a descriptor above the process's limit) must fail the
    /// spawn: ignoring it would silently leave the child with our own stdin/stdout/stderr.
    private func check(_ status: Int32, _ action: String) throws {
        guard status == 0 else { throw OSError(errno: status, operation: "posix_spawn_file_actions_\(action)") }
    }

    func spawn() throws -> Spawned {
        try validate()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Fds opened here for the child; closed in the parent once the child has them.
        var childEnds: [Int32] = []
        var parentEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        var spawned = Spawned(pid: 0)
        do {
            func connect(_ io: ProcessIO, to target: Int32, parentReads: Bool) throws -> Int32? {
                switch io {
                case .inherit:
                    return nil
                case .devNull:
                    let mode = target == 0 ? O_RDONLY : O_WRONLY
                    try check(posix_spawn_file_actions_addopen(&actions, target, "/dev/null", mode, 0), "addopen")
                    return nil
                case .fileDescriptor(let fd):
                    try check(posix_spawn_file_actions_adddup2(&actions, fd, target), "adddup2 \(fd)")
                    return nil
                case .stdout:
                    try check(posix_spawn_file_actions_adddup2(&actions, 1, target), "adddup2 1")
                    return nil
                case .pipe:
                    var fds: [Int32] = [-1, -1]
                    guard ctrio_pipe2(&fds, O_CLOEXEC) == 0 else { throw OSError.current("pipe2") }
                    let (parent, child) = parentReads ? (fds[0], fds[1]) : (fds[1], fds[0])
                    parentEnds.append(parent)
                    childEnds.append(child)
                    // dup2 clears close-on-exec on the child's copy.
                    try check(posix_spawn_file_actions_adddup2(&actions, child, target), "adddup2 \(child)")
                    return parent
                }
            }
            spawned.stdin = try connect(stdin, to: 0, parentReads: false)
            spawned.stdout = try connect(stdout, to: 1, parentReads: true)
            spawned.stderr = try connect(stderr, to: 2, parentReads: true)

            let argv = command.map { strdup($0) } + [nil]
            defer { for arg in argv { free(arg) } }
            let envStrings = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
            defer { for entry in envStrings ?? [] { free(entry) } }
            var pid: pid_t = 0
            let status = withChildSignalDefaults { attributes in
                if let envStrings {
                    return posix_spawnp(&pid, command[0], &actions, &attributes, argv, envStrings)
                }
                return posix_spawnp(&pid, command[0], &actions, &attributes, argv, environ)
            }
            guard status == 0 else { throw OSError(errno: status, operation: "posix_spawnp \(command[0])") }
            return Spawned(pid: pid, stdin: spawned.stdin, stdout: spawned.stdout, stderr: spawned.stderr)
        } catch {
            for fd in parentEnds { close(fd) }
            throw error
        }
    }
}
