import ArgumentParser

/// asyncio-flavored workloads.
let asyncioWorkloads: [Workload] = []
/// asyncio-flavored extra commands (servers driven by a load generator).
let asyncioBenchCommands: [any ParsableCommand.Type] = []
