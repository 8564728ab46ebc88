"""The verification page shows the signed business data, and "Periksa berkas PDF" tells a genuine,
unchanged file from a look-alike, a file changed after signing, and a file that is not a PDF."""
import io
import re

import pytest

from formserver.issue import signing
from formserver.issue.pades import sign_pdf
from formserver.issue.pdf import html_to_pdf
from formserver.issue.signing import OfficeKeys

from .conftest import make_app
from .test_permohonan import _issue_now, _to_pernyataan, applicant, start  # noqa: F401  (fixture)


@pytest.fixture
def issued_nib(app, applicant):
    """(the stored NIB document, its signed PDF as downloaded by the applicant)."""
    sid = start(applicant)
    _to_pernyataan(applicant, sid)
    result = _issue_now(applicant, sid)
    entry = next(d for d in result["documents"] if d["type"] == "NIB")
    pdf = applicant.client.get(entry["url"]).data
    return app.extensions["formserver"].store.get_document(entry["id"]), pdf


def upload(client, data: bytes, name="dokumen.pdf", url="/api/v1/verify/pdf", **form):
    return client.post(url, data={"file": (io.BytesIO(data), name), **form}, content_type="multipart/form-data")


def with_annotation(pdf: bytes) -> bytes:
    """The PDF with an incremental update that adds a text annotation on page 1 (what a PDF editor does)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    annotation = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
        generic.NameObject("/Rect"): generic.ArrayObject([generic.FloatObject(x) for x in (100, 600, 400, 640)]),
        generic.NameObject("/Contents"): generic.TextStringObject("Toko Palsu Sejahtera"),
        generic.NameObject("/DA"): generic.pdf_string("/Helv 12 Tf 0 g")}))
    annotations = page.get("/Annots", generic.ArrayObject())
    annotations.append(annotation)
    page[generic.NameObject("/Annots")] = annotations
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def look_alike(app, doc: dict, **activity) -> bytes:
    """The document re-rendered with other business data, carrying the genuine QR code and address."""
    issuer = app.extensions["formserver"].issuer
    first = {**doc["content"]["activities"][0], **activity}
    forged = {**doc, "content": {**doc["content"], "activities": [first]}}
    with app.test_request_context("/"):
        return html_to_pdf(issuer.html(forged))


def test_genuine_pdf_is_valid(client, issued_nib):
    doc, pdf = issued_nib
    r = upload(client, pdf)
    assert r.status_code == 200
    body = r.get_json()
    assert body["valid"] is True and body["status"] == "VALID" and body["number"] == doc["number"]
    assert body["reasons"] and "dokumen asli" in body["reasons"][0]


def test_a_look_alike_with_another_business_name_and_the_genuine_qr_code_is_refused(app, client, issued_nib):
    doc, _ = issued_nib
    fake = look_alike(app, doc, nama_usaha="Toko Palsu Sejahtera")
    code = signing.verification_code(doc["id"], doc["signature"])
    assert code in re.sub(r"\s+", "", "".join(
        __import__("pypdf").PdfReader(io.BytesIO(fake)).pages[0].extract_text()))  # it does carry the genuine code
    body = upload(client, fake).get_json()
    assert body["valid"] is False and body["status"] == "UNSIGNED"
    assert body["number"] == doc["number"]  # the document it pretends to be
    assert "tidak memiliki tanda tangan elektronik" in body["reasons"][0]
    # signed, but by a certificate that is not the office's
    stranger = OfficeKeys.load({"DATA_DIR": str(app.config["DATA_DIR"]) + "-stranger"})
    body = upload(client, sign_pdf(fake, stranger)).get_json()
    assert body["valid"] is False and body["status"] == "UNTRUSTED"


def test_an_annotation_added_after_signing_is_reported(client, issued_nib):
    _, pdf = issued_nib
    body = upload(client, with_annotation(pdf)).get_json()
    assert body["valid"] is False and body["status"] == "MODIFIED"
    assert "diubah setelah ditandatangani" in body["reasons"][0]
    english = upload(client, with_annotation(pdf), url="/api/v1/verify/pdf?lang=en").get_json()
    assert "changed after it was signed" in english["reasons"][0]


def test_a_file_signed_by_the_office_for_another_document_is_a_mismatch(app, client, issued_nib):
    doc, _ = issued_nib
    issuer = app.extensions["formserver"].issuer
    other = look_alike(app, doc, nama_usaha="Toko Lain")
    # as if the office's key had signed other content naming this document: the signed text must be the document's
    forged = sign_pdf(other, issuer.keys, verification_code=signing.verification_code(doc["id"], doc["signature"]))
    body = upload(client, forged).get_json()
    assert body["valid"] is False and body["status"] == "MISMATCH"


def test_a_pdf_signed_before_the_document_entry_existed_is_recognised_by_its_printed_address(app, client, issued_nib):
    doc, _ = issued_nib
    issuer = app.extensions["formserver"].issuer
    with app.test_request_context("/"):
        legacy = sign_pdf(html_to_pdf(issuer.html(doc)), issuer.keys)  # no /FormserverVerification entry
    body = upload(client, legacy).get_json()
    assert body["valid"] is True and body["number"] == doc["number"]


def test_a_revoked_documents_genuine_pdf_is_not_valid(app, client, issued_nib):
    doc, pdf = issued_nib
    app.extensions["formserver"].issuer.revoke(doc["id"], "officer:test", "uji")
    body = upload(client, pdf).get_json()
    assert body["valid"] is False and body["status"] == "REVOKED" and "dicabut" in body["reasons"][0]


@pytest.mark.parametrize("data, name", [(b"hello, this is text", "surat.pdf"), (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "foto.png"),
                                        (b"%PDF-1.7\n garbage that is no PDF", "rusak.pdf")])
def test_a_file_that_is_not_a_readable_pdf_is_refused_with_a_message(client, data, name):
    r = upload(client, data, name=name)
    assert r.status_code == 422 and r.get_json()["error"]


def test_missing_file_oversize_and_json_bodies_are_refused(client):
    assert client.post("/api/v1/verify/pdf", data={}, content_type="multipart/form-data").status_code == 400
    assert upload(client, b"", name="kosong.pdf").status_code in (400, 422)
    big = b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024)
    r = upload(client, big)
    assert r.status_code == 413 and "5 MB" in r.get_json()["error"]
    assert client.post("/api/v1/verify/pdf", json={"file": "x"}).status_code == 415


def test_the_verification_page_shows_the_signed_business_data_and_offers_the_pdf_check(client, issued_nib):
    doc, _ = issued_nib
    code = signing.verification_code(doc["id"], doc["signature"])
    page = client.get(f"/verifikasi/{code}").get_data(as_text=True)
    activity = doc["content"]["activities"][0]
    for shown in (activity["nama_usaha"], activity["alamat_usaha"], activity["kbli"], activity["judul"], doc["number"],
                  doc["content"]["nib"], "Bu** Sa*****", "Periksa berkas PDF", 'enctype="multipart/form-data"'):
        assert shown in page, shown
    assert doc["content"]["holder"]["nik"] not in page and "Budi Santoso" not in page
    body = client.get(f"/api/v1/verify/{code}").get_json()
    assert body["nib"] == doc["content"]["nib"]
    assert body["activities"] == [{k: activity[k] for k in ("kbli", "judul", "nama_usaha", "alamat_usaha")}]


def test_a_superseded_document_says_what_replaced_it(app, client, issued_nib):
    doc, _ = issued_nib
    store = app.extensions["formserver"].store
    store.update_document({**doc, "status": "SUPERSEDED", "superseded": {
        "at": "2026-11-28T03:00:00+00:00", "by_document": "baru", "by_number": f"{doc['number']}-2"}})
    code = signing.verification_code(doc["id"], doc["signature"])
    page = client.get(f"/verifikasi/{code}").get_data(as_text=True)
    assert "telah digantikan" in page and f"Digantikan oleh dokumen {doc['number']}-2" in page
    assert client.get(f"/api/v1/verify/{code}").get_json()["superseded_by"] == f"{doc['number']}-2"


@pytest.fixture
def csrf_app(tmp_path, smtp, whatsapp):
    return make_app(tmp_path / "csrf", smtp, whatsapp, WTF_CSRF_ENABLED=True)


def test_the_html_check_needs_its_csrf_token_and_explains_the_result(csrf_app, app, issued_nib):
    _, pdf = issued_nib
    # the documents live in the other app's store: give this one the same store and keys
    csrf_app.extensions["formserver"] = app.extensions["formserver"]
    browser = csrf_app.test_client()
    form = browser.get("/verifikasi/periksa").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert upload(browser, pdf, url="/verifikasi/periksa").status_code == 400  # no token
    ok = upload(browser, pdf, url="/verifikasi/periksa", csrf_token=token)
    assert ok.status_code == 200
    text = ok.get_data(as_text=True)
    assert "Berkas asli dan dokumen berlaku" in text and "Warung Budi" in text
    changed = upload(browser, with_annotation(pdf), url="/verifikasi/periksa", csrf_token=token).get_data(as_text=True)
    assert "tidak dapat diterima" in changed and "diubah setelah ditandatangani" in changed
    wrong = upload(browser, b"bukan pdf", url="/verifikasi/periksa", csrf_token=token)
    assert wrong.status_code == 422 and "bukan PDF" in wrong.get_data(as_text=True)


def test_a_pdf_signed_with_the_certificate_used_before_a_change_still_checks(tmp_path, smtp, whatsapp, app, issued_nib):
    doc, pdf = issued_nib  # downloaded with the first certificate
    fresh = OfficeKeys.load({"DATA_DIR": str(tmp_path / "new-certificate")})
    (tmp_path / "cert.pem").write_bytes(fresh.cert_pem)
    (tmp_path / "cert-key.pem").write_bytes(fresh.cert_key_pem)
    changed = make_app(app.config["DATA_DIR"], smtp, whatsapp, SIGNING_CERT_FILE=str(tmp_path / "cert.pem"),
                       SIGNING_CERT_KEY_FILE=str(tmp_path / "cert-key.pem"))
    assert changed.extensions["formserver"].issuer.keys.cert_pem == fresh.cert_pem
    body = upload(changed.test_client(), pdf).get_json()
    assert body["valid"] is True and body["number"] == doc["number"]
