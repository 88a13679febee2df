/// Runs `function` on the running loop's default executor and waits for it: `asyncio.to_thread`.
///
/// Flavor: asyncio. Cancelling the waiting task abandons the result; the thread still runs to completion.
/// - Throws: what `function` throws; ``CancelledError``; ``FlavorError`` outside an asyncio task.
public func toThread<T: Sendable>(_ function: @escaping @Sendable () throws -> T) async throws -> T {
    let loop = try TaskContext.require("Asyncio.toThread").core.loop
    return try await loop.runInExecutor(nil, function).value
}
