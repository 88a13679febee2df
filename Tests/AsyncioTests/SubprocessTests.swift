import Asyncio
import Glibc
import Testing

@Suite struct SubprocessTests {
    @Test(arguments: LoopFactory.all)
    func communicateRoundTrip(_ factory: LoopFactory) throws {
        let (out, code) = try factory.run { _ in
            let process = try await createSubprocessExec("cat", stdin: .pipe, stdout: .pipe)
            let (out, err) = try await process.communicate(bytes("through cat"))
            #expect(err == nil)
            return (out, process.returncode)
        }
        #expect(out == bytes("through cat"))
        #expect(code == 0)
    }

    @Test(arguments: LoopFactory.all)
    func shellExitCodeAndStderr(_ factory: LoopFactory) throws {
        let (err, code) = try factory.run { _ in
            let process = try await createSubprocessShell("echo oops >&2; exit 3", stdout: .devNull, stderr: .pipe)
            let err = try await process.stderr!.read()
            return (err, try await process.wait())
        }
        #expect(err == bytes("oops\n"))
        #expect(code == 3)
    }

    @Test(arguments: LoopFactory.all)
    func killIsReportedAsANegativeSignal(_ factory: LoopFactory) throws {
        let code = try factory.run { _ in
            let process = try await createSubprocessExec("sleep", ["10"])
            #expect(process.returncode == nil)
            process.kill()
            let code = try await process.wait()
            // Reaped: no zombie remains.
            #expect(waitpid(process.pid, nil, WNOHANG) == -1)
            return code
        }
        #expect(code == -SIGKILL)
    }

    @Test(arguments: LoopFactory.all)
    func readlineFromAChild(_ factory: LoopFactory) throws {
        let lines = try factory.run { _ in
            let process = try await createSubprocessShell("printf 'a\\nb\\n'", stdout: .pipe)
            var lines: [String] = []
            for try await line in process.stdout! { lines.append(String(decoding: line, as: UTF8.self)) }
            try await process.wait()
            return lines
        }
        #expect(lines == ["a\n", "b\n"])
    }

    @Test(arguments: LoopFactory.all)
    func missingProgramThrows(_ factory: LoopFactory) throws {
        try factory.run { _ in
            await #expect(throws: OSError.self) {
                try await createSubprocessExec("/nonexistent/program-for-test")
            }
        }
    }
}
