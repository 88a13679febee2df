import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Every run of the process that has not ended, for the task-tree dump signal. A run adds its
/// entry queue when it starts (one lock per run, nothing per task); entries of ended runs are
/// dropped when the dump meets them.
enum LiveRuns {
    private struct Entry {
        weak var queue: EntryQueue?
    }

    private static let entries = ThreadLock([Entry]())

    static func register(_ runner: Runner) {
        let entry = Entry(queue: runner.entryQueue)
        entries.withLock { list in
            list.removeAll { $0.queue == nil }
            list.append(entry)
        }
    }

    /// Asks every live run to print its tree to standard error (on its own thread, between two
    /// task steps), numbered in the order the runs started.
    static func dumpAll() {
        let queues = entries.withLock { list -> [EntryQueue] in
            list.removeAll { $0.queue == nil }
            return list.compactMap(\.queue)
        }
        if queues.isEmpty { writeToStandardError("Trio task trees: no run is live\n") }
        for (index, queue) in queues.enumerated() {
            let accepted = queue.pushCallback(key: nil) {
                guard let runner = Runner.currentOnThread.value,
                    let snapshot = try? runner.taskTreeSnapshot(current: runner.currentTask)
                else { return }
                writeToStandardError("Trio run #\(index + 1) (of \(queues.count)): " + snapshot.render())
            }
            if !accepted { writeToStandardError("Trio run #\(index + 1) (of \(queues.count)) has ended\n") }
        }
    }
}

/// The installed dump signal: a subscription that bumps an eventfd, and a thread that waits on
/// it (a signal handler may not take locks or allocate, so the work happens there).
private enum TaskTreeDumpSignal {
    struct Installed {
        var subscription: SignalRegistry.Subscription
    }

    static let state = ThreadLock<Installed?>(nil)
    /// Created with the first installation and kept: the waiting thread lives as long as the process.
    nonisolated(unsafe) static var wakeup: EventFD?

    static func install(_ signal: Int32) throws {
        try state.withLock { installed in
            if let current = installed {
                if current.subscription.signal == signal { return }
                SignalRegistry.unsubscribe(current.subscription)
                installed = nil
            }
            let eventFD: EventFD
            if let existing = wakeup {
                eventFD = existing
            } else {
                eventFD = try EventFD()
                try DedicatedThread.start(name: "trio-tree-dump", joinable: false) { waitForSignals(eventFD) }
                wakeup = eventFD
            }
            let subscribed = try SignalRegistry.subscribe(signal, .wakeEventFD(fd: eventFD.fd), precedence: .shared)
            guard let subscription = subscribed else {
                throw RuntimeError("signal \(signal) could not be subscribed to")
            }
            installed = Installed(subscription: subscription)
        }
    }

    static func remove() {
        state.withLock { installed in
            if let current = installed { SignalRegistry.unsubscribe(current.subscription) }
            installed = nil
        }
    }

    private static func waitForSignals(_ eventFD: EventFD) {
        while true {
            var descriptor = pollfd(fd: eventFD.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, -1) >= 0 || errno == EINTR else { return }
            guard descriptor.revents & Int16(POLLIN) != 0 else { continue }
            eventFD.drain()
            LiveRuns.dumpAll()
        }
    }
}

extension Lowlevel {
    /// Makes `signal` (by default `SIGUSR1`) print the task tree of every live Trio run of the
    /// process to standard error, as Go prints its goroutines on `SIGQUIT`: `kill -USR1 <pid>`
    /// explains a stuck program without stopping it. Flavor: sync; any thread, inside or outside
    /// a run; idempotent. Installing another signal replaces the previous one.
    ///
    /// The signal goes through the package's signal registry, shared with other subscribers of
    /// the same signal. A helper thread, started by the first call and kept for the life of the
    /// process, asks each run for its tree; each run prints it from its own thread between two
    /// task steps (a run whose thread is stuck in a task that never reaches a checkpoint prints
    /// nothing until it does). Runs pay for it only when they start (one lock), nothing per task.
    ///
    /// - Throws: `ValueError` for a signal that cannot be caught; `OSError` when the signal
    ///   or the helper thread cannot be set up.
    public static func installTaskTreeDumpSignal(_ signal: Int32 = SIGUSR1) throws {
        try TaskTreeDumpSignal.install(signal)
    }

    /// Gives the dump signal back (the process's previous disposition returns once no other
    /// part of the package subscribes to it). Flavor: sync; does nothing when none is installed.
    public static func removeTaskTreeDumpSignal() {
        TaskTreeDumpSignal.remove()
    }

    /// Prints the task tree of every live Trio run to standard error, as the dump signal does.
    /// Flavor: sync; any thread. Each run prints from its own thread between two task steps, so
    /// this returns before the trees are printed.
    public static func dumpAllTaskTrees() {
        LiveRuns.dumpAll()
    }
}
