import CTrioPlatform
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Trio's side of starting a child: validates ``ProcessIO`` choices, then starts it with the
/// platform layer's ``ChildSpawner`` (standard streams as asked, signals at their defaults,
/// every file action checked) and hands back the parent's ends of its pipes.
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

    /// Starts the child through the platform layer's spawner (which checks every file action).
    func spawn() throws -> Spawned {
        try validate()
        func stream(_ io: ProcessIO) -> ChildSpawner.Stream {
            switch io {
            case .inherit: .inherit
            case .devNull: .devNull
            case .fileDescriptor(let fd): .duplicate(fd)
            case .stdout: .duplicate(1)
            case .pipe: .pipe
            }
        }
        let child = try ChildSpawner.spawn(
            command, environment: environment.map { $0.map { "\($0.key)=\($0.value)" } },
            streams: [stream(stdin), stream(stdout), stream(stderr)])
        return Spawned(
            pid: child.pid, stdin: child.parentEnds[0], stdout: child.parentEnds[1], stderr: child.parentEnds[2])
    }
}
