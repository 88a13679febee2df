import Foundation
import Logging
import PostgresNIO
import Testing
import Trio

/// The PostgreSQL server the tests talk to, from the environment `IntegrationTests/ci.sh` sets up
/// (TRIO_IT_PG_HOST, TRIO_IT_PG_PORT, TRIO_IT_PG_USER, TRIO_IT_PG_DATABASE).
enum PostgresServer {
    static let portVariable = "TRIO_IT_PG_PORT"

    static var configuration: PostgresConnection.Configuration? {
        let environment = ProcessInfo.processInfo.environment
        guard let port = environment[portVariable].flatMap(Int.init) else { return nil }
        return PostgresConnection.Configuration(
            host: environment["TRIO_IT_PG_HOST"] ?? "127.0.0.1", port: port,
            username: environment["TRIO_IT_PG_USER"] ?? "postgres", password: nil,
            database: environment["TRIO_IT_PG_DATABASE"] ?? "postgres", tls: .disable)
    }

    static var isConfigured: Bool { configuration != nil }

    static let logger: Logger = {
        var logger = Logger(label: "postgres-it")
        logger.logLevel = .error
        return logger
    }()

    static func connect(_ id: Int) async throws -> PostgresConnection {
        guard let configuration else { throw NeverHappened(what: "\(portVariable) is not set") }
        return try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
    }
}

/// What the server says about one backend process (from pg_stat_activity).
struct BackendActivity: Equatable, CustomStringConvertible {
    var state: String
    var query: String
    var description: String { "\(state): \(query)" }
}

extension PostgresConnection {
    /// This connection's server process id.
    func backendPID() async throws -> Int32 {
        let rows = try await query("SELECT pg_backend_pid()", logger: PostgresServer.logger).collect()
        return try rows[0].decode(Int32.self)
    }

    /// What the server process `pid` is doing, asked on this (other) connection; `nil` when it is
    /// gone (its connection was closed).
    func activity(of pid: Int32) async throws -> BackendActivity? {
        let rows = try await query(
            "SELECT state, query FROM pg_stat_activity WHERE pid = \(pid)", logger: PostgresServer.logger
        ).collect()
        guard let row = rows.first else { return nil }
        let (state, query) = try row.decode((String?, String?).self)
        return BackendActivity(state: state ?? "", query: query ?? "")
    }
}

/// Runs `query` on `connection` from Trio so that a Trio cancellation also cancels the query on the
/// server: postgres-nio itself awaits a query's result through `EventLoopFuture.get()`, which
/// ignores `Task.cancel()`, and it has no API for PostgreSQL's cancel request. So a sibling Trio
/// task waits for the cancellation and then, shielded, asks the server through `canceller` (another
/// connection) to cancel the backend's query with `pg_cancel_backend`; the query then ends with SQL
/// state 57014, which becomes Trio's `Cancelled` here. Flavor: Trio.
func queryCancellingOnServer(
    _ query: PostgresQuery, on connection: PostgresConnection, backendPID: Int32, canceller: PostgresConnection
) async throws -> [PostgresRow] {
    var finished = false
    var cancelSent = false
    let rows = try await withNursery { nursery -> [PostgresRow] in
        try nursery.startSoon(name: "server-side cancel") {
            do {
                try await sleepForever()
            } catch let cancelled as Cancelled {
                if !finished {
                    cancelSent = true
                    _ = try await CancelScope(shield: true).run {
                        try await failAfter(5) {
                            try await swiftAsTrio {
                                try await canceller.query(
                                    "SELECT pg_cancel_backend(\(backendPID))", logger: PostgresServer.logger
                                ).collect()
                            }
                        }
                    }
                }
                throw cancelled
            }
        }
        do {
            let rows = try await swiftAsTrio {
                try await connection.query(query, logger: PostgresServer.logger).collect()
            }
            finished = true
            nursery.cancelScope.cancel()
            return rows
        } catch let error as PSQLError where cancelSent && error.serverInfo?[.sqlState] == "57014" {
            // The server cancelled the query because this task asked it to: a checkpoint in the
            // cancelled scope turns that into the Cancelled the scope expects.
            try await checkpoint()
            throw error
        }
    }
    return rows ?? []
}

@Suite(
    .serialized,
    .enabled(
        if: PostgresServer.isConfigured,
        "TRIO_IT_PG_PORT is not set: no PostgreSQL server to test against (IntegrationTests/ci.sh starts one)"))
struct PostgresFromTrioTests {
    @Test func queriesFromTrioTasksInANurseryRunConcurrently() async throws {
        let connections = try await withThrowingTaskGroup(of: PostgresConnection.self) { group in
            for id in 0..<8 { group.addTask { try await PostgresServer.connect(id) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let (results, elapsed) = try await Trio.runAsync { () -> ([Int: Int], Double) in
            let start = try currentTime()
            var results: [Int: Int] = [:]
            try await withNursery { nursery in
                for index in 0..<connections.count {
                    try nursery.startSoon(name: "query \(index)") {
                        let connection = connections[index]
                        let rows = try await swiftAsTrio {
                            try await connection.query(
                                "SELECT \(index)::int * 10 FROM pg_sleep(0.3)", logger: PostgresServer.logger
                            ).collect()
                        }
                        results[index] = try rows[0].decode(Int.self)
                    }
                }
            }
            return (results, try currentTime() - start)
        }
        #expect(results == Dictionary(uniqueKeysWithValues: (0..<8).map { ($0, $0 * 10) }))
        // Eight 0.3 s queries one after another would take 2.4 s.
        #expect(elapsed < 1.6, "8 concurrent 0.3 s queries took \(elapsed) s")
        for connection in connections { try await connection.close() }
    }

    /// The plain pattern, `swiftAsTrio { try await connection.query(…) }`, under `failAfter`: what
    /// postgres-nio does with the Task.cancel() that Trio's deadline sends.
    @Test func aPlainQueryUnderFailAfterWaitsForTheServer() async throws {
        let connection = try await PostgresServer.connect(1)
        let observer = try await PostgresServer.connect(2)
        let pid = try await connection.backendPID()
        let outcome = try await Trio.runAsync { () -> (String, Double) in
            let start = try currentTime()
            do {
                try await failAfter(0.2) {
                    _ = try await swiftAsTrio {
                        try await connection.query("SELECT pg_sleep(1.5)", logger: PostgresServer.logger).collect()
                    }
                    // The rows may come back after all (swiftAsTrio returns a value that arrived despite
                    // the cancel, as trio-asyncio does): the next checkpoint sees the deadline anyway.
                    try await checkpoint()
                }
                return ("returned", try currentTime() - start)
            } catch {
                return ("\(type(of: error))", try currentTime() - start)
            }
        }
        print("plain query under failAfter(0.2): \(outcome.0) after \(outcome.1) s")
        // TooSlowError comes, but only once the server has finished the query: postgres-nio awaits
        // it through EventLoopFuture.get(), which ignores Task.cancel() (swift-nio #2087).
        #expect(outcome.0 == "TooSlowError")
        #expect(outcome.1 >= 1.5, "TooSlowError after \(outcome.1) s")
        // The connection is fine afterwards, and the server process idle.
        #expect(try await observer.activity(of: pid)?.state == "idle")
        let rows = try await connection.query("SELECT 7", logger: PostgresServer.logger).collect()
        #expect(try rows[0].decode(Int.self) == 7)
        try await connection.close()
        try await observer.close()
    }

    @Test func failAfterCancelsASlowQueryOnTheServerAndTheConnectionStaysUsable() async throws {
        let connection = try await PostgresServer.connect(1)
        let canceller = try await PostgresServer.connect(2)
        let observer = try await PostgresServer.connect(3)
        let pid = try await connection.backendPID()
        let (outcome, elapsed) = try await Trio.runAsync { () -> (String, Double) in
            let start = try currentTime()
            do {
                _ = try await failAfter(0.2) {
                    try await queryCancellingOnServer(
                        "SELECT pg_sleep(10)", on: connection, backendPID: pid, canceller: canceller)
                }
                return ("returned", try currentTime() - start)
            } catch {
                return ("\(type(of: error))", try currentTime() - start)
            }
        }
        #expect(outcome == "TooSlowError")
        #expect(elapsed >= 0.2)
        #expect(elapsed < 1.0, "TooSlowError after \(elapsed) s")
        // Asked from a second connection: the server process is still there (the connection was not
        // closed) and idle, its pg_sleep(10) cancelled, 9 s before it would have ended.
        let activity = try await observer.activity(of: pid)
        #expect(activity?.state == "idle", "backend \(pid): \(String(describing: activity))")
        // The next query on the same connection works.
        let rows = try await connection.query("SELECT 41 + 1", logger: PostgresServer.logger).collect()
        #expect(try rows[0].decode(Int.self) == 42)
        try await connection.close()
        try await canceller.close()
        try await observer.close()
    }
}
