/// What one of a child process's standard streams is connected to (the `stdin=` / `stdout=` /
/// `stderr=` arguments of Python's `subprocess`). Flavor: sync value.
public enum ProcessIO: Sendable, Equatable {
    /// The parent's own stream (Python's `None`).
    case inherit
    /// A new pipe; the parent's end appears as ``TrioProcess/stdin`` / `stdout` / `stderr`.
    case pipe
    /// `/dev/null`.
    case devNull
    /// An fd of the parent's, duplicated into the child; the parent keeps (and still owns) it.
    case fileDescriptor(Int32)
    /// For standard error only: wherever standard output goes (Python's `subprocess.STDOUT`).
    case stdout
}
