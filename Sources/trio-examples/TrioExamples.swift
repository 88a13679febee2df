import ArgumentParser

/// `trio-examples`: the Trio and asyncio tutorial programs, ported.
@main
struct TrioExamples: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trio-examples",
        abstract: "Tutorial programs and demos of swift-trio.",
        subcommands: trioExamples + asyncioExamples + traioExamples + mixedFlavorExamples
    )
}
