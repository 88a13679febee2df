// swift-tools-version: 6.1
import PackageDescription

// swift-trio against the Swift server libraries people already run, with real servers: a package of
// its own, so that the root package gains no dependency. `IntegrationTests/ci.sh` runs it.
let package = Package(
    name: "trio-integration-tests",
    platforms: [.macOS(.v14)],
    dependencies: [
        // The root package, with the trait that builds its TrioServiceLifecycle library.
        .package(name: "swift-trio", path: "..", traits: ["ServiceLifecycle"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // A child process for the signal tests: a TrioService in a ServiceGroup.
        .executableTarget(
            name: "trio-lifecycle-child",
            dependencies: [
                .product(name: "Trio", package: "swift-trio"),
                .product(name: "TrioServiceLifecycle", package: "swift-trio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "trio-lifecycle-child",
                .product(name: "Trio", package: "swift-trio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
