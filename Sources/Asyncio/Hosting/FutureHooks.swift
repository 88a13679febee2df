/// The extension points of a ``Future`` for code built on Asyncio — a loop or a scheduler of another runtime,
/// a supervision layer — named for the moment of the future's life they belong to.
///
/// A future has four such moments, each with one slot:
/// - **cancel requested** (``cancelRequested``): a `cancel(message:)` of the pending future goes here instead of
///   cancelling it, for a future that stands for work elsewhere; the future stays pending until its owner
///   resolves it once that work has ended (``Future/finishCancelled(message:)``, or a value that came anyway).
///   Returns what `cancel` returns. Cleared when the future completes.
/// - **first observed** (``firstObserved``): called once, then cleared, the first time anyone awaits the
///   future (``Future/value``), adds a done-callback (hence `gather`, `wait`, `shield`, `waitFor`) or a
///   completion hook. Set it after registering one's own callbacks, or they count.
/// - **completed** (`Future.addCompletionHook(_:)`, `Future.removeDoneCallback(_:)`): synchronous hooks in
///   order with the done-callbacks, for a waiter that only needs waking; they live with the callbacks, so they
///   are methods rather than a slot here.
/// - **handle cancelled** (`Handle.onCancel`): the same for a ``Handle`` that stands for work elsewhere.
///
/// Rules: loop thread only, like the future. A hook must not call back into its future (no cancel, no new
/// callbacks from inside one), and must not throw or block: the loop is in the middle of a step.
package struct FutureHooks {
    /// Replaces `cancel(message:)` of the pending future (see the type's notes).
    package var cancelRequested: ((String?) -> Bool)?
    /// Called once, the first time the future is observed (see the type's notes).
    package var firstObserved: (() -> Void)?

    package init() {}
}
