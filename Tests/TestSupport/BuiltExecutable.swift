import Foundation

/// The path of the executable product `name` that `swift build --build-tests` puts next to the test
/// bundle (on Linux the test runner is the `.xctest` file itself, in the build directory).
public func builtExecutable(named name: String) -> String {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = bundle.deletingLastPathComponent()
    if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
    return directory.appendingPathComponent(name).path
}
