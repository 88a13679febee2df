import Foundation
import Testing
import Trio
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

/// Whether `pid` is gone completely: not running, and not a zombie waiting to be reaped.
private func fullyReaped(_ pid: Int32) -> Bool {
    var status: Int32 = 0
    return waitpid(pid, &status, WNOHANG) == -1 && errno == ECHILD && kill(pid, 0) == -1 && errno == ESRCH
}

/// Whether `pid` is still a child of this process, running or a zombie. Read from /proc, because
/// `waitpid` would reap it, which is what the test wants to see someone else do.
private func isStillOurChild(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
    return fields.count > 1 && Int32(fields[1]) == getpid()
}

@Suite struct ProcessTests {
    @Test func runProcessCapturesStdout() throws {
        let result = try Trio.run { try await runProcess(["/bin/echo", "hello"], captureStdout: true) }
        #expect(result.returnCode == 0)
        #expect(result.stdout == Array("hello\n".utf8))
        #expect(result.stderr == nil)
        #expect(result.args == ["/bin/echo", "hello"])
    }

    @Test func runProcessFeedsStdinAndReadsOutputConcurrently() throws {
        // Bigger than any pipe buffer both ways: feeding and reading must overlap.
        let data = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let result = try Trio.run { try await runProcess(["/bin/cat"], stdin: data, captureStdout: true) }
        #expect(result.stdout == data)
    }

    @Test func checkRaisesCalledProcessErrorWithCapturedStderr() throws {
        let error = try Trio.run { () -> CalledProcessError? in
            do {
                _ = try await runProcess(["/bin/sh", "-c", "echo oops >&2; exit 7"], captureStderr: true)
                return nil
            } catch let error as CalledProcessError {
                return error
            }
        }
        #expect(error?.returnCode == 7)
        #expect(error?.stderr == Array("oops\n".utf8))
        #expect(error?.description.contains("returned non-zero exit status 7") == true)
    }

    @Test func checkFalseReturnsTheCode() throws {
        let code = try Trio.run { try await runProcess(["/bin/sh", "-c", "exit 7"], check: false).returnCode }
        #expect(code == 7)
    }

    @Test func childThatIgnoresItsInputIsNotAnError() throws {
        // Writing to a pipe nobody reads must neither fail the call nor SIGPIPE us.
        let code = try Trio.run {
            try await runProcess(["/bin/sh", "-c", "exit 0"], stdin: [UInt8](repeating: 1, count: 1 << 20)).returnCode
        }
        #expect(code == 0)
    }

    @Test func cancellationKillsAndReapsTheChild() throws {
        let (pid, cancelled) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> (Int32, Bool) in
            var pid: Int32 = 0
            let result = try await moveOnAfter(1) {
                try await runProcess(["/bin/sleep", "100"]) { process in
                    pid = process.pid
                    try process.kill()
                }
            }
            return (pid, result == nil)
        }
        #expect(cancelled)
        #expect(pid > 0)
        #expect(fullyReaped(pid))
    }

    @Test func droppedProcessesAreReapedWithoutWait() throws {
        // Neither is waited for: one may have exited when its handle goes, the other surely has
        // not (it sleeps); both must be reaped once they have exited, leaving no zombie.
        let pids = try Trio.run { () -> [Int32] in
            let exited = try await openProcess(["/bin/sh", "-c", "exit 0"]).pid
            let running = try await openProcess(["/bin/sh", "-c", "sleep 0.5"]).pid
            return [exited, running]
        }
        // Generous bound, polled: only a reaper that never reaps fails it.
        for _ in 0..<3000 where pids.contains(where: isStillOurChild) { usleep(10_000) }
        #expect(!pids.contains(where: isStillOurChild))
    }

    @Test func defaultCancelDeliveryTerminates() throws {
        let (pid, elapsed) = try Trio.run { () -> (Int32, Double) in
            var pid: Int32 = 0
            let start = try Trio.currentTime()
            try await withNursery { nursery in
                try nursery.startSoon {
                    _ = try await runProcess(["/bin/sleep", "101"], check: false)
                }
                try await waitAllTasksBlocked(cushion: 0.05)
                // Find the child through /proc: it is our only `sleep 101`.
                pid = childPIDs().first ?? 0
                nursery.cancelScope.cancel()
            }
            return (pid, try Trio.currentTime() - start)
        }
        #expect(pid > 0)
        #expect(fullyReaped(pid))
        // SIGTERM worked: no 5-second wait for SIGKILL.
        #expect(elapsed < 4)
    }

    @Test func openProcessPipesAreStreams() throws {
        let (echoed, code, closedAfter) = try Trio.run { () -> ([UInt8], Int32, Bool) in
            let process = try await openProcess(["/bin/cat"], stdin: .pipe, stdout: .pipe)
            #expect(process.stdio != nil)
            try await process.stdin!.sendAll(Array("abc".utf8))
            var echoed: [UInt8] = []
            while echoed.count < 3 { echoed += try await process.stdout!.receiveSome(maxBytes: nil) }
            try await process.stdin!.aclose()
            let eof = try await process.stdout!.receiveSome(maxBytes: nil)
            let code = try await process.wait()
            try await process.aclose()
            return (echoed + eof, code, process.returnCode == 0)
        }
        #expect(echoed == Array("abc".utf8))
        #expect(code == 0)
        #expect(closedAfter)
    }

    @Test func killAndTerminateGiveNegativeSignalCodes() throws {
        let (codes, pids) = try Trio.run { () -> ([Int32?], [Int32]) in
            let a = try await openProcess(["/bin/sleep", "100"])
            let b = try await openProcess(["/bin/sleep", "100"])
            let running = a.returnCode
            try a.kill()
            try b.terminate()
            let codeA = try await a.wait()
            let codeB = try await b.wait()
            // Signalling a reaped process is a no-op, not an error.
            try a.kill()
            return ([running, codeA, codeB], [a.pid, b.pid])
        }
        #expect(codes == [nil, -SIGKILL, -SIGTERM])
        #expect(pids.allSatisfy(fullyReaped))
    }

    @Test func severalTasksCanWaitForOneProcess() throws {
        let codes = try Trio.run { () -> [Int32] in
            let process = try await openProcess(["/bin/sleep", "100"])
            var codes: [Int32] = []
            try await withNursery { nursery in
                for _ in 0..<3 {
                    try nursery.startSoon { codes.append(try await process.wait()) }
                }
                try await waitAllTasksBlocked()
                try process.kill()
            }
            return codes
        }
        #expect(codes == [-SIGKILL, -SIGKILL, -SIGKILL])
    }

    @Test func cancelledWaiterHandsOverToTheNextOne() throws {
        let code = try Trio.run { () -> Int32 in
            let process = try await openProcess(["/bin/sleep", "100"])
            var code: Int32 = 0
            try await withNursery { nursery in
                let first = CancelScope()
                try nursery.startSoon { try await first.run { _ = try await process.wait() } }
                try await waitAllTasksBlocked()
                try nursery.startSoon { code = try await process.wait() }
                try await waitAllTasksBlocked()
                first.cancel()
                try await waitAllTasksBlocked()
                try process.kill()
            }
            return code
        }
        #expect(code == -SIGKILL)
    }

    @Test func stderrCanFollowStdout() throws {
        let output = try Trio.run { () -> [UInt8] in
            let process = try await openProcess(
                ["/bin/sh", "-c", "echo out; echo err >&2"], stdout: .pipe, stderr: .stdout)
            #expect(process.stderr == nil)
            var output: [UInt8] = []
            for try await chunk in process.stdout!.chunks { output += chunk }
            try await process.aclose()
            return output
        }
        #expect(output == Array("out\nerr\n".utf8))
    }

    @Test func badCommandsFail() throws {
        let errors = try Trio.run { () -> [String] in
            var errors: [String] = []
            do { _ = try await openProcess([]) } catch is ValueError { errors.append("empty") }
            do { _ = try await openProcess(["/nonexistent/program"]) } catch let error as OSError {
                errors.append(error.errno == ENOENT ? "enoent" : "\(error)")
            }
            do { _ = try await openProcess(["/bin/true"], stdout: .stdout) } catch is ValueError { errors.append("io") }
            do { _ = try await runProcess(["/nonexistent/program"]) } catch let error as OSError {
                errors.append(error.errno == ENOENT ? "run enoent" : "\(error)")
            }
            return errors
        }
        #expect(errors == ["empty", "enoent", "io", "run enoent"])
    }

    @Test func invalidFileDescriptorsAreRejectedNotInherited() throws {
        // A negative descriptor used to be dropped silently (the file action failed unchecked),
        // so the child inherited our stdin/stdout instead of failing.
        let errors = try Trio.run { () -> [String] in
            var errors: [String] = []
            for io in [ProcessIO.fileDescriptor(-1), .fileDescriptor(-7)] {
                do {
                    let process = try await openProcess(["/bin/true"], stdin: io)
                    errors.append("started \(try await process.wait())")
                } catch is ValueError { errors.append("stdin") }
                do {
                    let process = try await openProcess(["/bin/true"], stdout: .devNull, stderr: io)
                    errors.append("started \(try await process.wait())")
                } catch is ValueError { errors.append("stderr") }
            }
            // A descriptor number that is not open fails in the child's dup2: a clear OSError.
            do {
                let process = try await openProcess(["/bin/true"], stdin: .fileDescriptor(987_654))
                errors.append("started \(try await process.wait())")
            } catch let error as OSError { errors.append(error.errno == EBADF ? "ebadf" : "\(error)") }
            return errors
        }
        #expect(errors == ["stdin", "stderr", "stdin", "stderr", "ebadf"])
    }

    @Test func pipeFdStreamsPassOneWayConformance() throws {
        func makePipe() throws -> (any SendStream, any ReceiveStream) {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw OSError(errno: errno, operation: "pipe") }
            return (FdStream(fileDescriptor: fds[1]), FdStream(fileDescriptor: fds[0]))
        }
        #expect(throws: Never.self) {
            try Trio.run {
                try await checkOneWayStream({ try makePipe() }, cloggedStreams: {
                    let (s, r) = try makePipe()
                    // Writes above PIPE_BUF are not all-or-nothing, so this fills the pipe completely.
                    let chunk = [UInt8](repeating: 120, count: 8192)
                    let fd = (s as! FdStream).fileDescriptor
                    while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
                    return (s, r)
                })
            }
        }
    }
}

/// The pids of this process's children that run `sleep 101`.
private func childPIDs() -> [Int32] {
    let me = getpid()
    var pids: [Int32] = []
    guard let dir = opendir("/proc") else { return [] }
    defer { closedir(dir) }
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard let pid = Int32(name) else { continue }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let cmdline = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)
        else { continue }
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        if fields.count > 1, Int32(fields[1]) == me, cmdline.hasPrefix("/bin/sleep\u{0}101") { pids.append(pid) }
    }
    return pids
}
