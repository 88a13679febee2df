import Trio
import TrioPlatform

#if canImport(Glibc)
import Glibc
#endif

/// An error type the tests throw on purpose.
struct Boom: Error, Equatable {
    var tag = "boom"
}

