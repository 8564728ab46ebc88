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
