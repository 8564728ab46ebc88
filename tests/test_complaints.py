"""Complaints (forms/pengaduan.json) end to end: sent without an account, a ticket exactly once by real SMTP,
the public status by ticket and contact, and the officers' workflow with answers and internal notes."""
import re

import pytest

from formserver import complaints

from .conftest import PASSWORD, PASSWORD_HASH, Api

TICKET = re.compile(r"^ADU-\d{4}-\d{6}$")
COMPLAINT = {"nama_pelapor": "Siti <b>Aminah</b>", "kontak": "Siti.Aminah@Example.test", "nomor_referensi": "9100000000018",
             "perihal": "<script>alert('x')</script> NIB belum terbit",
             "uraian_pengaduan": "Sudah tiga hari menunggu.\n<img src=x onerror=alert(1)>"}


def ok(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()


def send_complaint(client, values=None):
    """Fill and send a complaint through the JSON API; the submission id."""
    api = Api(client)
    sid = ok(api.post("/api/v1/forms/pengaduan/submissions"), 201)["id"]
    ok(api.put_step(sid, "isi_pengaduan", values or COMPLAINT))
    assert ok(api.put_step(sid, "kirim_pengaduan", {"setuju_pengaduan": True}))["status"] == "completed"
    return sid


def add_staff(app, username, role):
    app.extensions["formserver"].store.insert_account({
        "id": f"id-{username}", "username": username, "email": f"{username}@kampar.go.id", "status": "active",
        "role": role, "password_hash": PASSWORD_HASH, "profile": {"nama_lengkap": username}})
    client = app.test_client()
    ok(client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD}))
    return client


def csrf(client, url):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


@pytest.fixture
def sent(app, smtp):
    before = len(smtp.messages)
    client = app.test_client()
    sid = send_complaint(client)
    mails = smtp.wait_for(before + 1)
    return client, sid, mails[before]


def test_a_complaint_without_an_account_gets_its_ticket_once_by_email(app, smtp, sent):
    client, sid, mail = sent
    detail = ok(client.get(f"/api/v1/submissions/{sid}"))
    ticket = detail["ticket"]
    assert TICKET.match(ticket) and detail["status"] == "completed"
    assert mail["To"] == "siti.aminah@example.test" and ticket in mail["Subject"]
    assert ticket in mail.get_body(("plain",)).get_content() and "/pengaduan/status" in mail.get_body(("plain",)).get_content()
    # the completion run again (a retry, a crash before its last write): the same ticket, no second message
    svc = app.extensions["formserver"]
    doc = svc.store.get_submission(sid)
    svc.store.update_submission({**doc, "status": "processing",
                                 "meta": {**doc["meta"], "processing": {"action": "pengaduan.kirim"}}})
    again = svc.submissions.complete(svc.store.get_submission(sid), "system:test")
    assert again["meta"]["ticket"] == ticket and complaints.ticket_for(svc.store, sid, __import__("datetime").date.today()) == ticket
    count = len(smtp.messages)
    with pytest.raises(TimeoutError):
        smtp.wait_for(count + 1, timeout=0.5)
    events = [e["type"] for e in svc.store.events(f"submission:{sid}")]
    assert events.count("complaint.ticket_issued") == 1 and events.count("complaint.ticket_sent") == 1
    # the done page shows the ticket, escaped answers never run
    page = client.get(f"/isian/{sid}/selesai").get_data(as_text=True)
    assert ticket in page and "<script>alert" not in page


def test_tickets_are_numbered_in_sequence_per_year(app, smtp):
    first = send_complaint(app.test_client())
    second = send_complaint(app.test_client())
    store = app.extensions["formserver"].store
    a, b = (store.get_submission(s)["meta"]["ticket"] for s in (first, second))
    assert a[:9] == b[:9] and int(b[-6:]) == int(a[-6:]) + 1


def test_public_status_needs_the_ticket_with_its_contact(app, sent):
    client, sid, _ = sent
    ticket = app.extensions["formserver"].store.get_submission(sid)["meta"]["ticket"]
    public = app.test_client()
    body = ok(public.get(f"/api/v1/pengaduan/{ticket}?kontak=SITI.AMINAH@example.test"))
    assert body["status"] == "BARU" and body["answers"] == [] and body["ticket"] == ticket
    assert body["subject"] == COMPLAINT["perihal"]  # JSON carries what was typed; pages escape it
    wrong = public.get(f"/api/v1/pengaduan/{ticket}?kontak=other@example.test")
    unknown = public.get("/api/v1/pengaduan/ADU-2020-999999?kontak=siti.aminah@example.test")
    assert wrong.status_code == unknown.status_code == 404 and wrong.get_json() == unknown.get_json()
    assert public.get(f"/api/v1/pengaduan/{ticket}").status_code == 400  # kontak missing
    assert public.get(f"/api/v1/pengaduan/{ticket.lower()}?kontak=bukan").status_code == 404
    # the page: POST with the form's token; a wrong contact is a 404 with the same words
    token = csrf(public, "/pengaduan/status")
    page = public.post("/pengaduan/status", data={"csrf_token": token, "tiket": ticket, "kontak_pengadu": "x@example.test"})
    assert page.status_code == 404 and "Tidak ada pengaduan" in page.get_data(as_text=True)
    page = public.post("/pengaduan/status", data={"csrf_token": token, "tiket": ticket, "kontak_pengadu": "siti.aminah@example.test"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and ticket in text and "&lt;script&gt;" in text and "<script>alert" not in text


def test_a_phone_contact_is_matched_in_any_spelling(app, whatsapp):
    sid = send_complaint(app.test_client(), {**COMPLAINT, "kontak": "0812-7646-0487"})
    ticket = app.extensions["formserver"].store.get_submission(sid)["meta"]["ticket"]
    assert app.extensions["formserver"].store.get_submission(sid)["data"]["kontak"] == "+6281276460487"
    for spelling in ("081276460487", "+62 812 7646 0487", "6281276460487"):
        assert ok(app.test_client().get(f"/api/v1/pengaduan/{ticket}?kontak={spelling.replace('+', '%2B')}"))["ticket"] == ticket


def test_bad_complaints_are_refused_with_messages(app):
    api = Api(app.test_client())
    sid = ok(api.post("/api/v1/forms/pengaduan/submissions"), 201)["id"]
    errors = api.put_step(sid, "isi_pengaduan", {**COMPLAINT, "kontak": "bukan kontak", "perihal": "",
                                                  "nomor_referensi": "12 34"}).get_json()["errors"]
    assert set(errors) == {"kontak", "perihal", "nomor_referensi"}
    assert "nomor HP" in errors["kontak"][0]


def test_the_officers_workflow_answers_by_email_and_keeps_notes_internal(app, smtp, sent):
    client, sid, _ = sent
    store = app.extensions["formserver"].store
    ticket = store.get_submission(sid)["meta"]["ticket"]
    officer = add_staff(app, "petugas1", "petugas")
    listing = officer.get("/petugas/pengaduan").get_data(as_text=True)
    assert ticket in listing and "&lt;script&gt;" in listing and "<script>alert" not in listing
    detail = officer.get(f"/petugas/pengaduan/{sid}")
    assert detail.status_code == 200 and "&lt;img src=x" in detail.get_data(as_text=True)
    token = csrf(officer, f"/petugas/pengaduan/{sid}")

    def change(what, version, **form):
        return officer.post(f"/petugas/pengaduan/{sid}/{what}", data={"csrf_token": token, "version": version, **form})

    version = store.get_submission(sid)["version"]
    assert change("status", version, status="SELESAI").status_code == 422  # baru → selesai skips diproses
    assert change("status", version, status="DIPROSES").status_code == 303
    assert change("catatan", version + 1, teks="   ").status_code == 422  # empty
    assert change("catatan", version, teks="stale").status_code == 409     # another officer wrote meanwhile
    assert change("catatan", version + 1, teks="Cek ke bidang perizinan: RAHASIA-INTERNAL").status_code == 303
    before = len(smtp.messages)
    assert change("jawab", version + 2, teks="NIB Anda sudah terbit <b>hari ini</b>.").status_code == 303
    answer = smtp.wait_for(before + 1)[before]
    assert answer["To"] == "siti.aminah@example.test" and "NIB Anda sudah terbit <b>hari ini</b>." in answer.get_body(("plain",)).get_content()
    assert change("status", version + 3, status="SELESAI").status_code == 303
    assert change("jawab", version + 4, teks="lagi").status_code == 422  # closed

    public = ok(app.test_client().get(f"/api/v1/pengaduan/{ticket}?kontak=siti.aminah@example.test"))
    assert public["status"] == "SELESAI" and [a["text"] for a in public["answers"]] == ["NIB Anda sudah terbit <b>hari ini</b>."]
    assert "RAHASIA-INTERNAL" not in str(public)
    page = app.test_client()
    shown = page.post("/pengaduan/status", data={"csrf_token": csrf(page, "/pengaduan/status"), "tiket": ticket,
                                                 "kontak_pengadu": "siti.aminah@example.test"}).get_data(as_text=True)
    assert "RAHASIA-INTERNAL" not in shown and "&lt;b&gt;hari ini&lt;/b&gt;" in shown
    events = [(e["type"], e["actor"]) for e in store.events(f"submission:{sid}") if e["type"].startswith("complaint.")]
    assert [t for t, _ in events] == ["complaint.ticket_issued", "complaint.ticket_sent", "complaint.status_changed",
                                      "complaint.noted", "complaint.answered", "complaint.answer_sent",
                                      "complaint.status_changed"]
    assert all(actor == "account:id-petugas1" for t, actor in events[2:])


def test_only_officers_open_the_back_office(app, sent):
    _, sid, _ = sent
    assert app.test_client().get("/petugas/pengaduan").status_code == 403
    applicant = add_staff(app, "budi0001", None)
    assert applicant.get("/petugas/pengaduan").status_code == 403
    assert applicant.get(f"/petugas/pengaduan/{sid}").status_code == 403
    assert applicant.post(f"/petugas/pengaduan/{sid}/catatan", data={"version": "1", "teks": "x"}).status_code in (400, 403)
    supervisor = add_staff(app, "kepala", "supervisor")
    assert supervisor.get(f"/petugas/pengaduan/{sid}").status_code == 200
    assert supervisor.get("/petugas/pengaduan/tidak-ada").status_code == 404
    assert add_staff(app, "lama", "officer").get("/petugas/pengaduan?status=BARU").status_code == 200  # legacy = petugas
    refused = app.extensions["formserver"].store.events("account:id-budi0001")
    assert any(e["type"] == "access.refused" for e in refused)


def test_looking_up_tickets_is_rate_limited(tmp_path, smtp, whatsapp):
    from .conftest import make_app
    client = make_app(tmp_path, smtp, whatsapp, RATELIMIT_ENABLED=True).test_client()
    answers = [client.get(f"/api/v1/pengaduan/ADU-2026-{i:06d}?kontak=a@example.test").status_code for i in range(11)]
    assert answers[:10] == [404] * 10 and answers[10] == 429
    token = csrf(client, "/pengaduan/status")
    pages = [client.post("/pengaduan/status", data={"csrf_token": token, "tiket": f"ADU-2026-{i:06d}", "kontak_pengadu": "a@b.id"})
             .status_code for i in range(11)]
    assert pages[:10] == [404] * 10 and pages[10] == 429


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_attachment_through_the_page_is_checked_stored_and_downloaded_by_officers(app, smtp):
    import io
    client = app.test_client()
    token = csrf(client, "/formulir/pengaduan")
    started = client.post("/formulir/pengaduan", data={"csrf_token": token})
    step_url = started.headers["Location"]
    page = client.get(step_url).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    fields = {k: v for k, v in COMPLAINT.items()}
    # a picture named .pdf: refused with the reason, nothing stored
    refused = client.post(step_url, data={**fields, "csrf_token": token,
                                          "lampiran": (io.BytesIO(PNG), "bukti.pdf", "application/pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "bukan PDF" in refused.get_data(as_text=True)
    sid = step_url.split("/")[2]
    store = app.extensions["formserver"].store
    assert "lampiran" not in store.get_submission(sid)["data"]
    saved = client.post(step_url, data={**fields, "csrf_token": token,
                                        "lampiran": (io.BytesIO(PDF), "bukti pembayaran.pdf", "application/pdf")},
                        content_type="multipart/form-data")
    assert saved.status_code == 302
    answer = store.get_submission(sid)["data"]["lampiran"]
    assert answer["name"] == "bukti pembayaran.pdf" and answer["content_type"] == "application/pdf"
    assert store.get_file(answer["file_id"])["data"] == PDF
    # back to the step: the file stays without choosing it again
    again = client.get(step_url).get_data(as_text=True)
    assert "bukti pembayaran.pdf" in again and f'value="{answer["file_id"]}"' in again
    ok_again = client.post(step_url, data={**fields, "csrf_token": token, "lampiran": answer["file_id"]},
                           content_type="multipart/form-data")
    assert ok_again.status_code == 302 and store.get_submission(sid)["data"]["lampiran"] == answer
    # another file's id (not this complaint's) is dropped, never attached
    client.post(step_url, data={**fields, "csrf_token": token, "lampiran": "someone-elses-file"},
                content_type="multipart/form-data")
    assert "lampiran" not in store.get_submission(sid)["data"] or store.get_submission(sid)["data"]["lampiran"] is None
    client.post(step_url, data={**fields, "csrf_token": token, "lampiran": (io.BytesIO(PDF), "b.pdf", "application/pdf")},
                content_type="multipart/form-data")
    review = client.get(f"/isian/{sid}/periksa").get_data(as_text=True)
    assert "b.pdf (PDF, 1 KB)" in review
    ok(Api(client).put_step(sid, "kirim_pengaduan", {"setuju_pengaduan": True}))
    file_id = store.get_submission(sid)["data"]["lampiran"]["file_id"]
    officer = add_staff(app, "petugas1", "petugas")
    detail = officer.get(f"/petugas/pengaduan/{sid}").get_data(as_text=True)
    assert f"/petugas/pengaduan/{sid}/berkas/{file_id}" in detail
    download = officer.get(f"/petugas/pengaduan/{sid}/berkas/{file_id}")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert officer.get(f"/petugas/pengaduan/{sid}/berkas/other").status_code == 404
    assert client.get(f"/petugas/pengaduan/{sid}/berkas/{file_id}").status_code == 403  # the complainant is no officer


def test_the_api_takes_an_attachment_up_to_the_fields_own_limit_beyond_the_json_limit(app):
    """The JSON body limit (256 KiB) no longer caps a file sent to a step with a file question: the field's 2 MB does;
    bad files are refused with a clear 422 or 413, and other steps keep the JSON limit."""
    import base64
    api = Api(app.test_client())
    sid = ok(api.post("/api/v1/forms/pengaduan/submissions"), 201)["id"]
    store = app.extensions["formserver"].store

    def file(size, name="laporan.pdf", head=PDF):
        return {"name": name, "content_type": "", "data": base64.b64encode(head + b"0" * (size - len(head))).decode()}
    big_enough = api.put_step(sid, "isi_pengaduan", {**COMPLAINT, "lampiran": file(1_500_000)})
    assert big_enough.status_code == 200, big_enough.get_json()
    assert store.get_submission(sid)["data"]["lampiran"]["size"] == 1_500_000
    over = api.put_step(sid, "isi_pengaduan", {**COMPLAINT, "lampiran": file(2 * 1024 * 1024 + 10_000)})
    assert over.status_code == 422 and "paling besar 2 MB" in over.get_json()["errors"]["lampiran"][0]
    far_over = api.put_step(sid, "isi_pengaduan", {**COMPLAINT, "lampiran": file(3 * 1024 * 1024)})
    assert far_over.status_code == 413 and "lampiran paling besar 2 MB" in far_over.get_json()["error"]
    disguised = api.put_step(sid, "isi_pengaduan", {**COMPLAINT, "lampiran": file(600_000, "foto.png")})
    assert disguised.status_code == 422 and "bukan PNG" in disguised.get_json()["errors"]["lampiran"][0]
    assert store.get_submission(sid)["data"]["lampiran"]["size"] == 1_500_000  # the refused ones changed nothing
    assert api.put_step(sid, "kirim_pengaduan", {"x": "0" * 300_000}).status_code == 413  # no file question there


def test_an_attachment_through_the_api_and_a_too_large_one(app):
    import base64
    api = Api(app.test_client())
    sid = ok(api.post("/api/v1/forms/pengaduan/submissions"), 201)["id"]
    fake = {"name": "foto.jpg", "content_type": "image/jpeg", "data": base64.b64encode(PDF).decode()}
    errors = api.put_step(sid, "isi_pengaduan", {**COMPLAINT, "lampiran": fake}).get_json()["errors"]
    assert "bukan JPEG" in errors["lampiran"][0]
    real = {"name": "foto.png", "content_type": "image/png", "data": base64.b64encode(PNG).decode()}
    ok(api.put_step(sid, "isi_pengaduan", {**COMPLAINT, "lampiran": real}))
    stored = app.extensions["formserver"].store.get_submission(sid)["data"]["lampiran"]
    assert stored["content_type"] == "image/png" and "pending" not in stored
    detail = ok(api.get(f"/api/v1/submissions/{sid}"))["data"]["lampiran"]
    assert detail == stored  # the answer names the file; its bytes never travel back in the JSON
    # a page post larger than the file limit: refused as too large, the draft as it was
    import io
    client = api.client
    token = csrf(client, f"/isian/{sid}/isi_pengaduan")
    big = client.post(f"/isian/{sid}/isi_pengaduan", data={**COMPLAINT, "csrf_token": token,
                                                           "lampiran": (io.BytesIO(PDF + b"0" * (3 * 1024 * 1024)), "besar.pdf")},
                      content_type="multipart/form-data")
    assert big.status_code == 413
    assert app.extensions["formserver"].store.get_submission(sid)["data"]["lampiran"] == stored
