"""The SQLite store: documents, optimistic concurrency, unique keys, counters across processes."""
import multiprocessing
from concurrent.futures import ThreadPoolExecutor

import pytest

from formserver.store import DuplicateKey, StaleVersion
from formserver.store.sqlite import SQLiteStore


@pytest.fixture
def store(tmp_path):
    return SQLiteStore(tmp_path / "db.sqlite3")


def submission(**extra):
    return {"id": "s1", "owner": "session:a", "form_id": "registrasi", "form_version": 1, "status": "draft",
            "created_at": "2025-01-01T00:00:00+00:00", "updated_at": "2025-01-01T00:00:00+00:00",
            "data": {"nama": "Budi", "modal": 15_000_000}, **extra}


def test_submission_round_trip_and_versions(store):
    doc = store.insert_submission(submission())
    assert doc["version"] == 1 and store.get_submission("s1") == doc
    doc2 = store.update_submission({**doc, "status": "completed", "updated_at": "2025-01-02T00:00:00+00:00"})
    assert doc2["version"] == 2
    with pytest.raises(StaleVersion):
        store.update_submission({**doc, "status": "draft"})
    assert store.get_submission("s1")["status"] == "completed"


def test_find_submissions_newest_first(store):
    store.insert_submission(submission(id="a", updated_at="2025-01-01T00:00:00+00:00"))
    store.insert_submission(submission(id="b", updated_at="2025-01-03T00:00:00+00:00"))
    store.insert_submission(submission(id="c", owner="session:other"))
    assert [d["id"] for d in store.find_submissions("session:a")] == ["b", "a"]
    assert store.find_submissions("session:a", status="completed") == []


def test_accounts_are_unique_by_username_and_email(store):
    store.insert_account({"id": "1", "username": "budi1", "email": "b@x.id"})
    with pytest.raises(DuplicateKey) as error:
        store.insert_account({"id": "2", "username": "budi2", "email": "b@x.id"})
    assert error.value.field == "email"
    with pytest.raises(DuplicateKey) as error:
        store.insert_account({"id": "3", "username": "budi1", "email": "c@x.id"})
    assert error.value.field == "username"
    assert store.find_account(email="b@x.id")["id"] == "1"


def test_concurrent_updates_one_wins(store):
    doc = store.insert_submission(submission())

    def bump(n):
        try:
            store.update_submission({**doc, "data": {"n": n}})
            return True
        except StaleVersion:
            return False
    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(bump, range(8))) == 1


def _count(path, n):
    store = SQLiteStore(path)
    return [store.next_value("nib") for _ in range(n)]


def test_counters_are_unique_across_processes(tmp_path):
    path = tmp_path / "db.sqlite3"
    SQLiteStore(path)
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        values = [v for chunk in pool.starmap(_count, [(path, 50)] * 4) for v in chunk]
    assert sorted(values) == list(range(1, 201))


def test_attempts_and_audit_log(store):
    store.record_attempt("login:budi", 100.0)
    store.record_attempt("login:budi", 200.0)
    assert store.count_attempts("login:budi", 150.0) == 1
    store.clear_attempts("login:budi")
    assert store.count_attempts("login:budi", 0) == 0
    store.append_event({"at": "t1", "subject": "submission:s1", "type": "created", "actor": "session:a"})
    store.append_event({"at": "t2", "subject": "submission:s1", "type": "step_saved", "actor": "session:a"})
    assert [e["type"] for e in store.events("submission:s1")] == ["created", "step_saved"]


def test_every_state_change_is_audited(api, app, smtp):
    from .conftest import register_via_api
    sid, body = register_via_api(api, smtp)
    store = app.extensions["formserver"].store
    types = [e["type"] for e in store.events(f"submission:{sid}")]
    assert types[0] == "submission.created" and "registration.code_sent" in types
    assert "registration.code_verified" in types and types.count("submission.step_saved") == 7
    account = store.find_account(username=body["account"]["username"])
    assert [e["type"] for e in store.events(f"account:{account['id']}")] == ["account.created"]


def document(**extra):
    return {"id": "d1", "number": "1234567890123", "application_id": "s1", "type": "NIB", "activity": None,
            "status": "VALID", **extra}


def test_documents_are_unique_by_number_and_slot(store):
    store.insert_document(document())
    with pytest.raises(DuplicateKey) as error:
        store.insert_document(document(id="d2", activity="x"))
    assert error.value.field == "number"
    with pytest.raises(DuplicateKey) as error:
        store.insert_document(document(id="d3", number="999"))
    assert error.value.field == "slot"
    store.insert_document(document(id="d4", number="SS-1", type="SERTIFIKAT_STANDAR", activity="0"))
    assert [d["id"] for d in store.documents_for("s1")] == ["d1", "d4"]
    assert store.find_document(number="SS-1")["id"] == "d4"
    revoked = store.update_document({**store.get_document("d1"), "status": "REVOKED"})
    assert revoked["version"] == 2 and store.get_document("d1")["status"] == "REVOKED"


def test_a_claim_binds_once(store):
    assert store.claim("nib:s1", "111") == "111"
    assert store.claim("nib:s1", "222") == "111"


def test_reference_tables_by_effective_date(store):
    store.insert_reference_table({"id": "b", "kind": "kbli_risiko", "effective": "2025-10-05", "rows": []})
    store.insert_reference_table({"id": "a", "kind": "kbli_risiko", "effective": "2021-02-02", "rows": []})
    assert [t["id"] for t in store.reference_tables("kbli_risiko")] == ["a", "b"]


def test_officer_queries(store):
    for i in range(5):
        store.insert_submission(submission(id=f"s{i}", status="completed" if i % 2 else "draft", nik="1401011708900001" if i < 2 else None,
                                           created_at=f"2025-01-0{i + 1}T00:00:00+00:00"))
    assert [d["id"] for d in store.list_submissions("registrasi")] == ["s4", "s3", "s2", "s1", "s0"]
    assert [d["id"] for d in store.list_submissions("registrasi", status="completed")] == ["s3", "s1"]
    assert [d["id"] for d in store.list_submissions("registrasi", created_from="2025-01-02", created_to="2025-01-04", limit=1, offset=1)] == ["s1"]
    assert [d["id"] for d in store.find_submissions_by_nik("1401011708900001")] == ["s1", "s0"]
    store.insert_document(document(issued_at="2025-10-03T01:00:00+00:00",
                                   content={"activities": [{"kbli": "47191"}, {"kbli": "10298"}]}))
    store.insert_document(document(id="d2", number="2", application_id="s2", issued_at="2025-11-01T00:00:00+00:00",
                                   content={"activities": [{"kbli": "47191"}]}))
    assert store.count_issued_by_kbli_month("2025-01-01", "2026-01-01") == [
        {"month": "2025-10", "kbli": "10298", "count": 1}, {"month": "2025-10", "kbli": "47191", "count": 1},
        {"month": "2025-11", "kbli": "47191", "count": 1}]


def test_export_and_restore_round_trip(store, tmp_path):
    store.insert_submission(submission(nik="1401011708900001"))
    store.insert_account({"id": "a1", "username": "u1", "email": "e@x.id"})
    store.insert_document(document())
    store.next_value("nib")
    store.claim("nib:s1", "123")
    store.append_event({"at": "t1", "subject": "x", "type": "y", "actor": "z"})
    store.put_code({"id": "c1", "digest": "d"})
    store.insert_reference_table({"id": "r1", "kind": "kbli_risiko", "effective": "2025-10-05", "rows": []})
    dump = {name: list(store.iter_collection(name)) for name in store.COLLECTIONS}
    other = SQLiteStore(tmp_path / "other.sqlite3")
    for name, records in dump.items():
        assert all(other.restore(name, r) for r in records)
        assert not any(other.restore(name, r) for r in records)  # a second run adds nothing
    assert {name: list(other.iter_collection(name)) for name in other.COLLECTIONS} == dump
    assert [d["id"] for d in other.find_submissions_by_nik("1401011708900001")] == ["s1"]
    with pytest.raises(DuplicateKey):
        other.restore("accounts", {"id": "a2", "username": "u1", "email": "f@x.id", "version": 1})
