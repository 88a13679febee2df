/// Python's `repr()` of a `bytes` value (`b'hi\n'`), so that the tutorial ports print exactly
/// what the Python programs print.
func pythonBytesRepr(_ bytes: [UInt8]) -> String {
    let quote: UInt8 = bytes.contains(39) && !bytes.contains(34) ? 34 : 39
    var text = "b" + String(UnicodeScalar(quote))
    for byte in bytes {
        switch byte {
        case 92: text += "\\\\"
        case quote: text += "\\" + String(UnicodeScalar(quote))
        case 9: text += "\\t"
        case 10: text += "\\n"
        case 13: text += "\\r"
        case 32..<127: text += String(UnicodeScalar(byte))
        default:
            let hex = String(byte, radix: 16)
            text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return text + String(UnicodeScalar(quote))
}

/// The tutorial's port: between 1024 and 65535, unused, the same for client and server.
let tutorialEchoPort = 12345

#if canImport(Glibc)
import Glibc
#endif

/// Prints one line straight to standard output (or `fd`) (no stdio buffer), so that the tutorial's prints
/// show up at once even when piped, and none is lost when the program is killed.
func say(_ line: String, fd: Int32 = 1) {
    let text = line + "\n"
    text.withCString { pointer in
        var offset = 0
        let count = strlen(pointer)
        while offset < count {
            let written = write(fd, pointer + offset, count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}
