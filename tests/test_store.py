"""The store contract, run against every backend (see tests/store_backends.py): documents, optimistic
concurrency, unique keys, counters, attempts, the audit log, export and restore.

Tests that take the ``store`` fixture run once per backend (sqlite, mongomock, and mongodb when
FORMSERVER_TEST_MONGODB_URI is set); tests named ``test_sqlite_*`` / ``test_mongo_*`` are backend-specific.
"""
import datetime as dt
import multiprocessing
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from formserver import plugins, upgrades
from formserver.store import DuplicateKey, StaleVersion, StoreUnavailable, open_store, redact_uri
from formserver.store.base import Store
from formserver.store.mongo import MongoStore, read_preference, write_concern
from formserver.store.sqlite import SQLiteStore

from .store_backends import (  # noqa: F401
    MONGODB_URI,
    fresh_database_name,
    mongo_store,
    new_store,
    store,
    store_backend,
    threaded_store,
)


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
    assert store.get_submission("s1") == doc2 and store.get_submission("missing") is None


def test_find_submissions_newest_first(store):
    store.insert_submission(submission(id="a", updated_at="2025-01-01T00:00:00+00:00"))
    store.insert_submission(submission(id="b", updated_at="2025-01-03T00:00:00+00:00"))
    store.insert_submission(submission(id="c", owner="session:other"))
    assert [d["id"] for d in store.find_submissions("session:a")] == ["b", "a"]
    assert store.find_submissions("session:a", status="completed") == []


def test_find_submissions_filters_and_limit(store):
    store.insert_submission(submission(id="a", updated_at="2025-01-01T00:00:00+00:00"))
    store.insert_submission(submission(id="b", form_id="other", updated_at="2025-01-02T00:00:00+00:00"))
    store.insert_submission(submission(id="c", status="completed", updated_at="2025-01-03T00:00:00+00:00"))
    assert [d["id"] for d in store.find_submissions("session:a", form_id="registrasi")] == ["c", "a"]
    assert [d["id"] for d in store.find_submissions("session:a", form_id="registrasi", status="draft")] == ["a"]
    assert [d["id"] for d in store.find_submissions("session:a", limit=2)] == ["c", "b"]
    assert store.find_submissions("session:a", limit=0) == []


def test_accounts_are_unique_by_username_and_email(store):
    store.insert_account({"id": "1", "username": "budi1", "email": "b@x.id"})
    with pytest.raises(DuplicateKey) as error:
        store.insert_account({"id": "2", "username": "budi2", "email": "b@x.id"})
    assert error.value.field == "email"
    with pytest.raises(DuplicateKey) as error:
        store.insert_account({"id": "3", "username": "budi1", "email": "c@x.id"})
    assert error.value.field == "username"
    assert store.find_account(email="b@x.id")["id"] == "1"


def test_account_email_is_unique_in_any_case(store):
    store.insert_account({"id": "1", "username": "alice1", "email": "alice@example.test"})
    with pytest.raises(DuplicateKey) as error:
        store.insert_account({"id": "2", "username": "alice2", "email": "ALICE@Example.TEST"})
    assert error.value.field == "email"
    assert store.find_account(email="Alice@EXAMPLE.test")["id"] == "1"
    assert store.find_account(email="alice@example.test")["email"] == "alice@example.test"  # kept as given
    other = store.insert_account({"id": "3", "username": "bob", "email": "bob@example.test"})
    with pytest.raises(DuplicateKey) as error:
        store.update_account({**other, "email": "Alice@example.test"})
    assert error.value.field == "email" and store.get_account("3") == other


def test_account_identity_is_unique_when_present(store):
    store.insert_account({"id": "1", "username": "u1", "email": "1@x.id", "identity": "nik:1401011708900001"})
    store.insert_account({"id": "2", "username": "u2", "email": "2@x.id"})  # no identity binds nothing
    store.insert_account({"id": "3", "username": "u3", "email": "3@x.id", "identity": None})
    store.insert_account({"id": "4", "username": "u4", "email": "4@x.id"})
    with pytest.raises(DuplicateKey) as error:
        store.insert_account({"id": "5", "username": "u5", "email": "5@x.id", "identity": "nik:1401011708900001"})
    assert error.value.field == "identity"
    assert store.find_account(identity="nik:1401011708900001")["id"] == "1"
    assert store.find_account(identity="nik:9999999999999999") is None
    second = store.get_account("2")
    with pytest.raises(DuplicateKey):
        store.update_account({**second, "identity": "nik:1401011708900001"})
    changed = store.update_account({**second, "identity": "nik:1401011708900002"})
    assert store.find_account(identity="nik:1401011708900002") == changed
    with pytest.raises(DuplicateKey) as error:
        store.restore("accounts", {"id": "6", "username": "u6", "email": "6@x.id", "version": 1,
                                   "identity": "nik:1401011708900002"})
    assert error.value.field == "identity" and store.get_account("6") is None


def test_concurrent_accounts_with_one_email_or_identity_make_one(threaded_store):
    store = threaded_store
    start = threading.Barrier(8)

    def insert(n):
        start.wait()
        try:
            store.insert_account({"id": f"a{n}", "username": f"u{n}", "email": "Budi@X.id" if n % 2 else "budi@x.ID",
                                  "identity": None})
            return 1
        except DuplicateKey:
            return 0

    def insert_identity(n):
        start.wait()
        try:
            store.insert_account({"id": f"b{n}", "username": f"v{n}", "email": f"{n}@y.id", "identity": "nik:1"})
            return 1
        except DuplicateKey:
            return 0
    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(insert, range(8))) == 1
    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(insert_identity, range(8))) == 1


def test_secrets_are_kept_until_they_expire(store):
    store.put_secret("registrasi:s1:password", "$argon2id$h1", now=1000.0, lifetime=60)
    assert store.get_secret("registrasi:s1:password", now=1060.0) == "$argon2id$h1"
    assert store.get_secret("registrasi:s1:password", now=1060.5) is None
    assert store.get_secret("other", now=1000.0) is None
    store.put_secret("registrasi:s1:password", "$argon2id$h2", now=1010.0, lifetime=60)  # replaces
    assert store.get_secret("registrasi:s1:password", now=1050.0) == "$argon2id$h2"
    store.put_secret("s2", "v", now=2000.0, lifetime=60)  # forgets the expired one
    assert store.get_secret("registrasi:s1:password", now=1050.0) is None
    store.delete_secret("s2")
    assert store.get_secret("s2", now=2000.0) is None
    store.delete_secret("never-there")
    for name in store.COLLECTIONS:  # secrets are never exported
        assert all("$argon2id$" not in str(record) for record in store.iter_collection(name))


def test_quota_sliding_windows(store):
    limits = ((600, 3), (86400, 10))
    assert [store.take_quota("to:a", t, limits) for t in (0.0, 10.0, 20.0)] == [0, 0, 0]
    assert store.take_quota("to:a", 30.0, limits) == pytest.approx(570.0)  # the take at 0 leaves at 600
    assert store.take_quota("to:b", 30.0, limits) == 0  # another key
    assert store.take_quota("to:a", 600.0, limits) == 0
    assert store.take_quota("to:a", 601.0, limits) == pytest.approx(9.0)  # the take at 10 leaves at 610
    times = [1300.0, 1310.0, 2000.0, 2010.0, 2700.0, 2710.0]
    assert all(store.take_quota("to:a", t, limits) == 0 for t in times)
    # ten takes in the day (0, 10, 20, 600, 1300, 1310, 2000, 2010, 2700, 2710): the day's limit
    assert store.take_quota("to:a", 4000.0, limits) == pytest.approx(82400.0)  # until the take at 0 leaves
    assert store.take_quota("to:a", 86400.5, limits) == 0
    store.return_quota("to:a", 86400.5)
    store.return_quota("to:a", 12345.0)  # nothing taken then: nothing happens
    assert store.take_quota("to:a", 86401.0, limits) == 0


def test_quota_given_back_counts_no_more(store):
    limits = ((3600, 2),)
    assert store.take_quota("guess:a", 2.0, limits) == 0 and store.take_quota("guess:a", 1.0, limits) == 0
    assert store.quota_takes("guess:a", 0.0) == [1.0, 2.0] and store.quota_takes("guess:a", 1.0) == [2.0]
    assert store.quota_takes("guess:other", 0.0) == []
    assert store.take_quota("guess:a", 3.0, limits) > 0
    store.return_quota("guess:a", 2.0)
    assert store.take_quota("guess:a", 3.0, limits) == 0
    assert store.take_quota("guess:a", 4.0, limits) == pytest.approx(3597.0)


def test_concurrent_quota_takes_never_exceed_the_limit(threaded_store):
    store = threaded_store
    start = threading.Barrier(12)

    def take(n):
        start.wait()
        return store.take_quota("to:same", 100.0 + n / 100, ((600, 3), (86400, 10))) == 0
    with ThreadPoolExecutor(12) as pool:
        assert sum(pool.map(take, range(12))) == 3


def test_sqlite_accounts_made_before_the_email_key_are_migrated(tmp_path):
    import json
    import sqlite3
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE accounts (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, email TEXT NOT NULL UNIQUE,"
               " version INTEGER NOT NULL, body TEXT NOT NULL)")
    for account_id, email in (("a", "Alice@x.id"), ("b", "alice@x.id"), ("c", "carol@x.id")):
        doc = {"id": account_id, "username": f"u{account_id}", "email": email, "version": 1}
        db.execute("INSERT INTO accounts VALUES (?, ?, ?, 1, ?)", (account_id, doc["username"], email, json.dumps(doc)))
    db.commit()
    db.close()
    store = SQLiteStore(path)
    assert store.find_account(email="ALICE@X.ID")["id"] == "a"  # the older account owns the address
    assert store.get_account("b")["email"] == "alice@x.id"  # the later one is kept
    with pytest.raises(DuplicateKey):
        store.insert_account({"id": "d", "username": "ud", "email": "CAROL@x.id"})
    assert SQLiteStore(path).find_account(email="carol@X.id")["id"] == "c"  # opening again changes nothing


def test_mongo_accounts_made_before_the_email_key_are_migrated(mongo_store):
    store = mongo_store
    store.db.accounts.drop_index("email_key")
    store.db.accounts.insert_many([{"_id": "a", "id": "a", "username": "ua", "email": "Alice@x.id", "version": 1},
                                   {"_id": "b", "id": "b", "username": "ub", "email": "alice@x.id", "version": 1}])
    again = MongoStore(store.db)
    assert again.find_account(email="ALICE@X.ID")["id"] == "a" and again.get_account("b")["email"] == "alice@x.id"
    with pytest.raises(DuplicateKey):
        again.insert_account({"id": "d", "username": "ud", "email": "aLiCe@x.id"})


def test_accounts_find_and_update(store):
    account = store.insert_account({"id": "1", "username": "budi", "email": "b@x.id", "roles": ["applicant"]})
    assert account["version"] == 1
    assert store.get_account("1") == account
    assert store.find_account(username="budi") == account == store.find_account(email="b@x.id")
    assert store.find_account(username="b@x.id") is None and store.find_account(email="budi") is None
    assert store.get_account("2") is None
    with pytest.raises(ValueError):
        store.find_account()
    updated = store.update_account({**account, "email": "new@x.id"})
    assert updated["version"] == 2 and store.get_account("1") == updated
    assert store.find_account(email="new@x.id") == updated and store.find_account(email="b@x.id") is None
    with pytest.raises(StaleVersion):
        store.update_account({**account, "email": "stale@x.id"})
    assert store.get_account("1") == updated


def test_concurrent_updates_one_wins(threaded_store):
    store = threaded_store
    doc = store.insert_submission(submission())

    def bump(n):
        try:
            store.update_submission({**doc, "data": {"n": n}})
            return True
        except StaleVersion:
            return False
    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(bump, range(8))) == 1


def test_concurrent_read_modify_write_and_counters(threaded_store):
    """Optimistic updates retried on StaleVersion lose no increment; counters and claims stay unique."""
    store = threaded_store
    store.insert_submission(submission(data={"n": 0}))
    threads, rounds = 8, 15
    start = threading.Barrier(threads)

    def work(worker):
        start.wait()
        values, retries = [], 0
        for _ in range(rounds):
            while True:
                doc = store.get_submission("s1")
                try:
                    store.update_submission({**doc, "data": {"n": doc["data"]["n"] + 1}})
                    break
                except StaleVersion:
                    retries += 1
            values.append(store.next_value("nib"))
        return values, store.claim("nib:s1", f"w{worker}")
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(work, range(threads)))
    final = store.get_submission("s1")
    assert final["data"]["n"] == threads * rounds and final["version"] == 1 + threads * rounds
    values = sorted(v for chunk, _ in results for v in chunk)
    assert values == list(range(1, threads * rounds + 1))
    assert len({claimed for _, claimed in results}) == 1


def test_concurrent_put_code_versions_are_unique(threaded_store):
    store = threaded_store
    start = threading.Barrier(8)

    def put(n):
        start.wait()
        return store.put_code({"id": "c1", "digest": f"d{n}"})["version"]
    with ThreadPoolExecutor(8) as pool:
        versions = sorted(pool.map(put, range(8)))
    assert versions == list(range(1, 9)) and store.get_code("c1")["version"] == 8


def _count(path, n):
    store = SQLiteStore(path)
    return [store.next_value("nib") for _ in range(n)]


def test_sqlite_counters_are_unique_across_processes(tmp_path):
    path = tmp_path / "db.sqlite3"
    SQLiteStore(path)
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        values = [v for chunk in pool.starmap(_count, [(path, 50)] * 4) for v in chunk]
    assert sorted(values) == list(range(1, 201))


def _count_mongo(uri, database, n):
    from pymongo import MongoClient
    store = MongoStore(MongoClient(uri), database, owns_client=True)
    try:
        return [store.next_value("nib") for _ in range(n)]
    finally:
        store.close()


@pytest.mark.skipif(not MONGODB_URI, reason="needs a MongoDB server: set FORMSERVER_TEST_MONGODB_URI")
def test_mongodb_counters_are_unique_across_processes():
    from pymongo import MongoClient
    database = fresh_database_name()
    try:
        with multiprocessing.get_context("spawn").Pool(4) as pool:
            values = [v for chunk in pool.starmap(_count_mongo, [(MONGODB_URI, database, 50)] * 4) for v in chunk]
        assert sorted(values) == list(range(1, 201))
    finally:
        with MongoClient(MONGODB_URI) as client:
            client.drop_database(database)


def test_attempts_and_audit_log(store):
    store.record_attempt("login:budi", 100.0)
    store.record_attempt("login:budi", 200.0)
    assert store.count_attempts("login:budi", 150.0) == 1
    store.clear_attempts("login:budi")
    assert store.count_attempts("login:budi", 0) == 0
    store.append_event({"at": "t1", "subject": "submission:s1", "type": "created", "actor": "session:a"})
    store.append_event({"at": "t2", "subject": "submission:s1", "type": "step_saved", "actor": "session:a"})
    assert [e["type"] for e in store.events("submission:s1")] == ["created", "step_saved"]


def test_attempts_window(store):
    for at in (1000.0, 1010.0, 1020.0):
        store.record_attempt("login:budi", at)
    store.record_attempt("resend:budi", 1015.0)
    assert store.count_attempts("login:budi", 1010.0) == 2  # since is inclusive
    assert store.count_attempts("login:budi", 1020.5) == 0
    assert store.count_attempts("resend:budi", 0) == 1 and store.count_attempts("nobody", 0) == 0
    store.record_attempt("login:budi", 1020.0 + 86400)  # attempts older than a day are dropped for that key
    assert store.count_attempts("login:budi", 0) == 2 and store.count_attempts("resend:budi", 0) == 1
    store.clear_attempts("login:budi")
    assert store.count_attempts("login:budi", 0) == 0 and store.count_attempts("resend:budi", 0) == 1


def test_sessions_round_trip_and_end(store):
    store.insert_session({"id": "k1", "account_id": "a1", "expires_at": 100.0, "data": "{}"})
    store.insert_session({"id": "k2", "account_id": "a1", "expires_at": 200.0, "data": "{}"})
    store.insert_session({"id": "k3", "account_id": None, "expires_at": 300.0, "data": "{}"})
    store.insert_session({"id": "k4", "account_id": "a2", "expires_at": 300.0, "data": "{}"})
    assert store.get_session("k1") == {"id": "k1", "account_id": "a1", "expires_at": 100.0, "data": "{}"}
    assert store.get_session("nope") is None
    assert store.update_session({"id": "k1", "account_id": "a1", "expires_at": 150.0, "data": '{"x":1}'})
    assert store.get_session("k1")["expires_at"] == 150.0 and store.get_session("k1")["data"] == '{"x":1}'
    store.delete_session("k1")
    store.delete_session("k1")  # twice is fine
    # an update after the delete (a request that read the session before its log-out) does not bring it back
    assert store.update_session({"id": "k1", "account_id": "a1", "expires_at": 999.0, "data": "{}"}) is False
    assert store.get_session("k1") is None
    store.insert_session({"id": "k5", "account_id": "a1", "expires_at": 300.0, "data": "{}"})
    assert store.delete_account_sessions("a1", keep="k5") == 1
    assert store.get_session("k2") is None and store.get_session("k5") is not None
    assert store.delete_account_sessions("a1") == 1 and store.get_session("k5") is None
    assert store.get_session("k3") is not None and store.get_session("k4") is not None


def test_expired_sessions_are_forgotten(store):
    for key, expires in (("old", 100.0), ("edge", 200.0), ("new", 300.0)):
        store.insert_session({"id": key, "account_id": None, "expires_at": expires, "data": "{}"})
    assert store.delete_expired_sessions(200.0) == 1
    assert [store.get_session(k) is None for k in ("old", "edge", "new")] == [True, False, False]


def test_events_per_subject_in_order(store):
    for n in range(5):
        store.append_event({"at": f"t{n}", "subject": "a" if n % 2 else "b", "type": f"e{n}", "actor": "x",
                            "detail": {"n": n}})
    assert store.events("a") == [{"at": "t1", "subject": "a", "type": "e1", "actor": "x", "detail": {"n": 1}},
                                 {"at": "t3", "subject": "a", "type": "e3", "actor": "x", "detail": {"n": 3}}]
    assert [e["type"] for e in store.events("b")] == ["e0", "e2", "e4"] and store.events("c") == []


def test_every_state_change_is_audited(api, app, smtp):
    from .conftest import register_via_api
    sid, body = register_via_api(api, smtp)
    store = app.extensions["formserver"].store
    types = [e["type"] for e in store.events(f"submission:{sid}")]
    assert types[0] == "submission.created" and "registration.code_sent" in types
    assert "registration.code_verified" in types and types.count("submission.step_saved") == 7
    account = store.find_account(username=body["account"]["username"])
    assert [e["type"] for e in store.events(f"account:{account['id']}")] == ["account.created"]


def test_codes_put_get_update(store):
    assert store.get_code("c1") is None
    first = store.put_code({"id": "c1", "digest": "a", "tries": 0})
    assert first == {"id": "c1", "digest": "a", "tries": 0, "version": 1} and store.get_code("c1") == first
    second = store.put_code({"id": "c1", "digest": "b", "tries": 0})  # a new code replaces the old
    assert second["version"] == 2 and store.get_code("c1") == second
    tried = store.update_code({**second, "tries": 1})
    assert tried["version"] == 3 and store.get_code("c1") == tried
    with pytest.raises(StaleVersion):
        store.update_code({**second, "tries": 5})
    with pytest.raises(StaleVersion):
        store.update_code({"id": "missing", "version": 1})
    assert store.get_code("c1") == tried


def test_counters_start_at_one_per_name(store):
    assert [store.next_value("nib") for _ in range(3)] == [1, 2, 3]
    assert store.next_value("ss") == 1 and store.next_value("nib") == 4


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


def test_documents_slot_treats_missing_none_and_empty_activity_alike(store):
    store.insert_document(document(activity=""))
    for n, extra in enumerate(({"activity": None}, {})):
        doc = document(id=f"x{n}", number=f"N{n}", **extra)
        if not extra:
            del doc["activity"]
        with pytest.raises(DuplicateKey) as error:
            store.insert_document(doc)
        assert error.value.field == "slot"
    store.insert_document(document(id="d2", number="2", activity="a"))
    store.insert_document(document(id="d3", number="3", type="IZIN"))
    assert [d["id"] for d in store.documents_for("s1")] == ["d1", "d2", "d3"]


def test_documents_for_in_issue_order(store):
    inserted = [store.insert_document(document(id=i, number=f"N-{i}", activity=i)) for i in ("z", "a", "m")]
    store.insert_document(document(id="other", number="N-other", application_id="s2"))
    assert store.documents_for("s1") == inserted  # issue order, not id order; exactly the stored dicts
    store.update_document({**inserted[0], "status": "REVOKED"})  # an update keeps the position
    assert [d["id"] for d in store.documents_for("s1")] == ["z", "a", "m"]
    assert store.documents_for("nothing") == [] and store.get_document("z")["status"] == "REVOKED"
    assert store.get_document("a") == inserted[1] and store.find_document(number="N-m") == inserted[2]
    assert store.find_document(number="none") is None and store.get_document("none") is None
    with pytest.raises(StaleVersion):
        store.update_document({**inserted[0], "status": "VALID"})
    with pytest.raises(StaleVersion):
        store.update_document({**inserted[0], "id": "none"})


def signing_key(key_id, **extra):
    return {"id": key_id, "algorithm": "Ed25519", "public_key": f"pk-{key_id}", "added_at": "2026-01-01T00:00:00+00:00",
            **extra}


def test_key_ring_adds_once_and_keeps_order(store):
    assert store.signing_keys() == []
    assert store.add_signing_key(signing_key("k2")) and store.add_signing_key(signing_key("k1"))
    assert not store.add_signing_key(signing_key("k2", public_key="other"))  # an id is added once, never replaced
    assert store.signing_keys() == [signing_key("k2"), signing_key("k1")]  # the order added, not the id order
    assert list(store.iter_collection("signing_keys")) == store.signing_keys()
    assert not store.restore("signing_keys", signing_key("k1", public_key="other"))
    assert store.restore_many("signing_keys", [signing_key("k0"), signing_key("k1")]) == 1
    assert [k["id"] for k in store.signing_keys()] == ["k2", "k1", "k0"]


def test_documents_naming_no_key_get_one_once(store):
    store.insert_document(document(id="old1", number="1"))
    store.insert_document(document(id="old2", number="2", activity="a"))
    store.insert_document(document(id="new", number="3", activity="b", key_id="k2"))
    store.insert_document(document(id="null", number="4", activity="c", key_id=None))
    assert store.set_missing_key_ids("k1") == 2
    assert {d["id"]: d.get("key_id") for d in store.documents_for("s1")} == {"old1": "k1", "old2": "k1", "new": "k2",
                                                                           "null": None}
    assert store.get_document("old1") == {**document(id="old1", number="1"), "version": 1, "key_id": "k1",
                                          "key_id_assumed": True}
    assert "key_id_assumed" not in store.get_document("new")
    assert store.set_missing_key_ids("k3") == 0  # nothing is changed twice
    store.update_document(store.get_document("old1"))  # the version it had still updates: no version was taken


def test_a_claim_binds_once(store):
    assert store.claim("nib:s1", "111") == "111"
    assert store.claim("nib:s1", "222") == "111"


def test_claimed_reads_a_claim_without_binding_it(store):
    assert store.claimed("nib:s1") is None
    assert store.claimed("nib:s1") is None  # reading bound nothing
    assert store.claim("nib:s1", "111") == "111"
    assert store.claimed("nib:s1") == "111" and store.claimed("nib:s2") is None


def test_reference_tables_by_effective_date(store):
    store.insert_reference_table({"id": "b", "kind": "kbli_risiko", "effective": "2025-10-05", "rows": []})
    store.insert_reference_table({"id": "a", "kind": "kbli_risiko", "effective": "2021-02-02", "rows": []})
    assert [t["id"] for t in store.reference_tables("kbli_risiko")] == ["a", "b"]


def test_reference_tables_same_date_in_insertion_order(store):
    table = store.insert_reference_table({"id": "z", "kind": "k", "effective": "2025-01-01", "rows": [{"a": 1}]})
    assert table == {"id": "z", "kind": "k", "effective": "2025-01-01", "rows": [{"a": 1}]}  # no version added
    store.insert_reference_table({"id": "a", "kind": "k", "effective": "2025-01-01", "rows": []})
    store.insert_reference_table({"id": "m", "kind": "other", "effective": "2020-01-01", "rows": []})
    assert store.reference_tables("k") == [table, {"id": "a", "kind": "k", "effective": "2025-01-01", "rows": []}]
    assert store.reference_tables("none") == []


def test_officer_queries(store):
    for i in range(5):
        store.insert_submission(submission(id=f"s{i}", status="completed" if i % 2 else "draft", subject="1401011708900001" if i < 2 else None,
                                           created_at=f"2025-01-0{i + 1}T00:00:00+00:00"))
    assert [d["id"] for d in store.list_submissions("registrasi")] == ["s4", "s3", "s2", "s1", "s0"]
    assert [d["id"] for d in store.list_submissions("registrasi", status="completed")] == ["s3", "s1"]
    assert [d["id"] for d in store.list_submissions("registrasi", created_from="2025-01-02", created_to="2025-01-04", limit=1, offset=1)] == ["s1"]
    assert [d["id"] for d in store.find_submissions_by_subject("1401011708900001")] == ["s1", "s0"]
    store.insert_document(document(issued_at="2025-10-03T01:00:00+00:00", categories=["47191", "10298"]))
    store.insert_document(document(id="d2", number="2", application_id="s2", issued_at="2025-11-01T00:00:00+00:00",
                                   categories=["47191"]))
    assert store.count_issued_by_category_month("2025-01-01", "2026-01-01") == [
        {"month": "2025-10", "category": "10298", "count": 1}, {"month": "2025-10", "category": "47191", "count": 1},
        {"month": "2025-11", "category": "47191", "count": 1}]


def test_officer_list_pages_and_ties(store):
    for i in range(4):  # s0 and s1 created at the same instant: the id breaks the tie, newest (highest) first
        store.insert_submission(submission(id=f"s{i}", created_at=f"2025-01-0{max(i, 1)}T00:00:00+00:00"))
    store.insert_submission(submission(id="x", form_id="other", created_at="2025-02-01T00:00:00+00:00"))
    assert [d["id"] for d in store.list_submissions("registrasi")] == ["s3", "s2", "s1", "s0"]
    assert [d["id"] for d in store.list_submissions("registrasi", limit=2, offset=2)] == ["s1", "s0"]
    assert store.list_submissions("registrasi", offset=4) == [] and store.list_submissions("registrasi", limit=0) == []
    assert [d["id"] for d in store.list_submissions("registrasi", created_from="2025-01-02")] == ["s3", "s2"]
    assert [d["id"] for d in store.list_submissions("registrasi", created_to="2025-01-02")] == ["s1", "s0"]
    assert store.find_submissions_by_subject("0000") == [] and store.find_submissions_by_subject("") == []


def test_search_by_terms_pages_newest_change_first(store):
    def put(i, terms, day):
        store.insert_submission(submission(id=f"s{i}", terms=terms, updated_at=f"2025-03-{day:02d}T00:00:00+00:00"))
    put(0, ["form:permohonan", "status:TERBIT", "kbli:47111", "w:budi"], 1)
    put(1, ["form:permohonan", "status:TERBIT", "kbli:10298", "w:siti"], 2)
    put(2, ["form:permohonan", "status:DRAF", "kbli:47111", "w:budi", "w:santoso"], 3)
    put(3, ["form:permohonan", "status:TERBIT", "kbli:47111"], 3)  # same instant as s2: the higher id first
    store.insert_submission(submission(id="none"))  # no terms: never found
    items, total = store.search_submissions(["kbli:47111"])
    assert [d["id"] for d in items] == ["s3", "s2", "s0"] and total == 3
    items, total = store.search_submissions(["w:budi", "status:TERBIT"])
    assert [d["id"] for d in items] == ["s0"] and total == 1
    items, total = store.search_submissions(["form:permohonan"], limit=2, offset=1)
    assert [d["id"] for d in items] == ["s2", "s1"] and total == 4
    items, total = store.search_submissions(["form:permohonan"], updated_from="2025-03-02", updated_to="2025-03-03")
    assert [d["id"] for d in items] == ["s1"] and total == 1
    assert store.search_submissions(["w:nobody"]) == ([], 0)
    assert store.search_submissions(["form:permohonan"], limit=0) == ([], 4)
    # one term alone is counted exactly, whatever count_limit
    total = store.search_submissions(["form:permohonan"], limit=1, count_limit=2)[1]
    assert (total, total.estimate, total.capped) == (4, False, False)


def test_search_total_is_exact_when_cheap_else_flagged(store):
    """Beyond count_limit submissions of the driving term the total is an estimate (no dates) or a lower bound
    (dates), and says so; a page that ends the matches, or a small driving term, gives the exact total."""
    def put(i, terms, day):
        store.insert_submission(submission(id=f"s{i}", terms=terms, updated_at=f"2025-03-{day:02d}T00:00:00+00:00"))
    put(0, ["form:permohonan", "status:TERBIT", "kbli:47111"], 1)
    put(1, ["form:permohonan", "status:TERBIT"], 2)
    put(2, ["form:permohonan", "status:DRAF", "kbli:47111"], 3)
    put(3, ["form:permohonan", "status:TERBIT", "kbli:47111"], 4)
    both = ["kbli:47111", "status:TERBIT"]  # 3 each: the first given drives in both stores

    def total(terms, **kw):
        found = store.search_submissions(terms, **kw)[1]
        return int(found), found.estimate, found.capped
    # the newest 2 of kbli:47111 (s3, s2) hold 1 match: about 3 x 1/2 = 2 (there are 2: s3, s0)
    assert total(both, limit=1, count_limit=2) == (2, True, False)
    assert total(both, limit=1) == (2, False, False)  # a driving term of 3 <= count_limit: every one checked
    assert total(both, limit=5, count_limit=1) == (2, False, False)  # the page of 2 ends the matches
    assert total(both, limit=1, count_limit=2, updated_from="2025-03-01") == (1, False, True)  # at least 1
    assert total(["status:TERBIT"], limit=1, count_limit=2, updated_from="2025-03-01") == (2, False, True)
    assert total(["status:TERBIT"], limit=1, count_limit=3, updated_from="2025-03-01") == (3, False, False)
    assert total(["status:TERBIT", "w:nobody"]) == (0, False, False)
    assert store.count_terms("status:") == {"status:TERBIT": 3, "status:DRAF": 1}
    assert store.count_terms("kbli:4") == {"kbli:47111": 3}


def test_search_terms_follow_updates_and_restores(store, new_store):
    doc = store.insert_submission(submission(terms=["status:DRAF", "w:budi"]))
    assert store.search_submissions(["status:DRAF"])[1] == 1
    store.update_submission({**doc, "terms": ["status:TERBIT", "w:budi"], "updated_at": "2025-05-01T00:00:00+00:00"})
    assert store.search_submissions(["status:DRAF"]) == ([], 0)
    assert store.count_terms("status:") == {"status:TERBIT": 1}
    items, _ = store.search_submissions(["status:TERBIT"], updated_from="2025-05-01")
    assert [d["id"] for d in items] == ["s1"] and items[0]["terms"] == ["status:TERBIT", "w:budi"]
    other = new_store()
    other.restore_many("submissions", list(store.iter_collection("submissions")))
    assert [d["id"] for d in other.search_submissions(["w:budi", "status:TERBIT"])[0]] == ["s1"]


def test_search_pages_match_a_plain_intersection_across_batches_ties_and_offsets(store):
    """Every page of a combined search is the plain intersection in (last change, id) order, whether the store
    walks the driving term in small batches (count_limit small), reads the other terms as time ranges or probes
    them (a term far commoner than the driving one), and wherever ties in time fall."""
    docs = []
    for i in range(600):  # more than a batch of the driving term (250)
        terms = ["form:x"] + (["a"] if i % 3 == 0 else []) + (["b"] if i % 5 == 0 else []) + (["c"] if i == 30 else []) \
            + (["d"] if i % 2 == 0 else []) + (["f"] if i % 2 or i % 10 == 0 else [])  # d and f: 60 of 300 and 360
        day = dt.datetime(2025, 3, 1, tzinfo=dt.UTC) + dt.timedelta(hours=i // 2)  # two submissions an instant
        docs.append(submission(id=f"s{i:03d}", version=1, terms=terms, updated_at=day.isoformat()))
    store.restore_many("submissions", docs)
    newest = sorted(docs, key=lambda d: (d["updated_at"], d["id"]), reverse=True)
    for terms in (["a", "b"], ["b", "a"], ["a", "form:x"], ["form:x", "c"], ["c", "form:x"], ["a", "b", "form:x"],
                  ["d", "f"], ["f", "d", "form:x"]):
        expected = [d["id"] for d in newest if set(terms) <= set(d["terms"])]
        for count_limit in (2, 7, 300, 10_000):
            for offset, limit in ((0, 3), (2, 3), (0, 50), (150, 60), (len(expected), 3), (5, -1)):
                items, total = store.search_submissions(terms, limit=limit, offset=offset, count_limit=count_limit)
                page = expected[offset:offset + limit] if limit > 0 else expected[offset:]  # -1: no limit
                assert [d["id"] for d in items] == page, (terms, count_limit, offset)
                if not (total.estimate or total.capped):
                    assert total == len(expected), (terms, count_limit, offset)
            total = store.search_submissions(terms, limit=1, count_limit=count_limit)[1]
            assert total.estimate or total == len(expected)
        dated = store.search_submissions(terms, updated_from="2025-03-05", updated_to="2025-03-09", limit=50)[0]
        assert [d["id"] for d in dated] == [d["id"] for d in newest if set(terms) <= set(d["terms"])
                                             and "2025-03-05" <= d["updated_at"] < "2025-03-09"][:50]


def test_bulk_load_leaves_every_index_working(store):
    with store.bulk_load():
        store.restore_many("submissions", [submission(id=f"s{i}", version=1, terms=["form:permohonan", f"w:{i % 2}"],
                                                      updated_at=f"2025-03-0{i + 1}T00:00:00+00:00")
                                           for i in range(4)])
        store.restore_many("submissions", [submission(id="sx", form_id="other", version=1, subject="1401011708900001")])
        store.restore_many("documents", [document(version=1, issued_at="2025-10-03T00:00:00+00:00", categories=["47191"])])
    assert [d["id"] for d in store.find_submissions_by_subject("1401011708900001")] == ["sx"]
    assert store.count_issued_by_category_month("2025-10-01", "2025-11-01")[0]["count"] == 1
    assert [d["id"] for d in store.search_submissions(["w:1"])[0]] == ["s3", "s1"]
    assert [d["id"] for d in store.list_submissions("registrasi")] == ["s3", "s2", "s1", "s0"]
    store.insert_submission(submission(id="s9", terms=["w:1"]))
    assert store.search_submissions(["w:1"], limit=0)[1] == 3


def test_reindex_gives_old_submissions_their_terms_batch_wise_resumably_and_once(store):
    """Applications stored before search terms existed (no ``terms``) are found after the back-fill."""
    from formserver.issue import search_terms  # noqa: F401  (registers the application's term source)
    from formserver.search import reindex
    old = [submission(id=f"s{i}", form_id="permohonan", version=1, updated_at=f"2025-03-0{i + 1}T00:00:00+00:00",
                      data={"akun": {"nama_lengkap": "Budi Santoso", "nik": f"140101170890000{i}"}},
                      meta={"status_permohonan": "TERBIT", "nib": f"912000000000{i}"}) for i in range(5)]
    store.restore_many("submissions", old)  # as an import of data from before the search would
    assert store.search_submissions(["w:budi"]) == ([], 0)
    seen = []
    first = reindex(store, batch=2, progress=lambda done: seen.append((done.read, done.last_id)))
    assert (first.read, first.written) == (5, 5) and seen == [(2, "s1"), (4, "s3"), (5, "s4")]
    items, total = store.search_submissions(["w:santoso", "status:TERBIT"])
    assert [d["id"] for d in items] == ["s4", "s3", "s2", "s1", "s0"] and total == 5
    assert items[0]["updated_at"] == "2025-03-05T00:00:00+00:00"  # the last change stays: the order is kept
    assert [d["id"] for d in store.search_submissions(["nib:9120000000002"])[0]] == ["s2"]
    assert (reindex(store).read, reindex(store).written) == (5, 0)  # again: nothing to write
    assert reindex(store, after="s2").read == 2  # resumed past s2: s3 and s4


def test_category_counts_only_documents_with_categories_in_range(store, new_store):
    acts = {"activities": [{"kbli": "47191"}]}  # what a document prints: the store counts its categories only
    cats = ["47191"]
    store.insert_document(document(id="a", number="1", application_id="a", issued_at="2025-09-30T23:59:59+00:00", categories=cats))
    store.insert_document(document(id="b", number="2", application_id="b", issued_at="2025-10-01T00:00:00+00:00", categories=cats))
    store.insert_document(document(id="c", number="3", application_id="c", issued_at="2025-10-20T00:00:00+00:00", categories=cats))
    store.insert_document(document(id="d", number="4", application_id="d", issued_at="2025-11-01T00:00:00+00:00", categories=cats))
    store.insert_document(document(id="e", number="5", application_id="a", type="SERTIFIKAT_STANDAR", activity="0",
                                   issued_at="2025-10-05T00:00:00+00:00", content=acts))
    store.insert_document(document(id="f", number="6", application_id="f", issued_at="2025-10-06T00:00:00+00:00",
                                   categories=[]))
    assert store.count_issued_by_category_month("2025-10-01", "2025-11-01") == [
        {"month": "2025-10", "category": "47191", "count": 2}]
    assert store.count_issued_by_category_month("2026-01-01", "2027-01-01") == []
    other = new_store()
    other.restore_many("documents", list(store.iter_collection("documents")))
    assert other.count_issued_by_category_month("2025-10-01", "2025-11-01") == [
        {"month": "2025-10", "category": "47191", "count": 2}]


def _old_shapes(store):
    """Records as the stores kept them before they stopped naming form keys: a submission's applicant as its
    top-level "nik", NIB documents without categories (the report read their activities' KBLI codes)."""
    store.insert_submission(submission(nik="1401011708900001"))
    store.insert_submission(submission(id="s2", nik=None))
    two = {"activities": [{"kbli": "47191"}, {"kbli": "10298"}]}
    store.insert_document(document(issued_at="2025-10-03T01:00:00+00:00", content=two))
    store.insert_document(document(id="d2", number="2", application_id="s2", issued_at="2025-10-05T00:00:00+00:00",
                                   carried=1, content=two))  # reissued: the first activity was counted before
    store.insert_document(document(id="d3", number="3", type="SERTIFIKAT_STANDAR", activity="0",
                                   issued_at="2025-10-06T00:00:00+00:00", content=two))


def test_upgrades_give_old_records_their_subject_and_categories_once(store):
    plugins.load()
    _old_shapes(store)
    old = store.get_submission("s1")
    assert store.find_submissions_by_subject("1401011708900001") == []
    assert upgrades.run(store) == {"submission-subject": 2, "document-categories": 2}
    upgraded = store.get_submission("s1")
    assert upgraded == {**{k: v for k, v in old.items() if k != "nik"}, "subject": "1401011708900001"}
    assert [d["id"] for d in store.find_submissions_by_subject("1401011708900001")] == ["s1"]
    assert store.get_submission("s2")["subject"] is None and "nik" not in store.get_submission("s2")
    counts = [{"month": "2025-10", "category": "10298", "count": 2}, {"month": "2025-10", "category": "47191", "count": 1}]
    assert store.count_issued_by_category_month("2025-10-01", "2025-11-01") == counts
    assert "categories" not in store.get_document("d3") and store.get_document("d1")["version"] == 1
    assert upgrades.run(store) == {}  # once per store: nothing counted twice
    assert store.count_issued_by_category_month("2025-10-01", "2025-11-01") == counts
    store.update_submission({**upgraded, "subject": "1401011708900002"})  # the index follows later writes
    assert store.find_submissions_by_subject("1401011708900001") == []
    assert [d["id"] for d in store.find_submissions_by_subject("1401011708900002")] == ["s1"]


def test_sqlite_upgrade_replaces_the_old_side_tables(tmp_path):
    plugins.load()
    path = tmp_path / "old.sqlite3"
    _old_shapes(SQLiteStore(path))
    db = sqlite3.connect(path)  # the side tables as the earlier schema had them, filled
    db.executescript("CREATE TABLE submission_nik (id TEXT PRIMARY KEY, nik TEXT NOT NULL);"
                     "INSERT INTO submission_nik VALUES ('s1', '1401011708900001');"
                     "CREATE TABLE document_kbli (document_id TEXT NOT NULL, month TEXT NOT NULL, kbli TEXT NOT NULL);"
                     "INSERT INTO document_kbli VALUES ('d1', '2025-10', '47191'), ('d1', '2025-10', '10298');")
    db.close()
    store = SQLiteStore(path)
    tables = {row[0] for row in store._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & {"submission_nik", "document_kbli"}
    assert upgrades.run(store) == {"submission-subject": 2, "document-categories": 2}
    assert [d["id"] for d in store.find_submissions_by_subject("1401011708900001")] == ["s1"]
    assert store.count_issued_by_category_month("2025-10-01", "2025-11-01")[0]["count"] == 2
    assert upgrades.run(SQLiteStore(path)) == {}


def test_sqlite_upgrade_is_all_or_nothing(tmp_path):
    store = SQLiteStore(tmp_path / "s.sqlite3")
    store.insert_submission(submission(id="s1"))
    store.insert_submission(submission(id="s2"))

    def fails_on_the_second(doc):
        if doc["id"] == "s2":
            raise ValueError("broken record")
        return {**doc, "subject": "x"}
    with pytest.raises(ValueError):
        store.upgrade_records("t", "submissions", fails_on_the_second)
    assert "subject" not in store.get_submission("s1") and store.find_submissions_by_subject("x") == []
    assert store.upgrade_records("t", "submissions", lambda doc: {**doc, "subject": "x"}) == 2  # not marked done
    assert len(store.find_submissions_by_subject("x")) == 2
    with pytest.raises(ValueError):  # an upgrade may not change what optimistic concurrency compares
        store.upgrade_records("u", "submissions", lambda doc: {**doc, "version": 9})


def test_mongo_upgrade_drops_the_index_of_the_retired_field(mongo_store):
    plugins.load()
    mongo_store.db.submissions.create_index("nik", sparse=True, name="nik")  # as the earlier store made it
    _old_shapes(mongo_store)
    assert upgrades.run(mongo_store)["submission-subject"] == 2
    names = {index["name"] for index in mongo_store.db.submissions.list_indexes()}
    assert "nik" not in names and "subject" in names


def _survey(sid, on, values, status="completed"):
    return submission(id=sid, form_id="skm", status=status, tally={"on": on, "values": values})


def test_tally_counts_completed_submissions_once_by_day(store):
    store.insert_submission(_survey("a", "2026-01-01", {"persyaratan": "4", "pendidikan": "S1"}))
    store.insert_submission(_survey("b", "2026-06-30", {"persyaratan": "4", "pendidikan": "SMA"}))
    store.insert_submission(_survey("c", "2026-07-01", {"persyaratan": "1"}))  # the next semester
    store.insert_submission(_survey("d", "2026-03-01", {"persyaratan": "2"}, status="draft"))  # not sent: not counted
    store.insert_submission(submission(id="e", status="completed", form_id="skm"))  # no tally
    store.insert_submission(submission(id="f", form_id="other", status="completed",
                                       tally={"on": "2026-02-01", "values": {"persyaratan": "3"}}))
    draft = store.get_submission("d")
    sent = store.update_submission({**draft, "status": "completed"})  # sent later: counted once it is completed
    store.update_submission({**sent, "meta": {"changed": True}})       # a later write of it counts nothing again
    assert store.count_tally("skm", "2026-01-01", "2026-07-01") == [
        {"key": "pendidikan", "value": "S1", "count": 1}, {"key": "pendidikan", "value": "SMA", "count": 1},
        {"key": "persyaratan", "value": "2", "count": 1}, {"key": "persyaratan", "value": "4", "count": 2}]
    assert store.count_tally("skm", "2026-07-01", "2027-01-01") == [{"key": "persyaratan", "value": "1", "count": 1}]
    assert store.count_tally("skm", "2025-01-01", "2026-01-01") == []
    assert store.count_tally("other", "2026-01-01", "2027-01-01") == [{"key": "persyaratan", "value": "3", "count": 1}]


def test_tally_survives_export_and_restore(store, new_store):
    store.insert_submission(_survey("a", "2026-01-05", {"persyaratan": "3"}))
    other = new_store()
    for record in store.iter_collection("submissions"):
        other.restore("submissions", record)
        other.restore("submissions", record)  # a second run counts nothing again
    assert other.count_tally("skm", "2026-01-01", "2026-02-01") == [{"key": "persyaratan", "value": "3", "count": 1}]


PDF_BYTES = b"%PDF-1.7\n\x00\xff\xfe binary \r\n"


def a_file(**extra):
    return {"id": "f1", "owner": "session:a", "name": "bukti <1>.pdf", "content_type": "application/pdf",
            "size": len(PDF_BYTES), "sha256": "abc", "created_at": "2026-01-01T00:00:00+00:00", "data": PDF_BYTES, **extra}


def test_files_keep_their_bytes(store):
    record = store.put_file(a_file())
    assert record == {k: v for k, v in a_file().items() if k != "data"}
    assert store.get_file("f1") == a_file() and store.get_file("nope") is None
    with pytest.raises(DuplicateKey):
        store.put_file(a_file(data=b"other"))
    assert store.get_file("f1")["data"] == PDF_BYTES


def test_a_file_not_kept_is_deleted(store):
    store.put_file(a_file())
    store.put_file(a_file(id="f2"))
    assert store.delete_file("f1") and not store.delete_file("f1") and not store.delete_file("nope")
    assert store.get_file("f1") is None and store.get_file("f2")["data"] == PDF_BYTES
    assert [f["id"] for f in store.iter_collection("files")] == ["f2"]


def test_files_are_exported_as_base64_and_restored(store, new_store):
    store.put_file(a_file())
    exported = list(store.iter_collection("files"))
    assert exported == [{**{k: v for k, v in a_file().items() if k != "data"}, "data": "JVBERi0xLjcKAP/+IGJpbmFyeSANCg=="}]
    other = new_store()
    assert other.restore("files", exported[0]) and not other.restore("files", exported[0])
    assert other.get_file("f1") == a_file()


def variant_version(variant, number, **extra):
    return {"id": f"{variant}@{number}", "variant": variant, "number": number,
            "document": {"variant": variant, "identity": {"name": "DPMPTSP"}}, "created_at": "t", "created_by": "system",
            **extra}


def fill(store):
    """One record of every collection, and some more to show the export order."""
    store.put_file(a_file())
    store.insert_submission(submission(subject="1401011708900001"))
    store.insert_account({"id": "a1", "username": "u1", "email": "e@x.id"})
    store.insert_document(document())
    store.next_value("nib")
    store.claim("nib:s1", "123")
    store.append_event({"at": "t1", "subject": "x", "type": "y", "actor": "z"})
    store.put_code({"id": "c1", "digest": "d"})
    store.insert_reference_table({"id": "r1", "kind": "kbli_risiko", "effective": "2025-10-05", "rows": []})
    store.add_signing_key(signing_key("k1"))
    store.insert_form_version(form_version("f", 1, published_seq=1))
    store.insert_variant_version(variant_version("kampar", 1, published_seq=1))


def test_export_and_restore_round_trip(store, new_store):
    fill(store)
    dump = {name: list(store.iter_collection(name)) for name in store.COLLECTIONS}
    other = new_store()
    for name, records in dump.items():
        assert all(other.restore(name, r) for r in records)
        assert not any(other.restore(name, r) for r in records)  # a second run adds nothing
    assert {name: list(other.iter_collection(name)) for name in other.COLLECTIONS} == dump
    assert [d["id"] for d in other.find_submissions_by_subject("1401011708900001")] == ["s1"]
    with pytest.raises(DuplicateKey):
        other.restore("accounts", {"id": "a2", "username": "u1", "email": "f@x.id", "version": 1})


def test_round_trip_across_backends(tmp_path):
    """sqlite -> mongo (mongomock, or the server when configured) -> sqlite: the same records."""
    source = SQLiteStore(tmp_path / "source.sqlite3")
    fill(source)
    source.update_submission({**source.get_submission("s1"), "data": {"modal": 12.5, "text": "Rp 1.000,50 ñ"}})
    dump = {name: list(source.iter_collection(name)) for name in source.COLLECTIONS}
    if MONGODB_URI:
        from pymongo import MongoClient
        client, database = MongoClient(MONGODB_URI), fresh_database_name()
        middle = MongoStore(client.get_database(database))
    else:
        mongomock = pytest.importorskip("mongomock")
        client, database = mongomock.MongoClient(), "roundtrip"
        middle = MongoStore(client, database)
    try:
        for name, records in dump.items():
            assert middle.restore_many(name, records) == len(records)
        assert {name: list(middle.iter_collection(name)) for name in middle.COLLECTIONS} == dump
        back = SQLiteStore(tmp_path / "back.sqlite3")
        for name in middle.COLLECTIONS:
            assert back.restore_many(name, list(middle.iter_collection(name))) == len(dump[name])
        assert {name: list(back.iter_collection(name)) for name in back.COLLECTIONS} == dump
        assert back.get_submission("s1")["data"] == {"modal": 12.5, "text": "Rp 1.000,50 ñ"}
    finally:
        if MONGODB_URI:
            client.drop_database(database)
        client.close()


def test_iter_collection_shapes_and_orders(store):
    for i in ("z", "a", "m"):
        store.insert_account({"id": i, "username": f"u{i}", "email": f"{i}@x.id"})
        store.insert_submission(submission(id=i))
        store.put_code({"id": i, "digest": i})
        store.insert_document(document(id=i, number=f"N-{i}", activity=i))
        store.insert_reference_table({"id": i, "kind": "k", "effective": {"z": "3", "a": "1", "m": "2"}[i]})
        store.claim(f"k-{i}", f"v-{i}")
        store.next_value(f"c-{i}")
        store.append_event({"at": f"t-{i}", "subject": "s", "type": i, "actor": "x"})
    store.next_value("c-a")
    by_id = ["a", "m", "z"]
    assert [r["id"] for r in store.iter_collection("accounts")] == by_id
    assert [r["id"] for r in store.iter_collection("submissions")] == by_id
    assert [r["id"] for r in store.iter_collection("codes")] == by_id
    assert list(store.iter_collection("documents")) == [store.get_document(i) for i in ("z", "a", "m")]  # issue order
    assert [r["id"] for r in store.iter_collection("reference_tables")] == ["z", "a", "m"]  # insertion order
    assert list(store.iter_collection("counters")) == [{"name": "c-a", "value": 2}, {"name": "c-m", "value": 1},
                                                       {"name": "c-z", "value": 1}]
    assert list(store.iter_collection("claims")) == [{"key": f"k-{i}", "value": f"v-{i}"} for i in by_id]
    events = list(store.iter_collection("events"))
    assert [e["type"] for e in events] == ["z", "a", "m"]
    seqs = [e.pop("seq") for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3 and events == store.events("s")
    assert list(store.iter_collection("accounts"))[0] == store.get_account("a")
    with pytest.raises(ValueError):
        list(store.iter_collection("attempts"))


def test_iter_collection_of_many_records(store):
    for i in range(2500):  # more than one page of a paged export
        store.append_event({"at": "t", "subject": "s", "type": str(i), "actor": "x"})
    events = list(store.iter_collection("events"))
    assert [e["type"] for e in events] == [str(i) for i in range(2500)]
    assert [e["seq"] for e in events] == sorted({e["seq"] for e in events})


@pytest.mark.parametrize("collection, record, field", [
    ("accounts", {"id": "a2", "username": "u1", "email": "other@x.id", "version": 1}, "username"),
    ("accounts", {"id": "a2", "username": "other", "email": "e@x.id", "version": 1}, "email"),
    ("accounts", {"id": "a2", "username": "other", "email": "E@X.id", "version": 1}, "email"),
    ("documents", document(id="d2", application_id="s9", version=1), "number"),
    ("documents", document(id="d2", number="other", version=1), "slot"),
    ("variant_versions", {**variant_version("kampar", 1), "id": "kampar@1b", "version": 1}, "number"),
])
def test_restore_refuses_a_unique_value_held_by_another_record(store, store_backend, request, collection, record, field):
    fill(store)
    before = {name: list(store.iter_collection(name)) for name in store.COLLECTIONS}
    with pytest.raises(DuplicateKey) as error:
        store.restore(collection, record)
    assert {name: list(store.iter_collection(name)) for name in store.COLLECTIONS} == before
    assert error.value.field == field


def test_restore_by_key_and_counts(store):
    assert store.restore_many("counters", []) == 0
    assert store.restore_many("counters", [{"name": "nib", "value": 7}, {"name": "ss", "value": 2}]) == 2
    assert store.restore_many("counters", [{"name": "nib", "value": 99}, {"name": "x", "value": 1}]) == 1
    assert store.next_value("nib") == 8  # the existing counter was not overwritten
    assert store.restore("claims", {"key": "k", "value": "v"}) and not store.restore("claims", {"key": "k", "value": "w"})
    assert store.claim("k", "other") == "v"
    account = {"id": "a1", "username": "u1", "email": "e@x.id", "version": 3}
    assert store.restore_many("accounts", [account, account]) == 1  # twice in one batch: added once
    assert store.get_account("a1") == account  # restored as exported: the version is kept
    changed = {**account, "email": "changed@x.id"}
    assert not store.restore("accounts", changed) and store.get_account("a1") == account  # never overwritten


def test_restore_many_is_all_or_none_on_a_duplicate(store):
    store.insert_account({"id": "a1", "username": "u1", "email": "e@x.id"})
    batch = [{"id": "a0", "username": "u0", "email": "e0@x.id", "version": 1},
             {"id": "a2", "username": "u1", "email": "e2@x.id", "version": 1}]
    with pytest.raises(DuplicateKey):
        store.restore_many("accounts", batch)
    assert store.get_account("a0") is None
    within = [{"id": "b1", "username": "same", "email": "b1@x.id", "version": 1},
              {"id": "b2", "username": "same", "email": "b2@x.id", "version": 1}]
    with pytest.raises(DuplicateKey) as error:
        store.restore_many("accounts", within)
    assert error.value.field == "username" and store.get_account("b1") is None
    with pytest.raises(DuplicateKey) as error:
        store.restore_many("documents", [document(id="x1", number="N", version=1),
                                         document(id="x2", number="N", application_id="s2", version=1)])
    assert error.value.field == "number" and store.get_document("x1") is None


def test_restored_events_and_documents_continue_in_order(store):
    events = [{"at": f"t{n}", "subject": "s", "type": f"e{n}", "actor": "x", "seq": n} for n in (3, 5, 10)]
    assert store.restore_many("events", events) == 3
    store.append_event({"at": "t11", "subject": "s", "type": "after", "actor": "x"})
    exported = list(store.iter_collection("events"))
    assert [e["seq"] for e in exported[:3]] == [3, 5, 10] and exported[3]["seq"] > 10
    assert [e["type"] for e in store.events("s")] == ["e3", "e5", "e10", "after"]
    assert not store.restore("events", {**events[0], "type": "changed"})
    docs = [{**document(id=i, number=i, activity=i), "version": 2} for i in ("z", "a")]
    assert store.restore_many("documents", docs) == 2
    store.insert_document(document(id="b", number="b", activity="b"))
    assert [d["id"] for d in store.documents_for("s1")] == ["z", "a", "b"]
    assert store.get_document("z") == docs[0]


def test_restore_unknown_collection(store):
    with pytest.raises(ValueError):
        store.restore("attempts", {"key": "x", "at": 1.0})


# MongoStore specifics: configuration, start-up errors, query safety

def test_mongo_filters_never_read_values_as_operators(mongo_store):
    store = mongo_store
    store.insert_account({"id": "1", "username": "budi", "email": "b@x.id"})
    store.insert_submission(submission(subject="1401011708900001"))
    assert store.find_account(username={"$ne": ""}) is None and store.get_account({"$gt": ""}) is None
    assert store.find_submissions({"$ne": None}) == [] and store.find_submissions_by_subject({"$ne": None}) == []
    assert store.get_submission({"$regex": "."}) is None and store.find_document(number={"$exists": True}) is None


def test_mongo_stores_no_internal_field_in_returned_records(mongo_store):
    store = mongo_store
    fill(store)
    for name in store.COLLECTIONS:
        for record in store.iter_collection(name):
            assert not any(key.startswith("_") for key in record), (name, record)
    raw = store.db.documents.find_one({"_id": "d1"})
    assert raw["_id"] == "d1" and raw["_seq"] == 1 and raw["_activity"] == ""


def test_mongo_write_concern_and_read_preference_settings():
    assert write_concern("majority").document == {"w": "majority"}
    assert write_concern("2").document == {"w": 2} and write_concern(" 1 ").document == {"w": 1}
    assert write_concern(None).document == {"w": "majority"}
    with pytest.raises(ValueError):
        write_concern("0")
    from pymongo import ReadPreference
    assert read_preference("primary") == ReadPreference.PRIMARY
    assert read_preference("secondaryPreferred") == ReadPreference.SECONDARY_PREFERRED
    assert read_preference("nearest") == ReadPreference.NEAREST
    with pytest.raises(ValueError):
        read_preference("fastest")


def test_mongo_from_config(monkeypatch):
    mongomock = pytest.importorskip("mongomock")
    from formserver.store import mongo
    monkeypatch.setattr(mongo, "MongoClient", lambda uri, **options: mongomock.MongoClient(uri))
    store = MongoStore.from_config({"MONGODB_URI": "mongodb://h/fromuri", "MONGODB_DATABASE": "ignored"})
    assert store.db.name == "fromuri" and store.ping()
    store = MongoStore.from_config({"MONGODB_URI": "mongodb://h/", "MONGODB_DATABASE": "named",
                                    "MONGODB_WRITE_CONCERN": "1", "MONGODB_READ_PREFERENCE": "primary"})
    assert store.db.name == "named"
    store = MongoStore.from_config({"MONGODB_URI": "mongodb://h"})
    assert store.db.name == "formserver"
    with pytest.raises(ValueError, match="FORMSERVER_MONGODB_URI"):
        MongoStore.from_config({"MONGODB_URI": ""})


def test_open_store_names_an_unreachable_mongodb_without_its_password(monkeypatch):
    import pymongo

    from formserver.store import mongo
    monkeypatch.setattr(mongo, "MongoClient",  # the real driver, a short wait for the (refused) server
                        lambda uri, **options: pymongo.MongoClient(uri, **{**options, "serverSelectionTimeoutMS": 300}))
    with pytest.raises(StoreUnavailable) as error:
        open_store({"STORE": "mongodb", "MONGODB_URI": "mongodb://admin:s3cret@127.0.0.1:9/formserver"})
    message = str(error.value)
    assert "s3cret" not in message and "mongodb://admin:***@127.0.0.1:9/formserver" in message
    assert "Penyimpanan mongodb" in message and "tidak tersedia" in message and "FORMSERVER_MONGODB_URI" in message
    with pytest.raises(ValueError, match="FORMSERVER_MONGODB_URI"):
        open_store({"STORE": "mongodb", "MONGODB_URI": ""})
    with pytest.raises(ValueError, match="Penyimpanan 'postgres' tidak dikenal; pilih salah satu: sqlite, mongodb"):
        open_store({"STORE": "postgres"})


def test_open_store_refuses_a_store_that_does_not_answer(tmp_path, monkeypatch):
    assert open_store({"STORE": "sqlite", "DATA_DIR": str(tmp_path)}).ping()
    monkeypatch.setattr(SQLiteStore, "ping", lambda self: False)
    with pytest.raises(StoreUnavailable, match="Penyimpanan sqlite di .* tidak tersedia: penyimpanan itu tidak menjawab"):
        open_store({"STORE": "sqlite", "DATA_DIR": str(tmp_path)})


def test_an_unavailable_store_is_said_in_english_when_asked(tmp_path, monkeypatch, in_english):
    monkeypatch.setattr(SQLiteStore, "ping", lambda self: False)
    with pytest.raises(StoreUnavailable) as error:
        open_store({"STORE": "sqlite", "DATA_DIR": str(tmp_path)})
    assert str(error.value) == (f"The sqlite store at {tmp_path / 'formserver.sqlite3'} is unavailable: it did not "
                                "answer a ping right after opening. To fix: check that FORMSERVER_DATA_DIR exists, is "
                                "writable by this user and is on a local disk.")


def test_redact_uri():
    assert redact_uri("mongodb://u:p@ss@h1:1,h2:2/db?replicaSet=rs") == "mongodb://u:***@h1:1,h2:2/db?replicaSet=rs"
    assert redact_uri("mongodb+srv://u:pw@c.example.net/?tlsCertificateKeyFilePassword=x&w=1") == \
        "mongodb+srv://u:***@c.example.net/?tlsCertificateKeyFilePassword=***&w=1"
    assert redact_uri("mongodb://h/db") == "mongodb://h/db" and redact_uri("mongodb://u@h/") == "mongodb://u@h/"


def test_configuration_reads_the_mongodb_settings(monkeypatch):
    from formserver.config import from_environment
    monkeypatch.setenv("FORMSERVER_STORE", "mongodb")
    monkeypatch.setenv("FORMSERVER_MONGODB_URI", "mongodb://db1,db2/oss?replicaSet=rs0")
    monkeypatch.setenv("FORMSERVER_MONGODB_WRITE_CONCERN", "2")
    monkeypatch.delenv("FORMSERVER_MONGODB_READ_PREFERENCE", raising=False)
    monkeypatch.delenv("FORMSERVER_MONGODB_DATABASE", raising=False)
    config = from_environment()
    assert config["STORE"] == "mongodb" and config["MONGODB_URI"] == "mongodb://db1,db2/oss?replicaSet=rs0"
    assert config["MONGODB_WRITE_CONCERN"] == "2" and config["MONGODB_READ_PREFERENCE"] == "primary"
    assert config["MONGODB_DATABASE"] == "formserver"


@pytest.mark.skipif(not MONGODB_URI, reason="needs a MongoDB server: set FORMSERVER_TEST_MONGODB_URI")
def test_mongodb_open_store_from_configuration():
    store = open_store({"STORE": "mongodb", "MONGODB_URI": MONGODB_URI, "MONGODB_DATABASE": fresh_database_name()})
    try:
        assert store.ping()
    finally:
        store.client.drop_database(store.db.name)
        store.close()


def form_version(form_id, number, **extra):
    return {"id": f"{form_id}@{number}", "form_id": form_id, "number": number,
            "definition": {"key": form_id, "version": number, "steps": []}, "created_at": "t", "created_by": "system",
            **extra}


def versioned(kind, owner, number, **extra):
    return (form_version if kind == "form" else variant_version)(owner, number, **extra)


@pytest.mark.parametrize("kind", list(Store.VERSIONED))
def test_versions_are_unique_per_owner_and_updated_optimistically(store, kind):
    owner, body = {"form": ("form_id", "definition"), "variant": ("variant", "document")}[kind]
    first = store.insert_version(kind, versioned(kind, "izin", 1))
    assert first["version"] == 1 and store.get_version(kind, "izin", 1) == first
    store.insert_version(kind, versioned(kind, "lain", 1))
    with pytest.raises(DuplicateKey) as duplicate:
        store.insert_version(kind, {**versioned(kind, "izin", 1), "id": "izin@1b"})
    assert duplicate.value.field == "number"
    store.insert_version(kind, versioned(kind, "izin", 2))
    assert [(r[owner], r["number"]) for r in store.versions_of(kind)] == [("izin", 1), ("izin", 2), ("lain", 1)]
    assert [r["number"] for r in store.versions_of(kind, "izin")] == [1, 2]
    assert store.get_version(kind, "izin", 3) is None
    edited = store.update_version(kind, {**first, body: {"key": "izin", "steps": [1]}})
    assert edited["version"] == 2 and store.get_version(kind, "izin", 1)[body]["steps"] == [1]
    with pytest.raises(StaleVersion):
        store.update_version(kind, first)


@pytest.mark.parametrize("kind", list(Store.VERSIONED))
def test_the_published_version_is_the_latest_publication(store, kind):
    counter = f"{kind}_publications"
    assert store.published_numbers(kind) == {}
    one = store.insert_version(kind, versioned(kind, "izin", 1, published_seq=store.next_value(counter)))
    two = store.insert_version(kind, versioned(kind, "izin", 2))
    store.insert_version(kind, versioned(kind, "lain", 1, published_seq=store.next_value(counter)))
    assert store.published_numbers(kind) == {"izin": 1, "lain": 1}  # a draft is not published
    two = store.update_version(kind, {**two, "published_seq": store.next_value(counter)})
    assert store.published_numbers(kind) == {"izin": 2, "lain": 1}
    store.update_version(kind, {**one, "published_seq": store.next_value(counter)})  # roll back
    assert store.published_numbers(kind) == {"izin": 1, "lain": 1}


def test_form_and_variant_versions_are_apart(store):
    store.insert_form_version(form_version("kampar", 1, published_seq=1))
    assert store.variant_versions() == [] and store.published_variants() == {}
    assert store.get_variant_version("kampar", 1) is None and store.published_versions() == {"kampar": 1}
    store.insert_variant_version(variant_version("kampar", 1))  # the same id in the other kind
    assert [r["number"] for r in store.form_versions("kampar")] == [1]
    assert [r["variant"] for r in store.variant_versions()] == ["kampar"] and store.published_variants() == {}
