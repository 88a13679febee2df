import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// `trio-bench`: prints `workload<TAB>impl<TAB>value<TAB>unit` lines.
@main
struct TrioBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trio-bench",
        abstract: "Benchmarks of swift-trio; each prints workload<TAB>impl<TAB>value<TAB>unit lines.",
        subcommands: [RunWorkloads.self] + trioBenchCommands + asyncioBenchCommands,
        defaultSubcommand: RunWorkloads.self
    )
}

/// One benchmark: a name and a body that prints its result lines.
struct Workload: Sendable {
    let name: String
    /// Measures process-wide state (RSS), so it must run alone in a fresh process.
    var isolated = false
    let run: @Sendable () throws -> Void
}

/// Prints one result line in the shared format.
func report(_ workload: String, _ value: Double, _ unit: String, impl: String = "swift-trio") {
    print("\(workload)\t\(impl)\t\(formatValue(value))\t\(unit)")
}

private func formatValue(_ value: Double) -> String {
    value >= 100 ? String(Int(value.rounded())) : String(format3(value))
}

private func format3(_ value: Double) -> String {
    let scaled = (value * 1000).rounded() / 1000
    return String(scaled)
}

/// `trio-bench [run] [WORKLOAD ...]`: runs the named workloads, or all of them.
struct RunWorkloads: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run workloads (default: all).")

    @Argument(help: "Workloads to run; empty runs all.") var workloads: [String] = []

    func run() throws {
        let all = trioWorkloads + floorWorkloads + asyncioWorkloads
        let chosen = workloads.isEmpty ? all : try workloads.map { name in
            guard let w = all.first(where: { $0.name == name }) else {
                throw ValidationError("unknown workload \(name); known: \(all.map(\.name).joined(separator: ", "))")
            }
            return w
        }
        for workload in chosen {
            if workload.isolated && chosen.count > 1 {
                try runInFreshProcess(workload.name)
            } else {
                try workload.run()
            }
        }
    }
}

/// Runs `trio-bench run NAME` as a child process sharing our stdout, and waits for it.
///
/// Plain `posix_spawn`: the package's own spawner is `package` API of the library package, which
/// this separate package cannot see.
private func runInFreshProcess(_ name: String) throws {
    fflush(nil)   // every output stream: the child writes to the same stdout
    let arguments = ["/proc/self/exe", "run", name]
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for argument in argv { free(argument) } }
    var pid: pid_t = 0
    let failure = posix_spawn(&pid, arguments[0], nil, nil, &argv, environ)
    guard failure == 0 else {
        throw ValidationError("could not start a child process for \(name): \(String(cString: strerror(failure)))")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { throw ValidationError("waitpid for \(name): \(String(cString: strerror(errno)))") }
    }
    guard status == 0 else { throw ValidationError("\(name) failed in its child process (wait status \(status))") }
}
