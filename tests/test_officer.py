"""The officers' back office (issue 11 §1): roles on every page and API, search, the application's detail,
assisted filing, environmental approvals with the PKPLH, revocation, the dashboard."""
import re
import subprocess
import sys

import pytest

from formserver.officers import create_staff
from formserver.store.base import Total

from .conftest import ROOT, Api
from .test_permohonan import _issue_now, _to_pernyataan, applicant, ok, start  # noqa: F401

OFFICER_PASSWORD = "Petugas#2025"
UKL_UPL = {"punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN",
           "luas_bangunan_m2": "BANGUNAN_KURANG_2500", "kapasitas_produksi": "KAPASITAS_50000_ATAU_LEBIH",
           "uraian_usaha_lingkungan": "Pabrik"}
APPROVAL = {"keputusan": "setuju", "jenis": "PKPLH", "nomor": "660/DLH/PKPLH/2026/017", "tanggal": "2026-11-20",
            "penerbit": "Dinas Lingkungan Hidup Kabupaten Kampar"}


def login(app, username: str, role: str | None) -> Api:
    if role is not None:
        create_staff(app.extensions["formserver"].store, username, f"{username}@kampar.go.id", f"Nama {username}",
                     OFFICER_PASSWORD, role)
    api = Api(app.test_client())
    ok(api.post("/api/v1/auth/login", {"username": username, "password": OFFICER_PASSWORD}))
    return api


def csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def issued(applicant):  # noqa: F811
    sid = start(applicant)
    _to_pernyataan(applicant, sid)
    return sid, _issue_now(applicant, sid)


@pytest.fixture
def waiting(applicant):  # noqa: F811
    """An application whose Sertifikat Standar waits for the UKL-UPL approval."""
    sid = start(applicant)
    _to_pernyataan(applicant, sid, "10298", env=UKL_UPL)
    result = _issue_now(applicant, sid, pernyataan_standar_usaha=True)
    assert result["status"] == "MENUNGGU_PERSETUJUAN_LINGKUNGAN"
    return sid, result


def test_officer_add_takes_a_role(tmp_path):
    import os
    env = {**os.environ, "FORMSERVER_DATA_DIR": str(tmp_path / "data")}

    def add(*args):
        return subprocess.run([sys.executable, "-m", "formserver.cli", "officer", "add", *args, "--password-stdin"],
                              input=f"{OFFICER_PASSWORD}\n", capture_output=True, text=True, cwd=ROOT, env=env)
    assert add("sup1", "sup1@kampar.go.id", "--name", "Siti", "--role", "supervisor").returncode == 0
    assert add("pet1", "pet1@kampar.go.id", "--name", "Budi").returncode == 0
    refused = add("adm1", "adm1@kampar.go.id", "--name", "X", "--role", "form_admin")
    assert refused.returncode == 2 and "invalid choice" in refused.stderr
    from formserver.store.sqlite import SQLiteStore
    store = SQLiteStore(tmp_path / "data" / "formserver.sqlite3")
    assert store.find_account(username="sup1")["role"] == "supervisor"
    assert store.find_account(username="pet1")["role"] == "petugas"
    assert store.find_account(username="adm1") is None


def test_each_role_on_each_page_and_api(app, applicant, waiting):  # noqa: F811
    sid, result = waiting
    nib_doc = next(d for d in result["documents"] if d["type"] == "NIB")
    petugas, supervisor = login(app, "petugas1", "petugas"), login(app, "super1", "supervisor")
    anonymous = Api(app.test_client())
    reads = ["/petugas", "/petugas/dasbor", "/petugas/bantuan", f"/petugas/permohonan/{sid}",
             "/api/v1/officer/submissions"]
    for who in (petugas, supervisor):
        for path in reads:
            assert who.get(path).status_code == 200, path
    for who in (anonymous, applicant):
        for path in reads:
            assert who.get(path).status_code == 403, path
    refused = applicant.get("/api/v1/officer/submissions")
    assert "petugas" in refused.get_json()["error"]
    events = app.extensions["formserver"].store.events("account:acc1")
    assert any(e["type"] == "access.refused" and e["path"] == "/api/v1/officer/submissions" for e in events)
    # decisions: supervisors only (a petugas gets 403, and nothing changes)
    token = csrf(petugas.client, f"/petugas/permohonan/{sid}")
    r = petugas.client.post(f"/petugas/permohonan/{sid}/lingkungan/0", data={**APPROVAL, "csrf_token": token})
    assert r.status_code == 403
    r = petugas.client.post(f"/petugas/dokumen/{nib_doc['id']}/cabut", data={"reason": "x", "csrf_token": token})
    assert r.status_code == 403
    assert app.extensions["formserver"].store.get_document(nib_doc["id"])["status"] == "VALID"
    # no CSRF token: refused
    assert supervisor.client.post(f"/petugas/dokumen/{nib_doc['id']}/cabut", data={"reason": "x"}).status_code == 400


def test_an_officer_logging_in_lands_on_the_search(app):
    create_staff(app.extensions["formserver"].store, "petugas1", "p@kampar.go.id", "Siti", OFFICER_PASSWORD, "petugas")
    client = app.test_client()
    token = csrf(client, "/masuk")
    r = client.post("/masuk", data={"username": "petugas1", "password": OFFICER_PASSWORD, "csrf_token": token})
    assert r.status_code == 302
    r = client.get(r.headers["Location"])
    assert r.status_code == 302 and r.headers["Location"].endswith("/petugas")
    page = client.get("/petugas").get_data(as_text=True)
    assert "Cari permohonan" in page and 'name="nib"' in page


def test_search_by_every_filter(app, applicant, issued):  # noqa: F811
    sid, result = issued
    draft = start(applicant)
    officer = login(app, "petugas1", "petugas")

    def found(**params):
        body = ok(officer.client.get("/api/v1/officer/submissions", query_string=params))
        return [item["id"] for item in body["items"]], body

    ids, body = found()
    assert ids == [draft, sid] and body["total"] == 2 and body["page"] == 1
    assert body["total_is_estimate"] is False and body["total_capped"] is False  # a count this small is exact
    item = body["items"][1]
    assert item == {"id": sid, "form_id": "permohonan", "status": "TERBIT", "nib": result["nib"],
                    "holder": "Budi Santoso", "updated_at": item["updated_at"]}
    assert found(nib=result["nib"])[0] == [sid]
    assert found(q=result["nib"])[0] == [sid]
    assert found(nik="1401011708900001")[0] == [draft, sid]
    assert found(q="budi santoso", status="TERBIT")[0] == [sid]
    assert found(q="warung")[0] == [sid]  # the business's name
    assert found(kbli="47191", risk="RENDAH")[0] == [sid]
    assert found(status="DRAF")[0] == [draft]
    assert found(q="nobody")[0] == []
    import datetime as dt

    from formserver.dates import WIB
    today = dt.datetime.fromisoformat(item["updated_at"]).astimezone(WIB).date().isoformat()  # days are WIB days
    assert found(**{"from": today, "to": today})[0] == [draft, sid]  # both days inclusive
    assert found(**{"from": "2020-01-01", "to": "2099-12-31"})[0] == [draft, sid]
    assert found(**{"from": "2099-01-01"})[0] == [] and found(to="2020-01-01")[0] == []


@pytest.mark.parametrize(("total", "shown"), [
    (Total(12345), "Hasil: 12.345"), (Total(1234, estimate=True), "Hasil: sekitar 1.234"),
    (Total(10000, capped=True), "Hasil: paling sedikit 10.000")])
def test_the_results_heading_says_when_the_total_is_an_estimate_or_a_lower_bound(app, total, shown):
    from flask import render_template

    from formserver import backoffice
    with app.test_request_context("/petugas"):
        page = render_template("officer/search.html", found=backoffice.Found([], total, 1, 1), args={}, errors=[],
                               statuses=backoffice.STATUSES, risks=backoffice.RISKS)
    heading = re.search(r'<h2 class="heading-m" id="hasil">(.*?)</h2>', page, re.S).group(1)
    assert " ".join(heading.split()) == shown


@pytest.mark.parametrize(("params", "words"), [
    ({"from": "2026-02-30"}, "tanggal yang sah"),
    ({"to": "kemarin"}, "tanggal yang sah"),
    ({"from": "2026-03-02", "to": "2026-03-01"}, "sebelum atau sama dengan"),
    ({"page": "0"}, "Halaman"),
    ({"nib": "12345"}, "13 angka"),
    ({"status": "<script>"}, "Status tidak dikenal"),
])
def test_bad_search_input_is_a_clear_400(app, params, words):
    officer = login(app, "petugas1", "petugas")
    r = officer.client.get("/api/v1/officer/submissions", query_string=params)
    assert r.status_code == 400 and words in r.get_json()["error"]
    page = officer.client.get("/petugas", query_string=params)
    assert page.status_code == 400 and words in page.get_data(as_text=True)
    assert "<script>" not in page.get_data(as_text=True)


def test_detail_shows_answers_timeline_documents_and_audit_trail(app, issued):
    sid, result = issued
    officer = login(app, "petugas1", "petugas")
    page = officer.client.get(f"/petugas/permohonan/{sid}").get_data(as_text=True)
    assert "Warung Budi" in page and "47191" in page  # the answers, as the review page shows them
    assert result["nib"] in page and "Surat Pernyataan Mandiri" in page  # the documents
    assert "Riwayat permohonan" in page and "Terbit" in page  # the timeline
    assert "Jejak audit" in page and "submission.step_saved" in page and "account:acc1" in page
    assert "Cabut dokumen ini" not in page  # a petugas cannot revoke
    assert officer.get("/petugas/permohonan/nope").status_code == 404


def test_assisted_filing_is_recorded_for_the_applicant_and_mailed(app, smtp, applicant):  # noqa: F811
    store = app.extensions["formserver"].store
    store.update_account({**store.get_account("acc1"), "identity": "nik:1401011708900001"})
    officer = login(app, "petugas1", "petugas")
    page = officer.client.get("/petugas/bantuan", query_string={"cari": "1401011708900001"})
    assert page.status_code == 200 and "budi0001" in page.get_data(as_text=True)
    assert officer.client.get("/petugas/bantuan", query_string={"cari": "petugas1"}).status_code == 404  # not an applicant
    token = csrf(officer.client, "/petugas/bantuan")
    before = len(smtp.messages)
    r = officer.client.post("/petugas/bantuan", data={"account_id": "acc1", "csrf_token": token})
    assert r.status_code == 303
    sid = r.headers["Location"].rsplit("/", 1)[-1]
    smtp.wait_for(before + 1)
    mail = smtp.messages[before]
    assert mail["To"] == "budi@example.test" and "Nama petugas1" in mail.get_body(("plain",)).get_content()
    doc = store.get_submission(sid)
    assert doc["owner"] == "account:acc1" and doc["data"]["akun"]["nik"] == "1401011708900001"  # prefilled as theirs
    ok(officer.put_step(sid, "data_pelaku_usaha", {"npwp": "01.234.567.8-901.000", "email": "usaha@example.test"}))
    saved = [e for e in store.events(f"submission:{sid}") if e["type"] == "submission.step_saved"]
    assert saved and all(e["actor"].startswith("account:") and e["actor"] != "account:acc1" for e in saved)
    assert all(e["on_behalf_of"] == "account:acc1" and e["assisted_by"] == "Nama petugas1" for e in saved)
    # the applicant sees it on the timeline, and owns the application
    events = ok(applicant.get(f"/api/v1/submissions/{sid}/timeline"))["events"]
    assert {e["type"] for e in events if e.get("assisted_by") == "Nama petugas1"} >= {"submission.assisted", "submission.step_saved"}
    # after the assistance ends, the officer cannot touch the application any more
    officer.client.post("/petugas/bantuan/selesai", data={"csrf_token": token})
    assert officer.put_step(sid, "bidang_usaha", {}).status_code == 404
    # another officer's applicant, or an unknown account: 404
    assert officer.client.post("/petugas/bantuan", data={"account_id": "nope", "csrf_token": token}).status_code == 404


def test_environmental_approval_puts_the_certificate_in_force_and_issues_the_pkplh(app, applicant, waiting):  # noqa: F811
    sid, result = waiting
    store, issuer = app.extensions["formserver"].store, app.extensions["formserver"].issuer
    old = next(d for d in store.documents_for(sid) if d["type"] == "SERTIFIKAT_STANDAR")
    supervisor = login(app, "super1", "supervisor")
    page = supervisor.client.get(f"/petugas/permohonan/{sid}").get_data(as_text=True)
    assert "Catat persetujuan" in page
    token = csrf(supervisor.client, f"/petugas/permohonan/{sid}")
    r = supervisor.client.post(f"/petugas/permohonan/{sid}/lingkungan/{old['activity']}", data={**APPROVAL, "csrf_token": token})
    assert r.status_code == 303
    documents = {(d["type"], d["status"]): d for d in store.documents_for(sid)}
    new = documents[("SERTIFIKAT_STANDAR", "VALID")]
    pkplh = documents[("PKPLH", "VALID")]
    assert store.get_document(old["id"])["status"] == "SUPERSEDED"
    assert new["content"]["activities"][0]["dokumen_lingkungan"]["nomor_dokumen_lingkungan"] == APPROVAL["nomor"]
    assert pkplh["content"]["approval"]["penerbit"] == APPROVAL["penerbit"]

    def verified(doc):
        from formserver.issue import signing
        return ok(applicant.get(f"/api/v1/verify/{signing.verification_code(doc['id'], doc['signature'])}"))
    assert verified(new)["valid"] is True and verified(pkplh)["valid"] is True
    assert verified(old)["status"] == "SUPERSEDED" and verified(old)["superseded_by"] == new["number"]
    html = issuer.html(new)
    assert "BELUM BERLAKU" not in html and "BELUM BERLAKU" in issuer.html(store.get_document(old["id"]), status="MENUNGGU_PERSETUJUAN_LINGKUNGAN")
    assert APPROVAL["nomor"] in issuer.html(pkplh) and "PKPLH" in issuer.html(pkplh)
    assert applicant.client.get(f"/api/v1/documents/{pkplh['id']}").status_code == 200  # signed PDF for the owner
    application = store.get_submission(sid)
    assert application["meta"]["status_permohonan"] == "TERBIT"
    events = ok(applicant.get(f"/api/v1/submissions/{sid}/timeline"))["events"]
    assert any(e["type"] == "environment.approved" and e["nomor"] == APPROVAL["nomor"] for e in events)
    assert ("MENUNGGU_PERSETUJUAN_LINGKUNGAN", "TERBIT") in [(e.get("from"), e.get("to")) for e in events]
    # recording twice: a clear message, nothing made twice
    count = len(store.documents_for(sid))
    r = supervisor.client.post(f"/petugas/permohonan/{sid}/lingkungan/{old['activity']}",
                               data={**APPROVAL, "nomor": "LAIN", "csrf_token": token}, follow_redirects=True)
    assert "sudah dicatat" in r.get_data(as_text=True)
    assert len(store.documents_for(sid)) == count and store.get_submission(sid)["version"] == application["version"]


def test_environmental_refusal_needs_a_reason_and_revokes_the_waiting_certificate(app, waiting):
    sid, _ = waiting
    store = app.extensions["formserver"].store
    old = next(d for d in store.documents_for(sid) if d["type"] == "SERTIFIKAT_STANDAR")
    supervisor = login(app, "super1", "supervisor")
    token = csrf(supervisor.client, f"/petugas/permohonan/{sid}")
    url = f"/petugas/permohonan/{sid}/lingkungan/{old['activity']}"
    r = supervisor.client.post(url, data={"keputusan": "tolak", "reason": " ", "csrf_token": token}, follow_redirects=True)
    assert "Alasan penolakan wajib diisi" in r.get_data(as_text=True)
    r = supervisor.client.post(url, data={**APPROVAL, "tanggal": "2026-13-01", "csrf_token": token}, follow_redirects=True)
    assert "tanggal yang sah" in r.get_data(as_text=True)
    assert store.get_document(old["id"])["status"] == "MENUNGGU_PERSETUJUAN_LINGKUNGAN"  # nothing recorded yet
    r = supervisor.client.post(url, data={"keputusan": "tolak", "reason": "<b>Lokasi</b> di kawasan lindung", "csrf_token": token},
                               follow_redirects=True)
    assert r.status_code == 200 and "<b>Lokasi" not in r.get_data(as_text=True)
    revoked = store.get_document(old["id"])
    assert revoked["status"] == "REVOKED" and "kawasan lindung" in revoked["revoked"]["reason"]
    assert not [d for d in store.documents_for(sid) if d["type"] == "PKPLH"]
    assert any(e["type"] == "environment.refused" for e in store.events(f"submission:{sid}"))
    assert supervisor.client.post(f"/petugas/permohonan/{sid}/lingkungan/7", data={**APPROVAL, "csrf_token": token}).status_code == 404
    assert supervisor.client.post(url, data={"keputusan": "mungkin", "csrf_token": token}).status_code == 400


def test_search_reindex_on_the_command_line_makes_an_old_application_found(app, issued, monkeypatch, capsys):
    from formserver.cli import main
    sid, result = issued
    store = app.extensions["formserver"].store
    doc = store.get_submission(sid)
    store.update_submission({k: v for k, v in doc.items() if k != "terms"})  # as stored before search terms existed
    officer = login(app, "petugas1", "petugas")
    assert ok(officer.client.get("/api/v1/officer/submissions", query_string={"nib": result["nib"]}))["items"] == []
    monkeypatch.setenv("FORMSERVER_DATA_DIR", app.config["DATA_DIR"])
    monkeypatch.setenv("FORMSERVER_FORMS_DIR", app.config["FORMS_DIR"])
    assert main(["search", "reindex", "--batch", "0"]) == 2 and "--batch" in capsys.readouterr().err
    assert main(["search", "reindex"]) == 0
    out = capsys.readouterr().out
    assert "diberi istilah pencarian" in out and out.splitlines()[-1].endswith("1 ditulis")
    body = ok(officer.client.get("/api/v1/officer/submissions", query_string={"nib": result["nib"]}))
    assert [item["id"] for item in body["items"]] == [sid]
    assert main(["search", "reindex"]) == 0 and capsys.readouterr().out.rstrip().endswith(", 0 ditulis")  # nothing left


@pytest.mark.parametrize("path", ["detail page", "command line"])
def test_revoking_from_the_command_line_leaves_the_state_the_detail_page_leaves(app, issued, monkeypatch, path):
    sid, result = issued
    nib_doc = next(d for d in result["documents"] if d["type"] == "NIB")
    store = app.extensions["formserver"].store
    before = len(store.events(f"submission:{sid}"))
    if path == "detail page":
        supervisor = login(app, "super1", "supervisor")
        token = csrf(supervisor.client, f"/petugas/permohonan/{sid}")
        assert supervisor.client.post(f"/petugas/dokumen/{nib_doc['id']}/cabut",
                                      data={"reason": "Usaha tutup", "csrf_token": token}).status_code == 303
    else:
        from formserver.cli import main
        monkeypatch.setenv("FORMSERVER_DATA_DIR", app.config["DATA_DIR"])
        monkeypatch.setenv("FORMSERVER_FORMS_DIR", app.config["FORMS_DIR"])
        assert main(["document", "revoke", nib_doc["id"], "--reason", "Usaha tutup"]) == 0
    application, document = store.get_submission(sid), store.get_document(nib_doc["id"])
    events = store.events(f"submission:{sid}")[before:]
    state = {"status": application["meta"]["status_permohonan"], "document": document["status"],
             "reason": document["revoked"]["reason"],
             "timeline": [(e["type"], e.get("to"), e.get("reason")) for e in events],
             "document events": [e["type"] for e in store.events(f"document:{nib_doc['id']}")][-1:]}
    assert state == {"status": "DICABUT", "document": "REVOKED", "reason": "Usaha tutup",
                     "timeline": [("document.revoked", "DICABUT", "Usaha tutup"), ("submission.changed", None, None)],
                     "document events": ["document.revoked"]}
    assert [i["id"] for i in ok(login(app, "petugas1", "petugas").client.get(
        "/api/v1/officer/submissions?status=DICABUT"))["items"]] == [sid]


def test_supervisor_revokes_from_the_detail_page(app, issued):
    sid, result = issued
    nib_doc = next(d for d in result["documents"] if d["type"] == "NIB")
    supervisor = login(app, "super1", "supervisor")
    page = supervisor.client.get(f"/petugas/permohonan/{sid}").get_data(as_text=True)
    assert "Cabut dokumen ini" in page
    token = csrf(supervisor.client, f"/petugas/permohonan/{sid}")
    r = supervisor.client.post(f"/petugas/dokumen/{nib_doc['id']}/cabut", data={"reason": "", "csrf_token": token},
                               follow_redirects=True)
    assert "Alasan pencabutan wajib diisi" in r.get_data(as_text=True)
    r = supervisor.client.post(f"/petugas/dokumen/{nib_doc['id']}/cabut", data={"reason": "Usaha tutup", "csrf_token": token},
                               follow_redirects=True)
    assert "dicabut" in r.get_data(as_text=True)
    store = app.extensions["formserver"].store
    assert store.get_document(nib_doc["id"])["revoked"]["reason"] == "Usaha tutup"
    assert store.get_submission(sid)["meta"]["status_permohonan"] == "DICABUT"
    ids = [i["id"] for i in ok(supervisor.client.get("/api/v1/officer/submissions?status=DICABUT"))["items"]]
    assert ids == [sid]
    r = supervisor.client.post(f"/petugas/dokumen/{nib_doc['id']}/cabut", data={"reason": "lagi", "csrf_token": token},
                               follow_redirects=True)
    assert "sudah dicabut" in r.get_data(as_text=True)


def test_dashboard_draws_charts_with_tables(app, issued):
    import base64
    import xml.etree.ElementTree as ET
    officer = login(app, "petugas1", "petugas")
    page = officer.client.get("/petugas/dasbor").get_data(as_text=True)
    assert page.count('<figure class="chart">') == 4 and page.count('<table class="table chart-table">') == 4
    assert "<th scope=\"row\">Terbit</th><td class=\"number\">1</td>" in page
    assert "<th scope=\"row\">G</th>" in page  # KBLI 47191 is in section G
    for uri in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page):
        ET.fromstring(base64.b64decode(uri))
    assert "<script" not in page.split("<body", 1)[1].replace('<script src="', "")


def test_the_officers_menu_leads_to_complaints_and_supervisors_to_the_ikm_report(app):
    petugas = login(app, "petugas1", "petugas").client
    supervisor = login(app, "sup1", "supervisor").client
    for path in ("/petugas", "/petugas/pengaduan"):
        page = petugas.get(path).get_data(as_text=True)
        assert 'href="/petugas/pengaduan"' in page and 'href="/petugas/skm"' not in page
    for path in ("/petugas", "/petugas/pengaduan", "/petugas/skm"):
        page = supervisor.get(path).get_data(as_text=True)
        assert 'href="/petugas/pengaduan"' in page and 'href="/petugas/skm"' in page


def test_applicant_still_has_the_applicant_dashboard(app, applicant):  # noqa: F811
    page = applicant.client.get("/dasbor")
    assert page.status_code == 200 and "Permohonan Baru" in page.get_data(as_text=True)
