"""Documents that look official (issue 10 §2): the letterhead (kop surat) with the crest and the parent-government
line, the office's contacts, the signatory block with the NIP, and open-licence fonts embedded in the PDF."""
import base64
import io
import json

import pypdf
import pytest
from PIL import Image

from formserver.config import ConfigError
from formserver.issue import render
from formserver.issue.letterhead import document_office
from formserver.issue.pdf import PdfError, html_to_pdf
from formserver.issue.render import DOCUMENT_TYPES, FONT_FACES, FONT_PACKAGE, FontsMissing, font_dir, render_html

from .conftest import make_app
from .test_issue_pdf import sample_context
from .test_permohonan import _to_pernyataan, applicant, ok, start  # noqa: F401  (fixture)

IDENTITY = {
    "name": "DPMPTSP Kabupaten Contoh", "parent_line": "PEMERINTAH KABUPATEN CONTOH",
    "address": "Jl. Merdeka No. 17", "city": "Kota Contoh", "province": "Riau", "phone": "(0762) 321654",
    "email": "dpmptsp@contoh.example", "website": "dpmptsp.contoh.example", "place_of_issue": "Bangkinang Contoh",
    "motto": "Izin Cepat Untung (ICU)",
    "signatory": {"name": "Dr. Siti Rahmawati, S.E., M.Si.", "title": "Kepala Dinas Penanaman Modal dan PTSP",
                  "nip": "19750101 200003 2 001"},
}
CREST_SIZE = (37, 45)  # an odd size no other image of a document has
LOGO_SIZE = (41, 29)
BASE_14 = {"Courier", "Helvetica", "Times", "Symbol", "ZapfDingbats"}


def png(size, color=(180, 20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def image_data_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def context(doc_type, office=None, images=None) -> dict:
    ctx = sample_context(doc_type)
    ctx["office"] = office or IDENTITY
    if images is not None:
        ctx["images"] = images
    return ctx


def words(pdf: bytes) -> str:
    """The PDF's text with every run of white space (line ends, no-break spaces) as one space."""
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())


def fonts(pdf: bytes) -> list[dict]:
    """Every font dictionary the pages use, through their resources and the form XObjects in them."""
    found, seen = [], set()

    def walk(resources):
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            if id(font) not in seen:
                seen.add(id(font))
                found.append(font)
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                walk(xobject["/Resources"])

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        walk(page.get("/Resources"))
    return found


def image_sizes(pdf: bytes) -> list[tuple[int, int]]:
    sizes = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for xobject in (page["/Resources"].get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Image":
                sizes.append((int(xobject["/Width"]), int(xobject["/Height"])))
    return sizes


@pytest.fixture(scope="module")
def rendered():
    """doc type -> (html, pdf) with IDENTITY and a crest, rendered once for the module."""
    images = {"crest": image_data_uri(png(CREST_SIZE))}
    return {t: (html, html_to_pdf(html)) for t in DOCUMENT_TYPES
            for html in [render_html(t, context(t, images=images))]}


@pytest.mark.parametrize("doc_type", list(DOCUMENT_TYPES))
def test_every_document_carries_the_letterhead_contacts_and_signatory(rendered, doc_type):
    text = words(rendered[doc_type][1])
    signatory = IDENTITY["signatory"]
    for expected in ("PEMERINTAH KABUPATEN CONTOH", "DPMPTSP KABUPATEN CONTOH", IDENTITY["name"], IDENTITY["address"],
                     "Provinsi Riau", "Telepon (0762) 321654", "Pos-el dpmptsp@contoh.example",
                     "Laman dpmptsp.contoh.example", "Diterbitkan di Bangkinang Contoh", "pada tanggal 27 November 2026",
                     signatory["title"], "Ditandatangani secara elektronik", signatory["name"],
                     "NIP. 19750101 200003 2 001"):
        assert expected in text, (expected, text[:600])
    # the kop comes first: the parent line before the office's name, both before the document's title
    assert text.index("PEMERINTAH KABUPATEN CONTOH") < text.index("DPMPTSP KABUPATEN CONTOH") < text.index("Telepon")
    # and the signatory block reads in the seed's order: place, date, title, signature, name, NIP
    block = [text.index(s) for s in ("Diterbitkan di", signatory["title"], "Ditandatangani secara elektronik",
                                     signatory["name"], "NIP. ")]
    assert block == sorted(block)


@pytest.mark.parametrize("doc_type", list(DOCUMENT_TYPES))
def test_every_font_is_embedded_and_none_is_a_base_14_font(rendered, doc_type):
    found = fonts(rendered[doc_type][1])
    assert found
    for font in found:
        descendants = font.get("/DescendantFonts")
        described = descendants[0].get_object() if descendants else font
        name = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
        assert name.split("-")[0] not in BASE_14, name
        assert "/FontFile2" in described["/FontDescriptor"].get_object(), name  # a TrueType program, embedded
        assert name.startswith("LiberationSans"), name


def test_the_font_has_every_glyph_of_indonesian_text_and_of_foreign_holders_names():
    from reportlab.pdfbase.ttfonts import TTFontFile  # the font's own character map
    # typographic quotes and dashes, the ellipsis, and names of foreign nationals (WNA holders): Bitstream Vera,
    # the fonts before, had the first ones but not Ł, ő, ş or ễ
    sample = "“Roti” ‘Budi’ – 2021—2026 … Rp1.500.000 ± 5 °C Łukasz Wójcik Ferenc Kőszegi Ayşe Yılmaz Nguyễn Đức Thắng"
    for face, name in FONT_FACES.items():
        covered = TTFontFile(str(render.FONT_DIR / name)).charToGlyph
        missing = sorted({c for c in sample if not c.isspace() and ord(c) not in covered})
        assert not missing, (face, missing)


def test_a_foreign_holders_name_is_printed_as_written():
    ctx = context("NIB")
    ctx["holder"] = {**ctx["holder"], "nama": "Nguyễn Đức Thắng Łukasz"}
    assert "Nguyễn Đức Thắng Łukasz" in words(html_to_pdf(render_html("NIB", ctx)))


def test_what_an_admin_typed_is_printed_literally_never_as_markup():
    office = {**IDENTITY, "name": 'Dinas <b>Contoh</b> & "Mitra"', "parent_line": "Pemerintah <i>X</i> & Y",
              "signatory": {"name": "<b>Siti</b> & Rekan", "title": "Kepala <script>alert(1)</script>", "nip": "1975"}}
    html = render_html("NIB", context("NIB", office))
    assert "<b>Contoh</b>" not in html and "&lt;b&gt;Contoh&lt;/b&gt; &amp; " in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    text = words(html_to_pdf(html))
    for literal in ('Dinas <b>Contoh</b> & "Mitra"', "PEMERINTAH <I>X</I> & Y", "<b>Siti</b> & Rekan",
                    "Kepala <script>alert(1)</script>"):
        assert literal in text, (literal, text[:500])


def test_the_crest_is_an_image_of_the_pdf_when_configured_and_absent_otherwise(rendered):
    assert CREST_SIZE in image_sizes(rendered["NIB"][1])
    assert b"/ASCII85Decode" not in rendered["NIB"][1]  # images as binary streams: no pure-Python text encoding
    bare = html_to_pdf(render_html("NIB", context("NIB")))
    assert CREST_SIZE not in image_sizes(bare) and len(image_sizes(bare)) == 1  # the QR code alone
    both = html_to_pdf(render_html("NIB", context("NIB", images={"crest": image_data_uri(png(CREST_SIZE)),
                                                                 "logo": image_data_uri(png(LOGO_SIZE))})))
    assert CREST_SIZE in image_sizes(both) and LOGO_SIZE in image_sizes(both)


def test_without_images_the_letterhead_has_no_empty_image_column():
    html = render_html("NIB", context("NIB"))
    kop = html[html.index('<table class="kop"'):html.index("</table>", html.index('<table class="kop"'))]
    assert "kop-image" not in kop and "<img" not in kop
    with_crest = render_html("NIB", context("NIB", images={"crest": image_data_uri(png(CREST_SIZE))}))
    assert with_crest.count('width="2.5cm"') == 2  # the crest, and the same width opposite: the lines stay centred
    logo = image_data_uri(png(LOGO_SIZE))
    only_logo = render_html("NIB", context("NIB", images={"logo": logo}))
    assert f'<td class="kop-image" width="2.5cm"><img src="{logo}"' in only_logo  # an office's only image: at the left
    assert only_logo.count(logo) == 1


def test_a_large_crest_is_printed_at_the_size_it_prints_and_only_a_data_uri_is_ever_an_image():
    from formserver.issue.letterhead import PRINT_HEIGHT_PX
    tall = html_to_pdf(render_html("NIB", context("NIB", images={"crest": image_data_uri(png((500, 1000)))})))
    assert (PRINT_HEIGHT_PX // 2, PRINT_HEIGHT_PX) in image_sizes(tall) and (500, 1000) not in image_sizes(tall)
    for address in ("http://127.0.0.1:9/crest.png", "file:///etc/hostname", "/etc/hostname", "data:text/html,<b>x</b>",
                    "data:image/png;base64,bm90IGFuIGltYWdl"):
        html = render_html("NIB", context("NIB", images={"crest": address, "logo": address}))
        assert "<img" not in html[:html.index('class="doc-title"')], address  # the letterhead prints no image


def test_documents_issued_before_the_identity_had_a_signatory_object_still_print():
    flat = {"name": "DPMPTSP Kabupaten Kampar", "address": "Jl. Prof. M. Yamin, SH No. 83", "city": "Bangkinang",
            "province": "Riau", "signatory_name": "Kepala Dinas Contoh", "signatory_title": "a.n. Bupati Kampar"}
    assert document_office(flat)["place_of_issue"] == "Bangkinang"
    text = words(html_to_pdf(render_html("SPPL", context("SPPL", flat))))
    assert "Diterbitkan di Bangkinang" in text and "a.n. Bupati Kampar" in text and "Kepala Dinas Contoh" in text
    assert "NIP." not in text and "Pos-el" not in text and "PEMERINTAH" not in text


def test_a_title_on_two_lines_prints_on_two_lines():
    office = {**IDENTITY, "signatory": {**IDENTITY["signatory"], "title": "a.n. BUPATI CONTOH\nKEPALA DINAS"}}
    pdf = html_to_pdf(render_html("NIB", context("NIB", office)))
    lines = [line.strip() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages for line in page.extract_text().splitlines()]
    assert "a.n. BUPATI CONTOH" in lines and "KEPALA DINAS" in lines


def test_an_example_office_says_so_on_its_documents():
    text = words(html_to_pdf(render_html("NIB", context("NIB", {**IDENTITY, "example": True}))))
    assert "CONTOH — kantor fiktif untuk peragaan, bukan dokumen resmi" in text
    assert "kantor fiktif" not in words(html_to_pdf(render_html("NIB", context("NIB"))))


def test_missing_font_files_stop_the_server_with_what_to_install(tmp_path, monkeypatch, smtp, whatsapp):
    with pytest.raises(FontsMissing) as missing:
        font_dir([tmp_path])
    assert f"apt-get install {FONT_PACKAGE}" in str(missing.value) and "LiberationSans-Regular.ttf" in str(missing.value)
    for name in FONT_FACES.values():  # a folder with the four faces is found (FORMSERVER_FONT_DIR)
        (tmp_path / name).symlink_to(render.FONT_DIR / name)
    assert font_dir([tmp_path / "none", tmp_path]) == tmp_path
    monkeypatch.setattr(render, "_FONTS_MISSING", missing.value)
    with pytest.raises(ConfigError, match="fonts-liberation2"):
        make_app(tmp_path / "data", smtp, whatsapp)
    with pytest.raises(PdfError, match="fonts-liberation2"):
        html_to_pdf(render_html("NIB", context("NIB")))


def test_the_kampar_office_prints_its_parent_line_contacts_and_place_of_issue():
    from formserver.variants import office_of, read_variant
    office = document_office(office_of(read_variant("kampar").identity))
    html = render_html("NIB", {**sample_context("NIB"), "office": office_of(read_variant("kampar").identity)})
    text = words(html_to_pdf(html))
    assert office["parent_lines"] == ["PEMERINTAH KABUPATEN KAMPAR"] and office["signatory"]["title_lines"]
    for expected in ("PEMERINTAH KABUPATEN KAMPAR", "Telepon 0812-7646-0487", "Pos-el dpmptsp@kamparkab.go.id",
                     "Laman dpmptsp.kamparkab.go.id", "Diterbitkan di Bangkinang", "Ditandatangani secara elektronik"):
        assert expected in text, expected


@pytest.fixture
def app(tmp_path, smtp, whatsapp):
    """The server of an office (a variant) whose identity names a crest in its assets folder."""
    root = tmp_path / "variants" / "lambang"
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "lambang.png").write_bytes(png(CREST_SIZE))
    (root / "variant.json").write_text(json.dumps({"name": "lambang", "identity": {**IDENTITY, "crest": "lambang.png"}}),
                                       encoding="utf-8")
    return make_app(tmp_path / "data", smtp, whatsapp, VARIANT="lambang", VARIANTS_DIR=str(tmp_path / "variants"))


def test_the_server_prints_its_offices_crest_and_signatory_on_the_documents(applicant, tmp_path):
    sid = start(applicant)
    _to_pernyataan(applicant, sid)
    ok(applicant.put_step(sid, "pernyataan_mandiri", {"pernyataan_k3l": True, "pernyataan_sppl": True}))
    draft = applicant.client.get(f"/isian/{sid}/draf/nib")
    assert draft.status_code == 200 and CREST_SIZE in image_sizes(draft.data)
    assert str(tmp_path).encode() not in draft.data
    ok(applicant.put_step(sid, "draf_perizinan", {"setuju_terbitkan": True}))
    documents = ok(applicant.post(f"/api/v1/submissions/{sid}/submit"))["documents"]
    assert {d["type"] for d in documents} >= {"NIB", "PERNYATAAN_MANDIRI"}
    for d in documents:
        signed = applicant.client.get(d["url"])
        assert signed.status_code == 200
        text = words(signed.data)
        assert CREST_SIZE in image_sizes(signed.data), d["type"]
        assert "PEMERINTAH KABUPATEN CONTOH" in text and "NIP. 19750101 200003 2 001" in text, d["type"]
        assert all("/FontFile2" in (f.get("/FontDescriptor") or f["/DescendantFonts"][0].get_object()["/FontDescriptor"])
                   .get_object() for f in fonts(signed.data)), d["type"]
