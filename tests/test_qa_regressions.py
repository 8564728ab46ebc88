"""Bugs found by trying the product as applicants do (exploratory test run), each pinned by a test."""
import re

from .conftest import PASSWORD
from .items_scenarios import HtmlBrowser, add_applicant
from .test_html_flow import html_app  # noqa: F401  (fixture)

LONG = "Dagang kelontong " * 150  # 2,550 characters; the description takes at most 2,000


def _on_details_step(app):
    add_applicant(app)
    browser = HtmlBrowser(app.test_client())
    browser.get("/masuk")
    browser.submit({"username": "budi0001", "password": PASSWORD}, url="/masuk")
    browser.get("/formulir/permohonan")
    browser.submit({}, url="/formulir/permohonan")
    browser.submit({"npwp": "012345678901000", "email": "usaha@example.test"})
    browser.submit({"kegiatan_usaha.0.jenis_kegiatan": "UTAMA", "kegiatan_usaha.0.kbli": "47191",
                    "kegiatan_usaha.0.ruang_lingkup": "Toko kelontong"})
    browser.expect("detail_usaha")
    return browser


def test_without_javascript_the_details_step_offers_the_region_refresh(html_app):  # noqa: F811
    """Without JavaScript the kabupaten list said "Pilih isian sebelumnya dahulu" after a provinsi was chosen,
    and no button said how to load it (only "Validasi Risiko", which speaks of risk)."""
    browser = _on_details_step(html_app)
    assert "Perbarui pilihan wilayah" in browser.text


def test_a_refresh_keeps_what_was_typed_and_says_what_is_wrong(html_app):  # noqa: F811
    """Pressing "Validasi Risiko" (or a region refresh) silently emptied a field whose answer was refused:
    a long description vanished, and the next submit said "Jelaskan kegiatan usaha"."""
    browser = _on_details_step(html_app)
    browser.submit({"kegiatan_usaha.0.nama_usaha": "Warung Budi", "kegiatan_usaha.0.deskripsi_kegiatan": LONG,
                    "kegiatan_usaha.0.luas_lahan_m2": "1,9", "kegiatan_usaha.0.provinsi_usaha": "14",
                    "_action": "refresh"})
    assert browser.page.status_code == 422
    assert "Paling banyak 2000 karakter" in browser.text and "Ada masalah" in browser.text
    assert LONG.strip() in browser.text and 'value="1,9"' in browser.text and "Warung Budi" in browser.text
    # questions not answered yet are not flagged by a refresh
    assert "Jelaskan kegiatan usaha" not in browser.text and "Masukkan kode pos" not in browser.text
    # what was valid is kept as a draft: the kabupaten list of the chosen provinsi is offered
    assert "Kabupaten Kampar" in browser.text


def test_a_refused_answer_in_an_activity_stays_on_the_page_after_a_submit(html_app):  # noqa: F811
    """A too-long description in an activity was refused and the box came back empty."""
    browser = _on_details_step(html_app)
    browser.submit({"kegiatan_usaha.0.nama_usaha": "Warung Budi", "kegiatan_usaha.0.deskripsi_kegiatan": LONG})
    assert browser.page.status_code == 422 and "Paling banyak 2000 karakter" in browser.text
    assert LONG.strip() in browser.text and "Warung Budi" in browser.text


def test_the_error_summary_says_which_activity_and_which_question(html_app):  # noqa: F811
    """With two activities, an empty details step listed "Jelaskan kegiatan usaha" twice, and a too-long answer
    read "Paling banyak 2000 karakter": nobody could tell which activity or question the summary meant."""
    browser = _on_details_step(html_app)
    browser.submit({"_action": "add:kegiatan_usaha"}, url=browser.page.request.path.replace("detail_usaha", "bidang_usaha"))
    browser.submit({"kegiatan_usaha.0.jenis_kegiatan": "UTAMA", "kegiatan_usaha.0.kbli": "47191",
                    "kegiatan_usaha.0.ruang_lingkup": "Toko", "kegiatan_usaha.1.jenis_kegiatan": "PENDUKUNG",
                    "kegiatan_usaha.1.kbli": "13923", "kegiatan_usaha.1.ruang_lingkup": "Bantal"})
    browser.expect("detail_usaha")
    browser.submit({"kegiatan_usaha.1.deskripsi_kegiatan": LONG})
    summary = browser.text.split('class="error-summary"')[1].split("</div>")[0]
    assert "KBLI 47191" in summary and "KBLI 13923" in summary
    assert "Deskripsi kegiatan: Paling banyak 2000 karakter" in summary
    # a message that names its question is not prefixed again
    assert "Nama usaha: Masukkan nama usaha" not in summary


def test_the_error_summary_follows_the_order_of_the_page(html_app):  # noqa: F811
    """A wrong number in the second activity came first in the summary, above every error of the first one."""
    browser = _on_details_step(html_app)
    browser.submit({"_action": "add:kegiatan_usaha"}, url=browser.page.request.path.replace("detail_usaha", "bidang_usaha"))
    browser.submit({"kegiatan_usaha.0.jenis_kegiatan": "UTAMA", "kegiatan_usaha.0.kbli": "47191",
                    "kegiatan_usaha.0.ruang_lingkup": "Toko", "kegiatan_usaha.1.jenis_kegiatan": "PENDUKUNG",
                    "kegiatan_usaha.1.kbli": "13923", "kegiatan_usaha.1.ruang_lingkup": "Bantal"})
    browser.submit({"kegiatan_usaha.1.luas_lahan_m2": "1,9"})
    summary = browser.text.split('class="error-summary"')[1].split("</ul>")[0]
    links = re.findall(r'href="#field-([^"]+)"', summary)
    assert links[0] == "kegiatan_usaha.0.nama_usaha", links[:3]
    first_of_second = links.index(next(link for link in links if link.startswith("kegiatan_usaha.1.")))
    assert all(link.startswith("kegiatan_usaha.1.") for link in links[first_of_second:])
    assert links.index("kegiatan_usaha.1.nama_usaha") < links.index("kegiatan_usaha.1.luas_lahan_m2")


def test_a_page_left_open_in_another_tab_is_told_the_draft_changed(html_app):  # noqa: F811
    """Tab A showed two activities; tab B removed one. Sending tab A said "Jawaban Anda memunculkan pertanyaan
    tambahan", which sent the applicant looking for questions that were not there."""
    browser = _on_details_step(html_app)
    details_url = browser.page.request.path
    browser.submit({"_action": "add:kegiatan_usaha"}, url=details_url.replace("detail_usaha", "bidang_usaha"))
    both = {"kegiatan_usaha.0.jenis_kegiatan": "UTAMA", "kegiatan_usaha.0.kbli": "47191", "kegiatan_usaha.0.ruang_lingkup": "Toko",
            "kegiatan_usaha.1.jenis_kegiatan": "PENDUKUNG", "kegiatan_usaha.1.kbli": "13923", "kegiatan_usaha.1.ruang_lingkup": "Bantal"}
    browser.submit(both)
    browser.expect("detail_usaha")
    other = HtmlBrowser(browser.client)  # a second tab of the same session
    other.get(details_url.replace("detail_usaha", "bidang_usaha"))
    other.submit({**both, "_action": "remove:kegiatan_usaha:0"})
    other.submit({"kegiatan_usaha.0.jenis_kegiatan": "UTAMA", "kegiatan_usaha.0.kbli": "13923",
                  "kegiatan_usaha.0.ruang_lingkup": "Bantal"})
    other.expect("detail_usaha")
    browser.submit({"kegiatan_usaha.0.nama_usaha": "Warung Budi", "kegiatan_usaha.1.nama_usaha": "Bantal Budi"})
    assert "diubah di tempat lain" in browser.text and "pertanyaan tambahan" not in browser.text


def test_without_javascript_a_region_refresh_comes_back_to_the_changed_question_focused(html_app):  # noqa: F811
    """Each level's button press jumped to the top of the page: the applicant lost their place and had to find the
    region questions again. It now comes back to the question that changed (anchor) with the focus on it."""
    browser = _on_details_step(html_app)
    html = browser.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    action = re.search(r'<form method="post" novalidate action="([^"]+)"', html).group(1).replace("&amp;", "&")
    answered = {"kegiatan_usaha.0.nama_usaha": "Warung Budi", "kegiatan_usaha.0.provinsi_usaha": "14"}
    moved = browser.client.post(action, data={**hidden, **answered, "_action": "refresh"})
    assert moved.status_code == 302
    assert moved.headers["Location"].endswith("?fokus=kegiatan_usaha.0.provinsi_usaha#field-kegiatan_usaha.0.provinsi_usaha")
    page = browser.get(moved.headers["Location"])
    select = re.search(r'<select id="field-kegiatan_usaha\.0\.provinsi_usaha"[^>]*>', page.get_data(as_text=True)).group(0)
    assert "autofocus" in select and "Kabupaten Kampar" in browser.text
    # the next level: the kabupaten changed now
    answered["kegiatan_usaha.0.kabupaten_usaha"] = "14.01"
    browser.submit({**answered, "_action": "refresh"})
    assert re.search(r'<select id="field-kegiatan_usaha\.0\.kabupaten_usaha"[^>]*autofocus', browser.text)
    assert "Bangkinang Kota" in browser.text
    # a refresh that changed no region, and a made-up ?fokus=, focus nothing
    browser.submit({**answered, "_action": "refresh"})
    assert "autofocus" not in browser.text.split("<main", 1)[1].split("</form>")[0].replace("data-autofocus", "")
    assert "autofocus" not in browser.get(action.split("?")[0] + "?fokus=nik").get_data(as_text=True) \
        .split("<main", 1)[1].replace("data-autofocus", "")
