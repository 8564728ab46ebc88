"""Issuance as a lifecycle: one NIB per business, frozen answers while issuing, recovery from a crash at
every write, and revocation with a reason."""
import shutil
import threading

import pytest

from formserver.issue.issuance import RevocationRefused

from .conftest import PASSWORD, PASSWORD_HASH, Api, make_app
from .test_permohonan import PROFILE, _to_pernyataan, ok, start

PKPLH = {"punya_dokumen_lingkungan": "SUDAH", "jenis_dokumen_lingkungan": "PKPLH",
         "nomor_dokumen_lingkungan": "PKPLH/01/2024", "tanggal_dokumen_lingkungan": "2024-03-01",
         "uraian_usaha_lingkungan": "Produksi"}


def login(app, username="budi0001"):
    api = Api(app.test_client())
    ok(api.post("/api/v1/auth/login", {"username": username, "password": PASSWORD}))
    return api


def resumed(app, cookie: str) -> Api:
    """The applicant on ``app`` with a session cookie from before (the session is in the store the app opened):
    a server restarted on the same data keeps its sessions, and nothing here is about logging in again."""
    client = app.test_client()
    client.set_cookie("formserver_session", cookie)
    return Api(client)


def session_cookie(api: Api) -> str:
    return api.client.get_cookie("formserver_session").value


def add_account(app, number=1):
    app.extensions["formserver"].store.insert_account({
        "id": f"acc{number}", "username": f"budi000{number}", "email": f"budi{number}@example.test", "status": "active",
        "password_hash": PASSWORD_HASH, "profile": PROFILE})
    return login(app, f"budi000{number}")


def ready_rendah(api):
    """An application for 47191 (Rendah), every step but the last done."""
    sid = start(api)
    _to_pernyataan(api, sid)
    ok(api.put_step(sid, "pernyataan_mandiri", {"pernyataan_k3l": True, "pernyataan_sppl": True}))
    return sid


def ready_menengah_rendah(api):
    """An application for 10298 (Menengah Rendah, PKPLH held), every step but the last done."""
    sid = start(api)
    _to_pernyataan(api, sid, "10298", modal=200_000_000, env=PKPLH)
    ok(api.put_step(sid, "pernyataan_mandiri", {"pernyataan_k3l": True, "pernyataan_standar_usaha": True}))
    return sid


def submit(api, sid):
    return api.post(f"/api/v1/submissions/{sid}/submit", {"values": {"setuju_terbitkan": True}})


def code_of(document):
    return document["verify_url"].rsplit("/verifikasi/", 1)[1]


def verify(app, document):
    return app.test_client().get(f"/api/v1/verify/{code_of(document)}").get_json()


def nib_document(result):
    return next(d for d in result["documents"] if d["type"] == "NIB")


@pytest.fixture
def applicant(app):
    return add_account(app)


# --- one business, one NIB -------------------------------------------------------------------------

def test_two_applications_of_one_account_share_one_nib(app, applicant):
    store = app.extensions["formserver"].store
    first = ok(submit(applicant, ready_rendah(applicant)))
    second = ok(submit(applicant, ready_menengah_rendah(applicant)))
    assert second["nib"] == first["nib"]
    assert store.claimed("nib:account:acc1") == first["nib"]
    old, new = nib_document(first), nib_document(second)
    assert new["number"] != old["number"] and old["number"] == first["nib"]
    issued = store.get_document(new["id"])
    assert [a["kbli"] for a in issued["content"]["activities"]] == ["47191", "10298"]
    assert issued["content"]["nib"] == first["nib"]
    # every number of the second application is new; the NIB serial was taken once
    assert not {d["number"] for d in first["documents"]} & {d["number"] for d in second["documents"]}
    assert store.next_value("nib") == 2
    old_check = verify(app, old)
    assert old_check["valid"] is False and old_check["status"] == "SUPERSEDED"
    assert old_check["superseded_by"] == new["number"]
    superseded = store.get_document(old["id"])["superseded"]
    assert superseded["by_document"] == new["id"] and superseded["by_number"] == new["number"] and superseded["at"]
    assert verify(app, new)["valid"] is True and verify(app, new)["kbli"] == ["47191", "10298"]
    # the application's own documents stay valid
    assert all(verify(app, d)["valid"] for d in first["documents"] if d["type"] != "NIB")
    # the monthly report counts each activity once, not again in the reissued NIB
    month = issued["issued_at"][:7]
    counts = {r["category"]: r["count"] for r in store.count_issued_by_category_month(f"{month}-01", "2999-01-01")}
    assert counts == {"47191": 1, "10298": 1}


def test_the_draft_nib_of_a_later_application_shows_the_nib_and_the_activities_it_lists(app, applicant):
    issuer, store = app.extensions["formserver"].issuer, app.extensions["formserver"].store
    sid = ready_rendah(applicant)
    draft = issuer.draft_nib(store.get_submission(sid))
    assert draft["content"]["nib"] == "(belum diterbitkan)" and [a["kbli"] for a in draft["content"]["activities"]] == ["47191"]
    first = ok(submit(applicant, sid))
    draft = issuer.draft_nib(store.get_submission(ready_menengah_rendah(applicant)))
    assert draft["content"]["nib"] == first["nib"]
    assert [a["kbli"] for a in draft["content"]["activities"]] == ["47191", "10298"]


def test_a_third_application_lists_all_activities_and_another_account_gets_its_own_nib(app, applicant):
    first = ok(submit(applicant, ready_rendah(applicant)))
    second = ok(submit(applicant, ready_rendah(applicant)))
    third = ok(submit(applicant, ready_menengah_rendah(applicant)))
    assert first["nib"] == second["nib"] == third["nib"]
    store = app.extensions["formserver"].store
    kbli = [a["kbli"] for a in store.get_document(nib_document(third)["id"])["content"]["activities"]]
    assert kbli == ["47191", "47191", "10298"]
    assert [verify(app, nib_document(r))["status"] for r in (first, second, third)] == ["SUPERSEDED", "SUPERSEDED", "VALID"]
    other = add_account(app, 2)
    assert ok(submit(other, ready_rendah(other)))["nib"] != first["nib"]


def test_two_applications_submitted_at_once_yield_one_nib_listing_both(app, applicant):
    sids = [ready_rendah(applicant), ready_menengah_rendah(applicant)]
    cookie = applicant.client.get_cookie("formserver_session").value
    results, barrier = {}, threading.Barrier(4)

    def go(sid):
        client = app.test_client()
        client.set_cookie("formserver_session", cookie)
        barrier.wait()
        response = client.post(f"/api/v1/submissions/{sid}/submit", json={"values": {"setuju_terbitkan": True}})
        results.setdefault(sid, []).append((response.status_code, response.get_json()))
    threads = [threading.Thread(target=go, args=(sid,)) for sid in sids for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bodies = [body for answers in results.values() for status, body in answers if status == 200]
    assert len(bodies) == 4, results
    assert len({body["nib"] for body in bodies}) == 1
    store = app.extensions["formserver"].store
    nib_docs = [d for sid in sids for d in store.documents_for(sid) if d["type"] == "NIB"]
    assert len(nib_docs) == 2
    latest = max(nib_docs, key=lambda d: len(d["content"]["activities"]))
    assert sorted(a["kbli"] for a in latest["content"]["activities"]) == ["10298", "47191"]
    assert sorted(d["status"] for d in nib_docs) == ["SUPERSEDED", "VALID"]
    assert latest["status"] == "VALID"


# --- frozen answers ------------------------------------------------------------------------------

class Crash(Exception):
    """The process died here."""


WRITES = {"insert_submission", "update_submission", "insert_account", "update_account", "put_code", "update_code",
          "next_value", "record_attempt", "clear_attempts", "insert_document", "update_document", "claim",
          "insert_reference_table", "append_event", "restore", "restore_many", "set_missing_key_ids", "add_signing_key"}


class CrashingStore:
    """The real store, with the process "dying" right after its ``crash_at``-th write (the write done)."""

    def __init__(self, store, crash_at=0, after=""):
        """Crash after the ``crash_at``-th write, or after the first write named ``after``."""
        self.store, self.crash_at, self.after, self.writes = store, crash_at, after, []

    def __getattr__(self, name):
        attribute = getattr(self.store, name)
        if name not in WRITES:
            return attribute

        def write(*args, **kwargs):
            result = attribute(*args, **kwargs)
            self.writes.append(name)
            if len(self.writes) == self.crash_at or name == self.after:
                raise Crash(f"after write {self.crash_at} ({name})")
            return result
        return write


def test_step_saves_are_refused_once_issuance_began(app, applicant):
    sid = ready_rendah(applicant)
    svc = app.extensions["formserver"]
    real = svc.store
    svc.store = CrashingStore(real, crash_at=1)  # the application is frozen, then the process dies
    assert submit(applicant, sid).status_code == 500
    svc.store = real
    assert real.get_submission(sid)["status"] == "processing" and real.documents_for(sid) == []
    r = applicant.put_step(sid, "data_pelaku_usaha", {"npwp": "01.234.567.8-901.000", "email": "lain@example.test"})
    assert r.status_code == 409 and "tidak dapat diubah" in r.get_json()["error"]
    page = applicant.client.get(f"/isian/{sid}/data_pelaku_usaha")
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/isian/{sid}/selesai")
    assert real.get_submission(sid)["data"]["email"] == "usaha@example.test"
    result = ok(submit(applicant, sid))  # the next submit finishes the issuance
    assert result["status"] == "TERBIT" and real.get_submission(sid)["status"] == "completed"


def test_the_applications_page_finishes_an_interrupted_issuance(app, applicant):
    sid = ready_rendah(applicant)
    svc = app.extensions["formserver"]
    real = svc.store
    svc.store = CrashingStore(real, after="insert_document")  # frozen, NIB taken, a document made, then it dies
    assert submit(applicant, sid).status_code == 500
    svc.store = real
    assert real.get_submission(sid)["status"] == "processing"
    made = real.documents_for(sid)
    assert made and all(applicant.client.get(f"/api/v1/documents/{d['id']}").status_code == 404 for d in made)
    page = applicant.client.get(f"/isian/{sid}/selesai")
    assert page.status_code == 200
    assert applicant.client.get(f"/api/v1/documents/{made[0]['id']}").status_code == 200
    stored = real.get_submission(sid)
    assert stored["status"] == "completed" and stored["meta"]["nib"] in page.get_data(as_text=True)


def _prepare(tmp_path_factory, smtp, whatsapp, second):
    """A data directory with an account and an application ready to submit (after an issued one if ``second``)."""
    folder = tmp_path_factory.mktemp("second" if second else "first")
    app = make_app(folder, smtp, whatsapp)
    api = add_account(app)
    earlier = ok(submit(api, ready_rendah(api))) if second else None
    sid = ready_menengah_rendah(api)
    app.extensions["formserver"].store.close()
    return folder, sid, earlier, session_cookie(api)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, smtp, whatsapp):
    return {second: _prepare(tmp_path_factory, smtp, whatsapp, second) for second in (False, True)}


def _check_nothing_valid_before_issued(app, sid, earlier):
    svc = app.extensions["formserver"]
    for document in svc.store.documents_for(sid):
        code = svc.issuer.verify_url(document).rsplit("/verifikasi/", 1)[1]
        if svc.issuer.verify(code).valid:
            assert svc.store.get_submission(sid)["status"] == "completed"
    if earlier:  # the documents of the earlier application are never lost on the way
        statuses = {verify(app, d)["status"] for d in earlier["documents"] if d["type"] == "NIB"}
        assert statuses <= {"VALID", "SUPERSEDED"}


def _check_consistent(app, api, sid, earlier):
    svc = app.extensions["formserver"]
    stored = svc.store.get_submission(sid)
    assert stored["status"] == "completed" and stored["meta"]["status_permohonan"] == "TERBIT"
    documents = svc.store.documents_for(sid)
    assert sorted(d["type"] for d in documents) == ["NIB", "PERNYATAAN_MANDIRI", "SERTIFIKAT_STANDAR"]
    assert sorted(stored["meta"]["documents"]) == sorted(d["id"] for d in documents)
    nib = svc.store.claimed("nib:account:acc1")
    assert stored["meta"]["nib"] == nib and {d["content"]["nib"] for d in documents} == {nib}
    if earlier:
        assert earlier["nib"] == nib
    # the documents say what the frozen answers say
    activity = stored["data"]["kegiatan_usaha"][0]
    expected = ["47191", "10298"] if earlier else ["10298"]
    nib_doc = next(d for d in documents if d["type"] == "NIB")
    assert [a["kbli"] for a in nib_doc["content"]["activities"]] == expected
    assert nib_doc["content"]["activities"][-1]["nama_usaha"] == activity["nama_usaha"]
    for document in documents:
        body = verify(app, {"verify_url": svc.issuer.verify_url(document)})
        assert body["valid"] is True and body["status"] == "VALID", (document["type"], body)
    if earlier:
        assert verify(app, nib_document(earlier))["status"] == "SUPERSEDED"
    statuses = [e["to"] for e in svc.store.events(f"submission:{sid}") if e["type"] == "application.status"]
    assert len(statuses) == len(set(statuses))  # no status change recorded twice
    again = ok(submit(api, sid))
    assert sorted(d["id"] for d in again["documents"]) == sorted(d["id"] for d in documents) and again["nib"] == nib


def _crash_at_every_write(copy, sid, earlier, cookie):
    """Crash after write 1, 2, ... of a submit, each on a fresh ``copy(n)()`` of the prepared data (with the
    applicant's session ``cookie``); alternately restart the server (``copy(n)()`` again on the same data) or
    submit again; check each recovery."""
    crash_at, total = 1, None
    while total is None or crash_at <= total:
        new_app = copy(crash_at)
        app = new_app()
        api = resumed(app, cookie)
        svc = app.extensions["formserver"]
        real = svc.store
        svc.store = crashing = CrashingStore(real, crash_at)
        response = submit(api, sid)
        svc.store = real
        if len(crashing.writes) < crash_at:  # the issuance ended before this write: every write has had its crash
            assert response.status_code == 200
            total = len(crashing.writes)
            break
        assert response.status_code == 500, crash_at
        _check_nothing_valid_before_issued(app, sid, earlier)
        if real.get_submission(sid)["status"] != "completed":
            r = api.put_step(sid, "pernyataan_mandiri", {"pernyataan_k3l": True, "pernyataan_standar_usaha": True})
            assert r.status_code == 409, crash_at
        if crash_at % 2:
            app = new_app()  # a restart finishes what the crash left
            assert app.extensions["formserver"].store.get_submission(sid)["status"] == "completed", crash_at
            api = resumed(app, cookie)
        else:
            assert ok(submit(api, sid))["status"] == "TERBIT"  # the next submit finishes it
        _check_consistent(app, api, sid, earlier)
        crash_at += 1
    assert total and total >= 8  # freeze, serial, claims, documents, completion: every one had its crash


@pytest.mark.parametrize("second", [False, True], ids=["first-application", "second-application"])
def test_a_crash_after_every_write_of_the_issuance_is_recovered(prepared, tmp_path, smtp, whatsapp, second):
    template, sid, earlier, cookie = prepared[second]

    def copy(n):
        shutil.copytree(template, tmp_path / f"run{n}")
        return lambda: make_app(tmp_path / f"run{n}", smtp, whatsapp)
    _crash_at_every_write(copy, sid, earlier, cookie)


# --- revocation ----------------------------------------------------------------------------------

@pytest.fixture
def issued(app, applicant):
    sid = ready_rendah(applicant)
    return sid, ok(submit(applicant, sid))


def test_revocation_needs_a_reason_and_happens_once(app, applicant, issued):
    sid, result = issued
    issuer, store = app.extensions["formserver"].issuer, app.extensions["formserver"].store
    document = nib_document(result)
    for reason in ("", "   \t", None):
        with pytest.raises(RevocationRefused) as refused:
            issuer.revoke(document["id"], "officer:test", reason)
        assert "Alasan" in refused.value.message
    assert store.get_document(document["id"])["status"] == "VALID"
    revoked = issuer.revoke(document["id"], "officer:test", "  Data palsu  ")
    assert revoked["status"] == "REVOKED"
    assert revoked["revoked"]["reason"] == "Data palsu" and revoked["revoked"]["by"] == "officer:test"
    with pytest.raises(RevocationRefused) as refused:
        issuer.revoke(document["id"], "officer:other", "alasan lain")
    assert "sudah dicabut" in refused.value.message
    assert store.get_document(document["id"])["revoked"] == revoked["revoked"]
    assert verify(app, document)["status"] == "REVOKED"
    events = ok(applicant.get(f"/api/v1/submissions/{sid}/timeline"))["events"]
    revocations = [e for e in events if e["type"] == "document.revoked"]
    assert len(revocations) == 1
    assert revocations[0]["to"] == "DICABUT" and revocations[0]["reason"] == "Data palsu"
    assert revocations[0]["number"] == document["number"] and revocations[0]["document_type"] == "NIB"
    page = applicant.client.get(f"/isian/{sid}/selesai").get_data(as_text=True)
    history = page.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert "Dicabut" in history and "Data palsu" in history and document["number"] in history


def test_a_superseded_document_is_not_revoked_and_a_revoked_nib_is_not_carried(app, applicant, issued):
    _, first = issued
    issuer = app.extensions["formserver"].issuer
    second = ok(submit(applicant, ready_menengah_rendah(applicant)))
    with pytest.raises(RevocationRefused) as refused:
        issuer.revoke(nib_document(first)["id"], "officer:test", "uji")
    assert nib_document(second)["number"] in refused.value.message
    issuer.revoke(nib_document(second)["id"], "officer:test", "Usaha ditutup")
    third = ok(submit(applicant, ready_rendah(applicant)))
    content = app.extensions["formserver"].store.get_document(nib_document(third)["id"])["content"]
    assert [a["kbli"] for a in content["activities"]] == ["47191"]  # the revoked document's activities stay revoked
    assert verify(app, nib_document(second))["status"] == "REVOKED"


def test_cli_revoke(app, issued, monkeypatch, capsys):
    from formserver.cli import main
    _, result = issued
    document = nib_document(result)
    monkeypatch.setenv("FORMSERVER_DATA_DIR", app.config["DATA_DIR"])
    monkeypatch.setenv("FORMSERVER_FORMS_DIR", app.config["FORMS_DIR"])
    assert main(["document", "revoke", document["id"], "--reason", " "]) == 1
    assert "Alasan" in capsys.readouterr().err
    assert main(["document", "revoke", document["id"], "--reason", "Izin dicabut oleh kantor"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(f"{document['number']} dicabut") and "NIB" in out and "revoked" not in out
    assert main(["document", "revoke", "tidakada", "--reason", "x"]) == 1
    assert "dokumen tidakada tidak ada" in capsys.readouterr().err
    assert main(["document", "revoke", document["id"], "--reason", "lagi"]) == 1
    assert "sudah dicabut" in capsys.readouterr().err
    stored = app.extensions["formserver"].store.get_document(document["id"])
    assert stored["revoked"]["reason"] == "Izin dicabut oleh kantor"


# --- data that moves, data from before ----------------------------------------------------------

def test_export_and_import_keep_the_nib_chain(app, applicant, tmp_path, smtp, whatsapp):
    import io

    from formserver.transfer import export, import_
    first = ok(submit(applicant, ready_rendah(applicant)))
    second = ok(submit(applicant, ready_menengah_rendah(applicant)))
    processing = ready_rendah(applicant)
    svc = app.extensions["formserver"]
    real = svc.store
    svc.store = CrashingStore(real, crash_at=1)  # a third one frozen when the data is moved
    assert submit(applicant, processing).status_code == 500
    svc.store = real
    out = io.StringIO()
    export(real, out)
    moved = make_app(tmp_path / "moved", smtp, whatsapp)
    import_(moved.extensions["formserver"].store, io.StringIO(out.getvalue()))
    again = make_app(tmp_path / "moved", smtp, whatsapp)  # its start-up finishes the frozen one
    store = again.extensions["formserver"].store
    assert store.get_submission(processing)["status"] == "completed"
    assert verify(again, nib_document(first))["superseded_by"] == nib_document(second)["number"]
    assert verify(again, nib_document(second))["status"] == "SUPERSEDED"
    api = login(again)
    fourth = ok(submit(api, ready_rendah(api)))
    assert fourth["nib"] == first["nib"]
    kbli = [a["kbli"] for a in store.get_document(nib_document(fourth)["id"])["content"]["activities"]]
    assert kbli == ["47191", "10298", "47191", "47191"]
    assert verify(again, nib_document(fourth))["status"] == "VALID"


def test_an_account_issued_before_one_nib_per_account_keeps_its_first_nib(app, applicant):
    import sqlite3
    first = ok(submit(applicant, ready_rendah(applicant)))
    store = app.extensions["formserver"].store
    # as a store made before: no claim binds the NIB to the account, none orders its NIB documents
    with sqlite3.connect(store.path) as db:
        db.execute("DELETE FROM claims WHERE key LIKE 'nib:account:%' OR key LIKE 'nib-document:%'")
    assert store.claimed("nib:account:acc1") is None
    second = ok(submit(applicant, ready_menengah_rendah(applicant)))
    assert second["nib"] == first["nib"] and store.claimed("nib:account:acc1") == first["nib"]
    kbli = [a["kbli"] for a in store.get_document(nib_document(second)["id"])["content"]["activities"]]
    assert kbli == ["47191", "10298"]
    assert verify(app, nib_document(first))["status"] == "SUPERSEDED"


@pytest.fixture
def mongo_app(tmp_path, smtp, whatsapp, monkeypatch):
    """``mongo_app(database="formserver")``: an app (one per call, as servers restarting) on a MongoDB store:
    mongomock, one client for every call, so a database outlives the app."""
    mongomock = pytest.importorskip("mongomock")
    from formserver.issue import signing
    from formserver.store import mongo
    clients = {}
    monkeypatch.setattr(mongo, "MongoClient", lambda uri, **options: clients.setdefault(uri, mongomock.MongoClient(uri)))
    bundle = signing._new_pdf_signer()
    files = {"SIGNING_KEY_FILE": signing._new_data_key(), "SIGNING_CERT_FILE": signing._pem_blocks(bundle, b"CERTIFICATE"),
             "SIGNING_CERT_KEY_FILE": signing._pem_blocks(bundle, b"PRIVATE KEY")}
    for name, pem in files.items():
        (tmp_path / name).write_bytes(pem)

    def new_app(database="formserver"):
        return make_app(tmp_path / "data", smtp, whatsapp, STORE="mongodb", MONGODB_URI=f"mongodb://db/{database}",
                        SECRET_KEY="k" * 64, **{name: str(tmp_path / name) for name in files})
    return new_app


@pytest.mark.parametrize("second", [False, True], ids=["first-application", "second-application"])
def test_on_mongodb_a_crash_after_every_write_of_the_issuance_is_recovered(mongo_app, second):
    app = mongo_app("template")
    api = add_account(app)
    earlier = ok(submit(api, ready_rendah(api))) if second else None
    sid = ready_menengah_rendah(api)
    template = app.extensions["formserver"].store

    def copy(n):
        target = mongo_app(f"run{n}").extensions["formserver"].store
        for name in template.COLLECTIONS:
            target.restore_many(name, list(template.iter_collection(name)))
        target.db.sessions.insert_many(list(template.db.sessions.find()))  # not exported: copied as they are
        return lambda: mongo_app(f"run{n}")
    _crash_at_every_write(copy, sid, earlier, session_cookie(api))


def test_on_mongodb_one_nib_per_account_and_a_crash_finished_at_start_up(mongo_app):
    app = mongo_app()
    api = add_account(app)
    first = ok(submit(api, ready_rendah(api)))
    sid = ready_menengah_rendah(api)
    svc = app.extensions["formserver"]
    real = svc.store
    svc.store = CrashingStore(real, crash_at=9)  # frozen, the chain bound, some documents made
    assert submit(api, sid).status_code == 500
    svc.store = real
    assert real.get_submission(sid)["status"] == "processing" and real.documents_for(sid)
    assert not any(verify(app, {"verify_url": svc.issuer.verify_url(d)})["valid"] for d in real.documents_for(sid))
    restarted = mongo_app()
    store = restarted.extensions["formserver"].store
    stored = store.get_submission(sid)
    assert stored["status"] == "completed" and stored["meta"]["nib"] == first["nib"]
    second = ok(submit(login(restarted), sid))
    kbli = [a["kbli"] for a in store.get_document(nib_document(second)["id"])["content"]["activities"]]
    assert kbli == ["47191", "10298"]
    assert verify(restarted, nib_document(first))["status"] == "SUPERSEDED"
    assert all(verify(restarted, d)["valid"] for d in second["documents"])
