import Trio

/// `maxBytes` must be positive when given, as in Trio's streams.
func validateMaxBytes(_ maxBytes: Int?) throws {
    if let maxBytes, maxBytes < 1 { throw ValueError("max_bytes must be >= 1") }
}
