// Errors that Python has as builtins and that both flavors raise. They live in one module so that
// `Trio.ValueError` and `Asyncio.ValueError` are the same type: code holding both flavors catches
// one `RuntimeError`, as Python code catches one builtin.

#if canImport(Glibc)
import Glibc
#endif

/// An API was used in a way or a place it cannot work: outside a run, twice, too late, on a closed
/// loop. Flavor: sync.
///
/// Mirrors the `RuntimeError`s that Python's Trio and asyncio raise for the same mistakes, with
/// their wording where they have one.
public struct RuntimeError: Error, CustomStringConvertible {
    /// What was wrong and what to do instead.
    public let message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { "RuntimeError: \(message)" }
}

/// An argument had an invalid value (NaN, a negative timeout, …). Flavor: sync. Mirrors Python's
/// `ValueError`.
public struct ValueError: Error, CustomStringConvertible {
    /// What was wrong.
    public let message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { "ValueError: \(message)" }
}

/// A system call failed. Flavor: sync. Mirrors Python's `OSError`: `errno` plus the call that failed.
public struct OSError: Error, CustomStringConvertible {
    /// The `errno` value.
    public let errno: Int32
    /// What was being done, usually the system call's name.
    public let operation: String
    /// Creates the error.
    public init(errno: Int32, operation: String) {
        self.errno = errno
        self.operation = operation
    }

    /// The error for `operation` with the calling thread's current `errno`.
    package static func current(_ operation: String) -> OSError { OSError(errno: Glibc.errno, operation: operation) }

    /// `[Errno N] strerror: operation`.
    public var description: String {
        "OSError: [Errno \(errno)] \(String(cString: strerror(errno))): \(operation)"
    }
}

/// Several errors raised together, as by the children of one nursery. Flavor: sync.
///
/// Trio's nurseries wrap their errors in a group by default (strict exception groups, as in
/// Trio ≥ 0.25), even when there is only one; asyncio's task groups raise one too.
/// Use ``leaves`` to see every non-group error, ``contains(_:)`` to test for a type, and
/// ``split(_:)`` to separate the errors you handle from the rest.
public struct ExceptionGroup: Error, CustomStringConvertible {
    /// What the group stands for, e.g. "Exceptions from Trio nursery".
    public let message: String
    /// The errors, possibly groups themselves.
    public let errors: [any Error]
    /// Non-strict groups collapse to their single member once filtering leaves one.
    package let collapsible: Bool

    /// Creates a group. `errors` must not be empty.
    public init(_ message: String, _ errors: [any Error]) {
        self.init(message, errors, collapsible: false)
    }

    package init(_ message: String, _ errors: [any Error], collapsible: Bool) {
        precondition(!errors.isEmpty, "an ExceptionGroup needs at least one error")
        self.message = message
        self.errors = errors
        self.collapsible = collapsible
    }

    /// Every error in the group and its nested groups that is not itself a group, depth first.
    public var leaves: [any Error] {
        errors.flatMap { ($0 as? ExceptionGroup)?.leaves ?? [$0] }
    }

    /// True if any leaf is of type `type`.
    public func contains<E: Error>(_ type: E.Type) -> Bool {
        leaves.contains { $0 is E }
    }

    /// True if any leaf satisfies `predicate`.
    public func contains(where predicate: (any Error) -> Bool) -> Bool {
        leaves.contains(where: predicate)
    }

    /// Splits the group into the leaves matching `predicate` and the rest, keeping the nesting.
    /// Either side is `nil` when empty.
    public func split(_ predicate: (any Error) -> Bool) -> (matched: ExceptionGroup?, rest: ExceptionGroup?) {
        var matched: [any Error] = []
        var rest: [any Error] = []
        for error in errors {
            if let group = error as? ExceptionGroup {
                let (m, r) = group.split(predicate)
                if let m { matched.append(m) }
                if let r { rest.append(r) }
            } else if predicate(error) {
                matched.append(error)
            } else {
                rest.append(error)
            }
        }
        return (derive(matched), derive(rest))
    }

    private func derive(_ errors: [any Error]) -> ExceptionGroup? {
        errors.isEmpty ? nil : ExceptionGroup(message, errors, collapsible: collapsible)
    }

    /// Trio's `collapse_exception_group`: a non-strict group left with one error becomes that error.
    package func collapsed() -> any Error {
        let inner = errors.map { ($0 as? ExceptionGroup)?.collapsed() ?? $0 }
        if collapsible && inner.count == 1 { return inner[0] }
        return ExceptionGroup(message, inner, collapsible: collapsible)
    }

    /// The message and the errors.
    public var description: String {
        let noun = errors.count == 1 ? "sub-exception" : "sub-exceptions"
        return "\(message) (\(errors.count) \(noun)): [" + errors.map { "\($0)" }.joined(separator: ", ") + "]"
    }
}

/// A function of one flavor was called from code of the other: an asyncio primitive (awaiting a
/// `Future`, `Asyncio.sleep`, a queue, a lock, a stream …) from a Trio task, or a Trio primitive
/// (`Trio.sleep`, `checkpoint`, an event, a channel, `withNursery`, `CancelScope.run` …) from an
/// asyncio task or callback. Flavor: sync.
///
/// Python raises "Task got bad yield" or hangs in the same place. The message names the function
/// that was called, the flavor of the caller, and the adapter that makes the call work:
/// `aioAsTrio` / `runAioCoroutine` or `allowAsyncio` from Trio, `trioAsAio` / `runTrio` from
/// asyncio. An asyncio primitive called where no asyncio task runs at all (a plain thread or Swift
/// task) throws it too, saying where to call it from.
public struct FlavorError: Error, CustomStringConvertible {
    /// What was called, where, and what to do instead.
    public let message: String
    /// Creates the error with a message.
    public init(_ message: String) { self.message = message }
    /// `FlavorError: ` followed by the message.
    public var description: String { "FlavorError: \(message)" }

    /// The error for the asyncio-flavored `function` called from Trio code.
    package static func asyncioCalledFromTrio(_ function: String) -> FlavorError {
        FlavorError(
            "\(function) is asyncio-flavored and was called from a Trio task: wrap the asyncio code with "
                + "aioAsTrio (or runAioCoroutine) so that it runs in an asyncio task, or call it inside "
                + "allowAsyncio { … } (TrioAsyncio, inside openLoop)")
    }

    /// The error for the Trio-flavored `function` called from asyncio code.
    package static func trioCalledFromAsyncio(_ function: String) -> FlavorError {
        // Named as the caller writes it in mixed code, like the asyncio side's `Asyncio.sleep`.
        let function = function.hasPrefix("Trio") ? function : "Trio." + function
        return FlavorError(
            "\(function) is Trio-flavored and was called from an asyncio task or callback: wrap the Trio code "
                + "with trioAsAio (or runTrio) and await the Future it returns (TrioAsyncio, inside openLoop)")
    }
}

/// The program got `SIGINT` (Ctrl-C) while a run owned it (Python's `KeyboardInterrupt`). Flavor: sync.
///
/// `Trio.run` cancels everything below its system nursery, so tasks unwind through their cleanup
/// code, then throws this instead of the cancellation. `Asyncio.run` and `TrioAsyncio.run` do as
/// CPython's `asyncio.run` does: the first Ctrl-C cancels the main task, and once it has unwound the
/// run throws this. A program that handles `SIGINT` itself (Trio's `withSignalReceiver`, an asyncio
/// loop's `addSignalHandler`) takes precedence. `Trio.runMain` and its counterparts turn it into the
/// process ending the way a Python program's does: one line on standard error, status 130.
public struct KeyboardInterrupt: Error, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// `KeyboardInterrupt`.
    public var description: String { "KeyboardInterrupt" }
}
