extension Result {
    /// The error of a failed result, `nil` for a success (what an `async with` exit receives).
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
