"""What applicants see of their documents: the draft preview, marks on PDFs, the dashboard and documents page."""
import io

from pypdf import PdfReader

from formserver.config import PROJECT_ROOT
from formserver.issue.render import FONT_DIR

from .test_permohonan import _to_pernyataan, applicant, ok, start  # noqa: F401  (fixture)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_draft_nib_preview_is_the_pdf_of_the_same_template_with_page_numbers_and_no_paths(applicant):
    sid = start(applicant)
    _to_pernyataan(applicant, sid)
    ok(applicant.put_step(sid, "pernyataan_mandiri", {"pernyataan_k3l": True, "pernyataan_sppl": True}))
    review = applicant.client.get(f"/isian/{sid}/periksa").get_data(as_text=True)
    link = review[review.index(f'href="/isian/{sid}/draf/nib"') - 3:]
    link = link[:link.index("</a>")]
    assert 'target="_blank"' in link and "tab baru" in link
    r = applicant.client.get(f"/isian/{sid}/draf/nib")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Cache-Control"] == "private, no-store"
    text = pdf_text(r.data)
    assert "NOMOR INDUK BERUSAHA" in text and "Budi Santoso" in text and "47191" in text
    assert "BUKAN DOKUMEN RESMI" in text
    assert "Halaman 1" in text
    for secret in (str(FONT_DIR), "site-packages", str(PROJECT_ROOT)):
        assert secret not in text and secret.encode() not in r.data
    assert b"/FontFile2" in r.data  # the document's own fonts, as in the issued PDF


def test_draft_preview_is_the_owners_only(app, applicant):
    sid = start(applicant)
    assert app.test_client().get(f"/isian/{sid}/draf/nib").status_code == 404


def _ukl_upl_issued(applicant):
    from .test_permohonan import _issue_now
    sid = start(applicant)
    _to_pernyataan(applicant, sid, "10298", env={
        "punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN", "luas_bangunan_m2": "BANGUNAN_KURANG_2500",
        "kapasitas_produksi": "KAPASITAS_50000_ATAU_LEBIH",
        "uraian_usaha_lingkungan": "Pabrik"})
    return sid, _issue_now(applicant, sid, pernyataan_standar_usaha=True)


def _pages(applicant, sid) -> tuple[str, str]:
    dashboard = applicant.client.get("/dasbor")
    done = applicant.client.get(f"/isian/{sid}/selesai")
    assert dashboard.status_code == 200 and done.status_code == 200
    return dashboard.get_data(as_text=True), done.get_data(as_text=True)


def _download(applicant, d) -> list[str]:
    r = applicant.client.get(d["url"])
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(r.data)).pages]


def test_a_sertifikat_standar_waiting_for_the_environmental_approval_does_not_look_valid(applicant):
    sid, result = _ukl_upl_issued(applicant)
    by_type = {d["type"]: d for d in result["documents"]}
    pages = _download(applicant, by_type["SERTIFIKAT_STANDAR"])
    assert all("BELUM BERLAKU — menunggu persetujuan lingkungan" in text for text in pages)
    assert "BELUM BERLAKU" not in "".join(_download(applicant, by_type["NIB"]))  # the NIB is in force
    dashboard, done = _pages(applicant, sid)
    for page in (dashboard, done):
        assert "Langkah berikutnya: ajukan persetujuan lingkungan" in page
        assert by_type["SERTIFIKAT_STANDAR"]["number"] in page
    assert "Berlaku" in done  # the NIB row


def test_a_revoked_document_is_marked_on_its_pdf_and_on_the_applicants_pages(app, applicant):
    from formserver.dates import format_date

    from .test_permohonan import _issue_now
    sid = start(applicant)
    _to_pernyataan(applicant, sid)
    result = _issue_now(applicant, sid)
    nib_doc = next(d for d in result["documents"] if d["type"] == "NIB")
    before = "".join(_download(applicant, nib_doc))
    assert "DICABUT" not in before
    revoked = app.extensions["formserver"].issuer.revoke(nib_doc["id"], "officer:test", "Data <b>palsu</b>")
    on = format_date(revoked["revoked"]["at"], locale="id")
    pages = _download(applicant, nib_doc)
    assert "DICABUT" in pages[0] and on in pages[0] and "Alasan: Data <b>palsu</b>" in pages[0]
    assert all(f"DICABUT pada {on}" in text for text in pages)
    dashboard, done = _pages(applicant, sid)
    for page in (dashboard, done):
        assert f"Dicabut pada {on}. Alasan: Data &lt;b&gt;palsu&lt;/b&gt;." in page
        assert "REVOKED" not in page and "<b>palsu" not in page
    english = applicant.client.get("/dasbor?lang=en").get_data(as_text=True)
    assert "Revoked on" in english and "Reason: Data &lt;b&gt;palsu&lt;/b&gt;." in english


def test_a_superseded_document_names_its_successor(app, applicant):
    from .test_permohonan import _issue_now
    sid = start(applicant)
    _to_pernyataan(applicant, sid)
    result = _issue_now(applicant, sid)
    nib_doc = next(d for d in result["documents"] if d["type"] == "NIB")
    store = app.extensions["formserver"].store
    doc = store.get_document(nib_doc["id"])
    # the shape the NIB reissue records (status and "superseded" are outside the signed payload)
    store.update_document({**doc, "status": "SUPERSEDED", "superseded": {
        "at": "2026-11-28T03:00:00+00:00", "by_document": "baru", "by_number": f"{result['nib']}-2"}})
    pages = _download(applicant, nib_doc)
    assert "DIGANTIKAN" in pages[0] and f"{result['nib']}-2" in pages[0] and "28 November 2026" in pages[0]
    dashboard, done = _pages(applicant, sid)
    for page in (dashboard, done):
        assert f"Digantikan oleh dokumen {result['nib']}-2 pada 28 November 2026" in page


def test_sni_and_halal_numbers_appear_on_the_documents_of_those_products(app, applicant, tmp_path):
    from formserver.reference.risk import import_csv

    from .test_permohonan import ONE_PRODUCT, _issue_now, activities, details, issue, products
    svc = app.extensions["formserver"]
    csv = tmp_path / "risiko.csv"
    csv.write_text("kode,skala,luas_lahan,tingkat_risiko,perizinan_berusaha,parameter,kewajiban_sni,sumber_url\n"
                   "10792,MIKRO,,RENDAH,NIB,,no,https://example.test/pp28-lampiran\n", encoding="utf-8")
    table, errors = import_csv(csv, "PP 28/2025", "2025-10-05", svc.kbli, svc.logic)
    assert errors == []
    svc.store.insert_reference_table(table)
    svc.risk.reload()
    sid = start(applicant)
    activities(applicant, sid, "10792")
    ok(details(applicant, sid, {"modal_usaha": 10_000_000}))
    ok(products(applicant, sid, [{**ONE_PRODUCT[0], "jenis_produk": "Roti tawar", "punya_sni": "YA",
                                  "nomor_sni": "SNI-3840-2018-0042", "sni_berlaku_sampai": "2029-02-01",
                                  "punya_halal": "YA", "nomor_halal": "ID31110000123450124",
                                  "halal_terbit": "2024-05-01", "halal_berakhir": "2028-05-01"}]))
    issue(applicant, sid, 1)
    result = _issue_now(applicant, sid, pernyataan_sni=True, pernyataan_halal=True)
    for d in result["documents"]:  # NIB and Pernyataan Mandiri: both concern the activity and its product
        text = " ".join(_download(applicant, d))
        assert "Produk Roti tawar: SNI nomor SNI-3840-2018-0042 (berlaku sampai 1 Februari 2029)" in text, d["type"]
        assert "Sertifikat Halal nomor ID31110000123450124 (berlaku sampai 1 Mei 2028)" in text, d["type"]


def test_a_foreign_applicants_documents_show_the_passport_number(app):
    from .conftest import PASSWORD, PASSWORD_HASH, Api
    from .test_permohonan import PROFILE, _issue_now
    profile = {k: v for k, v in PROFILE.items() if k != "nik"}
    profile.update(kewarganegaraan="WNA", nomor_paspor="C01X00T47", nama_lengkap="John Smith")
    app.extensions["formserver"].store.insert_account({
        "id": "acc-wna", "username": "john0001", "email": "john@example.test", "status": "active",
        "password_hash": PASSWORD_HASH, "profile": profile})
    api = Api(app.test_client())
    assert api.post("/api/v1/auth/login", {"username": "john0001", "password": PASSWORD}).status_code == 200
    sid = start(api)
    _to_pernyataan(api, sid)
    result = _issue_now(api, sid)
    for d in result["documents"]:
        text = " ".join(_download(api, d))
        assert "Nomor Paspor : C01X00T47" in text and "NIK :" not in text, d["type"]


def test_a_nib_reissued_by_a_second_application_is_marked_superseded_on_its_pdf_and_pages(applicant):
    from .test_issuance_lifecycle import nib_document, ready_menengah_rendah, ready_rendah, submit
    first = ok(submit(applicant, ready_rendah(applicant)))
    second = ok(submit(applicant, ready_menengah_rendah(applicant)))
    old, new = nib_document(first), nib_document(second)
    pages = _download(applicant, old)
    assert all(f"DIGANTIKAN oleh dokumen nomor {new['number']}" in text for text in pages)
    assert "DIGANTIKAN" not in " ".join(_download(applicant, new))
    dashboard = applicant.client.get("/dasbor").get_data(as_text=True)
    assert f"Digantikan oleh dokumen {new['number']}" in dashboard
