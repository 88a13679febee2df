import ArgumentParser

/// The asyncio-flavored example commands.
let asyncioExamples: [any ParsableCommand.Type] = []
