"""Plain words on every page and document: codes become labels, dates one format in WIB."""
import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest

from formserver import dates, labels
from formserver.i18n import current_locale
from formserver.issue import issuance
from formserver.issue.render import DOCUMENT_TYPES
from formserver.officers import create_officer

from . import test_permohonan as permit
from .conftest import PASSWORD, PERSON, ROOT, Api, code_from
from .test_permohonan import applicant


@pytest.mark.parametrize(("value", "with_time", "locale", "expected"), [
    ("1985-08-15", False, "id", "15 Agustus 1985"),
    ("1985-08-15", False, "en", "15 August 1985"),
    ("1985-08-15", True, "id", "15 Agustus 1985"),  # a plain date has no time to show
    ("1985-08-15T07:30:00+00:00", True, "id", "15 Agustus 1985 14.30 WIB"),
    ("1985-08-15T07:30:00+00:00", True, "en", "15 August 1985 14:30 WIB"),
    ("2026-11-26T20:00:00.123456+00:00", False, "id", "27 November 2026"),  # 20:00 UTC is the next day in WIB
    ("2026-11-26T20:00:00Z", True, "id", "27 November 2026 03.00 WIB"),
    ("2026-11-26T20:00:00", True, "id", "27 November 2026 03.00 WIB"),  # the store's naive times are UTC
    ("2026-01-01T08:05:00+08:00", True, "id", "1 Januari 2026 07.05 WIB"),  # another zone, converted
    (dt.date(2024, 2, 29), False, "id", "29 Februari 2024"),
    (dt.datetime(2024, 12, 31, 17, 0, tzinfo=dt.UTC), True, "en", "1 January 2025 00:00 WIB"),
    ("", False, "id", ""),
    (None, True, "id", ""),
    ("bukan tanggal", False, "id", "bukan tanggal"),
])
def test_one_date_format_in_wib(value, with_time, locale, expected):
    assert dates.format_date(value, with_time=with_time, locale=locale) == expected


def test_the_date_follows_the_request_locale():
    token = current_locale.set("en")
    try:
        assert dates.format_datetime("2026-03-05T01:02:03+00:00") == "5 March 2026 08:02 WIB"
    finally:
        current_locale.reset(token)
    assert dates.format_datetime("2026-03-05T01:02:03+00:00") == "5 Maret 2026 08.02 WIB"


def test_wib_is_the_named_zone():
    assert dates.WIB.key == "Asia/Jakarta"


def test_every_status_and_type_the_server_hands_out_has_a_label():
    # every status constant of the issuance stage (a new one is caught here), the verification outcomes, the types
    constants = {value for name, value in vars(issuance).items()
                 if name.isupper() and isinstance(value, str) and re.fullmatch(r"[A-Z][A-Z_]+", value)}
    assert {"DRAF", "TERBIT", "SUPERSEDED", "MENUNGGU_PERSETUJUAN_LINGKUNGAN"} <= constants
    codes = constants | {"ALTERED", "UNKNOWN"} | set(DOCUMENT_TYPES)
    missing = {code for code in codes if code not in labels.LABELS}
    assert not missing


@pytest.mark.parametrize(("code", "id_text", "en_text"), [
    ("REVOKED", "Dicabut", "Revoked"),
    ("SUPERSEDED", "Digantikan", "Superseded"),
    ("MENUNGGU_PERSETUJUAN_LINGKUNGAN", "Menunggu persetujuan lingkungan", "Waiting for the environmental approval"),
    ("RISIKO_TERVALIDASI", "Risiko tervalidasi", "Risk validated"),
    ("SERTIFIKAT_STANDAR", "Sertifikat Standar", "Standard certificate"),
    ("MENENGAH_RENDAH", "Menengah Rendah", "Medium-low"),
    ("MIKRO", "Mikro", "Micro"),
    ("UKL_UPL", "UKL-UPL", "UKL-UPL"),
])
def test_labels_in_both_languages(code, id_text, en_text):
    assert labels.label(code, "id") == id_text and labels.label(code, "en") == en_text


def test_unknown_codes_read_as_words_and_plain_text_passes():
    assert labels.label("SESUATU_BARU") == "Sesuatu baru"
    assert labels.label("PT") == "PT" and labels.label("Warung Budi") == "Warung Budi"
    assert labels.label(None) == "" and labels.label("") == ""


def test_a_code_with_two_labels_is_refused_when_the_table_loads():
    with pytest.raises(ValueError, match="two labels"):
        labels._merge({"a": {"X_Y": ("Satu", "One")}, "b": {"X_Y": ("Dua", "Two")}})


def _options(fields):
    for f in fields:
        yield from ((o["value"], o["label"]) for o in f.get("options", []))
        yield from _options(f.get("fields", []))


def test_the_table_agrees_with_the_definitions_where_both_name_a_risk_or_scale():
    """The pages show a field's own choice labels; the dashboard and documents the table's: the same words."""
    shared = labels.CATEGORIES["risk"] | labels.CATEGORIES["scale"] | labels.CATEGORIES["activity_type"]
    seen = 0
    for path in (ROOT / "forms").glob("*.json"):
        for step in json.loads(path.read_text(encoding="utf-8"))["steps"]:
            for value, text in _options(step.get("fields", [])):
                if value in shared:
                    seen += 1
                    assert (text["id"], text["en"]) == (labels.LABELS[value].id, labels.LABELS[value].en), value
    assert seen >= 10


# ---------------------------------------------------------------- no raw codes on any page or document

# UPPER_SNAKE codes, and codes title-cased by a template ("Nib", "Sppl", "Sertifikat_Standar")
SNAKE_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
TITLED_CODE = re.compile(r"\b(?:Nib|Sppl|Umk|Kbli|Pkplh|Skkl|Amdal|Ukl|Upl|Wni|Wna)\b|\b[A-Z][a-z]+_[A-Za-z_]+\b")
ABBREVIATIONS = {"NIB", "SPPL", "UMK", "AMDAL", "PKPLH", "SKKL", "KBLI"}
# one-word codes in capitals: on a page they are always raw ("REVOKED", "TERBIT", "MIKRO")
PAGE_WORD_CODES = {code for code in labels.LABELS if "_" not in code and code not in ABBREVIATIONS}
# documents print Indonesian marks in capitals on purpose ("DRAF", "DICABUT", "BELUM BERLAKU")
DOCUMENT_WORD_CODES = PAGE_WORD_CODES - {"DRAF", "DICABUT", "BELUM", "SUDAH", "YA", "TIDAK"}
SHOWN_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "data-label", "value"}


class _VisibleText(HTMLParser):
    """The text a reader sees or hears: character data outside scripts and styles, and shown attributes."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        for name, value in attrs.items():
            # a hidden input's or a choice's value is data, not text; a button's value is not shown either
            if name in SHOWN_ATTRIBUTES and value and not (name == "value" and tag in ("input", "option", "button")):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def _bilingual_mark(match) -> str:
    """A document's mark "DICABUT / REVOKED": the Indonesian word, then its English translation on purpose."""
    indonesian, english = match.groups()
    return "" if labels.label(english, "id").upper() == indonesian and english in labels.LABELS else match.group(0)


def raw_codes(html: str, word_codes=PAGE_WORD_CODES) -> set[str]:
    """The raw codes a reader of ``html`` would see."""
    shown = re.sub(r"\b([A-Z]+) / ([A-Z]+)\b", _bilingual_mark, visible_text(html))
    found = set(SNAKE_CODE.findall(shown)) | set(TITLED_CODE.findall(shown))
    return found | {word for word in re.findall(r"\b[A-Z]{2,}\b", shown) if word in word_codes}


def test_the_raw_code_finder_finds_what_the_pages_used_to_show():
    old = ('<td>Nib</td><td>Sppl</td><td>SERTIFIKAT_STANDAR</td><h3>KBLI 10298 · MIKRO · MENENGAH_RENDAH</h3>'
           '<li>DRAF → RISIKO_TERVALIDASI</li><td>REVOKED</td><script>var A_B = 1;</script><input type="hidden" value="X_Y">')
    assert raw_codes(old) == {"Nib", "Sppl", "SERTIFIKAT_STANDAR", "MIKRO", "MENENGAH_RENDAH", "DRAF",
                              "RISIKO_TERVALIDASI", "REVOKED"}
    assert raw_codes("<p>NIB, SPPL, UMK, UKL-UPL, KBLI 47191: Menengah Rendah</p>") == set()
    assert raw_codes('<td data-label="STATUS_X">ok</td>') == {"STATUS_X"}
    assert raw_codes("<p>DICABUT / REVOKED</p>", DOCUMENT_WORD_CODES) == set()
    assert raw_codes("<p>DRAF / REVOKED</p>", DOCUMENT_WORD_CODES) == {"REVOKED"}


def _mixed_draft(api):
    """A draft with a Menengah Rendah and a Rendah activity, at its check-your-answers page."""
    sid = permit.start(api)
    permit.activities(api, sid, "10298", "47191")
    permit.ok(permit.details(api, sid, {"modal_usaha": 200_000_000}, {"modal_usaha": 50_000_000}))
    permit.ok(permit.products(api, sid, permit.ONE_PRODUCT, permit.ONE_PRODUCT))
    permit.issue(api, sid, 2)
    permit.ok(api.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [
        {"punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN", "luas_bangunan_m2": "BANGUNAN_KURANG_2500",
         "kapasitas_produksi": "KAPASITAS_KURANG_1000",
         "uraian_usaha_lingkungan": "Produksi rumahan"}]}))
    permit.ok(api.put_step(sid, "pernyataan_mandiri", {"pernyataan_k3l": True, "pernyataan_sppl": True,
                                                      "pernyataan_standar_usaha": True}))
    return sid


def _registration_at_review(app, smtp):
    """Another person's registration, every step answered but the last: (client, submission id)."""
    api = Api(app.test_client())
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    permit.ok(api.put_step(sid, "skala", {"skala_usaha": "UMK"}))
    permit.ok(api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI"}))
    before = len(smtp.messages)
    permit.ok(api.put_step(sid, "kontak", {"nomor_telepon": "0812-7646-0488", "email": "ani@example.test",
                                           "kirim_kode_via": "EMAIL", "setuju_pernyataan": True}))
    smtp.wait_for(before + 1)
    code = next(code_from(m) for m in smtp.messages[before:] if "ani@example.test" in m["To"])
    permit.ok(api.put_step(sid, "verifikasi", {"kode_verifikasi": code}))
    permit.ok(api.put_step(sid, "akun", {"nama_lengkap": "Ani", "password": PASSWORD, "password_konfirmasi": PASSWORD}))
    permit.ok(api.put_step(sid, "data_pelaku", {**PERSON, "nik": "1401011708900002"}))
    return api.client, sid


def _registration_out_of_service(app):
    """A foreign representative office's registration, at the page that says where to go instead."""
    api = Api(app.test_client())
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    permit.ok(api.put_step(sid, "skala", {"skala_usaha": "NON_UMK"}))
    permit.ok(api.put_step(sid, "jenis_pelaku", {"jenis_pelaku_usaha": "KANTOR_PERWAKILAN",
                                                 "jenis_kantor_perwakilan": "KP3A_PMSE"}))
    return api.client, sid


@pytest.fixture
def crawled(app, applicant, smtp):
    """An issued application waiting for its environmental approval (one document revoked), and a draft."""
    issued_sid = permit.start(applicant)
    permit._to_pernyataan(applicant, issued_sid, "10298", env={
        "punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN", "luas_bangunan_m2": "BANGUNAN_KURANG_2500",
        "kapasitas_produksi": "KAPASITAS_50000_ATAU_LEBIH",
        "uraian_usaha_lingkungan": "Pabrik"})
    result = permit._issue_now(applicant, issued_sid, pernyataan_standar_usaha=True)
    svc = app.extensions["formserver"]
    pm = next(d for d in result["documents"] if d["type"] == "PERNYATAAN_MANDIRI")
    svc.issuer.revoke(pm["id"], "officer:test", "Uji pencabutan")
    # a second application of the same business: its NIB document supersedes the first one
    second_sid = permit.start(applicant)
    permit._to_pernyataan(applicant, second_sid, "47191")
    permit._issue_now(applicant, second_sid)
    draft_sid = _mixed_draft(applicant)
    create_officer(svc.store, "petugas1", "p1@kampar.go.id", "Siti", "Petugas#2025")
    officer = Api(app.test_client())
    permit.ok(officer.post("/api/v1/auth/login", {"username": "petugas1", "password": "Petugas#2025"}))
    documents = svc.store.documents_for(issued_sid) + svc.store.documents_for(second_sid)
    assert {"VALID", "REVOKED", "SUPERSEDED", "MENUNGGU_PERSETUJUAN_LINGKUNGAN"} <= {d["status"] for d in documents}
    return {"issued": issued_sid, "second": second_sid, "draft": draft_sid, "documents": documents,
            "officer": officer, "registration": _registration_at_review(app, smtp),
            "out_of_service": _registration_out_of_service(app)}


def _pages(client, officer, crawled, lang):
    """(name, HTML) of every page the applicant, an officer and the public see for these applications."""
    issued, draft = crawled["issued"], crawled["draft"]
    urls = {"dashboard": "/dasbor", "documents and timeline": f"/isian/{issued}/selesai",
            "second application": f"/isian/{crawled['second']}/selesai",
            "review": f"/isian/{draft}/periksa", "daftar kegiatan": f"/isian/{draft}/daftar_kegiatan",
            "detail usaha": f"/isian/{draft}/detail_usaha", "data pelaku usaha": f"/isian/{draft}/data_pelaku_usaha",
            "password change": "/akun/kata-sandi"}
    for name, url in urls.items():
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == 200, (name, response.status_code)
        yield name, response.get_data(as_text=True)
    registrant, registration = crawled["registration"]
    page = registrant.get(f"/isian/{registration}/periksa?lang={lang}")
    assert page.status_code == 200 and "Periksa jawaban Anda" in page.get_data(as_text=True) or lang == "en"
    yield "registration review", page.get_data(as_text=True)
    visitor, out = crawled["out_of_service"]
    page = visitor.get(f"/isian/{out}?lang={lang}", follow_redirects=True)
    assert page.status_code == 200 and "di_luar_layanan" in page.request.path
    yield "out of service", page.get_data(as_text=True)
    page = visitor.get(f"/verifikasi/periksa?lang={lang}")
    assert page.status_code == 200
    yield "PDF check", page.get_data(as_text=True)
    page = client.application.test_client().get(f"/lupa-sandi?lang={lang}")
    assert page.status_code == 200
    yield "password recovery", page.get_data(as_text=True)
    page = officer.client.get(f"/petugas/permohonan/{issued}?lang={lang}")
    assert page.status_code == 200
    yield "officer page", page.get_data(as_text=True)
    for doc in crawled["documents"]:
        code = client.application.extensions["formserver"].issuer.verify_url(doc).split("/verifikasi/", 1)[1]
        page = client.application.test_client().get(f"/verifikasi/{code}?lang={lang}")
        yield f"verification of {doc['type']} ({doc['status']})", page.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_raw_codes_on_any_page(app, applicant, crawled, lang):
    pages = dict(_pages(applicant.client, crawled["officer"], crawled, lang))
    found = {name: raw_codes(html) for name, html in pages.items()}
    assert {name: codes for name, codes in found.items() if codes} == {}
    # dates in words (13): no ISO date or UTC time is shown
    machine_dates = {name: re.findall(r"\b\d{4}-\d{2}-\d{2}\b|\bUTC\b", visible_text(html)) for name, html in pages.items()}
    assert {name: dates_ for name, dates_ in machine_dates.items() if dates_} == {}


def test_no_raw_codes_in_any_document(app, crawled):
    issuer = app.extensions["formserver"].issuer
    assert {d["type"] for d in crawled["documents"]} >= {"NIB", "SERTIFIKAT_STANDAR", "PERNYATAAN_MANDIRI"}
    found = {f"{d['type']} {d['number']}": raw_codes(issuer.html(d), DOCUMENT_WORD_CODES) for d in crawled["documents"]}
    assert {name: codes for name, codes in found.items() if codes} == {}
    machine_dates = {d["number"]: re.findall(r"\b\d{4}-\d{2}-\d{2}\b|\bUTC\b", visible_text(issuer.html(d)))
                     for d in crawled["documents"]}
    assert {name: dates_ for name, dates_ in machine_dates.items() if dates_} == {}


def test_statuses_and_times_read_as_words_in_both_languages(applicant, crawled):
    page = visible_text(applicant.client.get(f"/isian/{crawled['issued']}/selesai?lang=id").get_data(as_text=True))
    assert "Menunggu persetujuan lingkungan" in page and "Dicabut" in page and "Sertifikat Standar" in page
    assert "Digantikan" in page
    assert re.search(r"\b\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November"
                     r"|Desember) \d{4} \d{2}\.\d{2} WIB\b", page) and "UTC" not in page
    page = visible_text(applicant.client.get(f"/isian/{crawled['issued']}/selesai?lang=en").get_data(as_text=True))
    assert "Waiting for the environmental approval" in page and "Revoked" in page and "Standard certificate" in page
    assert "Superseded" in page
    assert re.search(r"\b\d{1,2} [A-Z][a-z]+ \d{4} \d{2}:\d{2} WIB\b", page)
    dashboard = visible_text(applicant.client.get("/dasbor?lang=id").get_data(as_text=True))
    assert "Menunggu persetujuan lingkungan" in dashboard and "Risiko tervalidasi" in dashboard


# ---------------------------------------------------------------- check your answers, the list of activities, prefill


def _summary_rows(html: str) -> list[tuple[str, str, bool]]:
    """(question, answer, has a change link) per row of the check-your-answers lists."""
    rows = re.findall(r'<div class="summary-row">\s*<dt>(.*?)</dt>\s*<dd>(.*?)</dd>(.*?)</div>', html, re.S)
    return [(dt_.strip(), dd.strip(), ">Ubah<" in rest or ">Change<" in rest) for dt_, dd, rest in rows]


def test_check_your_answers(applicant):
    sid = _mixed_draft(applicant)
    html = applicant.client.get(f"/isian/{sid}/periksa").get_data(as_text=True)
    rows = _summary_rows(html)
    by_question = {}
    for question, answer, change in rows:
        by_question.setdefault(question, []).append((answer, change))
    # read-only and computed answers have nothing to change; answers have
    for question in ("NIK", "Nama lengkap", "Tanggal lahir", "Judul KBLI", "Skala usaha", "Tingkat risiko",
                     "Kewajiban dokumen lingkungan"):
        assert by_question[question] and not any(change for _, change in by_question[question]), question
    for question in ("NPWP", "Nama usaha", "Kode KBLI 2020", "Proses kegiatan ini"):
        assert all(change for _, change in by_question[question]), question
    assert by_question["Tanggal lahir"] == [("17 Agustus 1990", False)]
    # empty optional answers say so
    assert by_question["Nomor BPJS Ketenagakerjaan"] == [("Tidak diisi", True)]
    # the last step's question is asked once, in the form below the answers, not also listed above it
    consent = "Data yang saya isi benar dan saya setuju perizinan berusaha diterbitkan"
    assert consent not in by_question and html.count(consent) == 1
    assert len(by_question["NPWP"]) == 1 and len(by_question["Nama usaha"]) == 2  # once per activity
    # a back link to the last step
    assert re.search(rf'<a class="back-link" href="/isian/{sid}/pernyataan_mandiri">Kembali</a>', html)
    english = applicant.client.get(f"/isian/{sid}/periksa?lang=en").get_data(as_text=True)
    assert ("Not given", True) in [(a, c) for q, a, c in _summary_rows(english)] and ">Back</a>" in english


def test_the_list_of_activities_is_the_seeds_table(applicant):
    sid = permit.start(applicant)
    permit.activities(applicant, sid, "10298", "47191")
    permit.ok(permit.details(applicant, sid, {"modal_usaha": 200_000_000}, {"modal_usaha": 50_000_000}))
    permit.ok(permit.products(applicant, sid, permit.ONE_PRODUCT, permit.ONE_PRODUCT))
    permit.ok(applicant.put_step(sid, "ringkasan_usaha", {}))
    html = applicant.client.get(f"/isian/{sid}/daftar_kegiatan").get_data(as_text=True)
    table = html[html.index('<table class="table table-stack">'):html.index("</table>")]
    headings = [visible_text(h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    assert headings == ["KBLI", "Lokasi usaha", "Skala usaha", "Tingkat risiko", "Pernyataan mandiri", "Status",
                        "Proses kegiatan ini"]
    rows = [[re.sub(r"\s+", " ", visible_text(c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]
    assert [row[:4] for row in rows] == [
        ["10298 – Industri pengolahan rumput laut", "Warung Budi, Bangkinang Kota, Kabupaten Kampar", "Mikro",
         "Menengah Rendah"],
        [rows[1][0], "Warung Budi, Bangkinang Kota, Kabupaten Kampar", "Mikro", "Rendah"]]
    assert rows[1][0].startswith("47191 – Perdagangan Eceran")
    assert rows[0][4] == "Pernyataan K3L, kesediaan memenuhi standar usaha, dan dokumen lingkungan (SPPL, PKPLH atau SKKL)"
    assert rows[1][4] == "Pernyataan K3L dan SPPL"
    assert rows[0][5].startswith("Belum diproses") and "Sertifikat Standar" in rows[0][5]
    # every cell carries its heading for the stacked layout on narrow screens
    assert table.count('data-label="Tingkat risiko"') == 2
    # each row's tick posts to its own activity
    assert 'name="kegiatan_usaha.0.dipilih"' in table and 'name="kegiatan_usaha.1.dipilih"' in table
    english = applicant.client.get(f"/isian/{sid}/daftar_kegiatan?lang=en").get_data(as_text=True)
    assert ">Risk level</th>" in english and "Medium-low" in english


def test_step_one_suggests_the_accounts_email(applicant):
    sid = applicant.post("/api/v1/forms/permohonan/submissions").get_json()["id"]
    html = applicant.client.get(f"/isian/{sid}/data_pelaku_usaha").get_data(as_text=True)
    assert re.search(r'<input id="field-email" name="email" type="email"[^>]*value="budi@example.test"', html)
    # the birth date read from the account is a date in words, also for the browser mirror
    assert re.search(r'data-computed="tanggal_lahir" data-labels="[^"]*17 Agustus 1990[^"]*">17 Agustus 1990</p>', html)
    permit.ok(applicant.put_step(sid, "data_pelaku_usaha", {"npwp": "01.234.567.8-901.000", "email": "usaha@example.test"}))
    html = applicant.client.get(f"/isian/{sid}/data_pelaku_usaha").get_data(as_text=True)
    assert 'value="usaha@example.test"' in html and 'value="budi@example.test"' not in html


def test_a_favicon_is_linked_and_served(client):
    page = client.get("/").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    icon = client.get(href)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data


def test_an_activity_left_unticked_reads_no_on_the_review(applicant):
    sid = permit.start(applicant)
    permit.activities(applicant, sid, "47191", "10298")
    permit.ok(permit.details(applicant, sid, {"modal_usaha": 50_000_000}, {"modal_usaha": 200_000_000}))
    permit.ok(permit.products(applicant, sid, permit.ONE_PRODUCT, permit.ONE_PRODUCT))
    permit.ok(applicant.put_step(sid, "ringkasan_usaha", {}))
    permit.ok(applicant.put_step(sid, "daftar_kegiatan", {"kegiatan_usaha": [{"dipilih": True}, {"dipilih": False}]}))
    permit.ok(applicant.put_step(sid, "pernyataan_mandiri", {"pernyataan_k3l": True, "pernyataan_sppl": True}))
    rows = _summary_rows(applicant.client.get(f"/isian/{sid}/periksa").get_data(as_text=True))
    assert [answer for question, answer, _ in rows if question == "Proses kegiatan ini"] == ["✓", "Tidak"]


def test_a_third_locale_gets_its_month_names_without_code():
    """A translator's locale has no month table here: the names come from CLDR, and an unknown one reads Indonesian."""
    assert dates.format_date("2026-02-05", locale="fr") == "5 février 2026"
    assert dates.format_datetime("2026-03-05T01:02:03+00:00", locale="jv") == "5 Maret 2026 08:02 WIB"
    assert dates.format_date("2026-02-05", locale="xx") == "5 Februari 2026"
