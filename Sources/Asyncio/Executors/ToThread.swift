/// Runs `function` on the running loop's default executor and waits for it: `asyncio.to_thread`.
///
/// Flavor: asyncio. Cancelling the waiting task cancels the call: if no thread has started it yet it never runs;
/// if one has, it runs to the end and its result is dropped.
/// - Throws: what `function` throws; ``CancelledError``; `FlavorError` outside an asyncio task.
public func toThread<T: Sendable>(_ function: @escaping @Sendable () throws -> T) async throws -> T {
    let loop = try TaskContext.require("Asyncio.toThread").core.loop
    return try await loop.runInExecutor(nil, function).value
}
