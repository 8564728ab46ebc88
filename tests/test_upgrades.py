"""Records of an older stored shape are upgraded by what the forms' own modules register (formserver/upgrades.py),
once per store, when a server starts on it."""
import pytest

from formserver import plugins, upgrades
from formserver.store.sqlite import SQLiteStore

from .conftest import make_app

OLD_SUBMISSION = {"id": "s1", "owner": "account:a1", "form_id": "permohonan", "form_version": 1, "status": "completed",
                  "created_at": "2025-10-01T00:00:00+00:00", "updated_at": "2025-10-05T00:00:00+00:00",
                  "nik": "1401011708900001", "data": {}}
OLD_NIB = {"id": "d1", "number": "0210250000011", "application_id": "s1", "type": "NIB", "activity": "",
           "status": "VALID", "issued_at": "2025-10-05T03:00:00+00:00",
           "content": {"activities": [{"kbli": "47191"}, {"kbli": "10298"}]}}


def test_a_server_started_on_an_old_store_upgrades_it_once(tmp_path, smtp, whatsapp):
    old = SQLiteStore(tmp_path / "formserver.sqlite3")
    old.insert_submission(OLD_SUBMISSION)
    old.insert_document(OLD_NIB)
    old.close()
    store = make_app(tmp_path, smtp, whatsapp).extensions["formserver"].store
    assert [d["id"] for d in store.find_submissions_by_subject("1401011708900001")] == ["s1"]
    assert store.count_issued_by_category_month("2025-10-01", "2025-11-01") == [
        {"month": "2025-10", "category": "10298", "count": 1}, {"month": "2025-10", "category": "47191", "count": 1}]
    applied = store._db.execute("SELECT name, records FROM upgrades ORDER BY name").fetchall()
    assert applied == [("document-categories", 1), ("submission-subject", 1)]
    make_app(tmp_path, smtp, whatsapp)  # a second start: nothing again
    assert store._db.execute("SELECT COUNT(*) FROM upgrades").fetchone()[0] == 2
    assert store.count_issued_by_category_month("2025-10-01", "2025-11-01")[0]["count"] == 1


def test_an_upgrade_is_registered_once_for_a_collection_it_can_rewrite():
    plugins.load()
    with pytest.raises(ValueError):
        upgrades.upgrade("x", "accounts")
    with pytest.raises(ValueError):
        upgrades.upgrade("submission-subject", "submissions")(lambda record: None)


def _old_shape_store(path):
    """A SQLite store holding the committed old-shape export's submissions and documents as they were stored then
    (tests/data/README.md): written past the upgrades, as a store that an older release left behind."""
    import json
    from pathlib import Path
    old = SQLiteStore(path / "formserver.sqlite3")
    lines = (Path(__file__).parent / "data" / "export_before_neutral_keys.jsonl").read_text(encoding="utf-8")
    for line in map(json.loads, lines.splitlines()[1:-1]):
        if line["c"] == "submissions":
            old.insert_submission(line["r"])
        elif line["c"] == "documents":
            old.insert_document(line["r"])
    assert "nik" in old.get_submission("s1") and old.find_submissions_by_subject("1401011708900001") == []
    old.close()


COMMANDS = {
    "search reindex": ["search", "reindex"],
    "keys list": ["keys", "list"],
    "export": ["export", "--out", "{tmp}/export.jsonl"],
    "import": ["import", "{tmp}/empty.jsonl"],
    "reference import-risk": ["reference", "import-risk", "tests/data/office_risk_table.csv", "--regulation",
                              "PP 28/2025", "--effective", "2025-10-05"],
    "officer add": ["officer", "add", "sari", "sari@example.id", "--name", "Sari", "--password-stdin"],
    "variant check --store": ["variant", "check", "contoh", "--store"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_that_opens_the_store_upgrades_an_old_one_first(command, tmp_path, monkeypatch, capsys):
    import io
    from pathlib import Path

    from formserver import cli
    _old_shape_store(tmp_path)
    (tmp_path / "empty.jsonl").write_text(  # an export of nothing: what it holds is not the point here
        '{"format":"formserver-export","version":1,"created_at":"2026-11-20T10:00:00+00:00","collections":[]}\n'
        '{"end":true,"counts":{}}\n', encoding="utf-8")
    monkeypatch.setenv("FORMSERVER_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(Path(__file__).parent.parent)
    if "--password-stdin" in COMMANDS[command]:
        monkeypatch.setattr("sys.stdin", io.StringIO("kata-sandi-yang-panjang-sekali-9\n"))
    assert cli.main([arg.format(tmp=tmp_path) for arg in COMMANDS[command]]) in (0, 1), capsys.readouterr().err
    store = SQLiteStore(tmp_path / "formserver.sqlite3")
    assert [d["id"] for d in store.find_submissions_by_subject("1401011708900001")] == ["s1"]
    assert "nik" not in store.get_submission("s1")
    assert {name for (name,) in store._db.execute("SELECT name FROM upgrades")} == set(upgrades.UPGRADES)
    store.close()
