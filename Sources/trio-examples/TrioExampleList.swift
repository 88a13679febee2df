import ArgumentParser

/// The Trio-flavored example commands.
let trioExamples: [any ParsableCommand.Type] = [
    TasksIntro.self,
    TasksWithTrace.self,
    EchoServerExample.self,
    EchoClientExample.self,
    SwiftInteropExample.self,
    TaskTreeExample.self,
]
