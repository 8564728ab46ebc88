"""Benchmark: server-side SVG charts, pygal against matplotlib's SVG backend (the choice for formserver/charts.py).

Not a test. One process. A chart page as the back office draws it: a bar chart of 9 categories (the SKM
elements, or applications per status) and a trend line of 12 periods. For each library: import time, the
median time to draw the two charts, and the bytes of the two SVGs (raw and gzip), labels as text.
Writes the section "## Charts (issue 11)" of docs/PERFORMANCE.md.
    python benchmarks/charts.py [--rounds 50]
"""
import argparse
import datetime as dt
import gzip
import importlib
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from report import write_section  # noqa: E402  (benchmarks/report.py)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECTION = "## Charts (issue 11)"
BARS = [(f"U{i} Unsur pelayanan <{i}>", 2.5 + i / 10) for i in range(1, 10)]
TREND = [(f"2025-{m:02d}", 100 + 13 * m % 37) for m in range(1, 13)]


def with_pygal():
    import pygal
    from pygal.style import Style
    style = Style(background="white", plot_background="white", font_family="sans-serif")
    bar = pygal.HorizontalBar(style=style, show_legend=False, js=[], width=640, height=360)
    bar.x_labels = [label for label, _ in BARS]
    bar.add("nilai", [value for _, value in BARS])
    line = pygal.Line(style=style, show_legend=False, js=[], width=640, height=300)
    line.x_labels = [label for label, _ in TREND]
    line.add("jumlah", [value for _, value in TREND])
    return bar.render(), line.render()


def with_matplotlib():
    import matplotlib
    matplotlib.use("svg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text (searchable, small), not glyph paths
    from matplotlib.figure import Figure
    out = []
    for kind, rows in (("bar", BARS), ("line", TREND)):
        figure = Figure(figsize=(6.4, 3.6))
        axes = figure.add_subplot()
        if kind == "bar":
            axes.barh([label for label, _ in rows], [value for _, value in rows])
        else:
            axes.plot([label for label, _ in rows], [value for _, value in rows], marker="o")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg")
        out.append(buffer.getvalue())
    return tuple(out)


def measure(name: str, draw, module: str, rounds: int) -> dict:
    start = time.perf_counter()
    importlib.import_module(module)
    imported = (time.perf_counter() - start) * 1000
    svgs = draw()  # first use: fonts, caches
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        svgs = draw()
        times.append((time.perf_counter() - start) * 1000)
    raw = sum(len(s) for s in svgs)
    packed = sum(len(gzip.compress(s)) for s in svgs)
    version = importlib.import_module(module).__version__
    return {"name": f"{name} {version}", "import": imported, "median": statistics.median(times), "raw": raw, "gzip": packed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    results = [measure("pygal", with_pygal, "pygal", args.rounds),
               measure("matplotlib (SVG backend)", with_matplotlib, "matplotlib", args.rounds)]
    from formserver.charts import bar_chart, line_chart
    start = time.perf_counter()
    for _ in range(args.rounds):
        page = bar_chart("Nilai per unsur", BARS, "Unsur", "Nilai").data_uri + line_chart("Tren", TREND, "Periode", "Jumlah").data_uri
    ours = (time.perf_counter() - start) * 1000 / args.rounds
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [SECTION, "",
             f"Run of {now} by `python benchmarks/charts.py` on {os.cpu_count()} cores (`nproc`), {platform.system()} "
             f"{platform.machine()}, Python {platform.python_version()}. One chart page: a bar chart of 9 categories "
             "(labels with `<`, escaped) and a line of 12 periods, 640 px wide; medians of "
             f"{args.rounds} rounds after one warm-up. Other helpers' tests shared the 2 cores during the run.", "",
             "| library | import (ms) | draw both (ms) | SVG bytes | SVG bytes gzip |", "|---|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['name']} | {r['import']:.0f} | {r['median']:.1f} | {r['raw']:,} | {r['gzip']:,} |")
    lines += ["", f"`formserver/charts.py` (pygal, the choice, with its style and the embedded data URI): "
              f"{ours:.1f} ms for both charts, {len(page):,} bytes of `data:` URIs (base64) in the page.", ""]
    write_section(SECTION, "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
