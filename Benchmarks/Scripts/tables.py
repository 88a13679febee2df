#!/usr/bin/env python3
"""Writes the README's result tables from results/latest.tsv (and .meta), between the markers
`<!-- tables:begin -->` and `<!-- tables:end -->` of Benchmarks/README.md.

    python3 Benchmarks/Scripts/tables.py [RESULTS_STEM]      (--print: to standard output instead)

Values are medians over the rounds; a ratio is the median of the per-round ratios (both sides measured
side by side in that round) with the lowest and highest round in brackets. Every ratio reads as "how many
times better the first does": above 1× it is faster, or for ms and bytes smaller.
"""
import sys
from pathlib import Path

from results import BENCHMARKS, RESULTS, Results

BEGIN, END = "<!-- tables:begin -->", "<!-- tables:end -->"


def amount(value, unit):
    if value is None:
        return "–"
    if unit in ("ms", "us", "us/roundtrip"):
        return f"{value:.1f}" if value < 100 else f"{value:.0f}"
    if unit == "bytes/task":
        return f"{value:,.0f}".replace(",", " ")
    for scale, suffix in ((1e6, " M"), (1e3, " k")):
        if value >= scale:
            shown = value / scale
            return (f"{shown:.2f}" if shown < 10 else f"{shown:.1f}" if shown < 100 else f"{shown:.0f}") + suffix
    return f"{value:.0f}"


def times(ratio):
    if ratio is None:
        return "–"
    median, lowest, highest = ratio
    def one(r):
        return f"{r:.2f}" if r < 10 else f"{r:.0f}"
    spread = f" ({one(lowest)}–{one(highest)})" if highest > lowest * 1.0001 else ""
    return f"**{one(median)}×**{spread}"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


UNITS = {"tasks/s": "tasks/s", "checkpoints/s": "checkpoints/s", "items/s": "items/s", "ms": "ms",
         "bytes/task": "bytes/task", "roundtrips/s": "round trips/s", "callbacks/s": "callbacks/s",
         "calls/s": "calls/s"}


def trio_table(r):
    rows = []
    for label, workload in [
        ("spawn: 10 000 tasks × one checkpoint, best of 5 runs", "spawn"),
        ("spawn_rounds: 20 nurseries of 10 000 in one run", "spawn_rounds"),
        ("yield: two tasks taking turns at checkpoints", "yield"),
        ("channel_buf0: one producer, one consumer, unbuffered", "channel_buf0"),
        ("channel_buf100: the same, 100 slots", "channel_buf100"),
        ("timers: 10 000 sleeps of 0–100 ms, wall time beyond 100 ms", "timers_overhead"),
        ("timers: mean lateness of a wake-up", "timers_late_mean"),
        ("to_thread: `ToThread.runSync {}` round trip", "to_thread"),
        ("memory_sleep: RSS per task, 100 000 asleep", "memory_sleep"),
        ("memory_wait: RSS per task, 100 000 waiting on one Event", "memory_wait"),
    ]:
        if not r.has(workload, "swift-trio"):
            continue
        unit = r.unit(workload)
        floor = r.has(workload, "swift-floor")
        rows.append([label, UNITS.get(unit, unit), amount(r.value(workload, "swift-trio"), unit),
                     amount(r.value(workload, "swift-floor"), unit) if floor else "",
                     amount(r.value(workload, "trio"), unit),
                     times(r.ratio(workload, "swift-trio", "trio")),
                     times(r.ratio(workload, "swift-trio", "swift-floor")) if floor else ""])
    return table(["workload", "unit", "swift-trio", "Swift floor", "Python trio", "vs trio", "vs floor"], rows)


def asyncio_table(r):
    rows = []
    for label, workload in [
        ("call_soon_batch: 100 000 callbacks queued at once", "call_soon_batch"),
        ("call_soon_chain: each callback queues the next", "call_soon_chain"),
        ("aio_spawn: 20 task groups of 10 000 tasks × `sleep(0)`", "aio_spawn"),
        ("aio_yield: two tasks taking turns at `sleep(0)`", "aio_yield"),
    ]:
        if not r.has(workload, "swift-trio"):
            continue
        unit = r.unit(workload)
        rows.append([label, UNITS.get(unit, unit), amount(r.value(workload, "swift-trio"), unit),
                     amount(r.value(workload, "asyncio"), unit), amount(r.value(workload, "uvloop"), unit),
                     times(r.ratio(workload, "swift-trio", "asyncio")),
                     times(r.ratio(workload, "swift-trio", "uvloop"))])
    return table(["workload", "unit", "Asyncio (SelectorEventLoop)", "CPython asyncio", "uvloop", "vs asyncio",
                  "vs uvloop"], rows)


def bridge_table(r):
    rows = []
    for label, workload in [
        ("cross_aio_as_trio: a Trio task awaits `aioAsTrio(noop)()`", "cross_aio_as_trio"),
        ("cross_trio_as_aio: an asyncio task awaits `trioAsAio(noop)()`", "cross_trio_as_aio"),
        ("allow_asyncio_call: the same asyncio call in `allowAsyncio {}`", "allow_asyncio_call"),
        ("call_soon_batch", "call_soon_batch"),
        ("call_soon_chain", "call_soon_chain"),
        ("aio_spawn", "aio_spawn"),
        ("aio_yield", "aio_yield"),
    ]:
        if not r.has(workload, "swift-trio-asyncio"):
            continue
        unit = r.unit(workload)
        standalone = r.has(workload, "swift-trio")
        rows.append([label, UNITS.get(unit, unit), amount(r.value(workload, "swift-trio-asyncio"), unit),
                     amount(r.value(workload, "swift-trio"), unit) if standalone else "",
                     amount(r.value(workload, "trio-asyncio"), unit),
                     times(r.ratio(workload, "swift-trio-asyncio", "trio-asyncio")),
                     times(r.ratio(workload, "swift-trio-asyncio", "swift-trio")) if standalone else ""])
    return table(["workload", "unit", "TrioEventLoop", "standalone loop", "Python trio-asyncio",
                  "vs trio-asyncio", "vs standalone"], rows)


ECHO_SERVERS = [
    ("C epoll server (`LoadGenerator/epoll_echo_server.c`)", "c-epoll", None),
    ("swift-nio (`nio-echo-server`, one event-loop thread)", "swift-nio", None),
    ("swift-trio: Trio `serveTCP`", "swift-trio", "trio"),
    ("swift-trio: Asyncio protocol server", "swift-asyncio-protocol", "asyncio-protocol"),
    ("swift-trio: Asyncio streams server", "swift-asyncio", "asyncio"),
    ("Python trio `serve_tcp`", "trio", None),
    ("CPython asyncio, protocol", "asyncio-protocol", None),
    ("CPython asyncio, streams", "asyncio", None),
    ("uvloop, protocol", "uvloop-protocol", None),
    ("uvloop, streams", "uvloop", None),
]


def echo_table(r):
    rows = []
    for label, impl, original in ECHO_SERVERS:
        if not r.has("echo", impl):
            continue
        versus = ""
        if original:
            versus = f"{times(r.ratio('echo', impl, original))} vs {original}"
            uv = original.replace("asyncio", "uvloop")
            if uv != original and r.has("echo", uv):
                versus += f"; {times(r.ratio('echo', impl, uv))} vs {uv}"
        rows.append([label, amount(r.value("echo", impl), "roundtrips/s"),
                     times(r.ratio("echo", impl, "c-epoll")) if impl != "c-epoll" else "1×",
                     times(r.ratio("echo", impl, "swift-nio")) if impl != "swift-nio" else "1×",
                     versus,
                     amount(r.value("echo_server_cpu", impl), "us"),
                     amount(r.value("echo_p50", impl), "us"), amount(r.value("echo_p99", impl), "us")])
    return table(["server", "round trips/s", "vs C epoll", "vs swift-nio", "vs the Python original",
                  "server CPU µs / round trip", "p50 µs", "p99 µs"], rows)


def swift_only_table(r):
    rows = []
    for label, workload in [
        ("swift_as_trio: `swiftAsTrio {}` from a Trio task", "swift_as_trio"),
        ("trio_thread_run: `TrioThread.run {}` from a Swift task", "trio_thread_run"),
    ]:
        if r.has(workload, "swift-trio"):
            rows.append([label, UNITS.get(r.unit(workload), r.unit(workload)),
                         amount(r.value(workload, "swift-trio"), r.unit(workload))])
    return table(["workload", "unit", "swift-trio"], rows)


def render(r):
    meta = r.meta
    loads = r.load_averages()
    facts = [
        f"Measured {meta.get('date', '(undated)')} by `Scripts/run-all.sh {meta.get('rounds', '')}`".rstrip()
        + f": {r.run_count()} interleaved round(s) (the memory rows: round 1 only).",
        f"Machine: {meta.get('cores', '?')} cores ({meta.get('cpu', 'unknown CPU')}), {meta.get('kernel', '')},"
        " shared with other work: 1-minute load average "
        + (f"{min(loads)}–{max(loads)} over the run." if loads else "not recorded."),
        f"Versions: {meta.get('swift', 'Swift ?')}; swift-nio {meta.get('swift-nio', '?')}; "
        f"Python {meta.get('python', '?')}, trio {meta.get('trio', '?')}, trio-asyncio "
        f"{meta.get('trio-asyncio', '?')}, uvloop {meta.get('uvloop', '?')}; {meta.get('cc', 'cc')}.",
    ]
    if meta.get("failures"):
        facts.append("Failed in this run: " + "; ".join(f"`{f}`" for f in meta["failures"]) + ".")
    parts = [
        "\n".join(f"- {fact}" for fact in facts),
        "### Trio\n\n" + trio_table(r),
        "### asyncio: the standalone loop\n\n" + asyncio_table(r),
        "### trio-asyncio: `TrioEventLoop` inside a Trio run\n\n" + bridge_table(r),
        "### Echo servers\n\n50 connections, each a ping-pong of 64-byte messages (2 000 round trips, the "
        "first 200 not counted), driven by `LoadGenerator/echo_load.c` in its own process.\n\n" + echo_table(r),
        "### Swift concurrency interop (no Python counterpart)\n\n" + swift_only_table(r),
    ]
    return "\n\n".join(parts)


def main(argv):
    to_stdout = "--print" in argv
    argv = [a for a in argv if a != "--print"]
    results = Results(Path(argv[0]) if argv else RESULTS / "latest")
    tables = render(results)
    if to_stdout:
        print(tables)
        return
    readme = BENCHMARKS / "README.md"
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{readme} has no {BEGIN} … {END} markers")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n{tables}\n{END}{tail}")
    print(readme)


if __name__ == "__main__":
    main(sys.argv[1:])
