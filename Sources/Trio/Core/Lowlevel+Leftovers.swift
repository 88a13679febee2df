extension Lowlevel {
    /// The file descriptors the run's I/O manager still watches (a waiting task, an asyncio loop's
    /// reader or writer, an open socket's registration), for TrioTesting's check that a test left
    /// nothing behind. Flavor: sync; the run's thread.
    ///
    /// - Throws: `RuntimeError` outside a run.
    package static func watchedDescriptors() throws -> [Int32] {
        try currentRunner("Lowlevel.watchedDescriptors").io.watchedDescriptors
    }
}
