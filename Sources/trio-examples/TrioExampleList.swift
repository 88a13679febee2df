import ArgumentParser

/// The Trio-flavored example commands.
let trioExamples: [any ParsableCommand.Type] = [
    EchoServerExample.self,
    EchoClientExample.self,
]
