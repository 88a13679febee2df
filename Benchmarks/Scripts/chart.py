#!/usr/bin/env python3
"""Draws results/chart.svg from results/latest.tsv: swift-trio's speed-up over the Python original, per
workload, as horizontal bars on a log scale.

    python3 Benchmarks/Scripts/chart.py [RESULTS_STEM [SVG]]

Each bar is the median over the run's rounds of the per-round ratio (swift-trio and the original measured
side by side); the whisker spans the lowest and highest round. Hand-written SVG, standard library only.
"""
import math
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from results import CHART_ROWS, GROUPS, RESULTS, Results

COLORS = {"trio": "#3567b0", "asyncio": "#d9822b", "trio-asyncio": "#3f9155"}
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
WIDTH = 960
LABEL_RIGHT = 300          # where row labels end
PLOT_LEFT, PLOT_RIGHT = 312, WIDTH - 70
ROW, GROUP_GAP = 22, 28


def nice_ticks(low, high):
    """1-2-5 ticks covering [low, high]."""
    ticks = []
    exponent = math.floor(math.log10(low))
    while True:
        for mantissa in (1, 2, 5):
            tick = mantissa * 10 ** exponent
            if tick >= low / 1.0001:
                ticks.append(tick)
            if tick >= high:
                return ticks
        exponent += 1


def tick_label(tick):
    return f"{tick:g}×" if tick < 1000 else f"{tick / 1000:g}k×"


def text(x, y, content, size=12, anchor="start", weight="normal", fill="#222", extra=""):
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}"{extra}>{escape(content)}</text>')


def draw(results, rows):
    measured = []
    for group, label, workload, swift, python, floor, reference in rows:
        ratio = results.ratio(workload, swift, python)
        if ratio is None:
            continue
        floor_ratio = results.ratio(workload, floor, python) if floor else None
        reference_ratio = results.ratio(workload, reference, python) if reference else None
        measured.append((group, label, workload, ratio, floor_ratio, reference_ratio))
    if not measured:
        raise SystemExit("no comparison has both sides measured: nothing to draw")

    values = [r[3][1] for r in measured] + [r[3][2] for r in measured]
    values += [r[4][0] for r in measured if r[4]] + [r[5][0] for r in measured if r[5]]
    ticks = nice_ticks(min(0.5, min(values) / 1.3), max(values) * 1.25)
    low, high = math.log10(ticks[0]), math.log10(ticks[-1])

    def x(value):
        return PLOT_LEFT + (math.log10(value) - low) / (high - low) * (PLOT_RIGHT - PLOT_LEFT)

    out = []
    y = 34
    out.append(text(WIDTH / 2, y, "swift-trio vs the Python originals", 20, "middle", "bold"))
    y += 20
    meta = results.meta
    loads = results.load_averages()
    subtitle = (f"Speed-up over the original, median of {results.run_count()} interleaved rounds "
                f"({meta.get('date', 'undated')}, {meta.get('cores', '?')} cores, "
                f"load average {min(loads, default='?')}–{max(loads, default='?')})")
    out.append(text(WIDTH / 2, y, subtitle, 12, "middle", fill="#555"))
    y += 14
    versions = ", ".join(f"{name} {meta[name]}" for name in ("python", "trio", "trio-asyncio", "uvloop")
                         if name in meta)
    if versions:
        out.append(text(WIDTH / 2, y, versions, 11, "middle", fill="#777"))
    y += 20

    # Legend.
    legend_x = 40
    for group, caption in GROUPS.items():
        out.append(f'<rect x="{legend_x}" y="{y - 10}" width="14" height="12" fill="{COLORS[group]}"/>')
        out.append(text(legend_x + 19, y, caption, 12))
        legend_x += 26 + len(caption) * 6.6
    y += 20
    legend_x = 40
    out.append(diamond(legend_x + 7, y - 4))
    out.append(text(legend_x + 19, y, "bare-Swift floor (plain Swift tasks, no Trio) vs the original", 12))
    legend_x += 420
    out.append(f'<circle cx="{legend_x + 7}" cy="{y - 4}" r="4.5" fill="#888" stroke="#fff"/>')
    out.append(text(legend_x + 19, y, "uvloop vs CPython asyncio", 12))
    legend_x += 200
    out.append(f'<line x1="{legend_x}" y1="{y - 4}" x2="{legend_x + 14}" y2="{y - 4}" stroke="#222"/>')
    out.append(f'<line x1="{legend_x}" y1="{y - 8}" x2="{legend_x}" y2="{y}" stroke="#222"/>')
    out.append(f'<line x1="{legend_x + 14}" y1="{y - 8}" x2="{legend_x + 14}" y2="{y}" stroke="#222"/>')
    out.append(text(legend_x + 19, y, "range over rounds", 12))
    y += 18

    plot_top = y
    body = []
    current = None
    for group, label, workload, (ratio, lowest, highest), floor_ratio, reference_ratio in measured:
        if group != current:
            current = group
            y += 18 + (GROUP_GAP - 18 if body else 0)
            body.append(text(16, y, GROUPS[group], 13, weight="bold", fill=COLORS[group]))
            y += 2
        y += ROW
        centre = y - 6
        body.append(text(LABEL_RIGHT, centre + 4, label, 12, "end"))
        start, end = x(1), x(ratio)
        body.append(f'<rect x="{min(start, end):.1f}" y="{centre - 7}" width="{abs(end - start):.1f}" '
                    f'height="14" fill="{COLORS[group]}"><title>{escape(label)}: {ratio:.2f}× '
                    f'({lowest:.2f}–{highest:.2f})</title></rect>')
        if highest > lowest:
            body.append(f'<line x1="{x(lowest):.1f}" y1="{centre}" x2="{x(highest):.1f}" y2="{centre}" '
                        f'stroke="#222" stroke-width="1"/>')
            for end_value in (lowest, highest):
                body.append(f'<line x1="{x(end_value):.1f}" y1="{centre - 4}" x2="{x(end_value):.1f}" '
                            f'y2="{centre + 4}" stroke="#222" stroke-width="1"/>')
        if floor_ratio:
            body.append(diamond(x(floor_ratio[0]), centre))
        if reference_ratio:
            body.append(f'<circle cx="{x(reference_ratio[0]):.1f}" cy="{centre}" r="4.5" fill="#888" '
                        f'stroke="#fff"/>')
        label_x = max(x(highest), x(ratio), x(floor_ratio[0]) if floor_ratio else 0) + 6
        shown = f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"
        body.append(text(label_x, centre + 4, shown, 11, weight="bold"))
    y += 12
    plot_bottom = y

    grid = []
    for tick in ticks:
        tx = x(tick)
        strong = tick == 1
        grid.append(f'<line x1="{tx:.1f}" y1="{plot_top}" x2="{tx:.1f}" y2="{plot_bottom}" '
                    f'stroke="{"#444" if strong else "#ddd"}" stroke-width="{1.2 if strong else 1}"/>')
        grid.append(text(tx, plot_bottom + 15, tick_label(tick), 11, "middle", fill="#444"))
    y = plot_bottom + 36
    grid.append(text((PLOT_LEFT + PLOT_RIGHT) / 2, y,
                     "speed-up over the Python original (×, log scale; 1× = as fast as the original)", 12,
                     "middle"))
    y += 16
    grid.append(text((PLOT_LEFT + PLOT_RIGHT) / 2, y,
                     "for timers: times less overhead; for memory: times fewer bytes per task", 11, "middle",
                     fill="#555"))
    height = y + 16
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="{FONT}">\n'
            f'<rect width="100%" height="100%" fill="#fff"/>\n'
            + "\n".join(out + grid + body) + "\n</svg>\n")


def diamond(cx, cy, r=5):
    return (f'<polygon points="{cx:.1f},{cy - r:.1f} {cx + r:.1f},{cy:.1f} {cx:.1f},{cy + r:.1f} '
            f'{cx - r:.1f},{cy:.1f}" fill="#fff" stroke="#111" stroke-width="1.5"/>')


def main(argv):
    stem = Path(argv[0]) if argv else RESULTS / "latest"
    svg = Path(argv[1]) if len(argv) > 1 else RESULTS / "chart.svg"
    svg.write_text(draw(Results(stem), CHART_ROWS))
    print(svg)


if __name__ == "__main__":
    main(sys.argv[1:])
