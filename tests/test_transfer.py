"""Export and import: streaming JSON Lines, lossless round trip, resumable after bad input."""
import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from formserver import transfer
from formserver.store.sqlite import SQLiteStore
from formserver.transfer import TransferError, export, import_

ROOT = Path(__file__).resolve().parent.parent
BIG_RUPIAH = 12_345_678_901_234_567_890  # larger than 64 bits: must come back as the same int
TEXT = "Śląsk ✓ Bangkinang"


@pytest.fixture(autouse=True)
def _english(in_english):
    """This module pins the commands' English wording (Indonesian is the default: see the test near the end)."""


def fill(store, submissions=12):
    """A store with something in every collection, built through the store interface."""
    store.insert_account({"id": "a1", "username": "budi", "email": "budi@example.id", "name": TEXT})
    store.insert_account({"id": "a2", "username": "siti", "email": "siti@example.id", "roles": ["officer"]})
    store.insert_account({"id": "a3", "username": "wati", "email": "wati@example.id"})
    for i in range(submissions):
        store.insert_submission({
            "id": f"s{i:03d}", "owner": "a1", "form_id": "registrasi", "form_version": 1,
            "status": "completed" if i % 2 else "draft", "subject": f"14010117089000{i:02d}",
            "created_at": f"2025-10-{i % 28 + 1:02d}T08:30:00+07:00", "updated_at": "2025-10-30T01:02:03.456789+00:00",
            "data": {"nama_usaha": f"{TEXT} {i}", "modal": BIG_RUPIAH + i, "luas": 12.5, "rasio": 0.1,
                     "kecil": 1e-7, "nol": 0, "kosong": None, "setuju": True,
                     "kegiatan": [{"kbli": "47191", "nilai": [1, 2.0, "3"], "catatan": "baris\nbaru\u2028\x85"}]},
        })
    store.insert_document({"id": "d1", "number": "0210250000011", "application_id": "s001", "type": "NIB",
                           "activity": "", "status": "issued", "issued_at": "2025-10-05T03:00:00+00:00",
                           "content": {"activities": [{"kbli": "47191", "modal": BIG_RUPIAH}]}, "categories": ["47191"]})
    store.insert_document({"id": "d2", "number": "SS-1", "application_id": "s001", "type": "SS", "activity": "47191",
                           "status": "issued", "issued_at": "2025-10-05T03:00:01+00:00", "content": {}})
    store.put_file({"id": "f1", "owner": "a1", "name": "bukti.pdf", "content_type": "application/pdf", "size": 9,
                    "sha256": "x", "created_at": "2025-10-05T03:00:00+00:00", "data": b"%PDF-\x00\xff\n"})
    store.put_code({"id": "email:a1", "digest": "abc", "expires": 1_760_000_000.25, "tries": 0})
    store.next_value("nib")
    store.next_value("nib")
    store.next_value("ss")
    store.claim("nib:s001", "0210250000011")
    store.insert_reference_table({"id": "r1", "kind": "kbli_risiko", "effective": "2025-10-05",
                                  "rows": [{"kode": "47191", "risiko": "R", "judul": TEXT}]})
    store.add_signing_key({"id": "0123456789abcdef", "algorithm": "Ed25519", "public_key": "A" * 43,
                           "added_at": "2025-10-01T00:00:00+00:00"})
    store.insert_form_version({"id": "registrasi@1", "form_id": "registrasi", "number": 1, "published_seq": 1,
                               "definition": {"key": "registrasi", "version": 1, "title": {"id": TEXT, "en": TEXT}},
                               "created_at": "2025-10-01T00:00:00+00:00", "created_by": "system:forms-dir"})
    store.insert_variant_version({"id": "kampar@1", "variant": "kampar", "number": 1, "published_seq": 1,
                                  "document": {"variant": "kampar", "identity": {"name": TEXT}},
                                  "created_at": "2025-10-01T00:00:00+00:00", "created_by": "system:variants-dir"})
    for i in range(5):
        store.append_event({"at": f"2025-10-05T03:00:0{i}+00:00", "subject": "s001", "type": "status",
                            "actor": "a1", "note": TEXT, "modal": BIG_RUPIAH})
    return store


def dump(store):
    return {name: list(store.iter_collection(name)) for name in store.COLLECTIONS}


def exported(store) -> str:
    out = io.StringIO()
    export(store, out)
    return out.getvalue()


def lines_of(text: str):
    return io.StringIO(text)


@pytest.fixture
def source(tmp_path):
    return fill(SQLiteStore(tmp_path / "source.sqlite3"))


@pytest.fixture
def target(tmp_path):
    return SQLiteStore(tmp_path / "target.sqlite3")


def test_round_trip_is_lossless(source, target):
    text = exported(source)
    lines = text.splitlines()
    header, trailer = json.loads(lines[0]), json.loads(lines[-1])
    assert header["format"] == "formserver-export" and header["version"] == 1 and header["created_at"]
    assert header["collections"] == list(source.COLLECTIONS)
    assert TEXT in text  # UTF-8 as is
    assert len(text.splitlines()) == text.count("\n")  # line separators inside strings are escaped
    original = dump(source)
    assert trailer == {"end": True, "counts": {name: len(records) for name, records in original.items()}}
    assert all(original[name] for name in source.COLLECTIONS)  # every collection has something

    added = import_(target, lines_of(text))
    assert added == trailer["counts"]
    assert dump(target) == original
    restored = target.get_submission("s003")["data"]
    assert restored["modal"] == BIG_RUPIAH + 3 and type(restored["modal"]) is int
    assert type(restored["luas"]) is float and restored["kecil"] == 1e-7 and restored["nol"] == 0
    assert type(restored["nol"]) is int
    assert restored["kegiatan"][0]["catatan"] == "baris\nbaru\u2028\x85"
    assert [d["id"] for d in target.find_submissions_by_subject("1401011708900003")] == ["s003"]
    # the export of the copy is the same file, apart from its creation time
    assert exported(target).splitlines()[1:] == lines[1:]
    assert target.next_value("nib") == 3  # counters continue where they were


@pytest.mark.parametrize("backend", ["sqlite", "mongomock"])
def test_an_export_made_before_the_neutral_keys_imports_in_the_new_shape(backend, tmp_path):
    if backend == "sqlite":
        store = SQLiteStore(tmp_path / "target.sqlite3")
    else:
        mongomock = pytest.importorskip("mongomock")
        from formserver.store.mongo import MongoStore
        store = MongoStore(mongomock.MongoClient(), "old_export", owns_client=True)
    text = (ROOT / "tests" / "data" / "export_before_neutral_keys.jsonl").read_text(encoding="utf-8")
    assert import_(store, lines_of(text)) == json.loads(text.splitlines()[-1])["counts"]
    upgraded = store.get_submission("s1")
    assert upgraded["subject"] == "1401011708900001" and "nik" not in upgraded and upgraded["version"] == 1
    assert [d["id"] for d in store.find_submissions_by_subject("1401011708900001")] == ["s1"]
    assert store.get_submission("s2")["subject"] is None
    assert store.search_submissions(["nik:1401011708900001"])[0][0]["id"] == "s1"  # search terms as they were
    assert store.count_issued_by_category_month("2025-10-01", "2026-01-01") == [
        {"month": "2025-10", "category": "10298", "count": 1}, {"month": "2025-10", "category": "47191", "count": 1},
        {"month": "2025-11", "category": "56101", "count": 1}]
    assert "categories" not in store.get_document("d3")
    assert import_(store, lines_of(text))["submissions"] == 0  # a second run adds nothing


def test_import_twice_adds_nothing_the_second_time(source, target):
    text = exported(source)
    assert sum(import_(target, lines_of(text)).values()) == sum(len(r) for r in dump(source).values())
    again = import_(target, lines_of(text), batch=7)
    assert set(again.values()) == {0}
    assert dump(target) == dump(source)


def test_bytes_lines_are_read_too(source, target):
    data = exported(source).encode("utf-8")
    import_(target, io.BytesIO(data))
    assert dump(target) == dump(source)


def test_corrupted_line_names_the_line_and_a_rerun_completes(source, target):
    text = exported(source)
    lines = text.splitlines(keepends=True)
    bad = next(i for i, line in enumerate(lines) if '"s007"' in line) + 1  # 1-based line number
    broken = lines[:]
    broken[bad - 1] = broken[bad - 1].replace('"owner":', '"owner"', 1)
    with pytest.raises(TransferError) as caught:
        import_(target, lines_of("".join(broken)), batch=3)
    message = str(caught.value)
    assert message.startswith(f"line {bad}: not valid JSON at column ")
    assert f"nothing after line {bad - 1} was imported" in message and "run the same import again" in message
    # everything before the bad line is in, nothing after it
    assert [s["id"] for s in target.iter_collection("submissions")] == [f"s{i:03d}" for i in range(7)]
    assert len(list(target.iter_collection("accounts"))) == 3
    assert list(target.iter_collection("documents")) == [] and list(target.iter_collection("events")) == []

    added = import_(target, lines_of(text), batch=3)
    assert added["accounts"] == 0 and added["submissions"] == 12 - 7 and added["events"] == 5
    assert dump(target) == dump(source)


@pytest.mark.parametrize("line, expected", [
    ('{"c":"submissions"}', "not an export record"),
    ('[1,2]', "not a JSON object"),
    ('{"c":"sessions","r":{"id":"x"}}', "unknown collection 'sessions'"),
    ('{"c":"accounts","r":{"username":"x"}}', "accounts record without its 'id'"),
    ('{"c":"accounts","r":{"id":"x","n":NaN}}', "not valid JSON"),
    ("", "not valid JSON"),
])
def test_bad_record_lines(source, target, line, expected):
    lines = exported(source).splitlines(keepends=True)
    lines.insert(3, line + "\n")  # after two accounts
    with pytest.raises(TransferError) as caught:
        import_(target, lines_of("".join(lines)))
    assert str(caught.value).startswith("line 4: ") and expected in str(caught.value)
    assert [a["id"] for a in target.iter_collection("accounts")] == ["a1", "a2"]


def test_bad_utf8_names_the_line(source, target):
    lines = exported(source).encode("utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(b"siti", b"s\xffti")
    with pytest.raises(TransferError, match=r"^line 3: not valid UTF-8"):
        import_(target, io.BytesIO(b"".join(lines)))
    assert [a["id"] for a in target.iter_collection("accounts")] == ["a1"]


@pytest.mark.parametrize("cut", ["mid-line", "line boundary"])
def test_truncated_file_is_detected_and_a_rerun_completes(source, target, cut):
    text = exported(source)
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if '"d2"' in line)  # 0-based: the second document
    if cut == "mid-line":
        truncated, last_line = "".join(lines[:at]) + lines[at][:25], at + 1
    else:
        truncated, last_line = "".join(lines[:at]), at
    with pytest.raises(TransferError) as caught:
        import_(target, lines_of(truncated))
    message = str(caught.value)
    assert message.startswith(f"the file ends at line {last_line} without its end marker: it is truncated")
    assert f"the {at - 1} records before were imported and a rerun on the complete file continues" in message
    assert [d["id"] for d in target.iter_collection("documents")] == ["d1"]
    assert len(list(target.iter_collection("submissions"))) == 12

    import_(target, lines_of(text))
    assert dump(target) == dump(source)


@pytest.mark.parametrize("first, expected", [
    ('{"format":"something-else","version":1,"collections":[]}', "not a formserver export file"),
    ('{"format":"formserver-export","version":2,"collections":["accounts"]}', "version 2 is not supported"),
    ('{"format":"formserver-export","version":1,"collections":["sessions"]}', "collections this formserver does not know (sessions)"),
    ("id,username,email", "not a formserver export file (not valid JSON"),
])
def test_wrong_header_imports_nothing(source, target, first, expected):
    lines = exported(source).splitlines(keepends=True)
    lines[0] = first + "\n"
    with pytest.raises(TransferError) as caught:
        import_(target, lines_of("".join(lines)))
    assert str(caught.value).startswith("line 1: ") and expected in str(caught.value)
    assert "nothing was imported" in str(caught.value)
    assert all(records == [] for records in dump(target).values())


def test_empty_file(target):
    with pytest.raises(TransferError, match="the file is empty"):
        import_(target, lines_of(""))


def test_conflicting_record_is_named(source, target):
    target.insert_account({"id": "other", "username": "siti", "email": "another@example.id"})
    text = exported(source)
    line = next(i for i, text_line in enumerate(text.splitlines(), 1) if '"id":"a2"' in text_line)
    with pytest.raises(TransferError) as caught:
        import_(target, lines_of(text))
    message = str(caught.value)
    assert message.startswith(f"line {line}: accounts record 'a2' conflicts with a different record")
    assert "same username" in message and f"nothing after line {line - 1} was imported" in message
    # the record before the conflict went in, nothing from the conflict on, nothing overwritten
    assert [a["id"] for a in target.iter_collection("accounts")] == ["a1", "other"]
    assert target.find_account(username="siti")["id"] == "other"
    assert list(target.iter_collection("submissions")) == []


def test_trailer_counts_are_checked(source, target):
    lines = exported(source).splitlines(keepends=True)
    del lines[5]  # a submission goes missing
    with pytest.raises(TransferError, match=r"end marker's counts do not match.*submissions 12 listed, 11 in the file"):
        import_(target, lines_of("".join(lines)))


def test_data_after_the_end_marker(source, target):
    text = exported(source) + "\n" + '{"c":"accounts","r":{"id":"zz"}}\n'
    with pytest.raises(TransferError, match="more data after the end marker"):
        import_(target, lines_of(text))
    assert dump(target) == dump(source)  # everything up to the marker is in


def test_progress_every_10000_records_and_at_the_end(tmp_path):
    rows = "".join(f'{{"c":"claims","r":{{"key":"k{i:05d}","value":"v"}}}}\n' for i in range(25_000))
    text = ('{"format":"formserver-export","version":1,"created_at":"2025-10-05T00:00:00+00:00",'
            '"collections":["accounts","claims","events"]}\n' + '{"c":"accounts","r":{"id":"a","username":"u",'
            '"email":"e","version":1}}\n' + rows + '{"end":true,"counts":{"accounts":1,"claims":25000,"events":0}}\n')
    store = SQLiteStore(tmp_path / "big.sqlite3")
    calls = []
    added = import_(store, lines_of(text), progress=lambda c, n: calls.append((c, n)))
    assert added == {"accounts": 1, "claims": 25_000, "events": 0}
    assert calls == [("accounts", 1), ("claims", 10_000), ("claims", 20_000), ("claims", 25_000)]

    calls.clear()
    counts = export(store, io.StringIO(), progress=lambda c, n: calls.append((c, n)))
    assert counts["claims"] == 25_000
    assert [call for call in calls if call[0] == "claims"] == [("claims", 10_000), ("claims", 20_000), ("claims", 25_000)]
    assert ("events", 0) in calls and len(calls) == len(store.COLLECTIONS) + 2


def test_progress_printer_rewrites_the_line_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True
    term = Terminal()
    printer = transfer._ProgressPrinter(term)
    printer("accounts", 3)
    printer("submissions", 10_000)
    printer("submissions", 12_000)
    printer.done()
    assert term.getvalue() == "\raccounts: 3\n\rsubmissions: 10000\rsubmissions: 12000\n"
    pipe = io.StringIO()
    printer = transfer._ProgressPrinter(pipe)
    printer("submissions", 10_000)
    printer.done()
    assert pipe.getvalue() == "submissions: 10000\n"


# command line

def run_command(*argv) -> int:
    parser = argparse.ArgumentParser(prog="formserver")
    transfer.add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_cli_export_and_import(tmp_path, monkeypatch, capsys):
    fill(SQLiteStore(tmp_path / "one" / "formserver.sqlite3"))
    monkeypatch.setenv("FORMSERVER_DATA_DIR", str(tmp_path / "one"))
    out = tmp_path / "export.jsonl"
    assert run_command("export", "--out", str(out)) == 0
    assert out.exists() and not (tmp_path / "export.jsonl.partial").exists()
    err = capsys.readouterr().err
    assert "submissions: 12" in err and "exported 31 records" in err

    monkeypatch.setenv("FORMSERVER_DATA_DIR", str(tmp_path / "two"))
    assert run_command("import", str(out)) == 0
    assert "imported 31 new records" in capsys.readouterr().err
    assert run_command("import", str(out)) == 0
    err = capsys.readouterr().err
    assert "imported 0 new records" in err and "31 were already in the store" in err
    assert dump(SQLiteStore(tmp_path / "two" / "formserver.sqlite3")) == dump(SQLiteStore(tmp_path / "one" / "formserver.sqlite3"))

    broken = tmp_path / "broken.jsonl"
    broken.write_text(out.read_text(encoding="utf-8").replace('"id":"s004"', '"id":"s004', 1), encoding="utf-8")
    monkeypatch.setenv("FORMSERVER_DATA_DIR", str(tmp_path / "three"))
    assert run_command("import", str(broken)) == 1
    err = capsys.readouterr().err
    assert "import of" in err and "not valid JSON" in err and "line 9:" in err

    assert run_command("import", str(tmp_path / "missing.jsonl")) == 1
    assert "cannot read" in capsys.readouterr().err


def test_cli_failed_export_leaves_no_file(tmp_path, monkeypatch, capsys):
    class Failing(SQLiteStore):
        def iter_collection(self, name):
            if name == "documents":
                raise OSError("disk on fire")
            return super().iter_collection(name)
    store = fill(Failing(tmp_path / "data.sqlite3"))
    monkeypatch.setattr(transfer, "_open_store", lambda: store)
    out = tmp_path / "export.jsonl"
    assert run_command("export", "--out", str(out)) == 1
    assert not out.exists() and not (tmp_path / "export.jsonl.partial").exists()
    assert "disk on fire" in capsys.readouterr().err


def _subprocess(module, *args, data_dir, stdin=None):
    env = {**os.environ, "FORMSERVER_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", module, *args], input=stdin, capture_output=True, cwd=ROOT,
                          env=env, timeout=120)


def _cli_has_transfer() -> bool:
    return "export" in subprocess.run([sys.executable, "-m", "formserver.cli", "--help"], capture_output=True,
                                      text=True, cwd=ROOT).stdout


@pytest.mark.parametrize("module", ["formserver.transfer", "formserver.cli"])
def test_commands_through_stdout_and_stdin(tmp_path, module):
    if module == "formserver.cli" and not _cli_has_transfer():
        pytest.skip("export/import are not registered in formserver/cli.py yet")
    fill(SQLiteStore(tmp_path / "one" / "formserver.sqlite3"))
    exported_run = _subprocess(module, "export", data_dir=tmp_path / "one")
    assert exported_run.returncode == 0, exported_run.stderr
    assert TEXT.encode("utf-8") in exported_run.stdout
    assert b"submissions: 12" in exported_run.stderr
    imported_run = _subprocess(module, "import", "-", data_dir=tmp_path / "two", stdin=exported_run.stdout)
    assert imported_run.returncode == 0, imported_run.stderr
    assert dump(SQLiteStore(tmp_path / "two" / "formserver.sqlite3")) == dump(SQLiteStore(tmp_path / "one" / "formserver.sqlite3"))
    truncated = _subprocess(module, "import", "-", data_dir=tmp_path / "three", stdin=exported_run.stdout[:-30])
    assert truncated.returncode == 1 and b"truncated" in truncated.stderr


def test_round_trip_sqlite_to_mongodb_and_back(tmp_path, monkeypatch):
    """sqlite → export → MongoDB → export → sqlite: same documents, ids, dates and numbers.

    MongoDB here is mongomock, a stand-in for the driver API only (see tests/store_backends.py);
    set FORMSERVER_TEST_MONGODB_URI to run the store contract suite against a real server.
    """
    import mongomock

    from formserver.store.mongo import MongoStore
    # BSON holds 64-bit integers: rupiah amounts are far below that (Rp 9.2 × 10^18)
    monkeypatch.setattr(sys.modules[__name__], "BIG_RUPIAH", 9_000_000_000_000_000_000)
    first = fill(SQLiteStore(tmp_path / "first.sqlite3"))
    mongo = MongoStore(mongomock.MongoClient()["formserver"])
    import_(mongo, io.StringIO(exported(first)))
    back = SQLiteStore(tmp_path / "back.sqlite3")
    import_(back, io.StringIO(exported(mongo)))
    assert dump(mongo) == dump(first)
    assert dump(back) == dump(first)
    assert exported(back).splitlines()[1:] == exported(first).splitlines()[1:]  # all but the header's time


def test_the_messages_are_indonesian_by_default_and_name_the_json_mistake_plainly(source, target, monkeypatch):
    from formserver.i18n import current_locale
    monkeypatch.setenv("FORMSERVER_LOCALE", "id")
    lines = exported(source).splitlines(keepends=True)
    lines.insert(3, '{"c": "accounts", "r": {"id": "x",}}\n')  # after two accounts
    token = current_locale.set("id")
    try:
        with pytest.raises(TransferError) as caught:
            import_(target, lines_of("".join(lines)), batch=3)
    finally:
        current_locale.reset(token)
    assert str(caught.value) == (
        "baris 4: isinya bukan JSON yang sah di kolom 35: nama di dalam { } harus di antara tanda kutip ganda, dan "
        "tidak boleh ada koma sebelum }; tidak ada yang diimpor sesudah baris 3; jalankan impor yang sama lagi setelah "
        "berkas diperbaiki: rekaman yang sudah diimpor dilewati")
    with pytest.raises(TransferError) as caught:
        import_(target, lines_of("".join(lines)), batch=3)  # the English of the fixture
    assert str(caught.value).startswith("line 4: not valid JSON at column 35: a name inside { } must be in double "
                                        "quotes, and there must be no comma before }; nothing after line 3")
