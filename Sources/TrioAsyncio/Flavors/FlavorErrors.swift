import Sniffio
import Trio

/// The error for the Trio-flavored bridge function `what` called outside a Trio task: from asyncio
/// code it names `trioAsAio`; elsewhere it says to call it from a Trio task.
func trioFlavorError(_ what: String) -> FlavorError {
    if AsyncLibrary.calledFromAsyncio { return .trioCalledFromAsyncio("TrioAsyncio." + what) }
    return FlavorError("\(what) is Trio-flavored: call it from a Trio task (inside Trio.run or TrioAsyncio.run)")
}

/// Throws ``trioFlavorError(_:)`` unless the caller is a Trio task.
func requireTrioTask(_ what: String) throws {
    guard HostedLoopDriver.inTrioTask else { throw trioFlavorError(what) }
}
