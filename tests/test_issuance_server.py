"""Exactly-once issuance against the real server: gunicorn with two worker processes, concurrent submits."""
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from formserver.store.sqlite import SQLiteStore

from .conftest import PASSWORD_HASH
from .smtp_server import free_port
from .test_permohonan import LOCATION, ONE_PRODUCT, PASSWORD, PROFILE

ROOT = Path(__file__).resolve().parent.parent


class Client:
    """JSON over HTTP with one session cookie."""

    def __init__(self, base):
        self.base, self.cookie = base, None

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"} if data else {})
        if self.cookie:
            request.add_header("Cookie", self.cookie)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw, headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, headers = error.code, error.read(), error.headers
        cookie = headers.get("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return status, json.loads(raw) if raw else None


@pytest.fixture
def server(tmp_path):
    store = SQLiteStore(tmp_path / "formserver.sqlite3")
    store.insert_account({"id": "acc1", "username": "budi0001", "email": "budi@example.test", "status": "active",
                          "password_hash": PASSWORD_HASH, "profile": PROFILE})
    store.close()
    port = free_port()
    env = {**os.environ, "FORMSERVER_DATA_DIR": str(tmp_path), "FORMSERVER_CAPTCHA": "off",
           "FORMSERVER_SECURE_COOKIES": "0", "HOME": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "formserver.cli", "serve", "--port", str(port), "--workers", "2"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the server did not start: " + process.stderr.read().decode()[-2000:])
    yield base, tmp_path
    process.terminate()
    process.wait(timeout=20)


def ready(client, kbli="47191"):
    """A new application, every step but the last done; its id."""
    status, body = client.call("POST", "/api/v1/forms/permohonan/submissions")
    assert status == 201, body
    sid = body["id"]
    steps = [("data_pelaku_usaha", {"npwp": "012345678901000", "email": "usaha@example.test"}),
             ("bidang_usaha", {"kegiatan_usaha": [{"jenis_kegiatan": "UTAMA", "kbli": kbli, "ruang_lingkup": "Toko"}]}),
             ("detail_usaha", {"kegiatan_usaha": [{**LOCATION, "modal_usaha": 50_000_000}]}),
             ("produk", {"kegiatan_usaha": [{"produk": ONE_PRODUCT}]}),
             ("ringkasan_usaha", {}),
             ("daftar_kegiatan", {"kegiatan_usaha": [{"dipilih": True}]}),
             ("pernyataan_mandiri", {"pernyataan_k3l": True, "pernyataan_sppl": True})]
    for step, values in steps:
        status, body = client.call("PUT", f"/api/v1/submissions/{sid}/steps/{step}", {"values": values})
        assert status == 200, (step, body)
    return sid


def test_concurrent_submits_to_two_workers_issue_once(server):
    base, data_dir = server
    client = Client(base)
    assert client.call("POST", "/api/v1/auth/login", {"username": "budi0001", "password": PASSWORD})[0] == 200
    sid = ready(client)
    results, barrier = [], threading.Barrier(8)

    def submit():
        barrier.wait()
        results.append(client.call("POST", f"/api/v1/submissions/{sid}/submit", {"values": {"setuju_terbitkan": True}}))
    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _ in results] == [200] * 8, results
    assert len({body["nib"] for _, body in results}) == 1
    assert len({tuple(sorted(d["id"] for d in body["documents"])) for _, body in results}) == 1
    store = SQLiteStore(data_dir / "formserver.sqlite3")
    assert len(store.documents_for(sid)) == 3  # NIB, pernyataan mandiri, SPPL
    nib = results[0][1]["nib"]
    assert store.find_document(number=nib)["type"] == "NIB"


def test_two_applications_of_one_account_submitted_at_once_to_two_workers_share_one_nib(server):
    base, data_dir = server
    client = Client(base)
    assert client.call("POST", "/api/v1/auth/login", {"username": "budi0001", "password": PASSWORD})[0] == 200
    sids = [ready(client), ready(client, "47192")]
    results, barrier = [], threading.Barrier(6)

    def submit(sid):
        barrier.wait()
        results.append(client.call("POST", f"/api/v1/submissions/{sid}/submit", {"values": {"setuju_terbitkan": True}}))
    threads = [threading.Thread(target=submit, args=(sid,)) for sid in sids for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _ in results] == [200] * 6, results
    assert len({body["nib"] for _, body in results}) == 1
    store = SQLiteStore(data_dir / "formserver.sqlite3")
    nib_documents = [d for sid in sids for d in store.documents_for(sid) if d["type"] == "NIB"]
    assert len(nib_documents) == 2
    latest = next(d for d in nib_documents if d["status"] == "VALID")
    assert sorted(a["kbli"] for a in latest["content"]["activities"]) == ["47191", "47192"]
    assert [d["status"] for d in nib_documents if d is not latest] == ["SUPERSEDED"]
