#!/usr/bin/env python3
"""HTTP benchmark of a form step: GET of the step page and PUT through the JSON API (not a test).

Starts the real server (`formserver serve`, gunicorn, 2 workers) on 127.0.0.1 on a free port with a
temporary data directory, and a bare Flask hello-world app (benchmarks/bare_app.py) served the same
way (gunicorn, 2 sync workers, access log on), creates a `registrasi` submission through the JSON API,
then loads, for --duration seconds each at --connections concurrent connections (after a short warm-up):

  bare Flask GET /                              (the hello-world app: the reference rate)
  baseline   GET /healthz (or GET /api/v1/reference/wilayah/provinsi if the app has no /healthz)
  step GET   GET /isian/<id>/skala             (the HTML page of step 1, with the session cookie)
  step PUT   PUT /api/v1/submissions/<id>/steps/skala  {"values": {"skala_usaha": "UMK"}}
             (valid: re-saves step 1 each time, bumping the submission version; no version is sent)

and prints requests/s, p50 and p99 per scenario and the ratios step GET / bare Flask and step GET / baseline. Then, with
both servers still up, --rounds short alternating runs (bare Flask, step GET, bare Flask, step GET, ...; --round-duration
seconds each, the same requests and load generator) give one ratio per round and their median: a single pair of runs
on a shared machine moves by several points between runs of the same code (another process takes a core for a few
seconds), the median of alternating rounds much less. The results go to the section "HTTP: step GET and PUT (issue 2)"
of docs/PERFORMANCE.md (unless --no-write).

Load generator: wrk when it is on PATH (for the two GETs), otherwise threads with http.client
connections. The PUT always uses the Python generator: the API allows 120 PUTs per minute per
client address, so each connection sends from its own loopback address (127.1.x.y -> 127.0.0.1)
and moves to a fresh one before reaching the limit - as many real clients would - which wrk
cannot do. Everything stays on the loopback interface.

    python benchmarks/http_steps.py [--duration 10] [--connections 16] [--rounds 6] [--round-duration 4] [--no-write]
"""
import argparse
import datetime
import http.client
import itertools
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from report import DOC, write_section  # noqa: E402  (benchmarks/report.py)

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## HTTP: step GET and PUT (issue 2)"
HOST = "127.0.0.1"
WARMUP_SECONDS = 1.0
READY_TIMEOUT = 60.0
REQUEST_TIMEOUT = 10.0
PUT_BODY = json.dumps({"values": {"skala_usaha": "UMK"}}).encode()
PER_ADDRESS = 100  # PUTs sent from one source address: under the API's 120 per minute
TARGET_GET_RATIO = 0.35
TARGET_PUT_P99_MS = 100.0

INTRO = """# Performance

Measurements of the real server (`formserver serve`: gunicorn, 2 sync workers, the embedded SQLite
store), each section from one run of a script in `benchmarks/`. Compare the ratios measured within
one run rather than absolute numbers across runs: the load generator shares the machine's CPUs with
the server, so absolute rates depend on the machine and the generator. Unless a section says
otherwise the machine has 2 cores. To reproduce a section, run its script, e.g.
`python benchmarks/http_steps.py` (it rewrites its own section of this file).
"""


# -- the server -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """`formserver serve` in a subprocess, with its output in files of the data directory."""

    def __init__(self, data_dir: Path, port: int, workers: int = 2, cmd: list[str] | None = None):
        self.data_dir, self.port = data_dir, port
        exe = shutil.which("formserver", path=str(Path(sys.executable).parent))
        self.cmd = cmd or ([exe] if exe else [sys.executable, "-m", "formserver.cli"]) + [
            "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
        self.env = {**os.environ, "FORMSERVER_CAPTCHA": "off", "FORMSERVER_SECURE_COOKIES": "0",
                    "FORMSERVER_DATA_DIR": str(data_dir),
                    # gunicorn's control socket goes to $XDG_RUNTIME_DIR: keep it off any other server's
                    "XDG_RUNTIME_DIR": str(data_dir)}
        self.stdout_path, self.stderr_path = data_dir / "server.out", data_dir / "server.err"
        self.proc = None

    @classmethod
    def bare(cls, data_dir: Path, port: int, workers: int = 2) -> "Server":
        """The bare Flask hello-world app under gunicorn with formserver's serving settings."""
        data_dir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "gunicorn", "--chdir", str(Path(__file__).resolve().parent),
               "--bind", f"{HOST}:{port}", "--workers", str(workers), "--access-logfile", "-",
               "--limit-request-line", "8190", "bare_app:app"]
        return cls(data_dir, port, workers, cmd)

    def start(self) -> None:
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            # its own session: a Ctrl-C in the terminal reaches only this script, which stops the server
            self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         start_new_session=True)

    def wait_ready(self, path: str = "/api/v1/forms") -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited with {self.proc.returncode}:\n{self.stderr_tail()}")
            try:
                status, _, _ = request(self.port, "GET", path, timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the server was not ready after {READY_TIMEOUT:.0f} s:\n{self.stderr_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # gunicorn's master stops its workers gracefully on SIGTERM
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group this script started, nothing else
            self.proc.wait(timeout=10)

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def stderr_tail(self, lines: int = 40) -> str:
        return "\n".join(self.stderr_text().splitlines()[-lines:])

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of the server's gunicorn workers (children of the master), in MiB."""
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:
                continue  # the process ended while we looked
            if fields.get("PPid", "").strip() == str(self.proc.pid) and "VmRSS" in fields:
                sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
        return sorted(sizes)

    def worker_cpu_seconds(self) -> float:
        """User + system CPU time used so far by the server's gunicorn workers (children of the master)."""
        total, tick = 0, os.sysconf("SC_CLK_TCK")
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[1] == str(self.proc.pid):
                total += int(fields[11]) + int(fields[12])
        return total / tick

    def problems(self) -> tuple[int, list[str]]:
        """Tracebacks and error lines in the server's stderr: (count of tracebacks, the first few)."""
        text = self.stderr_text()
        tracebacks = re.findall(r"Traceback \(most recent call last\):\n(?:[ \t].*\n|\n)*.*", text)
        errors = [line for line in text.splitlines()
                  if re.search(r"\[(ERROR|CRITICAL)\]|WORKER TIMEOUT|Worker \(pid:\d+\) was sent", line)]
        return len(tracebacks), tracebacks[:3] + errors[:10]


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float = REQUEST_TIMEOUT):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def create_submission(port: int) -> tuple[str, str]:
    """A new registrasi draft through the JSON API: (its id, the Cookie header of its session)."""
    status, headers, body = request(port, "POST", "/api/v1/forms/registrasi/submissions",
                                    headers={"Accept": "application/json"})
    if status != 201:
        raise SystemExit(f"creating the submission answered {status}: {body[:300]!r}")
    cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []]
    if not cookies:
        raise SystemExit("creating the submission set no session cookie")
    return json.loads(body)["id"], "; ".join(cookies)


# -- load generators ------------------------------------------------------------------------------

class Scenario:
    def __init__(self, name: str, method: str, path: str, headers: dict, body: bytes | None = None,
                 rotate_source: bool = False, port: int | None = None):
        self.name, self.method, self.path, self.headers, self.body = name, method, path, headers, body
        self.rotate_source, self.port = rotate_source, port
        self.server = None

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


class Stats:
    def __init__(self, latencies: list[float], statuses: Counter, errors: Counter, elapsed: float, tool: str,
                 ok_latencies: list[float] | None = None):
        self.latencies = sorted(latencies)
        self.ok_latencies = sorted(ok_latencies) if ok_latencies is not None else self.latencies
        self.statuses, self.errors, self.elapsed, self.tool = statuses, errors, elapsed, tool

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)

    @property
    def rate(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, q: float, ok_only: bool = False) -> float:
        """Nearest-rank percentile of all answers' latencies (or of the 2xx answers only), in ms."""
        values = self.ok_latencies if ok_only else self.latencies
        if not values:
            return float("nan")
        return 1000 * values[max(0, math.ceil(q * len(values)) - 1)]

    @property
    def p50(self) -> float:
        return self.percentile_ms(0.50)

    @property
    def p99(self) -> float:
        return self.percentile_ms(0.99)

    def status_text(self) -> str:
        parts = [f"{status}: {n}" for status, n in sorted(self.statuses.items())]
        parts += [f"{name}: {n}" for name, n in sorted(self.errors.items())]
        return ", ".join(parts)


_addresses = (f"127.1.{i // 254}.{i % 254 + 1}" for i in itertools.count())
_addresses_lock = threading.Lock()


def next_source_address() -> str:
    with _addresses_lock:
        return next(_addresses)


def python_load(port: int, scenario: Scenario, duration: float, connections: int, stop: threading.Event) -> Stats:
    """`connections` threads, each one http.client connection sending requests back to back."""
    start = time.perf_counter()
    deadline = start + duration
    results = [([], [], Counter(), Counter()) for _ in range(connections)]
    finished = [start] * connections

    def worker(index: int) -> None:
        latencies, ok_latencies, statuses, errors = results[index]
        conn, sent_from_address = None, 0
        try:
            while not stop.is_set() and time.perf_counter() < deadline:
                if conn is None or (scenario.rotate_source and sent_from_address >= PER_ADDRESS):
                    if conn is not None:
                        conn.close()
                    source = (next_source_address(), 0) if scenario.rotate_source else None
                    # keep-alive when the server allows it; gunicorn's sync workers close after each
                    # response and http.client then reconnects by itself (from the same source address)
                    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT, source_address=source)
                    sent_from_address = 0
                began = time.perf_counter()
                try:
                    conn.request(scenario.method, scenario.path, body=scenario.body, headers=scenario.headers)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as error:
                    errors[type(error).__name__] += 1
                    conn.close()
                    conn = None
                    continue
                ended = time.perf_counter()
                latencies.append(ended - began)
                if 200 <= response.status < 300:
                    ok_latencies.append(ended - began)
                statuses[response.status] += 1
                sent_from_address += 1
                finished[index] = ended
        finally:
            if conn is not None:
                conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():  # join in slices so that Ctrl-C is handled at once
            thread.join(0.2)
    latencies, ok_latencies, statuses, errors = [], [], Counter(), Counter()
    for lat, ok, st, err in results:
        latencies += lat
        ok_latencies += ok
        statuses.update(st)
        errors.update(err)
    elapsed = max(max(finished), deadline) - start
    return Stats(latencies, statuses, errors, elapsed, f"Python http.client, {connections} threads", ok_latencies)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * _UNITS[unit]


def wrk_load(wrk: str, port: int, scenario: Scenario, duration: float, connections: int) -> Stats:
    """wrk for a GET: its requests/s, p50 and p99 (latency distribution), non-2xx/3xx count."""
    cmd = [wrk, "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{max(1, round(duration))}s",
           "--latency", "--timeout", f"{REQUEST_TIMEOUT:.0f}s"]
    for name, value in scenario.headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://{HOST}:{port}{scenario.path}")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, check=True).stdout
    total = int(re.search(r"(\d+) requests in ([\d.]+)(\w+)", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    stats = WrkStats(total, int(bad.group(1)) if bad else 0, rate, p50, p99,
                     f"wrk, {min(2, connections)} threads")
    stats.socket_errors = socket_errors.group(1) if socket_errors else ""
    return stats


class WrkStats(Stats):
    def __init__(self, total, non_2xx, rate, p50, p99, tool):
        super().__init__([], Counter(), Counter(), 0.0, tool)
        self._total, self._non_2xx, self._rate, self._p50, self._p99 = total, non_2xx, rate, p50, p99
        self.socket_errors = ""

    count = property(lambda self: self._total)
    non_2xx = property(lambda self: self._non_2xx)
    rate = property(lambda self: self._rate)
    p50 = property(lambda self: self._p50)
    p99 = property(lambda self: self._p99)

    def status_text(self) -> str:
        text = f"non-2xx/3xx: {self._non_2xx}"
        return f"{text}, socket errors: {self.socket_errors}" if self.socket_errors else text


# -- the report -----------------------------------------------------------------------------------

def machine() -> dict:
    return {"cores": os.cpu_count() if not hasattr(os, "sched_getaffinity") else len(os.sched_getaffinity(0)),
            "python": platform.python_version(), "system": f"{platform.system()} {platform.machine()}"}


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def rounds_summary(rounds: list[tuple[Stats, Stats]]) -> dict:
    """Per round (bare, step GET): the rate ratio and the CPU ratio; their medians and ranges."""
    rates = [step.rate / bare.rate if bare.rate else float("nan") for bare, step in rounds]
    cpus = [bare.cpu_ms / step.cpu_ms if step.cpu_ms else float("nan") for bare, step in rounds]
    return {"rates": rates, "cpus": cpus,
            "rate": statistics.median(rates) if rates else float("nan"),
            "cpu": statistics.median(cpus) if cpus else float("nan")}


def rounds_lines(rounds: list[tuple[Stats, Stats]], args) -> list[str]:
    summary = rounds_summary(rounds)
    lines = [
        f"Alternating rounds, both servers up ({len(rounds)} rounds of {args.round_duration:g} s per app, bare Flask "
        f"first in each round; `GET /` of the bare app and the step GET above, the same load generator):", "",
        "| round | bare Flask req/s | step GET req/s | step GET ÷ bare | bare CPU per request (ms) "
        "| step GET CPU per request (ms) | bare ÷ step GET by CPU |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, ((bare, step), rate, cpu) in enumerate(zip(rounds, summary["rates"], summary["cpus"]), 1):
        lines.append(f"| {i} | {bare.rate:.0f} | {step.rate:.0f} | {rate:.1%} | {bare.cpu_ms:.3f} | {step.cpu_ms:.3f} "
                     f"| {cpu:.1%} |")
    lines += ["", f"Median of the rounds: step GET at **{summary['rate']:.1%}** of the bare app's rate "
              f"(rounds {min(summary['rates']):.1%}–{max(summary['rates']):.1%}); by worker CPU per request "
              f"**{summary['cpu']:.1%}** (rounds {min(summary['cpus']):.1%}–{max(summary['cpus']):.1%})."]
    return lines


def section(results: list[tuple[Scenario, Stats]], args, info: dict, notes: list[str],
            rounds: list[tuple[Stats, Stats]] | None = None) -> str:
    by_name = {scenario.name: stats for scenario, stats in results}
    bare, base, get, put = by_name["bare Flask"], by_name["baseline"], by_name["step GET"], by_name["step PUT"]
    ratio = get.rate / bare.rate if bare.rate else float("nan")
    health = base.rate / bare.rate if bare.rate else float("nan")
    get_base = get.rate / base.rate if base.rate else float("nan")
    cpu_ratio = bare.cpu_ms / get.cpu_ms if getattr(get, "cpu_ms", 0) else float("nan")
    put_ok = put.count > 0 and put.p99 < TARGET_PUT_P99_MS
    lines = [
        SECTION, "",
        f"Run of {info['date']} by `python benchmarks/http_steps.py` on {info['cores']} cores "
        f"(`nproc`), {info['system']}, Python {info['python']}. Server: `formserver serve --workers 2` "
        f"(gunicorn sync workers, SQLite store in a temporary data directory, captcha off); the reference: "
        f"a bare Flask hello-world app (`benchmarks/bare_app.py`) under gunicorn with the same settings (2 sync "
        f"workers, access log on), started beside it. Load: "
        f"{args.connections} concurrent connections for {args.duration:g} s per scenario after a "
        f"{WARMUP_SECONDS:g} s warm-up, on the same machine as the server.", "",
        "| scenario | request | load generator | requests | non-2xx | req/s | p50 (ms) | p99 (ms) | worker CPU per request (ms) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario, stats in results:
        lines.append(f"| {scenario.name} | `{scenario.label.replace('/' + args.submission_id, '/<id>')}` | "
                     f"{stats.tool} | {stats.count} | {stats.non_2xx} | {stats.rate:.0f} | "
                     f"{stats.p50:.1f} | {stats.p99:.1f} | {getattr(stats, 'cpu_ms', float('nan')):.3f} |")
    lines += [
        "",
        f"Step GET / bare Flask: **{ratio:.0%}** of the bare app's request rate (`/healthz`: {health:.0%} of it; "
        f"step GET / `/healthz`: {get_base:.0%}). By the server's own CPU per request (user + system time of "
        f"the gunicorn workers, read from /proc, which other load on the machine barely changes), a bare app's "
        f"request costs **{cpu_ratio:.0%}** of a step GET's: the rate ratio the server reaches when it has the "
        f"cores to itself.", "",
    ]
    if rounds:
        lines += rounds_lines(rounds, args) + [""]
    summary = rounds_summary(rounds) if rounds else None
    lines += [
        "| target | measured | |",
        "|---|---|---|",
        f"| step GET ≥ {TARGET_GET_RATIO:.0%} of the bare Flask rate | {ratio:.0%} | {verdict(ratio >= TARGET_GET_RATIO)} |",
        f"| the same by CPU per request | {cpu_ratio:.0%} | {verdict(cpu_ratio >= TARGET_GET_RATIO)} |",
    ]
    if summary:
        lines += [
            f"| the same, median of {len(rounds)} alternating rounds | {summary['rate']:.1%} "
            f"| {verdict(summary['rate'] >= TARGET_GET_RATIO)} |",
            f"| the same by CPU per request, median of the rounds | {summary['cpu']:.1%} "
            f"| {verdict(summary['cpu'] >= TARGET_GET_RATIO)} |",
        ]
    lines += [
        f"| step PUT p99 < {TARGET_PUT_P99_MS:.0f} ms | {put.p99:.1f} ms (2xx answers only: "
        f"{put.percentile_ms(0.99, ok_only=True):.1f} ms) | {verdict(put_ok)} |",
        "",
        "Responses by status: " + "; ".join(f"{s.name}: {st.status_text()}" for s, st in results) + ".",
    ]
    if notes:
        lines += [""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def run(args) -> int:
    stop = threading.Event()
    wrk = None if args.python_only else shutil.which("wrk")
    with tempfile.TemporaryDirectory(prefix="formserver-bench-") as tmp:
        server = Server(Path(tmp), free_port())
        bare = Server.bare(Path(tmp) / "bare", free_port())
        print(f"starting: {' '.join(server.cmd)}  (data: {tmp})", flush=True)
        print(f"starting: {' '.join(bare.cmd)}", flush=True)
        server.start()
        bare.start()
        try:
            server.wait_ready()
            bare.wait_ready("/")
            port = server.port
            base_path = "/healthz"
            if request(port, "GET", base_path)[0] != 200:
                base_path = "/api/v1/reference/wilayah/provinsi"
            submission_id, cookie = create_submission(port)
            args.submission_id = submission_id
            session = {"Cookie": cookie}
            scenarios = [
                Scenario("bare Flask", "GET", "/", {}, port=bare.port),
                Scenario("baseline", "GET", base_path, {}),
                Scenario("step GET", "GET", f"/isian/{submission_id}/skala", session),
                Scenario("step PUT", "PUT", f"/api/v1/submissions/{submission_id}/steps/skala",
                         {**session, "Content-Type": "application/json", "Accept": "application/json"},
                         PUT_BODY, rotate_source=not args.no_rotate),
            ]
            for scenario in scenarios:  # each answers as expected before it is measured
                status, _, body = request(scenario.port or port, scenario.method, scenario.path, scenario.body,
                                          scenario.headers)
                if status != 200:
                    raise SystemExit(f"{scenario.label} answered {status}: {body[:300]!r}")
            print(f"baseline: {scenarios[1].label}"
                  + ("" if base_path == "/healthz" else " (the app has no /healthz)"), flush=True)
            def measure(scenario: Scenario, duration: float, warm_up: bool = True) -> Stats:
                use_wrk = wrk is not None and scenario.method == "GET"
                target = scenario.port or port
                serving = bare if scenario.port else server
                if warm_up:
                    python_load(target, scenario, WARMUP_SECONDS, args.connections, stop)  # not counted
                cpu_before = serving.worker_cpu_seconds()
                if use_wrk:
                    stats = wrk_load(wrk, target, scenario, duration, args.connections)
                else:
                    stats = python_load(target, scenario, duration, args.connections, stop)
                stats.cpu_ms = 1000 * (serving.worker_cpu_seconds() - cpu_before) / max(1, stats.count)
                return stats

            results = []
            for scenario in scenarios:
                tool = "wrk" if wrk is not None and scenario.method == "GET" else "Python http.client threads"
                print(f"{scenario.name}: {scenario.label} - {args.connections} connections, {args.duration:g} s, "
                      f"{tool}", flush=True)
                stats = measure(scenario, args.duration)
                results.append((scenario, stats))
                print(f"  {stats.count} requests, {stats.rate:.0f} req/s, p50 {stats.p50:.1f} ms, "
                      f"p99 {stats.p99:.1f} ms  [{stats.status_text()}]", flush=True)
            # both servers are warm: short runs, bare app and step GET in turn, one ratio per round
            rounds = []
            for i in range(args.rounds):
                pair = (measure(scenarios[0], args.round_duration, warm_up=False),
                        measure(scenarios[2], args.round_duration, warm_up=False))
                rounds.append(pair)
                print(f"round {i + 1}: bare {pair[0].rate:.0f} req/s ({pair[0].cpu_ms:.3f} ms CPU), step GET "
                      f"{pair[1].rate:.0f} req/s ({pair[1].cpu_ms:.3f} ms CPU): {pair[1].rate / pair[0].rate:.1%}, "
                      f"by CPU {pair[0].cpu_ms / pair[1].cpu_ms:.1%}", flush=True)
        except KeyboardInterrupt:
            stop.set()
            print("interrupted: stopping the server", file=sys.stderr)
            return 130
        finally:
            stop.set()
            rss = server.worker_rss_mib()  # after the load, before the workers stop
            server.stop()
            bare.stop()
            tracebacks, problems = server.problems()
        info = {**machine(), "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")}
        notes = [f"Load generator: {'wrk for the GETs (found on PATH), ' if wrk else 'wrk is not installed: '}"
                 f"Python http.client threads for {'the PUT' if wrk else 'all four'}. The PUT is limited to "
                 f"120 per minute per client address, so "
                 + ("each PUT connection sends from its own loopback address (127.1.x.y), moving to a new one "
                    f"every {PER_ADDRESS} requests: the limiter is checked on every request but not tripped."
                    if not args.no_rotate else "with --no-rotate most PUTs are refused with 429.")]
        notes.append("gunicorn's sync workers close the connection after each response: every request opens "
                     "a new TCP connection.")
        if rss:
            notes.append("Server RSS after the load: " + ", ".join(f"{r:.0f} MiB" for r in rss)
                         + f" for the {len(rss)} gunicorn workers (compiled forms at start; region and KBLI data load on "
                           "first use, about 35 MiB more per worker).")
        put_stats = results[3][1]
        conflicts = put_stats.statuses.get(409, 0)
        notes.append(f"All PUTs re-save step 1 of one submission without a version. {conflicts} of "
                     f"{put_stats.count} ({conflicts / max(1, put_stats.count):.0%}) answered 409: a save "
                     "without a version is redone on the fresh submission when another worker wrote in between, "
                     "up to 3 times; 16 clients hammering one submission can still exhaust that.")
        if tracebacks or problems:
            notes.append(f"The server's stderr had {tracebacks} traceback(s) and error lines during the run; "
                         "see the script's output.")
        else:
            notes.append("The server's stderr had no traceback or error line during the run.")
        text = section(results, args, info, notes, rounds)
        ratio = results[2][1].rate / results[0][1].rate if results[0][1].rate else float("nan")
        print(f"\nstep GET / bare Flask = {ratio:.2f}")
        if rounds:
            summary = rounds_summary(rounds)
            print(f"median of {len(rounds)} alternating rounds: {summary['rate']:.3f} (by CPU {summary['cpu']:.3f})")
        if tracebacks or problems:
            print(f"\nserver stderr: {tracebacks} traceback(s); first problems:", file=sys.stderr)
            for item in problems:
                print(item.rstrip(), file=sys.stderr)
        else:
            print("server stderr: no traceback or error line")
        print("\n" + text)
        if not args.no_write:
            write_section(SECTION, text, INTRO)
            print(f"written: {DOC.relative_to(ROOT)}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--rounds", type=int, default=6,
                        help="alternating bare/step GET rounds after the scenarios (default 6; 0: none)")
    parser.add_argument("--round-duration", type=float, default=4.0, help="seconds per app per round (default 4)")
    parser.add_argument("--python-only", action="store_true", help="do not use wrk even if it is installed")
    parser.add_argument("--no-rotate", action="store_true",
                        help="send every PUT from 127.0.0.1 (the rate limiter then refuses most of them)")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/PERFORMANCE.md")
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 120 or not 0 < args.connections <= 256:
        parser.error("--duration must be in (0, 120] and --connections in (0, 256]")
    if not 0 <= args.rounds <= 50 or not 0 < args.round_duration <= 60:
        parser.error("--rounds must be in [0, 50] and --round-duration in (0, 60]")

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored (nohup, &)
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
