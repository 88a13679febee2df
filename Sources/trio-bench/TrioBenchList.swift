import ArgumentParser

/// Trio-flavored workloads.
let trioWorkloads: [Workload] = []
/// Trio-flavored extra commands (servers driven by a load generator).
let trioBenchCommands: [any ParsableCommand.Type] = []
