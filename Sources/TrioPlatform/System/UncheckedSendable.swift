/// A value carried across a `Sendable` boundary that the compiler cannot check. The package's one
/// unchecked-Sendable box: every module uses this rather than a box of its own.
///
/// Flavor: sync. Safe only where the user guarantees that one thread at a time touches the value:
/// a Trio run or an asyncio loop keeps it on its own thread (see "Single-threaded by construction"
/// in Trio.docc's Architecture article), or the sender is suspended until the receiver is done.
/// Each use says which of these holds.
@usableFromInline
package struct UncheckedSendable<Value>: @unchecked Sendable {
    @usableFromInline package var value: Value

    @inlinable package init(_ value: Value) { self.value = value }
}
