import AsyncioTestSupport

// The shared helpers, under the names every file of this target uses without an import.
typealias Log = AsyncioTestSupport.Log
typealias TestError = AsyncioTestSupport.TestError
