import CTrioPlatform

/// The calling OS thread's name, as `ps -L`, `top -H` and debuggers show it. Flavor: package;
/// any thread.
///
/// The kernel keeps at most 15 bytes, so longer names are cut, at a character boundary so that
/// the stored bytes stay valid UTF-8.
package enum OSThreadName {
    /// The most bytes of a name the kernel keeps.
    package static let maxBytes = 15

    /// The calling thread's name (empty when it has none).
    package static var current: String {
        var buffer = [CChar](repeating: 0, count: maxBytes + 1)
        guard ctrio_get_thread_name(&buffer) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Names the calling thread `name`, cut to ``maxBytes``.
    package static func set(_ name: String) {
        var kept = Substring(name)
        while kept.utf8.count > maxBytes { kept = kept.dropLast() }
        _ = ctrio_set_thread_name(String(kept))
    }
}
