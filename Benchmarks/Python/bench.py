#!/usr/bin/env python3
"""The Python side of swift-trio's benchmarks: the same workloads as `trio-bench`, on the originals.

    python3 bench.py WORKLOAD IMPL

IMPL is `trio` (trio.run), or for asyncio-flavoured workloads `asyncio` (the stock selector loop),
`uvloop`, or `trio-asyncio` (the asyncio code inside `trio_asyncio.open_loop()` in a Trio run).
Each result is one line `workload<TAB>impl<TAB>value<TAB>unit`, the format `trio-bench` prints. Clocks
start inside the running loop, so interpreter and loop start-up are not measured. The shapes (task
counts, rounds, delays) follow the Swift workloads of the same name; `--scale` shrinks the counts
for a quick try (rates stay comparable, totals do not).
Needs `pip install trio trio-asyncio uvloop`.
"""
import argparse
import asyncio
import gc
import statistics
import sys
import time

clock = time.perf_counter
WORKLOADS = {}


def workload(name, impls):
    """Registers `fn(impl, scale)` as the workload `name` for the implementations `impls`."""
    def register(fn):
        WORKLOADS[name] = (impls, fn)
        return fn
    return register


def emit(name, impl, value, unit):
    print(f"{name}\t{impl}\t{value:.3f}\t{unit}", flush=True)


TRIO = ("trio",)
AIO = ("asyncio", "uvloop", "trio-asyncio")


def on_loop(impl, make_coroutine):
    """Runs the asyncio coroutine made by `make_coroutine()` on the loop called `impl`; returns its result."""
    if impl == "asyncio":
        return asyncio.run(make_coroutine())
    if impl == "uvloop":
        import uvloop
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(make_coroutine())
    if impl == "trio-asyncio":
        import trio
        import trio_asyncio

        async def inside_trio():
            async with trio_asyncio.open_loop():
                return await trio_asyncio.aio_as_trio(make_coroutine)()
        return trio.run(inside_trio)
    raise SystemExit(f"not an asyncio implementation: {impl}")


def count(n, scale):
    return max(1, int(n * scale))


# --- task creation ----------------------------------------------------------------------------------

async def trio_nursery_of(tasks):
    import trio

    async def child():
        await trio.lowlevel.checkpoint()
    async with trio.open_nursery() as nursery:
        for _ in range(tasks):
            nursery.start_soon(child)


@workload("spawn", TRIO)
def spawn(impl, scale):
    """Best of 5 fresh runs, each one nursery of 10 000 tasks that checkpoint once (as `trio-bench spawn`)."""
    import trio
    tasks = count(10_000, scale)

    async def once():
        started = clock()
        await trio_nursery_of(tasks)
        return clock() - started
    best = min(trio.run(once) for _ in range(5))
    emit("spawn", impl, tasks / best, "tasks/s")


@workload("spawn_rounds", TRIO)
def spawn_rounds(impl, scale):
    """20 nurseries in sequence in one run, 10 000 tasks each: total time."""
    import trio
    tasks, rounds = count(10_000, scale), 20

    async def all_rounds():
        started = clock()
        for _ in range(rounds):
            await trio_nursery_of(tasks)
        return clock() - started
    emit("spawn_rounds", impl, tasks * rounds / trio.run(all_rounds), "tasks/s")


@workload("aio_spawn", AIO)
def aio_spawn(impl, scale):
    """20 task groups in sequence in one run, 10 000 tasks each doing `sleep(0)` once."""
    tasks, rounds = count(10_000, scale), 20
    if impl == "trio-asyncio":
        rounds = 4  # the same shape, fewer repetitions: trio-asyncio is slow enough for a stable rate

    async def all_rounds():
        async def child():
            await asyncio.sleep(0)
        started = clock()
        for _ in range(rounds):
            async with asyncio.TaskGroup() as group:
                for _ in range(tasks):
                    group.create_task(child())
        return clock() - started
    emit("aio_spawn", impl, tasks * rounds / on_loop(impl, all_rounds), "tasks/s")


# --- switching --------------------------------------------------------------------------------------

@workload("yield", TRIO)
def trio_yield(impl, scale):
    """Two tasks taking turns through 200 000 checkpoints each."""
    import trio
    steps = count(200_000, scale)

    async def main():
        async def worker():
            for _ in range(steps):
                await trio.lowlevel.checkpoint()
        started = clock()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(worker)
            nursery.start_soon(worker)
        return clock() - started
    emit("yield", impl, 2 * steps / trio.run(main), "checkpoints/s")


@workload("aio_yield", AIO)
def aio_yield(impl, scale):
    """Two asyncio tasks taking turns through 200 000 `sleep(0)`s each."""
    steps = count(200_000 if impl != "trio-asyncio" else 20_000, scale)

    async def main():
        async def worker():
            for _ in range(steps):
                await asyncio.sleep(0)
        started = clock()
        async with asyncio.TaskGroup() as group:
            group.create_task(worker())
            group.create_task(worker())
        return clock() - started
    emit("aio_yield", impl, 2 * steps / on_loop(impl, main), "checkpoints/s")


def channel(buffer):
    @workload(f"channel_buf{buffer}", TRIO)
    def run(impl, scale):
        """One producer, one consumer, 50 000 ints through a memory channel (median of 3 runs)."""
        import trio
        items = count(50_000, scale)

        async def main():
            send, receive = trio.open_memory_channel(buffer)
            received = 0

            async def consume():
                nonlocal received
                async with receive:
                    async for _ in receive:
                        received += 1

            async def produce():
                async with send:
                    for i in range(items):
                        await send.send(i)
            started = clock()
            async with trio.open_nursery() as nursery:
                nursery.start_soon(consume)
                nursery.start_soon(produce)
            elapsed = clock() - started
            if received != items:
                raise RuntimeError(f"the channel lost items: {received} of {items}")
            return elapsed
        rates = [items / trio.run(main) for _ in range(3)]
        emit(f"channel_buf{buffer}", impl, statistics.median(rates), "items/s")


channel(0)
channel(100)


# --- the asyncio loop's callbacks -------------------------------------------------------------------

def call_soon(mode):
    @workload(f"call_soon_{mode}", AIO)
    def run(impl, scale):
        """batch: 100 000 `call_soon`s up front, then wait for the last; chain: each callback schedules
        the next. Ten rounds (one on trio-asyncio); callbacks per second over all of them."""
        callbacks = count(100_000 if impl != "trio-asyncio" else 30_000, scale)
        rounds = 10 if impl != "trio-asyncio" else 1

        async def main():
            loop = asyncio.get_running_loop()
            total = 0.0
            for _ in range(rounds):
                finished = loop.create_future()
                seen = 0

                def callback():
                    nonlocal seen
                    seen += 1
                    if seen == callbacks:
                        finished.set_result(None)
                    elif mode == "chain":
                        loop.call_soon(callback)
                started = clock()
                if mode == "batch":
                    for _ in range(callbacks):
                        loop.call_soon(callback)
                else:
                    loop.call_soon(callback)
                await finished
                total += clock() - started
            return total
        emit(f"call_soon_{mode}", impl, callbacks * rounds / on_loop(impl, main), "callbacks/s")


call_soon("batch")
call_soon("chain")


# --- timers -----------------------------------------------------------------------------------------

def timer_delays(n):
    """n delays in [0, 0.1] s from a fixed-seed generator; the first is the longest, 0.1 s, so every round
    lasts at least 100 ms and the overhead is the wall time beyond it (as in `trio-bench timers`)."""
    import random
    generator = random.Random(42)
    return [0.1] + [generator.randint(0, 100_000) / 1e6 for _ in range(n - 1)]


@workload("timers", TRIO + ("asyncio", "uvloop"))
def timers(impl, scale):
    """10 000 tasks sleeping their delay; medians of 3 rounds: wall ms beyond 100 ms, and mean lateness."""
    delays = timer_delays(count(10_000, scale))

    async def round_trio():
        import trio
        late = []

        async def sleeper(delay):
            due = clock() + delay
            await trio.sleep(delay)
            late.append(clock() - due)
        started = clock()
        async with trio.open_nursery() as nursery:
            for delay in delays:
                nursery.start_soon(sleeper, delay)
        return clock() - started, late

    async def round_aio():
        late = []

        async def sleeper(delay):
            due = clock() + delay
            await asyncio.sleep(delay)
            late.append(clock() - due)
        started = clock()
        async with asyncio.TaskGroup() as group:
            for delay in delays:
                group.create_task(sleeper(delay))
        return clock() - started, late

    walls, lateness = [], []
    for _ in range(3):
        if impl == "trio":
            import trio
            wall, late = trio.run(round_trio)
        else:
            wall, late = on_loop(impl, round_aio)
        walls.append(wall * 1000)
        lateness.append(statistics.fmean(late) * 1000)
    emit("timers_overhead", impl, statistics.median(walls) - 100, "ms")
    emit("timers_late_mean", impl, statistics.median(lateness), "ms")


# --- memory -----------------------------------------------------------------------------------------

def resident_bytes():
    with open("/proc/self/statm") as statm:
        import os
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def memory(mode):
    @workload(f"memory_{mode}", TRIO)
    def run(impl, scale):
        """Resident-set growth per task with 100 000 tasks parked (sleeping an hour, or waiting on one Event)."""
        import trio
        tasks = count(100_000, scale)

        async def main():
            event = trio.Event()

            async def parked():
                if mode == "sleep":
                    await trio.sleep(3600)
                else:
                    await event.wait()
            gc.collect()
            before = resident_bytes()
            async with trio.open_nursery() as nursery:
                for _ in range(tasks):
                    nursery.start_soon(parked)
                await trio.testing.wait_all_tasks_blocked()
                gc.collect()
                grown = resident_bytes() - before
                nursery.cancel_scope.cancel()
            return grown
        import trio.testing
        emit(f"memory_{mode}", impl, trio.run(main) / tasks, "bytes/task")


memory("sleep")
memory("wait")


# --- threads and the trio-asyncio bridge ------------------------------------------------------------

@workload("to_thread", TRIO)
def to_thread(impl, scale):
    """Sequential `trio.to_thread.run_sync(noop)` round trips from one task."""
    import trio
    calls = count(5_000, scale)

    async def main():
        started = clock()
        for _ in range(calls):
            await trio.to_thread.run_sync(int)
        return clock() - started
    emit("to_thread", impl, calls / trio.run(main), "roundtrips/s")


BRIDGE = ("trio-asyncio",)


@workload("cross_aio_as_trio", BRIDGE)
def cross_aio_as_trio(impl, scale):
    """A Trio task inside `open_loop()` awaits `aio_as_trio(noop)()` 20 000 times (one asyncio task a call)."""
    import trio
    import trio_asyncio
    calls = count(20_000, scale)

    async def noop():
        pass

    async def main():
        async with trio_asyncio.open_loop():
            call = trio_asyncio.aio_as_trio(noop)
            await call()
            started = clock()
            for _ in range(calls):
                await call()
            return clock() - started
    emit("cross_aio_as_trio", impl, calls / trio.run(main), "calls/s")


@workload("cross_trio_as_aio", BRIDGE)
def cross_trio_as_aio(impl, scale):
    """An asyncio task inside `open_loop()` awaits `trio_as_aio(noop)()` 20 000 times (one Trio task a call)."""
    import trio
    import trio_asyncio
    calls = count(20_000, scale)

    async def noop():
        pass

    async def asyncio_side():
        call = trio_asyncio.trio_as_aio(noop)
        await call()
        started = clock()
        for _ in range(calls):
            await call()
        return clock() - started

    async def main():
        async with trio_asyncio.open_loop():
            return await trio_asyncio.aio_as_trio(asyncio_side)()
    emit("cross_trio_as_aio", impl, calls / trio.run(main), "calls/s")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("impl", choices=TRIO + AIO)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply task and item counts (default 1)")
    options = parser.parse_args(argv)
    impls, fn = WORKLOADS[options.workload]
    if options.impl not in impls:
        parser.error(f"{options.workload} runs on {', '.join(impls)}, not {options.impl}")
    if options.scale <= 0:
        parser.error("--scale must be positive")
    fn(options.impl, options.scale)


if __name__ == "__main__":
    main(sys.argv[1:])
