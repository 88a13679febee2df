#if canImport(Glibc)
import Glibc
#endif

/// A per-thread buffer that socket receives read into before copying the bytes out at their
/// exact size: a 64 KiB receive then costs no allocation beyond the result array.
///
/// Safe to share between all sockets of a thread because a receive fills and empties it within
/// one synchronous step (the `recv` call and the copy), never across a suspension.
enum ReceiveScratch {
    private struct Header {
        var capacity: Int
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in pointer?.deallocate() }
        return key
    }()

    /// The calling thread's buffer, at least `size` bytes.
    static func buffer(atLeast size: Int) -> UnsafeMutableRawBufferPointer {
        let headerSize = MemoryLayout<Header>.stride
        if let raw = pthread_getspecific(key) {
            let capacity = raw.load(as: Header.self).capacity
            if capacity >= size { return UnsafeMutableRawBufferPointer(start: raw + headerSize, count: capacity) }
            raw.deallocate()
        }
        let capacity = max(size, SocketStream.defaultReceiveSize)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: headerSize + capacity, alignment: 16)
        raw.storeBytes(of: Header(capacity: capacity), as: Header.self)
        pthread_setspecific(key, raw)
        return UnsafeMutableRawBufferPointer(start: raw + headerSize, count: capacity)
    }
}
