"""Issue stage: document templates to HTML, HTML to PDF (text, fonts, page size, escaping)."""
import io

import pypdf
import pytest

from formserver.issue.pdf import html_to_pdf
from formserver.issue.qr import qr_png_data_uri
from formserver.issue.render import DOCUMENT_TYPES, render_html

HOSTILE_NAME = '<script>alert(1)</script> & "Budi"'
VERIFY_URL = "https://dpmptsp.kamparkab.go.id/verifikasi/01JDX3K7Q9ZC4W8N2M5T6R1B0A." + "A" * 86
ACTIVITIES = [
    {"kbli": "10792", "judul": "Industri Roti dan Kue", "skala": "MIKRO", "tingkat_risiko": "RENDAH",
     "nama_usaha": "Roti Budi", "alamat_usaha": "Jl. Prof. M. Yamin No. 1, Bangkinang Kota", "modal_usaha": 50_000_000},
    {"kbli": "47111", "judul": "Perdagangan Eceran Berbagai Macam Barang di Minimarket", "skala": "KECIL",
     "tingkat_risiko": "MENENGAH_RENDAH", "nama_usaha": "Toko Budi", "alamat_usaha": "Jl. Jenderal Sudirman No. 5",
     "modal_usaha": 1_500_000_000},
]
NUMBERS = {"NIB": "1234567890123", "SERTIFIKAT_STANDAR": "SS-1234567890123-002",
           "PERNYATAAN_MANDIRI": "PM-1234567890123", "SPPL": "SPPL-1234567890123",
           "PKPLH": "PKPLH-1234567890123-002"}


def sample_context(doc_type: str, holder_name: str = "Budi Santoso") -> dict:
    """A complete context as the issuance service builds it."""
    return {
        "document": {"id": "01JDX3K7Q9ZC4W8N2M5T6R1B0A", "type": doc_type, "number": NUMBERS[doc_type],
                     "issued_at": "2026-11-26T20:00:00+00:00", "status": "TERBIT"},
        "office": {"name": "DPMPTSP Kabupaten Kampar", "address": "Jl. Prof. M. Yamin, SH No. 83",
                   "city": "Bangkinang", "province": "Riau", "signatory_name": "Kepala Dinas Contoh",
                   "signatory_title": "Kepala DPMPTSP Kabupaten Kampar", "motto": "Izin Cepat Untung (ICU)"},
        "holder": {"nama": holder_name, "nik": "1401011708900001", "alamat": "Jl. Prof. M. Yamin No. 1",
                   "email": "budi@example.test", "nomor_telepon": "+6281234567890", "npwp": "1401011708900001"},
        "nib": "1234567890123",
        "activities": ACTIVITIES,
        "activity": ACTIVITIES[1],
        "statements": ["Bersedia memenuhi ketentuan K3L.", "Bersedia memenuhi standar usaha."],
        "approval": {"jenis": "PKPLH", "nomor": "660/DLH/PKPLH/2026/017", "tanggal": "2026-11-20",
                     "penerbit": "Dinas Lingkungan Hidup Kabupaten Kampar"},
        "qr_png_data_uri": qr_png_data_uri(VERIFY_URL),
        "verify_url": VERIFY_URL,
    }


def expected_kbli(doc_type: str) -> list[str]:
    return [ACTIVITIES[1]["kbli"]] if doc_type in ("SERTIFIKAT_STANDAR", "PKPLH") else [a["kbli"] for a in ACTIVITIES]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def rendered():
    """doc type -> (html, pdf), rendered once for the module."""
    out = {}
    for doc_type in DOCUMENT_TYPES:
        html = render_html(doc_type, sample_context(doc_type))
        out[doc_type] = html, html_to_pdf(html)
    return out


@pytest.mark.parametrize("doc_type", list(DOCUMENT_TYPES))
def test_html_has_holder_nib_and_kbli(rendered, doc_type):
    html, _ = rendered[doc_type]
    assert "Budi Santoso" in html
    assert "1234567890123" in html
    assert NUMBERS[doc_type] in html
    for kbli in expected_kbli(doc_type):
        assert kbli in html
    assert 'src="data:image/png;base64,' in html


@pytest.mark.parametrize("doc_type", list(DOCUMENT_TYPES))
def test_pdf_text_has_number_holder_and_kbli(rendered, doc_type):
    _, pdf = rendered[doc_type]
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert NUMBERS[doc_type] in text
    assert "Budi Santoso" in text
    for kbli in expected_kbli(doc_type):
        assert kbli in text
    assert "Ditandatangani secara elektronik" in text


@pytest.mark.parametrize("doc_type", list(DOCUMENT_TYPES))
def test_pdf_is_a4_with_embedded_fonts(rendered, doc_type):
    _, pdf = rendered[doc_type]
    assert b"/FontFile2" in pdf  # TrueType program embedded, not a base-14 reference
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        assert float(page.mediabox.width) == pytest.approx(595, abs=1)
        assert float(page.mediabox.height) == pytest.approx(842, abs=1)


@pytest.mark.parametrize("doc_type", list(DOCUMENT_TYPES))
def test_html_names_no_server_path(rendered, doc_type):
    from formserver.config import PROJECT_ROOT
    from formserver.issue.render import FONT_DIR
    html, pdf = rendered[doc_type]
    for secret in (str(FONT_DIR), "site-packages", str(PROJECT_ROOT)):
        assert secret not in html and secret.encode() not in pdf
    assert 'url("DocSans-Regular.ttf")' in html  # a name, resolved only when the PDF embeds it


# the last lines of each document's text, which the signatures and the QR code must stay with
LAST_LINES = {"NIB": "Nomor dokumen:", "SERTIFIKAT_STANDAR": "bersedia diawasi oleh instansi yang berwenang",
              "PERNYATAAN_MANDIRI": "Demikian pernyataan ini dibuat", "SPPL": "Demikian pernyataan ini dibuat",
              "PKPLH": "Formulir UKL-UPL dan persetujuan lingkungannya"}
LONG_ACTIVITY = {
    "judul": "Industri Produk Roti dan Kue Basah serta Kering dengan Bahan Baku Tepung Terigu", "skala": "MIKRO",
    "tingkat_risiko": "RENDAH", "nama_usaha": "Usaha Roti dan Kue Keluarga Budi Santoso Bersaudara",
    "alamat_usaha": "Jl. Prof. M. Yamin No. 123 RT 004 RW 002, Langgini, Bangkinang Kota, Kabupaten Kampar, Riau",
    "modal_usaha": 50_000_000}


@pytest.mark.parametrize("count", [1, 2, 3])
@pytest.mark.parametrize("doc_type", list(DOCUMENT_TYPES))
def test_signatures_and_qr_code_stay_with_the_last_lines(doc_type, count):
    context = sample_context(doc_type)
    context["activities"] = [{**LONG_ACTIVITY, "kbli": str(10710 + i)} for i in range(count)]
    context["statements"] = ["Pelaku Usaha bersedia memenuhi ketentuan keselamatan, kesehatan kerja dan "
                             "lingkungan (K3L) sesuai peraturan perundang-undangan yang berlaku."] * (count + 1)
    pages = [" ".join(page.extract_text().split())
             for page in pypdf.PdfReader(io.BytesIO(html_to_pdf(render_html(doc_type, context)))).pages]
    signed = [i for i, text in enumerate(pages) if "Ditandatangani secara elektronik" in text]
    assert len(signed) == 1
    page = pages[signed[0]]
    assert "Pindai kode QR" in page and LAST_LINES[doc_type] in page, (len(pages), page[:300])


def test_certified_products_and_a_passport_instead_of_an_empty_nik():
    context = sample_context("NIB")
    context["holder"] = {**context["holder"], "nik": "", "kewarganegaraan": "WNA", "nomor_paspor": "X1234567"}
    context["activities"] = [{**ACTIVITIES[0], "produk": [
        {"jenis_produk": "Roti tawar", "nomor_sni": "SNI 3840:2018/123", "sni_berlaku_sampai": "2028-01-01",
         "nomor_halal": "ID31110000123450124", "halal_berakhir": "2028-05-01"}]}, ACTIVITIES[1]]
    text = " ".join(pdf_text(html_to_pdf(render_html("NIB", context))).split())
    assert "Nomor Paspor : X1234567" in text and "NIK" not in text
    assert "SNI nomor SNI 3840:2018/123 (berlaku sampai 1 Januari 2028)" in text
    assert "Sertifikat Halal nomor ID31110000123450124 (berlaku sampai 1 Mei 2028)" in text


def test_statements_and_sppl_text():
    assert "Bersedia memenuhi standar usaha." in render_html("PERNYATAAN_MANDIRI", sample_context("PERNYATAAN_MANDIRI"))
    sppl = render_html("SPPL", sample_context("SPPL"))
    assert "KESANGGUPAN PENGELOLAAN DAN PEMANTAUAN LINGKUNGAN HIDUP" in sppl
    assert "fasilitas pengelolaan limbah cair" in sppl


def test_holder_name_is_escaped_in_html_and_literal_in_pdf():
    html = render_html("NIB", sample_context("NIB", holder_name=HOSTILE_NAME))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Budi&#34;" in html
    assert HOSTILE_NAME in pdf_text(html_to_pdf(html))


def test_dates_amounts_and_codes_are_formatted():
    html = render_html("SERTIFIKAT_STANDAR", sample_context("SERTIFIKAT_STANDAR"))
    assert "27 November 2026" in html  # 20:00 UTC is the next day in Bangkinang (WIB)
    assert "Rp1.500.000.000" in html
    assert "Menengah Rendah" in html


def test_draft_banner_and_no_qr_code():
    context = sample_context("NIB")
    context["document"]["status"] = "DRAF"
    context["qr_png_data_uri"] = context["verify_url"] = ""  # not issued: nothing to verify yet
    html = render_html("NIB", context)
    assert "BUKAN DOKUMEN RESMI" in html
    assert "<img" not in html
    assert "BUKAN DOKUMEN RESMI" in pdf_text(html_to_pdf(html))
    assert "BUKAN DOKUMEN RESMI" not in render_html("NIB", sample_context("NIB"))


def test_every_registered_template_parses():
    from formserver.issue.render import check_templates

    check_templates()


def test_unknown_type_is_a_key_error():
    with pytest.raises(KeyError):
        render_html("IZIN_LAIN", sample_context("NIB"))


def test_templates_are_sandboxed():
    from jinja2.exceptions import SecurityError

    from formserver.issue import render

    with pytest.raises(SecurityError):
        render.environment().from_string("{{ ''.__class__.__mro__ }}").render()


def test_document_cannot_read_local_files(tmp_path):
    from PIL import Image

    outside = tmp_path / "outside.png"  # a real image, outside the fonts and documents folders
    Image.new("RGB", (8, 8), "red").save(outside)
    pdf = html_to_pdf(f'<html><body><p>x</p><img src="{outside}"></body></html>')
    assert b"/Subtype /Image" not in pdf


def test_qr_code_prints_at_least_25_mm():
    import base64

    from PIL import Image

    uri = qr_png_data_uri(VERIFY_URL)
    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    dpi = image.info["dpi"][0]
    assert image.width / dpi * 2.54 >= 2.5


@pytest.mark.parametrize("extra_lines", range(0, 16, 3))
def test_signature_and_qr_never_stand_alone_on_the_last_page(extra_lines):
    """Issue 7 item 10: long names pushed the closing (QR code and signature) alone onto page 2."""
    long_name = "Usaha Dagang Sejahtera Bersama Keluarga Besar " * (1 + extra_lines)
    activities = [{**a, "nama_usaha": long_name, "alamat_usaha": a["alamat_usaha"] + " Bangkinang Kota"}
                  for a in ACTIVITIES + ACTIVITIES[:1]]
    context = {**sample_context("NIB"), "activities": activities}
    pages = pypdf.PdfReader(io.BytesIO(html_to_pdf(render_html("NIB", context)))).pages
    last = pages[-1].extract_text()
    assert "Kepala DPMPTSP Kabupaten Kampar" in last
    if len(pages) > 1:  # the closing is kept with the last lines of the text
        assert "Nomor dokumen" in last, last


LONG_EMAIL = "sejahterabersamakeluargabesarindonesiaraya.kampar.riau@example.test"


@pytest.mark.parametrize("doc_type", sorted(DOCUMENT_TYPES))
def test_a_long_email_or_name_is_wrapped_not_printed_past_the_page_edge(doc_type):
    """The holder's e-mail (and a name or address without spaces) ran off the right edge of the page."""
    context = sample_context(doc_type, holder_name="Sejahterabersamakeluargabesarindonesiaraya" * 2)
    context["holder"] = {**context["holder"], "email": LONG_EMAIL}
    text = pdf_text(html_to_pdf(render_html(doc_type, context)))
    lines = text.splitlines()
    assert not any(LONG_EMAIL in line for line in lines), "printed on one line, past the column"
    assert LONG_EMAIL.replace("\n", "") in text.replace("\n", "")


def test_qr_code_has_the_fixed_mask_and_the_link_modules():
    """The mask is fixed (benchmarks/qr_masks.py: the search took most of a code's time); the printed modules are
    exactly the standard symbol of the link with that mask, read back from the PNG module by module."""
    import base64

    import segno
    from PIL import Image

    from formserver.issue.qr import MASK

    expected = segno.make_qr(VERIFY_URL, error="m", boost_error=False, mask=MASK)
    assert expected.mask == MASK
    image = Image.open(io.BytesIO(base64.b64decode(qr_png_data_uri(VERIFY_URL).split(",", 1)[1]))).convert("L")
    size = expected.symbol_size(scale=1, border=4)[0]
    scale = image.width // size
    assert image.width == size * scale
    modules = [[image.getpixel(((4 + x) * scale + scale // 2, (4 + y) * scale + scale // 2)) < 128
                for x in range(size - 8)] for y in range(size - 8)]
    assert modules == [[bool(v) for v in row] for row in expected.matrix]
