#!/usr/bin/env python3
"""A TCP echo server on one of the Python originals, for the echo benchmark's load generator.

    python3 echo_server.py IMPL [--port PORT]

Listens on 127.0.0.1 (port 0: any free port), prints `PORT n` as soon as it accepts connections,
and serves until it is terminated. IMPL:

  trio                   `trio.serve_tcp`; each connection: `receive_some` / `send_all` until EOF
  asyncio, uvloop        `asyncio.start_server` (streams): `read` / `write` + `drain` until EOF
  trio-asyncio           the same streams server inside `trio_asyncio.open_loop()`
  asyncio-protocol, uvloop-protocol, trio-asyncio-protocol
                         an `asyncio.Protocol` whose `data_received` writes the data back

These are the shapes of the Swift servers they are compared with (`trio-bench echo-server`,
`trio-bench aio-echo-server [--protocol]`). Needs `pip install trio trio-asyncio uvloop`.
"""
import argparse
import asyncio
import sys

HOST = "127.0.0.1"
LOOPS = ("asyncio", "uvloop", "trio-asyncio")
IMPLS = ("trio",) + LOOPS + tuple(f"{loop}-protocol" for loop in LOOPS)


def listening_on(port):
    # The benchmark driver reads this line from a pipe while the server keeps running: flush it now.
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()


def serve_trio(port):
    import trio

    async def echo(stream):
        try:
            while True:
                data = await stream.receive_some(65536)
                if not data:
                    return
                await stream.send_all(data)
        except trio.BrokenResourceError:
            pass  # the client hung up mid-write

    async def main():
        async with trio.open_nursery() as nursery:
            listeners = await nursery.start(lambda task_status: trio.serve_tcp(
                echo, port, host=HOST, task_status=task_status))
            listening_on(listeners[0].socket.getsockname()[1])
    trio.run(main)


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)

    def connection_lost(self, exc):
        self.transport = None


async def echo_streams(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass  # the client hung up mid-write
    finally:
        writer.close()


async def serve_asyncio(port, protocol):
    if protocol:
        server = await asyncio.get_running_loop().create_server(Echo, HOST, port)
    else:
        server = await asyncio.start_server(echo_streams, HOST, port)
    listening_on(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("impl", choices=IMPLS)
    parser.add_argument("--port", type=int, default=0)
    options = parser.parse_args(argv)
    protocol = options.impl.endswith("-protocol")
    loop = options.impl.removesuffix("-protocol")
    if loop == "trio":
        serve_trio(options.port)
    elif loop == "asyncio":
        asyncio.run(serve_asyncio(options.port, protocol))
    elif loop == "uvloop":
        import uvloop
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(serve_asyncio(options.port, protocol))
    else:
        import trio
        import trio_asyncio

        async def inside_trio():
            async with trio_asyncio.open_loop():
                await trio_asyncio.aio_as_trio(serve_asyncio)(options.port, protocol)
        trio.run(inside_trio)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except KeyboardInterrupt:
        pass
