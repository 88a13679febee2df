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
        .executable(name: "trio-examples", targets: ["trio-examples"]),
        .executable(name: "trio-bench", targets: ["trio-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "Sniffio", dependencies: ["TrioPlatform"]),
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
        .target(name: "TrioTesting", dependencies: ["Trio", "TrioPlatform"]),
        .target(
            name: "Asyncio",
            dependencies: [
                "Sniffio", "CTrioPlatform", "SharedErrors", "TrioPlatform",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .executableTarget(
            name: "trio-examples",
            dependencies: [
                "Trio", "TrioTesting", "Asyncio",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "trio-bench",
            dependencies: [
                "Trio", "TrioTesting", "Asyncio", "TrioPlatform",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .testTarget(name: "SniffioTests", dependencies: ["Sniffio"]),
        .testTarget(name: "TrioTests", dependencies: ["Trio", "TrioTesting", "Sniffio", "Asyncio", "TrioPlatform"]),
        .testTarget(name: "AsyncioTests", dependencies: ["Asyncio", "Sniffio", "TrioPlatform"]),
    ],
    swiftLanguageModes: [.v6]
)
