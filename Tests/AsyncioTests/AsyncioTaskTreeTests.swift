import Asyncio
import Testing
import AsyncioTestSupport

/// `Asyncio.taskTree(loop:)`: a loop's tasks laid out as `python -m asyncio pstree` draws them, each
/// with what it awaits (on the standalone loop; HostedLoopConformanceTests runs the
/// shared body on the hosted loops).
@Suite struct AsyncioTaskTreeTests {
    @Test func treeShowsWhoAwaitsWhomAndWhat() throws {
        try TaskTreeConformance().treeShowsWhoAwaitsWhomAndWhat(.selector)
    }

    @Test func primitiveWaitsNameTheBlockingCall() throws {
        try TaskTreeConformance().primitiveWaitsNameTheBlockingCall(.selector)
    }

    @Test func renderingDrawsOneLinePerTaskWithTreeLines() throws {
        let text = try ConformanceLoop.selector.run { loop -> String in
            let start = loop.time()
            let gate = loop.createFuture(of: Void.self)
            let shared = try Asyncio.createTask(name: "shared") { try await gate.value }
            let first = try Asyncio.createTask(name: "first") { try await shared.value }
            let second = try Asyncio.createTask(name: "second") { try await shared.value }
            let napper = try Asyncio.createTask(name: "napper") { try await Asyncio.sleep(3) }
            try await Asyncio.sleep(1)
            var text = try Asyncio.taskTree().render()
            // The loop's clock may start anywhere: show times from the start.
            text = text.replacing("t=\(format(start + 1))", with: "t=NOW")
            text = text.replacing("t=\(format(start + 3))", with: "t=START+3")
            try gate.setResult(())
            napper.cancel()
            _ = try await Asyncio.wait([first, second, napper])
            return text
        }
        #expect(text == """
            asyncio task tree at t=NOW
            main · running
            first · pending, awaiting task shared
            └─ shared · pending, awaiting a Future
            second · pending, awaiting task shared
            └─ shared · see above
            napper · pending, awaiting sleep until t=START+3 (in 2.000 s)

            """)
    }

    @Test func outsideALoopTheSnapshotNeedsOne() {
        #expect(throws: RuntimeError.self) { try Asyncio.taskTree() }
    }
}

/// Seconds as the renderings print them (three decimals).
private func format(_ value: Double) -> String {
    let millis = Int((value * 1000).rounded())
    let fraction = String(millis % 1000)
    return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}
