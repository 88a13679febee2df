// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-trio",
    products: [
        .library(name: "Sniffio", targets: ["Sniffio"]),
        .library(name: "SharedErrors", targets: ["SharedErrors"]),
        .library(name: "Trio", targets: ["Trio"]),
        .library(name: "TrioTesting", targets: ["TrioTesting"]),
        .library(name: "Asyncio", targets: ["Asyncio"]),
        .library(name: "TrioAsyncio", targets: ["TrioAsyncio"]),
        .library(name: "Traio", targets: ["Traio"]),
        // Empty unless the package's `ServiceLifecycle` trait is enabled (see the trait below).
        .library(name: "TrioServiceLifecycle", targets: ["TrioServiceLifecycle"]),
    ],
    traits: [
        // Off by default: only a package that enables it resolves swift-service-lifecycle.
        .trait(name: "ServiceLifecycle", description: "The TrioServiceLifecycle library (a Trio run as a Service)")
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        // Test-only: a real plain-Swift-concurrency library for the swiftAsTrio tests.
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.0.0"),
        // Documentation only: `swift package generate-documentation --target <Module>`.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        // Only with the `ServiceLifecycle` trait (TrioServiceLifecycle).
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(name: "Sniffio"),
        .target(name: "CTrioPlatform"),
        .target(name: "SharedErrors"),
        .target(name: "TrioPlatform", dependencies: ["CTrioPlatform", "SharedErrors"]),
        .target(
            name: "Trio",
            dependencies: [
                "Sniffio", "CTrioPlatform", "SharedErrors", "TrioPlatform",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .target(name: "TrioTesting", dependencies: ["Trio", "Asyncio", "TrioAsyncio", "TrioPlatform"]),
        .target(
            name: "TrioServiceLifecycle",
            dependencies: [
                "Trio",
                .product(
                    name: "ServiceLifecycle", package: "swift-service-lifecycle",
                    condition: .when(traits: ["ServiceLifecycle"])),
            ]
        ),
        .target(
            name: "Asyncio",
            dependencies: [
                "Sniffio", "CTrioPlatform", "SharedErrors", "TrioPlatform",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "TrioAsyncio",
            dependencies: [
                "Trio", "Asyncio", "Sniffio", "SharedErrors", "TrioPlatform",
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "Traio",
            dependencies: ["Asyncio", "TrioPlatform", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "trio-examples",
            dependencies: [
                "Trio", "TrioTesting", "Asyncio", "TrioAsyncio", "Traio",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A program the entry-point tests run in processes of their own (Ctrl-C, exit status).
        .executableTarget(
            name: "entry-point-probe", dependencies: ["Trio", "Asyncio", "TrioAsyncio", "TrioPlatform"],
            path: "Tests/EntryPointProbe"
        ),
        .testTarget(name: "SniffioTests", dependencies: ["Sniffio"]),
        // The helpers every test target shares (threads, polling, signal state, boxes), at the bottom of
        // the test graph: the platform layer and the shared errors only.
        .target(name: "TestSupport", dependencies: ["SharedErrors", "TrioPlatform"], path: "Tests/TestSupport"),
        .testTarget(
            name: "TrioTests",
            dependencies: [
                "Trio", "TrioTesting", "TestSupport", "Sniffio", "TrioPlatform",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ]
        ),
        // The test support the asyncio-flavored test targets share: the asyncio conformance suites' bodies,
        // parametrised by the loop they run on, and small helpers. Depends on Asyncio alone, so that
        // AsyncioTests runs them on the standalone loop and TrioAsyncioTests on the loops hosted in Trio.
        .target(
            name: "AsyncioTestSupport", dependencies: ["Asyncio", "TestSupport", "Sniffio", "TrioPlatform"],
            path: "Tests/AsyncioTestSupport"
        ),
        .testTarget(
            name: "AsyncioTests", dependencies: ["Asyncio", "AsyncioTestSupport", "Sniffio", "TrioPlatform"]
        ),
        .testTarget(
            name: "TrioAsyncioTests",
            dependencies: [
                "TrioAsyncio", "Trio", "Asyncio", "AsyncioTestSupport", "HostedTestSupport", "TestSupport", "TrioTesting",
                "Sniffio", "TrioPlatform",
            ]
        ),
        // The loops hosted in a Trio run as `ConformanceLoop`s, for the two test targets that run the shared
        // bodies on them.
        .target(
            name: "HostedTestSupport", dependencies: ["AsyncioTestSupport", "TrioTesting"],
            path: "Tests/HostedTestSupport"
        ),
        // traio's suites' bodies, parametrised by AsyncioTestSupport's `ConformanceLoop`: TraioTests runs them on
        // the standalone loop and TraioHostedTests on the loops hosted in Trio.
        .target(
            name: "TraioTestSupport",
            dependencies: ["Traio", "Asyncio", "AsyncioTestSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TraioTestSupport"
        ),
        .testTarget(
            name: "TraioTests",
            dependencies: ["Traio", "Asyncio", "AsyncioTestSupport", "TraioTestSupport"]
        ),
        // Traio on trio-asyncio's hosted loop: the one test target that needs both.
        .testTarget(
            name: "TraioHostedTests",
            dependencies: [
                "Traio", "TraioTestSupport", "AsyncioTestSupport", "HostedTestSupport", "TrioAsyncio", "TrioTesting",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
