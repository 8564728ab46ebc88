"""Benchmark: the store at scale — 1,000,000 permit applications with their issued NIBs (issue 4).

Not a test. Local only: generates N realistic submissions of the permit form (`permohonan`) — most
completed, some drafts — and an issued NIB document for every completed one, loads them through
the store interface in batches (``restore_many``, as ``formserver import`` does), then measures the
queries the server makes: look-ups by id, NIB and NIK, the officers' list (first and a deep page),
KBLI counts per month, single inserts, bytes on disk and the process's memory.

    python benchmarks/scale.py                       # N = 1,000,000, embedded SQLite store, temp dir
    python benchmarks/scale.py --n 20000 --no-write  # a quick run that leaves docs/PERFORMANCE.md alone
    python benchmarks/scale.py --data-dir /srv/bench          # the database goes there and stays
    python benchmarks/scale.py --mongodb-uri mongodb://localhost:27017/formserver_bench

With ``--mongodb-uri`` the same load and queries run against MongoDB (``STORE=mongodb``); use a
database of its own: the benchmark loads into it and, without ``--keep``, drops it afterwards.
The run is bounded: loading stops at ``--load-minutes`` and the numbers are then for the N reached
(the report says so). Writes the section "## Scale: 1,000,000 submissions (issue 4)" of
docs/PERFORMANCE.md unless ``--no-write``.
"""
import argparse
import base64
import datetime as dt
import json
import multiprocessing
import os
import platform
import random
import resource
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

from formserver.issue.issuance import make_nib  # noqa: E402
from formserver.reference.kbli import Kbli  # noqa: E402
from formserver.search import Query, day_range, terms_of  # noqa: E402
from formserver.store import open_store  # noqa: E402
from formserver.variants import office_of, read_variant  # noqa: E402

SECTION = "## Scale: 1,000,000 submissions (issue 4)"
SEARCH_SECTION = "## Officers' search over 1,000,000 applications (issue 11)"
BATCH = 10_000
START = dt.datetime(2025, 10, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)  # created_at spread over 2025-10 .. 2026-11
COMPLETED_SHARE = 0.85
STEPS = ["data_pelaku_usaha", "bidang_usaha", "detail_usaha", "produk", "ringkasan_usaha", "daftar_kegiatan",
         "persetujuan_lingkungan", "pernyataan_mandiri", "draf_perizinan"]
TARGET_POINT_MS, TARGET_LIST_MS = 5.0, 50.0
# what this benchmark measured at N = 1,000,000 on the SQLite schema before its indexes were changed
# (2026-11-27, same machine and command): the evidence behind documents_seq, submissions_form_status
# (form_id, status, created_at, id) and the document_kbli side table
BEFORE = ("- Before the schema changes (the run of 2026-11-27 00:11 UTC, same machine and script, N = 1,000,000): "
          "without an index leading with `documents.seq`, `insert_document`'s `MAX(seq)` scanned a whole index — "
          "52 ms, `insert_document` 57 ms p50 / 81 ms p99 (0.10 ms with an index), and a bulk load of the 849,831 "
          "documents would have spent about 6 hours in those scans; with `(form_id, status, created_at)` the list "
          "sorted every row up to the offset — deep page 24.0 ms p50 / 38.5 ms p99 (an index with `id` appended: "
          "1.8 / 3.6 ms); `count_issued_by_kbli_month` parsed every NIB's JSON — 8.9 s for the year.")
WILAYAH = ROOT / "formserver" / "reference" / "data" / "wilayah"
FIRST = ["Budi", "Siti", "Agus", "Dewi", "Rahmat", "Nur", "Ahmad", "Sri", "Joko", "Rina", "Hendra", "Yusuf", "Fitri",
         "Andi", "Wahyu", "Lestari", "Bambang", "Indah", "Rudi", "Ayu", "Muhammad", "Putri", "Irwan", "Ratna", "Zulkifli",
         "Nurhayati", "Syahrial", "Erni", "Darmawan", "Yanti", "Fajar", "Herlina", "Teguh", "Wulandari", "Arif", "Maya"]
LAST = ["Santoso", "Hidayat", "Saputra", "Siregar", "Nasution", "Lubis", "Harahap", "Wijaya", "Putra", "Pratama",
        "Syahputra", "Hasibuan", "Rangkuti", "Kurniawan", "Setiawan", "Susanti", "Rahayu", "Gunawan", "Hutapea",
        "Sitompul", "Chaniago", "Piliang", "Tanjung", "Daulay", "Purba", "Ginting", "Simanjuntak", "Marpaung"]
USAHA = ["Toko", "Warung", "Kedai", "UD", "CV", "Bengkel", "Rumah Makan", "Kios", "Usaha", "Depot", "Konveksi"]
JALAN = ["Jl. Prof. M. Yamin", "Jl. Tuanku Tambusai", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Lintas Riau-Sumbar",
         "Jl. Pahlawan", "Jl. Ahmad Yani", "Jl. Raya Pekanbaru-Bangkinang", "Jl. Datuk Tabano", "Jl. Sisingamangaraja"]
PRODUK = ["Sembako", "Keripik singkong", "Kopi bubuk", "Roti", "Pakaian jadi", "Tahu", "Tempe", "Kue kering", "Madu",
          "Sabun cair", "Ikan asap", "Gula aren", "Jasa service motor", "Minyak goreng curah", "Kerajinan rotan"]
SATUAN = ["UNIT", "KG", "TON", "LITER", "PAKET", "ORANG"]
RISIKO = ["RENDAH"] * 7 + ["MENENGAH_RENDAH"] * 3
RISK_TABLE = {"id": "builtin-pp5-2021", "regulation": "PP 5/2021", "effective": "2021-02-02"}
OFFICE = office_of(read_variant("kampar").identity)
# a handful of codes the micro and small businesses of a kabupaten ask for most, before the long tail
POPULAR = ["47111", "47191", "56103", "56102", "10792", "47211", "47724", "95301", "45405", "14111", "10710", "47241",
           "01131", "01262", "03119", "16291", "46209", "47599", "10794", "13912"]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def rss_kib() -> tuple[int, int]:
    """(peak, current) resident set size of this process, KiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    current = 0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                current = int(line.split()[1])
    return peak, current


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return (f"{os.cpu_count()} cores ({cpu}), {mem / 1024 / 1024:.0f} GiB RAM, Linux {platform.machine()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


class Generator:
    """Deterministic applications as the permit form leaves them, and their issued NIB documents."""

    def __init__(self, n: int, seed: int):
        self.rng = rng = random.Random(seed)
        self.n = n
        kbli = Kbli()
        tail = [code for code in kbli.codes() if code not in POPULAR]
        rng.shuffle(tail)
        ranked = [code for code in POPULAR if kbli.exists(code)] + tail
        self.kbli = ranked
        self.judul = {code: kbli.get(code)["judul"] for code in ranked}
        self.kbli_weights = _cumulative([1 / (rank + 1) ** 0.9 for rank in range(len(ranked))])
        self.desa = _riau_villages()
        self.kecamatan_digits = sorted({row[1].replace(".", "") for row in self.desa})
        # about 1.3 applications per applicant: some people apply again (another business, a new activity)
        self.people = max(1, int(n / 1.3))
        self.nib_serial = 0
        span = (END - START).total_seconds()
        # created_at in time order, as an office receives them
        self.offsets = sorted(rng.random() * span for _ in range(n))

    def token(self, nbytes: int) -> str:
        return base64.urlsafe_b64encode(self.rng.randbytes(nbytes)).rstrip(b"=").decode()

    def person(self, number: int) -> dict:
        """Applicant ``number``'s identity, the same every time it is asked for (a repeat applicant)."""
        r = random.Random(number * 7919 + 17)
        kec = r.choice(self.kecamatan_digits)
        female = r.random() < 0.45
        born = dt.date(1960, 1, 1) + dt.timedelta(days=r.randrange(365 * 45))
        nik = f"{kec}{born.day + (40 if female else 0):02d}{born.month:02d}{born.year % 100:02d}{r.randrange(1, 9999):04d}"
        desa = r.choice(self.desa)
        return {"nik": nik, "nama_lengkap": f"{r.choice(FIRST)} {r.choice(LAST)}", "tempat_lahir": "Bangkinang",
                "tanggal_lahir": born.isoformat(), "nomor_telepon": f"+628{r.randrange(10**9, 10**10)}",
                "alamat": f"{r.choice(JALAN)} No. {r.randrange(1, 300)}, {desa[2]}",
                "username": f"pelaku{number}", "email": f"pelaku{number}@example.test"}

    def kbli_code(self) -> str:
        x = self.rng.random() * self.kbli_weights[-1]
        lo, hi = 0, len(self.kbli_weights) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.kbli_weights[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return self.kbli[lo]

    def activity(self, i: int, akun: dict) -> dict:
        rng = self.rng
        code = self.kbli_code()
        desa_kode, kec_kode, _ = rng.choice(self.desa)
        modal = rng.choice([5, 10, 15, 25, 50, 75, 100, 150, 250, 500, 1000, 2500]) * 1_000_000
        risiko = rng.choice(RISIKO)
        item = {"jenis_kegiatan": "UTAMA" if i == 0 else "PENDUKUNG", "kbli": code, "uraian_kbli": self.judul[code],
                "ruang_lingkup": "Usaha mikro dan kecil", "nama_usaha": f"{rng.choice(USAHA)} {akun['nama_lengkap'].split()[0]} {i + 1}",
                "luas_lahan_m2": rng.randrange(12, 2000), "alamat_usaha": f"{rng.choice(JALAN)} No. {rng.randrange(1, 300)}",
                "provinsi_usaha": "14", "kabupaten_usaha": kec_kode[:5], "kecamatan_usaha": kec_kode,
                "kelurahan_usaha": desa_kode, "kode_pos": f"28{rng.randrange(100, 999)}",
                "sudah_berjalan": rng.choice(["YA", "TIDAK"]), "modal_usaha": modal,
                "skala_usaha_hasil": "MIKRO" if modal <= 1_000_000_000 else "KECIL", "tingkat_risiko": risiko,
                "punya_izin_sebelumnya": "TIDAK", "perkiraan_jangka_waktu_operasi": rng.randrange(1, 30),
                "deskripsi_kegiatan": f"{self.judul[code]} skala rumahan", "jumlah_tenaga_kerja": rng.randrange(1, 20),
                "produk": [{"jenis_produk": rng.choice(PRODUK), "kapasitas_per_tahun": rng.randrange(10, 100_000),
                            "satuan_kapasitas": rng.choice(SATUAN), "punya_sni": "TIDAK", "punya_halal": "TIDAK"}
                           for _ in range(rng.randint(1, 3))],
                "dipilih": True}
        if risiko == "MENENGAH_RENDAH":
            industri = 10 <= int(code[:2]) <= 33
            item.update({"punya_dokumen_lingkungan": "BELUM", "kewajiban_lingkungan": "SPPL",
                         "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN" if industri else "USAHA_DI_BANGUNAN",
                         "luas_bangunan_m2": "BANGUNAN_KURANG_2500" if industri else "BANGUNAN_KURANG_5000",
                         "uraian_usaha_lingkungan": "Usaha kecil tanpa limbah B3"})
            if industri:
                item["kapasitas_produksi"] = "KAPASITAS_KURANG_1000"
        return item

    def application(self, i: int) -> tuple[dict, dict | None]:
        """Submission ``i`` and, when it is completed, its issued NIB document."""
        rng = self.rng
        created = START + dt.timedelta(seconds=self.offsets[i])
        number = rng.randrange(self.people)
        akun = self.person(number)
        completed = rng.random() < COMPLETED_SHARE
        items = [self.activity(k, akun) for k in range(rng.choice((1, 1, 1, 2, 2, 3)))]
        data = {"akun": akun, "npwp": f"{rng.randrange(10**14, 10**15)}", "email": akun["email"],
                "bpjs_ketenagakerjaan": f"{rng.randrange(10**10, 10**11)}", "kegiatan_usaha": items}
        if completed:
            data.update({"pernyataan_k3l": True, "pernyataan_sppl": True, "pernyataan_standar_usaha": True,
                         "setuju_terbitkan": True})
            steps_done, current = STEPS, STEPS[-1]
            updated = created + dt.timedelta(minutes=rng.randrange(5, 60 * 24 * 3))
        else:
            k = rng.randrange(1, len(STEPS))
            steps_done, current = STEPS[:k], STEPS[k]
            updated = created + dt.timedelta(minutes=rng.randrange(1, 120))
        sid = self.token(16)
        owner = f"account:{random.Random(number).randbytes(16).hex()[:22]}"
        meta, document = {}, None
        if completed:
            self.nib_serial += 1
            nib = make_nib(i + 1)  # unique, and the same whichever process makes application i
            doc_id = self.token(12)
            meta = {"risk_table": RISK_TABLE, "status_permohonan": "TERBIT", "nib": nib, "documents": [doc_id]}
            issued = _iso(updated)
            document = {"id": doc_id, "version": 1, "application_id": sid, "owner": owner, "type": "NIB", "activity": "",
                        "number": nib, "status": "VALID", "issued_at": issued,
                        "content": {"nib": nib, "holder": {"nama": akun["nama_lengkap"], "nik": akun["nik"],
                                                           "alamat": akun["alamat"], "email": akun["email"],
                                                           "nomor_telepon": akun["nomor_telepon"], "npwp": data["npwp"]},
                                    "activities": [_issued_activity(item) for item in items],
                                    "statements": [], "office": OFFICE, "risk_table": RISK_TABLE},
                        "categories": [item["kbli"] for item in items], "signature": self.token(64)}
        submission = {"id": sid, "version": len(steps_done) + 1, "owner": owner, "form_id": "permohonan",
                      "form_version": 1, "status": "completed" if completed else "draft", "current_step": current,
                      "completed": list(steps_done), "data": data, "meta": meta, "created_at": _iso(created),
                      "updated_at": _iso(updated), "subject": akun["nik"]}
        submission["terms"] = terms_of(submission)  # as the submission service keeps them (formserver/search.py)
        return submission, document


def _issued_activity(item: dict) -> dict:
    return {"kbli": item["kbli"], "judul": item["uraian_kbli"], "skala": item["skala_usaha_hasil"],
            "tingkat_risiko": item["tingkat_risiko"], "nama_usaha": item["nama_usaha"],
            "alamat_usaha": f"{item['alamat_usaha']}, {item['kelurahan_usaha']}", "modal_usaha": item["modal_usaha"],
            "kewajiban_lingkungan": item.get("kewajiban_lingkungan"), "dokumen_lingkungan": {}}


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _cumulative(weights):
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _riau_villages() -> list[tuple[str, str, str]]:
    """(desa code, kecamatan code, desa name) of Riau province (14), where the first office is."""
    rows = []
    with open(WILAYAH / "desa.csv", encoding="utf-8") as f:
        next(f)
        for line in f:
            kode, nama, induk = line.rstrip("\n").split(",")[:3]
            if kode.startswith("14."):
                rows.append((kode, induk, nama))
    return rows


# --- loading -------------------------------------------------------------------------------------------------------

_WORKER: dict = {}


def _start_worker(n: int, seed: int, sample_p: float, documents: bool) -> None:
    _WORKER.update(gen=Generator(n, seed), sample_p=sample_p, documents=documents, seed=seed)


def _make_batch(start: int) -> tuple[list, list, list]:
    """Applications ``start`` .. ``start + BATCH`` (the same every run: the batch's own seed), their NIB documents
    and the samples drawn among them, made in a worker process while the main one writes the batch before."""
    gen, n = _WORKER["gen"], _WORKER["gen"].n
    gen.rng = random.Random(_WORKER["seed"] * 1_000_003 + start)
    subs, docs, picked = [], [], []
    for j in range(start, min(n, start + BATCH)):
        sub, doc = gen.application(j)
        subs.append(sub)
        if doc and _WORKER["documents"]:
            docs.append(doc)
        if gen.rng.random() < _WORKER["sample_p"]:
            picked.append(sub)
    return subs, docs, picked


def add_sample(samples: dict, sub: dict) -> None:
    samples["id"].append(sub["id"])
    samples["nik"].append(sub.get("subject") or sub["nik"])  # "nik": generated before the stores' neutral subject
    samples.setdefault("name", []).append(sub["data"]["akun"]["nama_lengkap"])
    samples.setdefault("kbli", []).append(sub["data"]["kegiatan_usaha"][0]["kbli"])
    if (sub.get("meta") or {}).get("nib"):
        samples["nib"].append(sub["meta"]["nib"])


def load(store, n: int, seed: int, first: int, deadline: float, samples: dict, sample_p: float,
         documents: bool = True) -> dict:
    """Load applications ``first`` .. ``n`` in batches (generated by worker processes, written by this one through
    ``restore_many`` inside the store's ``bulk_load``: indexes built once at the end); stop early at ``deadline``.
    Returns counts and rates."""
    started = time.perf_counter()
    sub_time = doc_time = 0.0
    loaded, documents_loaded, i = first, 0, first
    last_report, loads = started, []
    workers = max(1, min(2, os.cpu_count() or 1))
    context = multiprocessing.get_context("fork")
    with store.bulk_load(), context.Pool(workers, _start_worker, (n, seed, sample_p, documents)) as pool:
        for subs, docs, picked in pool.imap(_make_batch, range(first, n, BATCH)):
            for sub in picked:
                add_sample(samples, sub)
            t0 = time.perf_counter()
            store.restore_many("submissions", subs)
            t1 = time.perf_counter()
            store.restore_many("documents", docs)
            t2 = time.perf_counter()
            sub_time += t1 - t0
            doc_time += t2 - t1
            loaded += len(subs)
            documents_loaded += len(docs)
            i += len(subs)
            loads.append(os.getloadavg()[0])
            now = time.perf_counter()
            if now - last_report >= 10 or i >= n:
                last_report = now
                elapsed = now - started
                eta = elapsed / max(1, loaded - first) * (n - loaded)
                print(f"  loaded {loaded:>9,} submissions, {documents_loaded:>9,} documents  {elapsed:7.0f} s  "
                      f"this batch: {len(subs) / (t1 - t0):7.0f} subs/s, {len(docs) / max(t2 - t1, 1e-9):7.0f} docs/s  "
                      f"eta {eta:5.0f} s  load average {os.getloadavg()[0]:.1f}", flush=True)
            if now > deadline and i < n:
                print(f"  load budget used up: stopping at {loaded:,} of {n:,} submissions", flush=True)
                break
        pool.terminate()
        print("  building the indexes", flush=True)
    wall = time.perf_counter() - started
    return {"submissions": loaded, "documents": documents_loaded, "wall": wall, "sub_time": sub_time,
            "doc_time": doc_time, "new": loaded - first, "load": statistics.mean(loads) if loads else os.getloadavg()[0]}


def stored_samples(path: str, count: int, seed: int) -> dict:
    """Samples drawn from an already loaded database (a reused ``--data-dir``)."""
    samples = {"id": [], "nik": [], "nib": []}
    db = sqlite3.connect(path)
    top = db.execute("SELECT MAX(rowid) FROM submissions").fetchone()[0] or 0
    rng = random.Random(seed)
    rowids = sorted({rng.randrange(1, top + 1) for _ in range(count)}) if top else []
    for k in range(0, len(rowids), 500):
        chunk = rowids[k:k + 500]
        for (body,) in db.execute(f"SELECT body FROM submissions WHERE rowid IN ({','.join('?' * len(chunk))})", chunk):
            sub = json.loads(body)
            if sub.get("form_id") == "permohonan" and ("subject" in sub or "nik" in sub):
                add_sample(samples, sub)
    db.close()
    return samples


# --- measuring -----------------------------------------------------------------------------------------------------

def timed(fn, args_list, warm: int = 50) -> list[float]:
    for args in args_list[:warm]:
        fn(*args)
    times = []
    for args in args_list:
        t0 = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def month_windows(rng, count: int) -> list[tuple[str, str]]:
    """Random one-month creation windows (30 days) within the generated period."""
    span_days = (END - START).days - 30
    out = []
    for _ in range(count):
        start = START + dt.timedelta(days=rng.randrange(span_days))
        out.append((_iso(start), _iso(start + dt.timedelta(days=30))))
    return out


def measure(store, samples: dict, count: int, rng) -> dict:
    ids = [rng.choice(samples["id"]) for _ in range(count)]
    nibs = [rng.choice(samples["nib"]) for _ in range(count)]
    niks = [rng.choice(samples["nik"]) for _ in range(count)]
    windows = month_windows(rng, count)
    results = {}

    def by_nib(number):
        doc = store.find_document(number=number)
        assert doc is not None, number
        assert store.get_submission(doc["application_id"]) is not None

    def by_id(sid):
        assert store.get_submission(sid) is not None, sid

    def by_nik(nik):
        assert store.find_submissions_by_subject(nik), nik

    def page(window, offset):
        return store.list_submissions("permohonan", status="completed", created_from=window[0], created_to=window[1],
                                      limit=50, offset=offset)

    print("measuring: look-up by id", flush=True)
    results["id"] = timed(by_id, [(x,) for x in ids])
    print("measuring: look-up by NIB (document, then its application)", flush=True)
    results["nib"] = timed(by_nib, [(x,) for x in nibs])
    print("measuring: look-up by NIK", flush=True)
    results["nik"] = timed(by_nik, [(x,) for x in niks])
    print("measuring: officers' list, first page", flush=True)
    results["page0"] = timed(page, [(w, 0) for w in windows])
    print("measuring: officers' list, deep page (offset 10,000)", flush=True)
    results["page_deep"] = timed(page, [(w, 10_000) for w in windows])
    results["page_deep_rows"] = statistics.median(len(page(w, 10_000)) for w in windows[:20])
    results["page0_rows"] = statistics.median(len(page(w, 0)) for w in windows[:20])
    results["nik_rows"] = statistics.mean(len(store.find_submissions_by_subject(x)) for x in niks[:200])
    results["windows"] = windows
    return results


def measure_aggregate(store, runs: int) -> tuple[list[float], int, int]:
    print("measuring: KBLI counts per month over a year", flush=True)
    times, rows = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        rows = store.count_issued_by_category_month("2025-11-01", "2026-11-01")
        times.append((time.perf_counter() - t0) * 1000)
    return times, len(rows), sum(r["count"] for r in rows)


def measure_inserts(store, gen: Generator, count: int) -> tuple[float, list[float]]:
    """Single insert_submission calls after the load (each its own transaction): calls/s and ms each."""
    print(f"measuring: {count} single insert_submission calls", flush=True)
    docs = []
    for _ in range(count):
        sub, _ = gen.application(gen.n - 1)  # a new id each time; dates of the latest application
        sub.pop("version", None)
        docs.append(sub)
    times = []
    t0 = time.perf_counter()
    for doc in docs:
        s = time.perf_counter()
        store.insert_submission(doc)
        times.append((time.perf_counter() - s) * 1000)
    return count / (time.perf_counter() - t0), times


def one_document(gen: Generator) -> dict:
    """A new NIB document (not loaded before) for insert_document."""
    _, doc = gen.application(gen.n - 1)
    while doc is None:
        _, doc = gen.application(gen.n - 1)
    doc.pop("version", None)
    doc["number"] = make_nib(9_000_000_000 + gen.nib_serial)
    return doc


def plan_calls(store, gen: Generator, samples: dict, window: tuple[str, str]) -> dict:
    """One call of each measured store method, to catch the statements it runs."""
    sid, nib, nik = samples["id"][0], samples["nib"][0], samples["nik"][0]

    def page(offset):
        return lambda: store.list_submissions("permohonan", status="completed", created_from=window[0],
                                              created_to=window[1], limit=50, offset=offset)
    return {"get_submission": lambda: store.get_submission(sid),
            "find_document(number=)": lambda: store.find_document(number=nib),
            "find_submissions_by_subject": lambda: store.find_submissions_by_subject(nik),
            "list_submissions, first page": page(0),
            "list_submissions, offset 10,000": page(10_000),
            "count_issued_by_category_month": lambda: store.count_issued_by_category_month("2025-11-01", "2026-11-01"),
            "insert_document": lambda: store.insert_document(one_document(gen))}


def measure_insert_document(store, gen: Generator, count: int) -> list[float]:
    """Single insert_document calls after the load (what issuing one document costs the store)."""
    times = []
    for _ in range(count):
        doc = one_document(gen)
        s = time.perf_counter()
        store.insert_document(doc)
        times.append((time.perf_counter() - s) * 1000)
    return times


def measure_search(store, samples: dict, count: int, rng, repeat: int = 1) -> tuple[list, list]:
    """The officers' search (backoffice.search → Store.search_submissions: a page of 20 and the total), ``repeat``
    runs of ``count`` calls per kind of query. Returns rows (label, times of each run in ms, median total, how the
    totals were counted) and the 1-minute load average at the start of each run."""
    from collections import Counter

    from formserver.backoffice import search
    windows = [day_range(dt.date(2025, 10, 1) + dt.timedelta(days=d), dt.date(2025, 10, 30) + dt.timedelta(days=d))
               for d in (rng.randrange(390) for _ in range(count))]
    kinds = {
        "NIB (`nib=`)": lambda i: (Query(nib=rng.choice(samples["nib"])), None, None, 1),
        "NIK (`nik=`)": lambda i: (Query(nik=rng.choice(samples["nik"])), None, None, 1),
        "a first name (`q=budi`, about 1 in 36 applicants)": lambda i: (Query(q=rng.choice(samples["name"]).split()[0]), None, None, 1),
        "a full name (`q=budi santoso`)": lambda i: (Query(q=rng.choice(samples["name"])), None, None, 1),
        "a KBLI code, popular ones most often (`kbli=`)": lambda i: (Query(kbli=rng.choice(samples["kbli"])), None, None, 1),
        "KBLI and risk (`kbli=&risk=RENDAH`)": lambda i: (Query(kbli=rng.choice(samples["kbli"]), risk="RENDAH"), None, None, 1),
        "status alone (`status=TERBIT`, 85% of all)": lambda i: (Query(status="TERBIT"), None, None, 1),
        "status and a 30-day range (`status=TERBIT&from=&to=`)": lambda i: (Query(status="TERBIT"), *windows[i], 1),
        "nothing (every application), first page": lambda i: (Query(), None, None, 1),
        "status alone, page 500 (offset 9,980)": lambda i: (Query(status="TERBIT"), None, None, 500),
    }
    calls = {label: [make(i) for i in range(count)] for label, make in kinds.items()}
    rows = {label: ([], 0.0, Counter()) for label in kinds}
    loads = []
    for run in range(repeat):
        loads.append(os.getloadavg()[0])
        for label, args in calls.items():
            print(f"measuring (run {run + 1} of {repeat}): search by {label}", flush=True)
            runs, _, how = rows[label]
            if not run:
                totals = [search(store, *a).total for a in args[:50]]
                how.update("estimate" if t.estimate else "at least" if t.capped else "exact" for t in totals)
                rows[label] = (runs, statistics.median(totals), how)
            runs.append(timed(lambda *a: search(store, *a), args, warm=20))
    return [(label, runs, total, how) for label, (runs, total, how) in rows.items()], loads


def search_plans(store, path) -> dict:
    return store_plans(store, path, {
        "status alone": lambda: store.search_submissions(Query(status="TERBIT").terms(), limit=20),
        "a full name and status": lambda: store.search_submissions(Query(q="budi santoso", status="TERBIT").terms(), limit=20),
    }) if path else {}


def search_only(args, command: str, store, path, n: int, samples: dict, rng, loaded: dict) -> None:
    """--only-search: the search's section alone (the issue-4 section keeps its own run's numbers)."""
    rows, loads = measure_search(store, samples, args.samples, rng, args.repeat)
    if loaded["new"]:
        how = (f"loaded by this run: {loaded['new']:,} applications in {loaded['wall'] / 60:.1f} min including the "
               f"index build ({loaded['new'] / loaded['wall']:,.0f} a second; `Store.bulk_load`, batches of {BATCH:,}, "
               f"generated by worker processes), load average {loaded['load']:.1f} while loading")
    elif "earlier" in loaded:
        e = loaded["earlier"]
        how = (f"loaded at {e['at']} by an earlier run of this script into the same `--data-dir` and reused: "
               f"{e['new']:,} applications in {'about ' if e.get('approx') else ''}{e['wall'] / 60:.1f} min including "
               f"the index build ({e['new'] / e['wall']:,.0f} "
               f"a second; `Store.bulk_load`, batches of {BATCH:,}, generated by worker processes), load average "
               f"{e['load']:.1f} while loading" + (f"; {e['note']}" if e.get("note") else ""))
    else:
        how = "loaded by an earlier run into the same `--data-dir` and reused"
    text = search_report(n, rows, command, search_plans(store, path), loads)
    text = text.replace("in the same run and on the same N", "on N", 1).replace(
        "applications as the section above", "applications generated as for the section above (" + how + ")"
        + (f"; loading stopped at {n:,} of the {args.n:,} asked for (the {args.load_minutes:g}-minute load budget)"
           if n < args.n else ""), 1)
    print(text)
    if not args.no_write:
        write_section(SEARCH_SECTION, text)
    store.close()


def search_report(n: int, rows, command: str, plans: dict, loads: list[float]) -> str:
    pooled = {label: [t for run in runs for t in run] for label, runs, _, _ in rows}
    met = all(percentile(times, 99) < TARGET_LIST_MS for times in pooled.values())
    repeat = len(loads)
    lines = [SEARCH_SECTION, "",
             f"Run of {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `{command.strip()}` on {machine()}, in the same run "
             f"and on the same N = **{n:,}** applications as the section above (each with its search terms: NIB, NIK, "
             "KBLI codes, risk levels, status, month, words of the names; `formserver/search.py`). One call is "
             "`backoffice.search`: one page of 20, newest change first, and the total, as "
             "`GET /api/v1/officer/submissions` runs it (without HTTP). "
             f"{repeat} run{'s' if repeat > 1 else ''} of every query shape; the 1-minute load average at the start of "
             f"each: {', '.join(f'{x:.1f}' for x in loads)} (2 cores: above 2, other processes — other helpers' test "
             "suites — were waiting for the CPU, and these times include that waiting).", "",
             "| search by | calls | p50 (ms) | p99 (ms) | target (p99) | p99 of each run (ms) | median total (how counted) |",
             "|---|---:|---:|---:|---|---:|---:|"]
    for label, runs, total, how in rows:
        counted = ", ".join(f"{k} {v}" if len(how) > 1 else k for k, v in how.most_common())
        lines.append(row(label, pooled[label], TARGET_LIST_MS)
                     + f" {' / '.join(f'{percentile(r, 99):.1f}' for r in runs)} | {total:,.0f} ({counted}) |")
    lines += ["", f"Target p99 < {TARGET_LIST_MS:g} ms over {n:,} applications: **{'met' if met else 'not met'}**"
              " (p99 over every call of every run).", "",
              "Reproduce: the command above, as it is, from the repository's root (it rewrites this section; "
              "`--no-write` only prints it). An empty or missing `--data-dir` is generated and loaded first "
              "(`--load-minutes` bounds that; a stopped load goes on from where it stopped at the next run), a "
              "loaded one is reused.", ""]
    if plans:
        lines += ["Query plans (SQLite):", ""] + [f"- {name}: `{plan}`" for name, plan in plans.items()] + [""]
    lines += ["- The store keeps one row per (submission, term) in `submission_terms`, indexed by (term, updated_at, id), "
              "and a count per term in `term_counts`. The rarest term drives: its rows are walked newest first "
              "straight from the index and every other term is one primary-key probe per row, so the page needs no "
              "sort and the walk stops with the page.",
              "- The total (docs/DECISIONS.md) is exact when it is cheap — one term without dates (read from "
              "`term_counts`), a page that ends the matches, a rarest term of at most 2,000 rows — otherwise an "
              "estimate (several terms: the rarest term's count times the share of matches among its newest 2,000 "
              "rows) or a lower bound (dates: one term counted up to 10,000 index entries). \"how counted\" says "
              "which, over the first 50 calls.", ""]
    return "\n".join(lines)


# --- SQLite facts (measurement code: a plain connection on the store's file) ---------------------------------------

SEQ_SQL = "SELECT COALESCE(MAX(seq), 0) + 1 FROM documents"


def store_plans(store, path: str, calls: dict) -> dict:
    """EXPLAIN QUERY PLAN of the SELECTs each store call really runs: the statements are caught with the
    trace callback of the store's connection for this thread (an observation hook, nothing is changed),
    then explained on a plain connection."""
    conn = getattr(store, "_db", None)
    if not isinstance(conn, sqlite3.Connection):
        return {}
    plain = sqlite3.connect(path)
    plans = {}
    try:
        for name, call in calls.items():
            seen: list[str] = []
            conn.set_trace_callback(seen.append)
            try:
                call()
            finally:
                conn.set_trace_callback(None)
            selects = [sql for sql in seen if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
            plans[name] = " | ".join("; ".join(row[3] for row in plain.execute("EXPLAIN QUERY PLAN " + sql))
                                     for sql in selects)
    finally:
        plain.close()
    return plans


def sqlite_has_seq_index(path: str) -> bool:
    db = sqlite3.connect(path)
    try:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'documents'"):
            first = db.execute(f"PRAGMA index_info('{name}')").fetchone()
            if first and first[2] == "seq":
                return True
        return False
    finally:
        db.close()


def sqlite_size(path: str) -> tuple[int, dict]:
    """Bytes of the database file and its -wal after a truncating checkpoint, and per table: bytes of the
    table itself and of its indexes (``{table: (table_bytes, index_bytes)}``)."""
    db = sqlite3.connect(path, timeout=60)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        size = sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
        try:
            pages = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"))
        except sqlite3.Error:
            return size, {}
        owner = dict(db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"))
    finally:
        db.close()
    per: dict[str, tuple[int, int]] = {}
    for name, nbytes in pages.items():
        table = owner.get(name, name)
        own, idx = per.get(table, (0, 0))
        per[table] = (own + nbytes, idx) if name == table else (own, idx + nbytes)
    return size, per


def seq_scan_cost(path: str, runs: int = 20) -> float:
    """ms for insert_document's `MAX(seq)` on this database (as it is planned now)."""
    db = sqlite3.connect(path)
    try:
        db.execute(SEQ_SQL).fetchone()
        t0 = time.perf_counter()
        for _ in range(runs):
            db.execute(SEQ_SQL).fetchone()
        return (time.perf_counter() - t0) * 1000 / runs
    finally:
        db.close()


# --- MongoDB facts -------------------------------------------------------------------------------------------------

def mongo_facts(store, uri: str) -> dict:
    """Data and index bytes, and the server's resident memory, from dbStats and serverStatus."""
    import pymongo
    db = getattr(store, "db", None)
    client = getattr(store, "client", None) or pymongo.MongoClient(uri)
    if db is None:
        db = client.get_default_database("formserver")
    facts = {"storage": 0, "indexes": 0, "data": 0, "resident_mib": None, "version": None, "db": db}
    try:
        stats = db.command("dbStats")
        facts.update(storage=int(stats.get("storageSize", 0)), indexes=int(stats.get("indexSize", 0)),
                     data=int(stats.get("dataSize", 0)))
        status = client.admin.command("serverStatus")
        facts.update(resident_mib=status.get("mem", {}).get("resident"), version=status.get("version"))
    except Exception as error:  # a server that refuses these commands (no clusterMonitor role): sizes unknown
        print(f"dbStats/serverStatus not available: {error}", flush=True)
    return facts


def what_if_page_index(path: str, store, windows: list) -> dict:
    """The officers' list again, through the store, with an index that also covers the `id DESC` tie-break
    (created on the benchmark's database through a plain connection, dropped afterwards)."""
    db = sqlite3.connect(path, timeout=60)
    try:
        t0 = time.perf_counter()
        db.execute("CREATE INDEX bench_submissions_form_id ON submissions (form_id, status, created_at, id)")
        build = time.perf_counter() - t0
        window = windows[0]
        plan = store_plans(store, path, {"page": lambda: store.list_submissions(
            "permohonan", status="completed", created_from=window[0], created_to=window[1], limit=50,
            offset=10_000)}).get("page", "")
        out = {"build_s": build, "plan": plan}
        for label, offset in (("page0", 0), ("page_deep", 10_000)):
            out[label] = timed(lambda w, o: store.list_submissions("permohonan", status="completed", created_from=w[0],
                                                                  created_to=w[1], limit=50, offset=o),
                               [(w, offset) for w in windows])
        db.execute("DROP INDEX bench_submissions_form_id")
    finally:
        db.close()
    return out


# --- report --------------------------------------------------------------------------------------------------------

def row(label: str, times: list[float], target: float | None = None) -> str:
    p50, p99 = statistics.median(times), percentile(times, 99)
    verdict = "" if target is None else (f"< {target:g} ms: **met**" if p99 < target else f"< {target:g} ms: **not met**")
    return f"| {label} | {len(times):,} | {p50:.2f} | {p99:.2f} | {verdict} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="submissions to generate (default 1,000,000)")
    parser.add_argument("--samples", type=int, default=2000, help="timed calls per look-up and list query")
    parser.add_argument("--aggregate-runs", type=int, default=3)
    parser.add_argument("--inserts", type=int, default=2000, help="single insert_submission calls after the load")
    parser.add_argument("--data-dir", help="where the SQLite store goes (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated database: the temporary directory, or the MongoDB database "
                             "(a --data-dir is never deleted)")
    parser.add_argument("--mongodb-uri", help="run against MongoDB instead of the embedded store")
    parser.add_argument("--load-minutes", type=float, default=17.0,
                        help="stop loading after this long and measure at the N reached (default 17)")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--stock-schema", action="store_true",
                        help="do not add the benchmark's index on documents(seq) (see the report)")
    parser.add_argument("--no-write", action="store_true", help="print the report, leave docs/PERFORMANCE.md alone")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the officers' search measurement (default 1)")
    parser.add_argument("--only-search", action="store_true",
                        help="after the load, measure the officers' search alone and write only its section")
    args = parser.parse_args()

    command = "python benchmarks/scale.py " + " ".join(sys.argv[1:])
    began = time.perf_counter()
    temp = None
    if args.mongodb_uri:
        data_dir = temp = tempfile.mkdtemp(prefix="formserver-scale-")
        config = {"STORE": "mongodb", "MONGODB_URI": args.mongodb_uri, "DATA_DIR": data_dir}
    else:
        data_dir = args.data_dir or (temp := tempfile.mkdtemp(prefix="formserver-scale-"))
        config = {"STORE": "sqlite", "DATA_DIR": data_dir}
    store = open_store(config)
    backend = config["STORE"]
    path = str(Path(data_dir) / "formserver.sqlite3") if backend == "sqlite" else None
    workaround = False
    if path and not args.stock_schema and not sqlite_has_seq_index(path):
        # insert_document and restore_many("documents") compute MAX(seq) over the whole documents table;
        # without an index that leads with seq that is a full index scan per document (see the report).
        db = sqlite3.connect(path)
        db.execute("CREATE INDEX IF NOT EXISTS bench_documents_seq ON documents (seq)")
        db.close()
        workaround = True
    print(f"store: {backend} ({path or args.mongodb_uri}); N = {args.n:,}; {machine()}", flush=True)

    gen = Generator(args.n, args.seed)
    samples = {"id": [], "nik": [], "nib": []}
    sample_p = min(1.0, 20_000 / args.n)
    # a --data-dir loaded before (batches go in whole and in order): go on from where it stopped
    first = sqlite3.connect(path).execute("SELECT COUNT(*) FROM submissions").fetchone()[0] if path else 0
    if first:
        print(f"reusing the {first:,} applications already in {path}", flush=True)
        samples = stored_samples(path, 20_000, args.seed)
    print(f"generating and loading in batches of {BATCH:,}" + (" (applications only)" if args.only_search else ""),
          flush=True)
    loaded = load(store, args.n, args.seed, min(first, args.n), time.perf_counter() + args.load_minutes * 60, samples,
                  sample_p, documents=not args.only_search)
    n = loaded["submissions"]
    facts = Path(data_dir) / "load.json"  # how a kept --data-dir was loaded, for the runs that reuse it
    if loaded["new"]:
        facts.write_text(json.dumps({**loaded, "at": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"}))
    elif facts.exists():
        loaded["earlier"] = json.loads(facts.read_text())
    peak_after_load, current_after_load = rss_kib()

    size = per_table = None
    if path:
        print("checkpointing and measuring the file", flush=True)
        size, per_table = sqlite_size(path)
    mongo = mongo_facts(store, args.mongodb_uri) if args.mongodb_uri else None

    rng = random.Random(args.seed + 1)
    if args.only_search:
        search_only(args, command, store, path, n, samples, rng, loaded)
        return
    results = measure(store, samples, args.samples, rng)
    agg_times, agg_rows, agg_total = measure_aggregate(store, args.aggregate_runs)
    search_rows, search_loads = measure_search(store, samples, args.samples, rng, args.repeat)
    plans_of_search = search_plans(store, path)
    insert_rate, insert_times = measure_inserts(store, gen, args.inserts)
    doc_insert = measure_insert_document(store, gen, 200)
    stock_doc_insert = seq_ms = what_if = None
    plans = store_plans(store, path, plan_calls(store, gen, samples, results["windows"][0])) if path else {}
    if "TEMP B-TREE" in plans.get("list_submissions, offset 10,000", ""):
        print("measuring: the officers' list again with an index that covers its whole ORDER BY", flush=True)
        what_if = what_if_page_index(path, store, results["windows"])
    if path and workaround:
        # what issuing a document costs with the schema as formserver creates it, at this size
        db = sqlite3.connect(path)
        db.execute("DROP INDEX bench_documents_seq")
        db.close()
        seq_ms = seq_scan_cost(path)
        stock_doc_insert = measure_insert_document(store, gen, 50)
        plans["insert_document (formserver's schema, without the benchmark's index)"] = store_plans(
            store, path, {"insert_document": lambda: store.insert_document(one_document(gen))})["insert_document"]
    peak, current = rss_kib()
    if mongo:
        mongo.update({k: v for k, v in mongo_facts(store, args.mongodb_uri).items() if k == "resident_mib"})
    total_minutes = (time.perf_counter() - began) / 60

    point_ok = all(percentile(results[k], 99) < TARGET_POINT_MS for k in ("id", "nib", "nik"))
    list_ok = all(percentile(results[k], 99) < TARGET_LIST_MS for k in ("page0", "page_deep"))
    for label, ok in (("point look-ups p99 < 5 ms", point_ok), ("list page p99 < 50 ms", list_ok)):
        print(f"target {label}: {'met' if ok else 'NOT MET'}", flush=True)

    text = report(args, command, backend, n, loaded, results, agg_times, agg_rows, agg_total, insert_rate,
                  insert_times, doc_insert, stock_doc_insert, seq_ms, size, per_table, plans, mongo,
                  (peak_after_load, current_after_load, peak, current), workaround, total_minutes, point_ok, list_ok,
                  what_if)
    print(text)
    searched = search_report(n, search_rows, command, plans_of_search, search_loads)
    print(searched)
    if not args.no_write:
        write_section(SECTION, text)
        write_section(SEARCH_SECTION, searched)
        print(f"written to {ROOT / 'docs' / 'PERFORMANCE.md'}")
    if mongo and not args.keep:
        mongo["db"].client.drop_database(mongo["db"].name)  # before close(): the store owns the client
    store.close()
    if args.keep:
        print(f"kept: {path or args.mongodb_uri}")
    elif temp:
        shutil.rmtree(temp, ignore_errors=True)


def report(args, command, backend, n, loaded, results, agg_times, agg_rows, agg_total, insert_rate, insert_times,
           doc_insert, stock_doc_insert, seq_ms, size, per_table, plans, mongo, rss, workaround, total_minutes,
           point_ok, list_ok, what_if=None) -> str:
    peak_load, current_load, peak, current = rss
    docs = loaded["documents"]
    partial = "" if n == args.n else (f" **Loading stopped at {n:,} of the {args.n:,} asked for** (the "
                                      f"{args.load_minutes:g}-minute load budget): the numbers are for {n:,}.")
    where = "the embedded SQLite store (one file, WAL)" if backend == "sqlite" else "MongoDB (`STORE=mongodb`)"
    lines = [
        SECTION, "",
        f"Run of {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}; {where}; one process "
        f"(the benchmark calls the store directly, no HTTP). N = **{n:,}** submissions of the permit form "
        f"(`permohonan`, {COMPLETED_SHARE:.0%} completed, the rest drafts at a random step; created "
        f"2025-10-01 .. 2026-11-30 in time order; 1–3 activities each with KBLI codes from the KBLI 2020 table, "
        f"popular codes first, then a long tail; products, addresses in Riau, capital; a top-level `subject` (the NIK) shared by "
        f"about 1.3 applications per applicant) and **{docs:,}** issued NIB documents (one per completed "
        f"application, unique 13-digit NIB, signature, office, holder, activities). The whole run took "
        f"{total_minutes:.1f} minutes.{partial}", "",
        f"Reproduce: `python benchmarks/scale.py` (this run: `{command.strip()}`; `--data-dir DIR` puts the "
        f"database there and keeps it, `--mongodb-uri mongodb://HOST/DB` runs the same against MongoDB, `--n` sets N; about "
        f"{total_minutes:.0f} minutes for N = {n:,} here).", "",
        "| query | calls | p50 (ms) | p99 (ms) | target (p99) |",
        "|---|---:|---:|---:|---|",
        row("`get_submission(id)`", results["id"], TARGET_POINT_MS),
        row("by NIB: `find_document(number=)` then `get_submission(application_id)`", results["nib"], TARGET_POINT_MS),
        row(f"`find_submissions_by_subject(nik)` (on average {results['nik_rows']:.1f} submissions each)", results["nik"],
            TARGET_POINT_MS),
        row("officers' list: `list_submissions(\"permohonan\", status=\"completed\", 30-day created window)`, "
            "page of 50, newest first, first page", results["page0"], TARGET_LIST_MS),
        row(f"the same, deep page (offset 10,000; median {results['page_deep_rows']:.0f} rows returned)",
            results["page_deep"], TARGET_LIST_MS),
        row(f"`count_issued_by_category_month(\"2025-11-01\", \"2026-11-01\")` ({agg_rows:,} month×KBLI rows, "
            f"{agg_total:,} activities counted)", agg_times),
        row("`insert_submission` (one call, its own transaction), after the load", insert_times),
        row("`insert_document` (one NIB, its own transaction), after the load", doc_insert),
    ]
    if stock_doc_insert:
        lines.append(row("`insert_document` with formserver's schema as it is (no index on `documents.seq`)",
                         stock_doc_insert))
    lines += ["", "| fact | value |", "|---|---:|",
              f"| load: submissions (`restore_many(\"submissions\")`, batches of {BATCH:,}) | "
              f"{loaded['new'] / max(loaded['sub_time'], 1e-9):,.0f} records/s |",
              f"| load: documents (`restore_many(\"documents\")`) | {docs / max(loaded['doc_time'], 1e-9):,.0f} records/s |",
              f"| load: both, including generating the records in Python | {(loaded['new'] + docs) / loaded['wall']:,.0f} records/s "
              f"({loaded['wall'] / 60:.1f} min) |",
              f"| single `insert_submission` calls after the load | {insert_rate:,.0f} calls/s |"]
    if size is not None:
        lines.append(f"| database file incl. `-wal` after `PRAGMA wal_checkpoint(TRUNCATE)` | "
                     f"{size / 2**30:.2f} GiB |")
        lines.append(f"| **bytes on disk per submission** (file ÷ N; includes its NIB document and every index) | "
                     f"**{size / n:,.0f}** |")
        for table, (own, idx) in sorted(per_table.items(), key=lambda item: -sum(item[1])):
            if own + idx >= 2**20:
                lines.append(f"| of which `{table}`: table / its indexes | {own / 2**20:,.0f} / {idx / 2**20:,.0f} MiB "
                             f"({(own + idx) / n:,.0f} B per submission) |")
        index_bytes = sum(idx for _, idx in per_table.values())
        if index_bytes:
            lines.append(f"| all indexes together | {index_bytes / 2**20:,.0f} MiB ({index_bytes / n:,.0f} B per "
                         f"submission) |")
    if mongo and not mongo["storage"]:
        lines.append("| MongoDB sizes and resident memory | not available (dbStats/serverStatus refused) |")
    elif mongo:
        lines.append(f"| MongoDB {mongo.get('version')}: data size / storage size / index size | "
                     f"{mongo['data'] / 2**30:.2f} / {mongo['storage'] / 2**30:.2f} / {mongo['indexes'] / 2**30:.2f} GiB |")
        lines.append(f"| **bytes on disk per submission** ((storage + indexes) ÷ N) | "
                     f"**{(mongo['storage'] + mongo['indexes']) / n:,.0f}** |")
        lines.append(f"| mongod resident memory (serverStatus) | {mongo.get('resident_mib')} MiB |")
    lines += [f"| benchmark process RSS after the load: current / peak (`/proc/self/status` VmRSS, `getrusage` maxrss) | "
              f"{current_load / 1024:,.0f} / {peak_load / 1024:,.0f} MiB |",
              f"| benchmark process RSS at the end: current / peak | {current / 1024:,.0f} / {peak / 1024:,.0f} MiB |", ""]
    lines += [f"Targets on the embedded store: point look-ups p99 < {TARGET_POINT_MS:g} ms — "
              f"**{'met' if point_ok else 'not met'}**; list page p99 < {TARGET_LIST_MS:g} ms — "
              f"**{'met' if list_ok else 'not met'}**." if backend == "sqlite" else
              "The targets are for the embedded store; these MongoDB numbers are for comparison.", ""]
    if plans:
        lines += ["Query plans of the statements each store call ran (caught with the connection's trace callback, "
                  "`EXPLAIN QUERY PLAN` on the loaded file):", ""]
        lines += [f"- {name}: `{plan}`" for name, plan in plans.items()]
        lines.append("")
    lines += ["Notes:", ""]
    estimate = ""
    if seq_ms is not None and docs:
        hours = seq_ms * docs / 2 / 1000 / 3600  # the k-th document scans about k/D of what the last one scans
        estimate = (f" Loading the {docs:,} documents with the schema as it is would spend about {hours:.1f} hours in "
                    f"these scans alone (the k-th document scans k entries: about D/2 × {seq_ms:.1f} ms)"
                    + (", so neither this benchmark nor a `formserver import` of a store this size would finish in "
                       "any reasonable window." if hours > 1 else "."))
    if workaround or stock_doc_insert:
        stock = (f" With the schema as it is, at this size one `MAX(seq)` took {seq_ms:.1f} ms and one "
                 f"`insert_document` {statistics.median(stock_doc_insert):.1f} ms median "
                 f"(p99 {percentile(stock_doc_insert, 99):.1f} ms), against "
                 f"{statistics.median(doc_insert):.2f} ms with the index." if stock_doc_insert else
                 (f" `MAX(seq)` took {seq_ms:.2f} ms here." if seq_ms is not None else ""))
        lines.append(
            "- **`documents.seq` needs an index.** `SQLiteStore.insert_document` and `restore_many(\"documents\")` "
            "number each document with `SELECT COALESCE(MAX(seq), 0) + 1 FROM documents`, inside the write "
            "transaction. No index leads with `seq` (`documents_application` is `(application_id, seq)`), so SQLite "
            "answers it by scanning a whole index: the cost grows with the table, every issued document pays it, "
            "and it holds the store's write lock meanwhile." + stock + estimate +
            (" This run therefore added `CREATE INDEX bench_documents_seq ON documents (seq)` to the benchmark's "
             "database before loading (measurement scaffolding, not formserver's schema; `--stock-schema` leaves it "
             "out). The fix in `formserver/store/sqlite.py`: add `CREATE INDEX IF NOT EXISTS documents_seq ON "
             "documents (seq)` to `SCHEMA` (then `MAX(seq)` is one B-tree seek; the benchmark detects the index and "
             "stops adding its own)." if workaround else ""))
    if backend != "sqlite":
        lines.append("- MongoDB: the same calls through `MongoStore` (write concern and read preference from the "
                     "configuration's defaults: majority, primary). `skip(10000)` walks the index like SQLite's "
                     "OFFSET; on a sharded cluster mongos asks every shard for offset + limit documents.")
        lines.append("- The RSS figures are this benchmark process; mongod's own memory is the resident figure above.")
        return "\n".join(lines) + "\n"
    kbli_plan = plans.get("count_issued_by_category_month", "")
    agg = statistics.median(agg_times)
    if "json_each" in kbli_plan or "VIRTUAL TABLE" in kbli_plan:
        lines.append(
            f"- `count_issued_by_category_month` over a year reads every NIB issued in it and parses each body's JSON "
            f"(`json_each` over `content.activities`): its time grows with the NIBs in the range ({agg / 1000:.1f} s "
            f"for {agg_total:,} activities here). It is a report, not a page: run it from a cache refreshed off-peak, "
            f"or keep a `document_kbli (document_id, month, kbli)` side table filled at insert (as `submission_nik` "
            f"is) so the count is an index-only `GROUP BY`.")
    else:
        lines.append(
            f"- `count_issued_by_category_month` over a year: {agg:,.0f} ms median for {agg_total:,} activities in "
            f"{agg_rows:,} month×KBLI groups (plan above). It still touches one index entry per issued activity of "
            f"the period, so it grows linearly with the period's NIBs; it is a report, not a page.")
    deep_p99 = percentile(results["page_deep"], 99)
    margin = ("over the target" if deep_p99 >= TARGET_LIST_MS else
              "within the target but with little margin" if deep_p99 > TARGET_LIST_MS / 2 else "within the target")
    deep_plan = plans.get("list_submissions, offset 10,000", "")
    if "TEMP B-TREE" in deep_plan:
        deep = (f"- The deep page pays for its offset: the index SQLite uses does not hold the `id DESC` tie-break "
                f"(\"USE TEMP B-TREE FOR RIGHT PART OF ORDER BY\"), so every one of the 10,050 rows — body included — "
                f"goes through a sorter before `OFFSET` discards 10,000 of them: p50 "
                f"{statistics.median(results['page_deep']):.1f} ms, p99 {deep_p99:.1f} ms, {margin}, and linear in "
                f"the offset.")
    else:
        deep = (f"- The officers' list walks an index that holds its whole ORDER BY (plan above: no sorter), so "
                f"`OFFSET` skips index entries without reading their rows: the deep page (offset 10,000) took p50 "
                f"{statistics.median(results['page_deep']):.1f} ms / p99 {deep_p99:.1f} ms against the first page's "
                f"{statistics.median(results['page0']):.1f} / {percentile(results['page0'], 99):.1f} ms. It still "
                f"grows with the offset; a keyset page (`created_at < last seen`) would not.")
    if what_if:
        deep += (f" **Fix:** an index that covers the whole ORDER BY, `CREATE INDEX IF NOT EXISTS submissions_form_id "
                 f"ON submissions (form_id, status, created_at, id)` (it can replace `submissions_form`; built in "
                 f"{what_if['build_s']:.1f} s on this database). Measured in the same run: first page p50 "
                 f"{statistics.median(what_if['page0']):.2f} / p99 {percentile(what_if['page0'], 99):.2f} ms, deep "
                 f"page p50 {statistics.median(what_if['page_deep']):.2f} / p99 "
                 f"{percentile(what_if['page_deep'], 99):.2f} ms (plan: `{what_if['plan']}`): no sorter, and the "
                 f"skipped rows' bodies are never read. A keyset page (`created_at < last seen` instead of `OFFSET`) would "
                 f"make every page cost the first page's time.")
    lines.append(deep)
    if not (workaround or stock_doc_insert or what_if):
        lines.append(BEFORE)
    lines.append(
        "- The RSS figures are this benchmark process (generator, samples and SQLite's page cache of 2 MiB per "
        "connection); a server worker holds no data of its own, so its RSS does not grow with N. The database file "
        "is read through the operating system's page cache: for look-ups at these times the hot part (the indexes "
        "and recent rows) has to fit in RAM — see docs/DEPLOYMENT.md for sizing.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
