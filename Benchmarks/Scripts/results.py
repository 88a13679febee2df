"""Reads a run of `run-all.sh` (results/latest.tsv and .meta) and defines the comparisons the README
tables (`tables.py`) and the chart (`chart.py`) show. Plain Python 3 standard library."""
import csv
import statistics
from collections import defaultdict
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent
RESULTS = BENCHMARKS / "results"

# Units where a smaller number is better; everything else is a rate.
LOWER_IS_BETTER = {"ms", "us", "bytes/task", "us/roundtrip"}


class Results:
    """`value(workload, impl)` is the median over the runs; `ratio(...)` compares two implementations run by
    run (each run's pair was measured side by side) and summarises the per-run ratios."""

    def __init__(self, stem=RESULTS / "latest"):
        stem = Path(stem)
        self.runs = defaultdict(dict)   # (workload, impl) -> {run: value}
        self.units = {}
        with open(stem.with_suffix(".tsv"), newline="") as tsv:
            for row in csv.DictReader(tsv, delimiter="\t"):
                key = (row["workload"], row["impl"])
                self.runs[key][int(row["run"])] = float(row["value"])
                self.units[row["workload"]] = row["unit"]
        self.meta = {}
        meta = stem.with_suffix(".meta")
        if meta.exists():
            for line in meta.read_text().splitlines():
                key, _, value = line.partition("\t")
                if key == "failed":
                    self.meta.setdefault("failures", []).append(value)
                else:
                    self.meta[key] = value

    def has(self, workload, impl):
        return bool(self.runs.get((workload, impl)))

    def value(self, workload, impl):
        values = list(self.runs.get((workload, impl), {}).values())
        return statistics.median(values) if values else None

    def unit(self, workload):
        return self.units.get(workload, "")

    def lower_is_better(self, workload):
        return self.unit(workload) in LOWER_IS_BETTER

    def ratio(self, workload, impl, other):
        """How many times better `impl` does than `other` (> 1: `impl` is faster, or smaller for ms and
        bytes), as (median, lowest, highest) over the runs that measured both; None if none did."""
        mine, theirs = self.runs.get((workload, impl), {}), self.runs.get((workload, other), {})
        ratios = []
        for run in sorted(mine.keys() & theirs.keys()):
            a, b = mine[run], theirs[run]
            if a <= 0 or b <= 0:
                continue
            ratios.append(b / a if self.lower_is_better(workload) else a / b)
        if not ratios:
            return None
        return statistics.median(ratios), min(ratios), max(ratios)

    def run_count(self):
        return len({run for runs in self.runs.values() for run in runs})

    def load_averages(self):
        """The 1-minute load averages: before the run, at the start of each round, after the run."""
        keys = ["loadavg_before"] + [f"loadavg_round_{n}" for n in range(1, 100)] + ["loadavg_after"]
        return [self.meta[key].split()[0] for key in keys if key in self.meta]


# The chart's rows: (group, label, workload, swift impl, python impl, floor impl or None, reference impl or
# None). The reference is another Python implementation drawn as a marker against the same original
# (uvloop against CPython's asyncio).
GROUPS = {
    "trio": "Trio (vs Python trio)",
    "asyncio": "asyncio, standalone loop (vs CPython asyncio)",
    "trio-asyncio": "trio-asyncio (vs Python trio-asyncio)",
}
CHART_ROWS = [
    ("trio", "spawn", "spawn", "swift-trio", "trio", "swift-floor", None),
    ("trio", "yield (checkpoint ping-pong)", "yield", "swift-trio", "trio", "swift-floor", None),
    ("trio", "channel, unbuffered", "channel_buf0", "swift-trio", "trio", None, None),
    ("trio", "channel, 100 slots", "channel_buf100", "swift-trio", "trio", None, None),
    ("trio", "10 000 timers: overhead", "timers_overhead", "swift-trio", "trio", None, None),
    ("trio", "to_thread round trip", "to_thread", "swift-trio", "trio", None, None),
    ("trio", "memory per sleeping task", "memory_sleep", "swift-trio", "trio", "swift-floor", None),
    ("trio", "echo server (serve_tcp)", "echo", "swift-trio", "trio", None, None),
    ("asyncio", "call_soon batch", "call_soon_batch", "swift-trio", "asyncio", None, "uvloop"),
    ("asyncio", "call_soon chain", "call_soon_chain", "swift-trio", "asyncio", None, "uvloop"),
    ("asyncio", "spawn (TaskGroup)", "aio_spawn", "swift-trio", "asyncio", None, "uvloop"),
    ("asyncio", "yield (sleep(0) ping-pong)", "aio_yield", "swift-trio", "asyncio", None, "uvloop"),
    ("asyncio", "echo server (protocol)", "echo", "swift-asyncio-protocol", "asyncio-protocol", None,
     "uvloop-protocol"),
    ("asyncio", "echo server (streams)", "echo", "swift-asyncio", "asyncio", None, "uvloop"),
    ("trio-asyncio", "aio_as_trio call", "cross_aio_as_trio", "swift-trio-asyncio", "trio-asyncio", None, None),
    ("trio-asyncio", "trio_as_aio call", "cross_trio_as_aio", "swift-trio-asyncio", "trio-asyncio", None, None),
    ("trio-asyncio", "call_soon batch", "call_soon_batch", "swift-trio-asyncio", "trio-asyncio", None, None),
    ("trio-asyncio", "call_soon chain", "call_soon_chain", "swift-trio-asyncio", "trio-asyncio", None, None),
    ("trio-asyncio", "spawn (TaskGroup)", "aio_spawn", "swift-trio-asyncio", "trio-asyncio", None, None),
    ("trio-asyncio", "yield (sleep(0) ping-pong)", "aio_yield", "swift-trio-asyncio", "trio-asyncio", None, None),
]
