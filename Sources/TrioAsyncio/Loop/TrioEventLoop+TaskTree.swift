import Asyncio
import Trio

extension TrioEventLoop {
    /// The loop's tasks as Trio's task tree shows them under the loop task: the asyncio tree
    /// (``Asyncio/taskTree(loop:)``), each task above the tasks it awaits. Called on the run's
    /// thread while a snapshot is taken.
    func hostedTaskNodes() -> [TaskTreeSnapshot.HostedTaskNode] {
        guard let tree = try? Asyncio.taskTree(loop: self) else { return [] }
        return tree.roots.map { Self.hostedNode($0, at: tree.time) }
    }

    private static func hostedNode(_ node: AsyncioTaskTree.TaskNode, at now: Double) -> TaskTreeSnapshot.HostedTaskNode {
        TaskTreeSnapshot.HostedTaskNode(
            name: node.name, state: node.stateText, awaiting: node.isRepeat ? nil : node.awaiting?.text(at: now),
            children: node.awaits.map { hostedNode($0, at: now) }, details: node)
    }
}
