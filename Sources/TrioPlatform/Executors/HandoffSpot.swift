/// An actor whose serial executor never runs the jobs it is given: a task that hops onto it hands its
/// job to that executor, which keeps it or queues it elsewhere, and the task resumes wherever the job
/// is run next. The cheapest way for a scheduler to take a Swift task's job out of the Swift runtime's
/// hands: one enqueue, where a continuation costs a dependency record and several look-ups of the
/// task's preferred executor under the task's status lock.
///
/// Trio parks its blocked tasks this way (the job waits in the task record until the runner
/// reschedules it); an asyncio loop puts a task's `sleep(0)` at the back of its ready queue this way.
/// The runtime calls the executor's `enqueue` synchronously, on the hopping thread, before ``hop()``
/// returns to the task.
package actor HandoffSpot {
    // Keeps the executor alive: an unowned reference does not.
    private nonisolated let executor: any SerialExecutor
    package nonisolated let unownedExecutor: UnownedSerialExecutor
    // Isolated state that the hop really touches, so that the optimizer keeps the hop.
    private var hops: UInt = 0

    /// A spot whose jobs go to `executor`.
    package init(executor: some SerialExecutor) {
        self.executor = executor
        self.unownedExecutor = executor.asUnownedSerialExecutor()
    }

    /// Suspends the calling task and hands its job to the spot's executor.
    @inline(never)
    package func hop() {
        hops &+= 1
    }
}
