"""The formserver command."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args, **env):
    """The command in a process of its own; ``env`` adds to (or, with None, removes from) the environment."""
    environment = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    return subprocess.run([sys.executable, "-m", "formserver.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env=environment)


NO_LOCALE = dict.fromkeys(("FORMSERVER_LOCALE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"))


def test_check_accepts_the_shipped_forms():
    result = run("check", "forms/registrasi.json")
    assert result.returncode == 0 and "OK" in result.stdout


def test_check_reports_problems_with_pointers(tmp_path):
    doc = json.loads((ROOT / "forms" / "registrasi.json").read_text())
    doc["steps"][0]["fields"][0]["visible_if"] = {"==": [{"var": "tidak_ada"}, 1]}
    doc["steps"][1]["key"] = "skala"
    del doc["steps"][2]["title"]["en"]
    broken = tmp_path / "rusak.json"
    broken.write_text(json.dumps(doc))
    bad_json = tmp_path / "bukan.json"
    bad_json.write_text("{ not json")
    result = run("check", str(broken), str(bad_json), FORMSERVER_LOCALE="en")
    assert result.returncode == 1
    assert (f"{broken}:/steps/2/title: Step 'kontak': the text 'title' is missing translation 'en' (English); "
            "every text needs both") in result.stdout
    assert (f"{bad_json}:/: the content is not valid JSON at line 1, column 3: a name inside {{ }} must be in double "
            "quotes") in result.stdout
    # office staff read Indonesian unless they ask otherwise: no locale set, or one the server does not offer
    for env in (NO_LOCALE, {**NO_LOCALE, "LANG": "fr_FR.UTF-8"}):
        said = run("check", str(broken), str(bad_json), **env)
        assert said.returncode == 1
        assert (f"{broken}:/steps/2/title: Langkah 'kontak': teks 'title' belum punya terjemahan 'en' (bahasa "
                "Inggris); setiap teks memerlukan") in said.stdout
        assert (f"{bad_json}:/: isinya bukan JSON yang sah di baris 1, kolom 3: nama di dalam {{ }} harus di antara tanda "
                "kutip ganda") in said.stdout
        assert "Step '" not in said.stdout and "the content" not in said.stdout and "Expecting" not in said.stdout
    # the system's locale is the next choice: a server whose LANG is English answers in English
    assert "Step 'kontak': the text 'title'" in run("check", str(broken), **{**NO_LOCALE, "LANG": "en_US.UTF-8"}).stdout


def test_serve_refuses_a_broken_definition(tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "rusak.json").write_text('{"key": "rusak", "version": 1, "steps": []}')
    env = {**__import__("os").environ, "FORMSERVER_FORMS_DIR": str(forms), "FORMSERVER_DATA_DIR": str(tmp_path / "data"),
           "FORMSERVER_BASE_URL": "https://oss.example.test"}
    result = subprocess.run([sys.executable, "-m", "formserver.cli", "serve", "--port", "1"],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 1
    assert "rusak.json" in result.stderr and "formserver: tidak ada yang dijalankan." in result.stderr
    in_english = subprocess.run([sys.executable, "-m", "formserver.cli", "serve", "--port", "1"], capture_output=True,
                                text=True, cwd=ROOT, env={**env, "FORMSERVER_LOCALE": "en"}, timeout=60)
    assert in_english.returncode == 1 and "formserver: nothing was started." in in_english.stderr


def test_officer_account_and_revocation(tmp_path, app):
    import os
    env = {**os.environ, "FORMSERVER_DATA_DIR": str(tmp_path / "data")}
    add = subprocess.run([sys.executable, "-m", "formserver.cli", "officer", "add", "petugas1", "p1@kampar.go.id",
                          "--name", "Siti Petugas", "--password-stdin"], input="Petugas#2025\n",
                         capture_output=True, text=True, cwd=ROOT, env=env)
    assert add.returncode == 0, add.stderr
    weak = subprocess.run([sys.executable, "-m", "formserver.cli", "officer", "add", "petugas2", "p2@kampar.go.id",
                           "--name", "X", "--password-stdin"], input="lemah\n", capture_output=True, text=True,
                          cwd=ROOT, env=env)
    assert weak.returncode == 1 and weak.stderr
    missing = subprocess.run([sys.executable, "-m", "formserver.cli", "document", "revoke", "nope", "--reason", "x"],
                             capture_output=True, text=True, cwd=ROOT, env=env)
    assert missing.returncode == 1 and "formserver: dokumen nope tidak ada" in missing.stderr


def test_serve_refuses_an_unreachable_mongodb(tmp_path):
    import os
    env = {**os.environ, "FORMSERVER_DATA_DIR": str(tmp_path), "FORMSERVER_STORE": "mongodb",
           "FORMSERVER_BASE_URL": "https://oss.example.test",
           "FORMSERVER_MONGODB_URI": "mongodb://app:s3cret@127.0.0.1:1/formserver?serverSelectionTimeoutMS=500"}
    result = subprocess.run([sys.executable, "-m", "formserver.cli", "serve", "--port", "1"],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 1 and "FORMSERVER_SECRET_KEY" in result.stderr  # keys shared by every server
    env.update(FORMSERVER_SECRET_KEY="k" * 64, FORMSERVER_SIGNING_KEY_FILE="/k", FORMSERVER_SIGNING_CERT_FILE="/c",
               FORMSERVER_SIGNING_CERT_KEY_FILE="/ck")
    result = subprocess.run([sys.executable, "-m", "formserver.cli", "serve", "--port", "1"],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 1 and "tidak ada yang dijalankan" in result.stderr
    assert "mongodb" in result.stderr.lower() and "s3cret" not in result.stderr


# ids that plain argparse takes for options: token_urlsafe ids handed out before formserver.ids
DASH_IDS = ["-AbCdEfGhIjKlMnOp", "-hAbCdEfGhIjKlMnO", "--reasonAbCdEfGhI", "-_-_-_-_-_-_-_-_"]


def _document(document_id):
    return {"id": document_id, "application_id": "app1", "owner": "account:acc1", "type": "NIB", "activity": "",
            "number": f"N{abs(hash(document_id))}", "status": "VALID", "issued_at": "2026-11-01T00:00:00+00:00",
            "content": {}, "signature": ""}


@pytest.mark.parametrize("document_id", DASH_IDS)
@pytest.mark.parametrize("separator", [False, True])
def test_revoke_accepts_an_id_beginning_with_a_dash(tmp_path, monkeypatch, capsys, document_id, separator):
    from formserver import cli
    from formserver.store.sqlite import SQLiteStore
    store = SQLiteStore(tmp_path / "formserver.sqlite3")
    store.insert_document(_document(document_id))
    monkeypatch.setenv("FORMSERVER_DATA_DIR", str(tmp_path))
    argv = ["document", "revoke", "--reason", "izin dipalsukan", "--", document_id] if separator else \
        ["document", "revoke", document_id, "--reason", "izin dipalsukan"]
    assert cli.main(argv) == 0, capsys.readouterr().err
    assert store.get_document(document_id)["status"] == "REVOKED"


def test_options_are_still_options(capsys):
    from formserver import cli
    with pytest.raises(SystemExit) as exit_:
        cli.main(["document", "revoke", "--reasn", "x", "-AbCdEfGhIjKlMnOp"])
    assert exit_.value.code == 2 and "--reason" in capsys.readouterr().err  # a misspelt option is not an id
    with pytest.raises(SystemExit) as exit_:
        cli.main(["document", "revoke", "-h"])
    assert exit_.value.code == 0 and "document_id" in capsys.readouterr().out


def test_new_ids_cannot_look_like_options():
    import re

    from formserver.ids import new_id
    ids = [new_id() for _ in range(2000)] + [new_id(16) for _ in range(2000)]
    assert all(re.fullmatch(r"[a-z2-7]{20}", i) for i in ids[:2000])
    assert all(re.fullmatch(r"[a-z2-7]{26}", i) for i in ids[2000:])
    assert len(set(ids)) == len(ids)
