/// A region of code that can be cancelled, by a call to ``cancel(reason:)`` or by its deadline.
/// Flavor: Trio.
///
/// Cancellation is level-triggered: once the scope is cancelled, every checkpoint inside it (in
/// this task and in the tasks of nurseries opened inside it) throws ``Cancelled`` until the code
/// leaves the scope, which then absorbs the error and sets ``cancelledCaught``. When several
/// nested scopes are cancelled the outermost one wins. A shielded scope hides the cancellation of
/// the scopes around it. Each scope may be entered once.
///
/// ```swift
/// let scope = CancelScope(relativeDeadline: 5)
/// let value = try await scope.run { try await fetch() }   // nil if the deadline hit
/// ```
public final class CancelScope {
    // Lifecycle: unentered (`hasBeenEntered == false`, `status == nil`), entered
    // (`hasBeenEntered`, `status` set, `runnerID` names the run) and exited (`hasBeenEntered`,
    // `status == nil`); it only moves forward. `cancelCalledFlag` only ever goes from false to
    // true, and `cancelReason` is set with it, once. `cancelledCaught` is only set at exit.
    // `pendingError` holds the first rejected setter's error, thrown at entry or exit.
    // `deadlineRegistered` is true exactly while the deadline heap holds a live
    // `.scope(self, deadlineGeneration)` entry: `updateDeadlineRegistration` makes it equal to
    // `wantsDeadline` (entered, not cancelled, a finite deadline) after every change of those
    // inputs, and bumping `deadlineGeneration` is how an old entry dies.
    //
    // Thread rule: a scope is used only by tasks of the run it was entered in, on that run's loop
    // thread; code that finds itself elsewhere (`runner` is nil) does not touch the run. The
    // fields read on every entry and exit, and by every cancellation walk (`cancelCalledFlag`,
    // `storedShield`), carry `@exclusivity(unchecked)`: one thread owns them, no access
    // re-enters, and scopes are entered around every timeout and nursery. The two written only
    // when a cancellation happens keep the check.

    @exclusivity(unchecked) private var storedDeadline: Double
    @exclusivity(unchecked) private var storedRelativeDeadline: Double
    @exclusivity(unchecked) private var storedShield: Bool
    /// Raised on entry (or exit, for a value set while running): Swift setters cannot throw.
    @exclusivity(unchecked) private var pendingError: (any Error)?
    @exclusivity(unchecked) var cancelCalledFlag = false
    var cancelReason: String?
    @exclusivity(unchecked) var status: CancelStatus?
    @exclusivity(unchecked) private var hasBeenEntered = false
    /// The run the scope was entered in. Kept as an identity, not a reference: a scope may outlive
    /// its run, and a weak reference would cost a side table on every nursery.
    @exclusivity(unchecked) private var runnerID: ObjectIdentifier?
    private var runner: Runner? {
        guard let runnerID, let current = Runner.currentOnThread.value, ObjectIdentifier(current) == runnerID
        else { return nil }
        return current
    }
    @exclusivity(unchecked) var deadlineGeneration: UInt32 = 0
    @exclusivity(unchecked) private var deadlineRegistered = false

    /// True once the scope caught the ``Cancelled`` that its own cancellation raised.
    public private(set) var cancelledCaught = false

    /// Creates a scope. Flavor: sync.
    ///
    /// - Parameters:
    ///   - deadline: absolute time on the run's clock at which the scope cancels itself.
    ///   - relativeDeadline: seconds after entry at which the scope cancels itself.
    ///   - shield: hide cancellation of the enclosing scopes.
    ///
    /// Invalid values (NaN, a negative relative deadline, both deadlines) are reported by throwing
    /// `ValueError` from ``run(_:)``.
    public init(deadline: Double = .infinity, relativeDeadline: Double = .infinity, shield: Bool = false) {
        storedDeadline = deadline
        storedRelativeDeadline = relativeDeadline
        storedShield = shield
        if deadline.isNaN {
            pendingError = ValueError("deadline must not be NaN")
        } else if relativeDeadline.isNaN {
            pendingError = ValueError("relative deadline must not be NaN")
        } else if relativeDeadline < 0 {
            pendingError = ValueError("timeout must be non-negative")
        } else if relativeDeadline != .infinity && deadline != .infinity {
            pendingError = ValueError("Cannot specify both a deadline and a relative deadline")
        }
    }

    /// The absolute deadline on the run's clock (`.infinity`: none). Flavor: sync.
    ///
    /// Changing it on a running scope takes effect at once. An unentered scope created with a
    /// relative deadline reports the deadline entering it now would give (the current time plus
    /// the relative deadline), or `.infinity` outside a run, where there is no clock.
    ///
    /// Setting it on an unentered scope that has a relative deadline is an error, as in Trio: the
    /// scope keeps its relative deadline and ``run(_:)`` throws `RuntimeError` when the scope is
    /// entered (a setter cannot throw). Use ``setDeadline(_:)`` to have the error thrown at the
    /// call instead. A NaN value is reported the same way, as `ValueError`.
    public var deadline: Double {
        get {
            if !hasBeenEntered, storedRelativeDeadline != .infinity {
                guard let runner = Runner.currentOnThread.value else { return .infinity }
                return runner.clock.currentTime() + storedRelativeDeadline
            }
            return storedDeadline
        }
        set {
            do { try setDeadline(newValue) } catch { reject(error) }
        }
    }

    /// Sets ``deadline``, throwing where the property setter can only defer the error to
    /// ``run(_:)``. Flavor: sync.
    ///
    /// - Throws: `ValueError` for NaN; `RuntimeError` for an unentered scope that has a
    ///   relative deadline (an absolute deadline is not silently put in its place). The scope is
    ///   unchanged when it throws.
    public func setDeadline(_ newValue: Double) throws {
        if newValue.isNaN { throw ValueError("deadline must not be NaN") }
        if storedRelativeDeadline != .infinity {
            throw RuntimeError("Unentered relative cancel scope does not have an absolute deadline")
        }
        storedDeadline = newValue
        updateDeadlineRegistration()
    }

    /// Seconds from now to the deadline once entered; before entry, the relative deadline that
    /// entering will turn into an absolute one. Flavor: sync.
    ///
    /// Setting it on an unentered scope that has an absolute ``deadline`` is an error (reported
    /// as `RuntimeError` by ``run(_:)``, since a setter cannot throw; ``setRelativeDeadline(_:)``
    /// throws it at the call); the scope keeps its deadline.
    public var relativeDeadline: Double {
        get {
            if hasBeenEntered, let runner { return storedDeadline - runner.clock.currentTime() }
            return storedRelativeDeadline
        }
        set {
            do { try setRelativeDeadline(newValue) } catch { reject(error) }
        }
    }

    /// Sets ``relativeDeadline``, throwing where the property setter can only defer the error to
    /// ``run(_:)``. Flavor: sync.
    ///
    /// - Throws: `ValueError` for NaN or a negative value; `RuntimeError` for an unentered
    ///   scope that has an absolute deadline. The scope is unchanged when it throws.
    public func setRelativeDeadline(_ newValue: Double) throws {
        if newValue.isNaN { throw ValueError("relative deadline must not be NaN") }
        if newValue < 0 { throw ValueError("timeout must be non-negative") }
        if hasBeenEntered, let runner {
            storedDeadline = runner.clock.currentTime() + newValue
            updateDeadlineRegistration()
        } else if hasBeenEntered {
            // Entered, but the run is gone (or this is another thread): no clock to count from.
            throw RuntimeError("a relative deadline needs the run the scope was entered in")
        } else if storedDeadline != .infinity {
            // As in Trio: an absolute deadline is not silently turned into a relative one.
            throw RuntimeError("unentered non-relative cancel scope does not have a relative deadline")
        } else {
            storedRelativeDeadline = newValue
        }
    }

    /// Whether the scope hides cancellation of the scopes around it. Flavor: sync.
    ///
    /// Takes effect immediately: a task blocked inside the scope is woken with ``Cancelled`` when
    /// the shield drops and an outer scope is cancelled.
    public var shield: Bool {
        get { storedShield }
        set {
            storedShield = newValue
            status?.recalculate()
        }
    }

    /// True once ``cancel(reason:)`` was called or the deadline passed. Flavor: sync.
    public var cancelCalled: Bool {
        if !cancelCalledFlag, status != nil || !hasBeenEntered, let runner = runner ?? Runner.currentOnThread.value,
            runner.clock.currentTime() >= storedDeadline
        {
            cancel(reason: "deadline exceeded")
        }
        return cancelCalledFlag
    }

    /// Cancels the scope: every checkpoint inside it will throw ``Cancelled``. Idempotent; a scope
    /// not yet entered is cancelled as soon as it is entered. Flavor: sync; not a checkpoint.
    public func cancel(reason: String? = nil) {
        guard !cancelCalledFlag else { return }
        cancelCalledFlag = true
        cancelReason = reason
        updateDeadlineRegistration()
        status?.recalculate()
    }

    /// Runs `body` inside the scope. Flavor: Trio.
    ///
    /// - Returns: the body's result, or `nil` if the scope caught its own cancellation.
    /// - Throws: the body's errors (minus the ``Cancelled`` this scope absorbed); `ValueError`
    ///   for invalid deadlines; `RuntimeError` when entered twice or outside a Trio task.
    @discardableResult
    public func run<T>(_ body: () async throws -> T) async throws -> T? {
        let task = try currentTrioTask("CancelScope.run")
        try enter(task)
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let value):
            if let remaining = exit(task, nil) { throw remaining }
            if let error = pendingError { throw error }
            return value
        case .failure(let error):
            if let remaining = exit(task, error) { throw remaining }
            if let error = pendingError { throw error }
            return nil
        }
    }

    func enter(_ task: TrioTask) throws {
        if hasBeenEntered {
            throw RuntimeError("Each CancelScope may only be used for a single 'with' block")
        }
        if let error = pendingError { throw error }
        assert(status == nil, "Trio: an unentered CancelScope has a cancel status")
        hasBeenEntered = true
        runnerID = task.runnerID
        let now = task.runner.clock.currentTime()
        if storedRelativeDeadline != .infinity {
            storedDeadline = now + storedRelativeDeadline
            storedRelativeDeadline = .infinity
        }
        if now >= storedDeadline && !cancelCalledFlag {
            cancelCalledFlag = true
            cancelReason = "deadline exceeded"
        }
        let status = CancelStatus(scope: self, parent: task.cancelStatus)
        self.status = status
        task.activate(status)
        updateDeadlineRegistration()
    }

    /// Leaves the scope; returns what is left of `error` after absorbing this scope's cancellation.
    func exit(_ task: TrioTask, _ error: (any Error)?) -> (any Error)? {
        guard let status else { return error }
        var remaining = error
        if let error, status.effectivelyCancelled, !status.parentCancellationIsVisibleToUs {
            if error is Cancelled {
                cancelledCaught = true
                remaining = nil
            } else if let group = error as? ExceptionGroup {
                let (matched, rest) = group.split { $0 is Cancelled }
                if matched != nil { cancelledCaught = true }
                remaining = rest?.collapsed()
            }
        }
        task.activate(status.parent)
        assert(
            status.tasks.isEmpty && status.children.isEmpty,
            "Trio: a CancelScope exits with tasks or nested scopes still under it")
        status.setParent(nil)
        self.status = nil
        updateDeadlineRegistration()
        return remaining
    }

    private func reject(_ error: any Error) {
        // Keep the old value and report the mistake where Swift allows a throw.
        if pendingError == nil { pendingError = error }
    }

    // MARK: Deadline registration

    private var wantsDeadline: Bool { status != nil && !cancelCalledFlag && storedDeadline != .infinity }

    private func updateDeadlineRegistration() {
        guard let runner else { return }
        if deadlineRegistered {
            deadlineRegistered = false
            deadlineGeneration &+= 1
            runner.deadlines.didInvalidate()
        }
        if wantsDeadline {
            deadlineRegistered = true
            runner.deadlines.add(storedDeadline, .scope(self, deadlineGeneration))
        }
    }

    /// Called by the deadline heap when this scope's live entry expires.
    func deadlineExpired() {
        deadlineRegistered = false
        deadlineGeneration &+= 1
        cancel(reason: "deadline exceeded")
    }
}
