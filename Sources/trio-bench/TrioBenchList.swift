import ArgumentParser

/// Trio-flavored workloads.
let trioWorkloads: [Workload] = [
    channelWorkload(bufferSize: 0),
    channelWorkload(bufferSize: 100),
    toThreadWorkload,
]
/// Trio-flavored extra commands (servers driven by a load generator).
let trioBenchCommands: [any ParsableCommand.Type] = []
