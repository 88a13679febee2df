import Asyncio
import Trio

/// The loop an adapter uses: the one given, else ``CurrentLoop``, else the ``TrioEventLoop``
/// running the current callback.
///
/// - Throws: `RuntimeError` naming `openLoop` when there is none.
func resolveLoop(_ loop: TrioEventLoop?, for what: String) throws -> TrioEventLoop {
    if let loop { return loop }
    if let loop = CurrentLoop.value { return loop }
    if let loop = runningLoopIfAny() as? TrioEventLoop { return loop }
    throw RuntimeError(
        "\(what) needs a trio-asyncio loop: call it inside openLoop { … } or TrioAsyncio.run { … }, or pass loop:")
}

/// A future that already failed with `error`, for the non-throwing `trioAsAio` adapters when no
/// loop can take the call: it belongs to a closed placeholder loop, so nothing can schedule on it.
func failedFuture<T>(_ error: any Error, of type: T.Type) -> Future<T> {
    let placeholder = newEventLoop()
    try? placeholder.close()
    let future = placeholder.createFuture(of: T.self)
    try? future.setException(error)
    return future
}
