"""Benchmark: the satisfaction index (IKM) over 100,000 surveys (issue 11: under 1 s).

Not a test. Generates N sent surveys of forms/skm.json spread over two years (each with the ``tally`` the survey's
action writes: nine scores and the respondent's profile), loads them through the store interface in batches
(``restore_many``, as ``formserver import`` does: the store counts each tally once), then times the whole report
the server builds — ``survey.report`` (the store's ``count_tally`` plus the exact arithmetic) — for one semester,
one year and the whole two years, and the trend of six semesters. For comparison it also times the same counts read
from every survey's JSON (what the store would do without its per-day counts).

    python benchmarks/ikm.py                     # N = 100,000, embedded SQLite store, temp dir
    python benchmarks/ikm.py --n 5000 --no-write # quick, leaves docs/PERFORMANCE.md alone
    python benchmarks/ikm.py --mongodb-uri mongodb://localhost:27017/formserver_ikm_bench

Writes the section "## IKM over 100,000 surveys (issue 11)" of docs/PERFORMANCE.md unless ``--no-write``.
"""
import argparse
import datetime as dt
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from report import write_section  # noqa: E402  (benchmarks/report.py)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from formserver import survey  # noqa: E402
from formserver.services import Services  # noqa: E402
from formserver.store import open_store  # noqa: E402

SECTION = "## IKM over 100,000 surveys (issue 11)"
BATCH = 5000
FIRST_DAY = dt.date(2025, 1, 1)
DAYS = 730  # 2025-01-01 .. 2026-12-31
TARGET_MS = 1000.0


def surveys(n: int, rng: random.Random):
    """N sent surveys, in time order, as the store keeps them."""
    for i in range(n):
        day = FIRST_DAY + dt.timedelta(days=i * DAYS // n)
        at = f"{day.isoformat()}T03:{i % 60:02d}:00+00:00"
        mood = rng.choice((2, 3, 3, 3, 4, 4))  # a respondent's general view, then noise per element
        values = {key: str(min(4, max(1, mood + rng.choice((-1, 0, 0, 0, 1))))) for key in survey.ELEMENTS}
        values.update({"kelompok_umur": survey.age_group(rng.randint(17, 75)),
                       "jenis_kelamin_responden": rng.choice("LP"),
                       "pendidikan": rng.choice(("SD", "SMP", "SMA", "SMA", "DIPLOMA", "S1", "S1", "S2", "S3")),
                       "pekerjaan": rng.choice(("PNS", "TNI", "POLRI", "SWASTA", "WIRAUSAHA", "WIRAUSAHA", "LAINNYA"))})
        data = {key: (int(v) if key in survey.ELEMENTS else v) for key, v in values.items()}
        yield {"id": f"skm{i:07d}", "owner": f"account:a{i}", "form_id": "skm", "form_version": 1,
               "status": "completed", "created_at": at, "updated_at": at, "version": 4, "completed": [],
               "current_step": "saran_responden", "data": {**data, "saran": "Pertahankan pelayanan."},
               "meta": {"application_id": f"app{i:07d}"}, "tally": {"on": day.isoformat(), "values": values}}


def timed(fn, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def p(times, q):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--data-dir")
    parser.add_argument("--mongodb-uri")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    temp = tempfile.mkdtemp(prefix="ikm-bench-")
    data_dir = args.data_dir or temp
    config = {"DATA_DIR": data_dir, "FORMS_DIR": str(ROOT / "forms"), "SECRET_KEY": "bench", "STORE": "sqlite"}
    if args.mongodb_uri:
        config.update(STORE="mongodb", MONGODB_URI=args.mongodb_uri)
    store = open_store(config)
    services = Services(config, store=store)
    rng = random.Random(11)
    started = time.perf_counter()
    batch = []
    for doc in surveys(args.n, rng):
        batch.append(doc)
        if len(batch) == BATCH:
            store.restore_many("submissions", batch)
            batch = []
    if batch:
        store.restore_many("submissions", batch)
    load_s = time.perf_counter() - started

    periods = {"one semester (2026-1)": survey.semester(2026, 1),
               "one year (2026)": survey.Period(dt.date(2026, 1, 1), dt.date(2027, 1, 1), "2026"),
               "two years, every survey": survey.Period(FIRST_DAY, dt.date(2027, 1, 1), "all")}
    rows, reports = [], {}
    for name, period in periods.items():
        times, result = timed(lambda period=period: survey.report(services, period), args.runs)
        reports[name] = result
        rows.append((f"`survey.report` — {name}: {result.respondents:,} respondents, IKM {result.index} ({result.mutu})",
                     args.runs, statistics.median(times), p(times, 0.99)))
    times, _ = timed(lambda: survey.trend(services, dt.date(2026, 12, 31), 6), args.runs)
    rows.append(("`survey.trend` — six semesters (six reports)", args.runs, statistics.median(times), p(times, 0.99)))
    whole = reports["two years, every survey"]
    assert whole.respondents == args.n, (whole.respondents, args.n)

    naive = None
    if not args.mongodb_uri:
        db = sqlite3.connect(str(Path(data_dir) / "formserver.sqlite3"))
        keys = [*survey.ELEMENTS, *survey.PROFILE]

        def from_json():
            return {key: db.execute(f"SELECT json_extract(body, '$.tally.values.{key}') v, COUNT(*) FROM submissions"
                                    " WHERE form_id = 'skm' AND status = 'completed' GROUP BY v").fetchall()
                    for key in keys}
        times, _ = timed(from_json, 3)
        naive = statistics.median(times)
        db.close()

    backend = "MongoDB at " + args.mongodb_uri if args.mongodb_uri else f"the embedded SQLite store {sqlite3.sqlite_version}"
    worst = max(r[3] for r in rows[:3])
    lines = [SECTION, "",
             f"Run of {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, Python {platform.python_version()}, "
             f"{backend}; one process calling the report code directly (no HTTP). N = **{args.n:,}** sent surveys "
             f"spread evenly over 2025-01-01 .. 2026-12-31, each with nine scores and a profile, loaded with "
             f"`restore_many` in {load_s:.1f} s ({args.n / load_s:,.0f} surveys/s, the store counting each tally once).",
             "", "Reproduce: `python benchmarks/ikm.py` (`--n`, `--mongodb-uri mongodb://HOST/DB`).", "",
             "| report | runs | p50 (ms) | p99 (ms) | target |", "|---|---:|---:|---:|---|"]
    for i, (name, runs, p50, p99) in enumerate(rows):
        target = f"< {TARGET_MS:.0f} ms: **{'met' if p99 < TARGET_MS else 'not met'}**" if i < 3 else ""
        lines.append(f"| {name} | {runs} | {p50:.2f} | {p99:.2f} | {target} |")
    lines += ["", f"Target: the IKM over {args.n:,} surveys in under 1 s — **{'met' if worst < TARGET_MS else 'not met'}** "
              f"(worst p99 {worst:.1f} ms)."]
    if naive is not None:
        lines += ["", f"- For comparison, the same counts read from every survey's JSON (`json_extract` per key, "
                  f"{len(survey.ELEMENTS) + len(survey.PROFILE)} GROUP BY queries over the submissions table): "
                  f"{naive:,.0f} ms median — why SQLite keeps per-day counts (`tally_counts`, updated in the "
                  "transaction that stores a survey completed): a report reads a few rows per day of the period, "
                  "whatever the number of surveys."]
    lines += ["- MongoDB computes the same counts with an aggregation over the sent surveys (index on form_id, status, "
              "tally.on), so its time grows with the surveys of the period; it was not measured here (no MongoDB server "
              "on this machine; mongomock only checks the pipeline's shape). Run the command above with "
              "`--mongodb-uri` to measure it.", ""]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        write_section(SECTION, text)
    store.close()
    if not args.data_dir:
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
