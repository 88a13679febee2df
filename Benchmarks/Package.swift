// swift-tools-version: 6.1
// The benchmarks live in a package of their own (as swift-nio keeps its own) so that a package depending
// on swift-trio resolves none of their dependencies.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which is whatever the clone is called.
let trio = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

let package = Package(
    name: "swift-trio-benchmarks",
    products: [
        .executable(name: "trio-bench", targets: ["trio-bench"]),
        .executable(name: "nio-echo-server", targets: ["nio-echo-server"]),
    ],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        // Only for `nio-echo-server`, the echo benchmark's reference server.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        .executableTarget(
            name: "trio-bench",
            dependencies: [
                .product(name: "Trio", package: trio),
                .product(name: "TrioTesting", package: trio),
                .product(name: "Asyncio", package: trio),
                .product(name: "TrioAsyncio", package: trio),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .executableTarget(
            name: "nio-echo-server",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
