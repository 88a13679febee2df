/// Draws a tree as text, one line per node with `├─ `, `└─ ` and `│  ` in front: the one drawing
/// of Trio's task tree (`TaskTreeSnapshot.render()`) and asyncio's (`AsyncioTaskTree.render()`),
/// so that both read the same.
package enum TreeText {
    /// Appends `nodes` (siblings, in order) below `prefix`: each one's line from `line`, then its
    /// children from `children`, depth first.
    package static func append<Node>(
        _ nodes: [Node], prefix: String, into lines: inout [String],
        line: (Node) -> String, children: (Node) -> [Node]
    ) {
        for (index, node) in nodes.enumerated() {
            let last = index == nodes.count - 1
            lines.append(prefix + (last ? "└─ " : "├─ ") + line(node))
            append(children(node), prefix: prefix + (last ? "   " : "│  "), into: &lines, line: line, children: children)
        }
    }

    /// Appends `root`'s line with no tree lines in front, then its children below it.
    package static func appendRoot<Node>(
        _ root: Node, into lines: inout [String], line: (Node) -> String, children: (Node) -> [Node]
    ) {
        lines.append(line(root))
        append(children(root), prefix: "", into: &lines, line: line, children: children)
    }

    /// Every node under `roots` (included), depth first, parents before children, in order.
    package static func depthFirst<Node>(_ roots: [Node], children: (Node) -> [Node]) -> [Node] {
        var result: [Node] = []
        var todo = Array(roots.reversed())
        while let node = todo.popLast() {
            result.append(node)
            todo.append(contentsOf: children(node).reversed())
        }
        return result
    }

    /// A time or a duration in seconds with millisecond precision (`3.000`, `-0.250`, `inf`),
    /// without Foundation.
    package static func seconds(_ value: Double) -> String {
        guard value.isFinite else { return value > 0 ? "inf" : "-inf" }
        let millis = (abs(value) * 1000).rounded()
        guard millis < 1e15 else { return "\(value)" }
        let whole = Int(millis) / 1000
        let fraction = String(Int(millis) % 1000)
        let padded = String(repeating: "0", count: 3 - fraction.count) + fraction
        return (value < 0 && millis > 0 ? "-" : "") + "\(whole).\(padded)"
    }

    /// "t=12.000 (in 2.000 s)" or "t=9.000 (1.000 s ago)": an instant on a clock that reads `now`.
    package static func instant(_ when: Double, now: Double) -> String {
        let remaining = when - now
        return "t=\(seconds(when)) "
            + (remaining >= 0 ? "(in \(seconds(remaining)) s)" : "(\(seconds(-remaining)) s ago)")
    }
}
