import TrioPlatform

extension Scope {
    /// The scope whose code is running: inside ``run(_:)->_``'s body and inside every task spawned on a scope
    /// (traio's `Scope.get_current()`); `nil` elsewhere. Per task, restored when the body or task ends.
    ///
    /// Flavor: sync.
    public static var current: Scope? { currentBox?.value }

    /// Runs `body` with `scope` as ``current`` (traio's `_set_current`, for code that manages scopes by hand;
    /// ``run(_:)->_`` and the spawned tasks do it themselves).
    ///
    /// Flavor: inherits `body`'s (it adds no suspension of its own).
    ///
    /// - Parameters:
    ///   - scope: The scope to make current, or `nil` for none.
    ///   - body: The code to run.
    /// - Returns: What `body` returns.
    /// - Throws: what `body` throws.
    public static func withCurrent<T>(_ scope: Scope?, _ body: () async throws -> T) async rethrows -> T {
        try await $currentBox.withValue(scope.map(UncheckedSendable.init)) { try await body() }
    }

    // Task-locals must be `Sendable`; a scope is used on its loop's thread only, and the tasks that
    // see this value run there too.
    @TaskLocal private static var currentBox: UncheckedSendable<Scope>?
}
