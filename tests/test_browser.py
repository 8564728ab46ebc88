"""End-to-end tests in a real Chromium: the registration with and without JavaScript.

Chromium comes from the Debian package (``apt-get install chromium``); Playwright drives it.
Without /usr/bin/chromium the module is skipped on a workstation but fails under CI.
"""
import os
import re
from pathlib import Path

import pytest

from .browser_support import running_app, skip_without_chromium
from .conftest import PASSWORD, PASSWORD_HASH, PERSON, code_from

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

CONTINUE = "Simpan dan lanjutkan"
REFRESH = "Perbarui pilihan wilayah"
PHONE = "081276460487"
TIMEOUT_MS = 5_000


@pytest.fixture
def site(tmp_path, smtp, whatsapp):
    """The base URL of a fresh app on its own data directory."""
    with running_app(tmp_path / "data", smtp, whatsapp) as base_url:
        yield base_url


@pytest.fixture
def new_page(browser, site):
    """Open a page in a new browser context (Indonesian, JavaScript on or off); contexts close after the test."""
    contexts = []

    def open_page(javascript=True):
        context = browser.new_context(java_script_enabled=javascript, locale="id-ID", base_url=site,
                                      viewport={"width": 1000, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(error))
        page.js_errors = errors
        return page

    yield open_page
    for context in contexts:
        context.close()


def heading(page, text):
    """Wait for the page whose h1 is ``text``."""
    expect(page.locator("h1")).to_have_text(text)


def field(page, key):
    return page.locator(f'[data-field="{key}"]')


def mark_page(page):
    """Put a marker on the window: it survives DOM updates but not a page load."""
    page.evaluate("window.__samePage = 'yes'")


def assert_same_page(page):
    assert page.evaluate("window.__samePage") == "yes", "the page was reloaded"


def save_and_continue(page):
    page.get_by_role("button", name=CONTINUE).click()


def code_sent_to(smtp, before, email):
    """The verification code in the first e-mail to ``email`` after message number ``before``."""
    smtp.wait_for(before + 1)
    for message in smtp.messages[before:]:
        if email in message["To"]:
            return code_from(message)
    raise AssertionError(f"no e-mail to {email}")


def start_registration(page):
    page.goto("/")
    page.get_by_role("link", name="Daftar sekarang").click()
    page.get_by_role("button", name="Mulai", exact=True).click()
    heading(page, "Skala usaha")


def choose_scale_and_actor(page, javascript):
    page.get_by_label("Usaha Mikro dan Kecil (UMK)").check()
    save_and_continue(page)
    heading(page, "Jenis pelaku usaha")
    # UMK: the options for foreign and representative offices are not offered
    expect(page.get_by_label("Badan usaha luar negeri")).to_be_hidden()
    expect(field(page, "kewarganegaraan")).to_be_hidden()
    if javascript:
        mark_page(page)
        page.get_by_label("Orang perseorangan").check()
        # the server's preview says the question is now visible; the page mirrors it without a load
        expect(field(page, "kewarganegaraan")).to_be_visible()
        expect(field(page, "bentuk_badan_usaha")).to_be_hidden()
        assert_same_page(page)
    else:
        page.get_by_label("Orang perseorangan").check()
        save_and_continue(page)
        # without JavaScript the server shows the follow-up question when the step is sent
        heading(page, "Jenis pelaku usaha")
        expect(field(page, "kewarganegaraan")).to_be_visible()
        expect(field(page, "bentuk_badan_usaha")).to_be_hidden()
        expect(page.get_by_label("Orang perseorangan")).to_be_checked()
    page.get_by_label("Warga Negara Indonesia (WNI)").check()
    save_and_continue(page)
    heading(page, "Kontak")


def fill_contact_and_code(page, smtp, email):
    page.get_by_label("Nomor telepon seluler").fill(PHONE)
    page.get_by_label("Alamat e-mail").fill(email)
    page.locator("#field-kirim_kode_via-EMAIL").check()
    page.locator("#field-setuju_pernyataan").check()
    before = len(smtp.messages)
    save_and_continue(page)
    heading(page, "Kode verifikasi")
    page.get_by_label("Kode verifikasi").fill(code_sent_to(smtp, before, email))
    save_and_continue(page)
    heading(page, "Buat kata sandi")


def fill_account(page, name):
    page.get_by_label("Nama lengkap").fill(name)
    page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    page.get_by_label("Ulangi kata sandi").fill(PASSWORD)
    save_and_continue(page)
    heading(page, "Data pelaku usaha")


def fill_person(page):
    page.get_by_label("Nomor Induk Kependudukan (NIK)").fill(PERSON["nik"])
    page.locator(f"#field-jenis_kelamin-{PERSON['jenis_kelamin']}").check()
    page.get_by_label("Tempat lahir").fill(PERSON["tempat_lahir"])
    page.get_by_label("Tanggal lahir").fill("1990-08-17")
    page.get_by_label("Alamat sesuai KTP").fill(PERSON["alamat"])
    page.locator("#field-setuju_disclaimer").check()


def choose_regions(page, javascript):
    """Provinsi → kabupaten → kecamatan → kelurahan, each list filled from the previous answer."""
    cascade = [("provinsi", "Riau", PERSON["provinsi"]), ("kabupaten", "Kabupaten Kampar", PERSON["kabupaten"]),
               ("kecamatan", "Bangkinang Kota", PERSON["kecamatan"]), ("kelurahan", "Bangkinang", PERSON["kelurahan"])]
    refresh = page.get_by_role("button", name=REFRESH)
    if javascript:
        expect(refresh).to_be_hidden()
        mark_page(page)
    else:
        expect(refresh).to_be_visible()
    for (key, label, code), following in zip(cascade, cascade[1:] + [None]):
        select = page.locator(f"#field-{key}")
        expect(select.locator(f'option[value="{code}"]')).to_have_text(label)
        select.select_option(code)
        if not javascript:
            refresh.click()
            expect(page.locator(f"#field-{key}")).to_have_value(code)
        if following:
            next_key, next_label, next_code = following
            expect(page.locator(f'#field-{next_key} option[value="{next_code}"]')).to_have_text(next_label)
    if javascript:
        assert_same_page(page)


def check_review_and_register(page, name, email, screenshot=None):
    heading(page, "Periksa jawaban Anda")
    main = page.locator("main")
    for answer in ("Usaha Mikro dan Kecil (UMK)", "Orang perseorangan", "Warga Negara Indonesia (WNI)",
                   "+6281276460487", email, name, PERSON["nik"], "Laki-laki", "17 Agustus 1990", "Riau", "Kabupaten Kampar",
                   "Bangkinang Kota", PERSON["alamat"]):
        expect(main.locator(".summary-row dd", has_text=answer).first).to_be_visible()
    expect(main).not_to_contain_text(PASSWORD)
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    page.get_by_role("button", name="Daftar", exact=True).click()
    heading(page, "Pendaftaran berhasil")
    username = page.locator(".username").inner_text().strip()
    assert username
    expect(main).to_contain_text(email)
    return username


def log_in(page, username, name):
    page.goto("/masuk")
    page.locator("#field-username").fill(username)
    page.locator("#field-password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Masuk").click()
    heading(page, f"Selamat datang, {name}")
    expect(page.locator("main .caption")).to_have_text(username)
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()


def test_registration_with_javascript(new_page, smtp):
    page = new_page(javascript=True)
    name, email = "Budi Santoso", "budi.js@example.test"
    start_registration(page)
    choose_scale_and_actor(page, javascript=True)
    fill_contact_and_code(page, smtp, email)
    fill_account(page, name)

    choose_regions(page, javascript=True)
    # one error first: a NIK that is too short
    fill_person(page)
    page.get_by_label("Nomor Induk Kependudukan (NIK)").fill("1234")
    save_and_continue(page)
    heading(page, "Data pelaku usaha")
    expect(page.locator(".error-summary a[href='#field-nik']")).to_be_visible()
    expect(page.locator("#error-nik")).to_be_visible()
    # the other answers are kept, including the cascaded regions
    expect(page.locator("#field-kelurahan")).to_have_value(PERSON["kelurahan"])
    expect(page.get_by_label("Tanggal lahir")).to_have_value("1990-08-17")
    page.screenshot(path="/tmp/error.png", full_page=True)
    page.get_by_label("Nomor Induk Kependudukan (NIK)").fill(PERSON["nik"])
    save_and_continue(page)

    username = check_review_and_register(page, name, email, screenshot="/tmp/review.png")
    log_in(page, username, name)
    assert page.js_errors == []


def test_registration_without_javascript(new_page, smtp):
    page = new_page(javascript=False)
    name, email = "Siti Aminah", "siti.nojs@example.test"
    start_registration(page)
    choose_scale_and_actor(page, javascript=False)

    # an empty contact step: the summary at the top links to each field, the message is shown inline
    save_and_continue(page)
    heading(page, "Kontak")
    expect(page).to_have_title(re.compile(r"^Kesalahan: "))
    summary = page.locator(".error-summary")
    expect(summary.locator('a[href="#field-email"]')).to_be_visible()
    expect(summary.locator('a[href="#field-nomor_telepon"]')).to_be_visible()
    expect(page.locator("#error-email")).to_be_visible()
    expect(field(page, "email")).to_have_class(re.compile(r"\bfield-error\b"))
    summary.locator('a[href="#field-email"]').click()
    expect(page).to_have_url(re.compile(r"#field-email$"))

    fill_contact_and_code(page, smtp, email)
    fill_account(page, name)
    fill_person(page)
    choose_regions(page, javascript=False)
    # the refresh buttons saved a draft: what was typed before is still there
    expect(page.get_by_label("Nomor Induk Kependudukan (NIK)")).to_have_value(PERSON["nik"])
    save_and_continue(page)

    username = check_review_and_register(page, name, email)
    log_in(page, username, name)


def test_error_summary_gets_focus_with_javascript(new_page):
    page = new_page(javascript=True)
    start_registration(page)
    save_and_continue(page)  # nothing chosen
    heading(page, "Skala usaha")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.js_errors == []


def test_permit_steps_mirror_the_server_live(browser, tmp_path, smtp, whatsapp):
    """Activities added, KBLI title, cascading regions and the risk check update without a page load."""
    from .browser_support import serve_app
    from .conftest import make_app
    from .test_permohonan import PROFILE
    app = make_app(tmp_path / "data", smtp, whatsapp)
    app.extensions["formserver"].store.insert_account({
        "id": "acc1", "username": "budi0001", "email": "budi@example.test", "status": "active",
        "password_hash": PASSWORD_HASH, "profile": PROFILE})
    with serve_app(app) as base_url:
        context = browser.new_context(locale="id-ID", base_url=base_url)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto("/masuk")
        page.fill("#field-username", "budi0001")
        page.fill("#field-password", PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.get_by_role("link", name="Permohonan Baru").click()
        page.get_by_role("button", name="Mulai").click()
        page.fill("#field-npwp", "012345678901000")
        page.fill("#field-email", "usaha@example.test")
        page.get_by_role("button", name="Simpan dan lanjutkan").click()
        page.evaluate("window.__same_page = true")
        page.check("#field-kegiatan_usaha\\.0\\.jenis_kegiatan-UTAMA")
        page.fill("#field-kegiatan_usaha\\.0\\.kbli", "47191")
        page.fill("#field-kegiatan_usaha\\.0\\.ruang_lingkup", "Toko")
        expect(page.locator('[data-computed="kegiatan_usaha.0.uraian_kbli"]')).to_contain_text("Perdagangan Eceran")
        assert page.evaluate("window.__same_page") is True
        page.get_by_role("button", name="Simpan dan lanjutkan").click()
        page.evaluate("window.__same_page = true")
        page.select_option("#field-kegiatan_usaha\\.0\\.provinsi_usaha", "14")
        expect(page.locator("#field-kegiatan_usaha\\.0\\.kabupaten_usaha option", has_text="Kabupaten Kampar")).to_have_count(1)
        page.fill("#field-kegiatan_usaha\\.0\\.modal_usaha", "50000000")
        page.press("#field-kegiatan_usaha\\.0\\.modal_usaha", "Tab")
        expect(page.locator('[data-computed="kegiatan_usaha.0.tingkat_risiko"]')).to_have_text("Rendah")
        expect(page.locator('[data-computed="kegiatan_usaha.0.skala_usaha_hasil"]')).to_have_text("Mikro")
        assert page.evaluate("window.__same_page") is True
        context.close()
