"""Both applicant flows with the keyboard alone, in a real Chromium (issue 12 §4): the registration from the home
page to the account, and a permit application from the dashboard to its documents.

Only keys: Tab (and Shift+Tab) to move, typing into inputs and closed selects (type-ahead picks the option),
Space for checkboxes and the first radio of a group, the arrow keys inside a radio group (how a group of radios
is operated), Enter to follow links and press buttons. No click, no fill, no select_option.
"""
import re

import pytest

from . import test_permohonan as permit
from .browser_support import serve_app, skip_without_chromium
from .conftest import PASSWORD, PERSON, code_from, make_app

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

TIMEOUT_MS = 15_000
MAX_TABS = 80


@pytest.fixture(scope="module")
def site(tmp_path_factory, smtp, whatsapp):
    app = make_app(tmp_path_factory.mktemp("keyboard"), smtp, whatsapp)
    permit.insert_applicant(app)
    with serve_app(app) as base_url:
        yield base_url


@pytest.fixture
def page(browser, site):
    context = browser.new_context(base_url=site, locale="id-ID", viewport={"width": 1000, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.js_errors = errors
    yield page
    context.close()


def focused(page) -> str:
    return page.evaluate("""() => { const e = document.activeElement;
        return e ? (e.id ? '#' + e.id : e.tagName.toLowerCase() + ':' + (e.textContent || '').trim().slice(0, 40)) : '' }""")


def tab_to(page, matches) -> None:
    """Tab until the focused element satisfies ``matches`` (a JS predicate on the element)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"(e => ({matches})(e))(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {matches}; focus is on {focused(page)}")


def tab_to_id(page, element_id: str) -> None:
    tab_to(page, f"e => e && e.id === {element_id!r}")


def press_button(page, name: str) -> None:
    """Tab to the link or button and press Enter; it loads the next page."""
    tab_to(page, f"e => e && (e.tagName === 'BUTTON' || e.tagName === 'A') && e.textContent.trim() === {name!r}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    settled(page)


def type_into(page, element_id: str, value: str) -> None:
    tab_to_id(page, element_id)
    page.keyboard.type(value)


def tick(page, element_id: str) -> None:
    tab_to_id(page, element_id)
    page.keyboard.press("Space")
    expect(by_id(page, element_id)).to_be_checked()


def choose(page, name: str, value: str) -> None:
    """A radio of a group: Tab into the group (its first radio), then arrows to the wanted one (which checks it)."""
    tab_to(page, f"e => e && e.type === 'radio' && e.name === {name!r}")
    target = f"field-{name}-{value}"
    if focused(page) == f"#{target}":
        page.keyboard.press("Space")
    for _ in range(10):
        if page.evaluate(f"document.getElementById({target!r}).checked"):
            break
        page.keyboard.press("ArrowDown")
    expect(by_id(page, target)).to_be_checked()


def pick(page, element_id: str, label: str) -> None:
    """A closed select: focus it, then the arrow keys to the option (each key selects the next option). Typing the
    option's text (type-ahead) would depend on the time between key presses, which a loaded machine stretches."""
    select = by_id(page, element_id)
    expect(select.locator("option", has_text=label).first).to_be_attached(timeout=TIMEOUT_MS)
    tab_to_id(page, element_id)
    page.keyboard.press("Home")
    for _ in range(select.locator("option").count()):
        if select.evaluate("(e, label) => e.selectedIndex >= 0 && e.options[e.selectedIndex].text.trim().startsWith(label)", label):
            break
        page.keyboard.press("ArrowDown")
    expect(select.locator("option:checked")).to_have_text(re.compile("^\\s*" + re.escape(label)))
    page.keyboard.press("Tab")  # leaving the list (the next list is filled from the choice)


def by_id(page, element_id: str):
    return page.locator(f'[id="{element_id}"]')


def settled(page) -> None:
    """On a step, wait until the page's script has run its rules: fields it shows or hides change the order Tab
    takes, so tabbing starts only then."""
    form = page.locator("form[data-preview]")
    if form.count():
        expect(form).to_have_attribute("data-ready", "1")


def heading(page, text) -> None:
    expect(page.locator("h1")).to_have_text(text)
    settled(page)


def save(page) -> None:
    """The step's main button ("Simpan dan lanjutkan", or the step's own label)."""
    tab_to(page, "e => e && e.tagName === 'BUTTON' && e.type === 'submit' && !e.name && e.closest('.button-group')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    settled(page)


def test_registration_by_keyboard(page, smtp):
    page.goto("/")
    press_button(page, "Daftar sekarang")
    press_button(page, "Mulai")
    heading(page, "Skala usaha")
    choose(page, "skala_usaha", "UMK")
    save(page)
    heading(page, "Jenis pelaku usaha")
    choose(page, "jenis_pelaku_usaha", "ORANG_PERSEORANGAN")
    expect(page.locator('[data-field="kewarganegaraan"]')).to_be_visible()
    choose(page, "kewarganegaraan", "WNI")
    save(page)
    heading(page, "Kontak")
    type_into(page, "field-nomor_telepon", "081276460487")
    type_into(page, "field-email", "keyboard@example.test")
    choose(page, "kirim_kode_via", "EMAIL")
    tick(page, "field-setuju_pernyataan")
    before = len(smtp.messages)
    save(page)
    heading(page, "Kode verifikasi")
    smtp.wait_for(before + 1)
    type_into(page, "field-kode_verifikasi", code_from(smtp.messages[-1]))
    save(page)
    heading(page, "Buat kata sandi")
    type_into(page, "field-nama_lengkap", "Ani Keyboard")
    type_into(page, "field-password", PASSWORD)
    type_into(page, "field-password_konfirmasi", PASSWORD)
    save(page)
    heading(page, "Data pelaku usaha")
    type_into(page, "field-nik", "1401014808900003")
    choose(page, "jenis_kelamin", "P")
    type_into(page, "field-tempat_lahir", PERSON["tempat_lahir"])
    type_into(page, "field-tanggal_lahir", "08081990")  # day and month segments in either order
    expect(by_id(page, "field-tanggal_lahir")).to_have_value("1990-08-08")
    type_into(page, "field-alamat", PERSON["alamat"])
    pick(page, "field-provinsi", "Riau")
    pick(page, "field-kabupaten", "Kabupaten Kampar")
    pick(page, "field-kecamatan", "Bangkinang Kota")
    pick(page, "field-kelurahan", "Bangkinang")
    tick(page, "field-setuju_disclaimer")
    save(page)
    heading(page, "Periksa jawaban Anda")
    press_button(page, "Daftar")
    heading(page, "Pendaftaran berhasil")
    assert page.js_errors == []


def test_permit_application_by_keyboard(page):
    page.goto("/masuk")
    type_into(page, "field-username", "budi0001")
    type_into(page, "field-password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a field sends its form
    heading(page, "Selamat datang, Budi Santoso")
    tab_to(page, "e => e && e.tagName === 'A' && /formulir\\/permohonan/.test(e.href)")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    press_button(page, "Mulai")
    heading(page, re.compile("Data pelaku usaha"))
    type_into(page, "field-npwp", "012345678901000")
    type_into(page, "field-email", "usaha@example.test")
    save(page)
    heading(page, re.compile("Bidang usaha"))
    choose(page, "kegiatan_usaha.0.jenis_kegiatan", "UTAMA")
    type_into(page, "field-kegiatan_usaha.0.kbli", "47191")
    type_into(page, "field-kegiatan_usaha.0.ruang_lingkup", "Usaha kecil")
    save(page)
    heading(page, re.compile("Detail usaha"))
    location = permit.LOCATION
    for key in ("nama_usaha", "luas_lahan_m2", "alamat_usaha"):
        type_into(page, f"field-kegiatan_usaha.0.{key}", str(location[key]))
    for key, label in (("provinsi_usaha", "Riau"), ("kabupaten_usaha", "Kabupaten Kampar"),
                       ("kecamatan_usaha", "Bangkinang Kota"), ("kelurahan_usaha", "Bangkinang")):
        pick(page, f"field-kegiatan_usaha.0.{key}", label)
    type_into(page, "field-kegiatan_usaha.0.kode_pos", location["kode_pos"])
    choose(page, "kegiatan_usaha.0.sudah_berjalan", "YA")
    choose(page, "kegiatan_usaha.0.punya_izin_sebelumnya", "TIDAK")
    for key in ("perkiraan_jangka_waktu_operasi", "deskripsi_kegiatan", "jumlah_tenaga_kerja"):
        type_into(page, f"field-kegiatan_usaha.0.{key}", str(location[key]))
    type_into(page, "field-kegiatan_usaha.0.modal_usaha", "50000000")
    save(page)
    heading(page, re.compile("Produk"))
    product = permit.ONE_PRODUCT[0]
    type_into(page, "field-kegiatan_usaha.0.produk.0.jenis_produk", product["jenis_produk"])
    type_into(page, "field-kegiatan_usaha.0.produk.0.kapasitas_per_tahun", str(product["kapasitas_per_tahun"]))
    choose(page, "kegiatan_usaha.0.produk.0.satuan_kapasitas", "KG")
    save(page)
    heading(page, re.compile("Ringkasan"))
    save(page)
    tick(page, "field-kegiatan_usaha.0.dipilih")
    save(page)
    tick(page, "field-pernyataan_k3l")
    tick(page, "field-pernyataan_sppl")  # a Rendah activity's SPPL statement
    save(page)
    heading(page, "Periksa jawaban Anda")
    tick(page, "field-setuju_terbitkan")
    press_button(page, "Terbitkan Perizinan Berusaha")
    expect(page.locator("main")).to_contain_text(re.compile(r"\b\d{13}\b"))  # the NIB
    assert page.js_errors == []
