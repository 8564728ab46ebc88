"""In a real Chromium with JavaScript: fields the script reveals behave as the server says.

Before, the list of shown fields was fixed when the page was rendered, so an empty submit after a
reveal answered "Jawaban Anda memunculkan pertanyaan tambahan" instead of the errors, and revealed
required fields were labelled "(tidak wajib)". The script now takes visibility, required markers
and the shown list from the server's preview answer.
"""
import os
import re
from pathlib import Path

import pytest

from .browser_support import skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

from .browser_support import running_app  # noqa: E402
from .items_browser import (  # noqa: E402
    artifacts,
    by_id,
    field,
    fill_details,
    fill_first_steps,
    log_in_and_start,
    on_step,
    open_page,
    send,
    served_applicant_app,
)
from .items_scenarios import MRU, R  # noqa: E402

NEW_QUESTIONS = "pertanyaan tambahan"


def marker(page, path):
    """The "(tidak wajib)" marker of a field."""
    return field(page, path).locator("[data-optional]")


def expect_errors_at_once(page, paths, screenshot):
    """The error summary, linking to each field, on the first submit; no "more questions" notice."""
    expect(page).to_have_title(re.compile(r"^Kesalahan: "))
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    for path in paths:
        expect(summary.locator(f'a[href="#field-{path}"]')).to_be_visible()
        expect(by_id(page, f"error-{path}")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(NEW_QUESTIONS)
    page.screenshot(path=str(screenshot), full_page=True)


def test_citizenship_revealed_by_the_script_is_required_and_its_error_comes_at_once(browser, tmp_path, smtp, whatsapp):
    shots = artifacts("browser_mirror_kewarganegaraan")
    with running_app(tmp_path / "data", smtp, whatsapp) as base_url:
        page = open_page(browser, base_url)
        page.goto("/")
        page.get_by_role("link", name="Daftar sekarang").click()
        page.get_by_role("button", name="Mulai", exact=True).click()
        page.get_by_label("Usaha Mikro dan Kecil (UMK)").check()
        send(page)
        expect(field(page, "kewarganegaraan")).to_be_hidden()
        page.evaluate("window.__samePage = 'yes'")
        page.get_by_label("Orang perseorangan").check()
        expect(field(page, "kewarganegaraan")).to_be_visible()
        expect(marker(page, "kewarganegaraan")).to_be_hidden()  # required: no "(tidak wajib)"
        assert page.evaluate("window.__samePage") == "yes"
        page.screenshot(path=str(shots / "revealed.png"), full_page=True)
        send(page)  # citizenship not chosen
        expect_errors_at_once(page, ["kewarganegaraan"], shots / "errors.png")
        assert page.js_errors == []
        page.context.close()


def test_earlier_permit_and_environment_questions_revealed_by_the_script(browser, tmp_path, smtp, whatsapp):
    shots = artifacts("browser_mirror_permohonan")
    order = [R, MRU]
    with served_applicant_app(tmp_path / "data", smtp, whatsapp) as (_, base_url):
        page = open_page(browser, base_url)
        log_in_and_start(page)
        # an optional field keeps its marker, a required one has none
        expect(marker(page, "bpjs_ketenagakerjaan")).to_be_visible()
        expect(marker(page, "npwp")).to_be_hidden()
        page.fill("#field-npwp", "012345678901000")
        page.fill("#field-email", "usaha@example.test")
        send(page)
        on_step(page, "bidang_usaha")
        for i, a in enumerate(order):
            if i:
                page.locator('button[value="add:kegiatan_usaha"]').click()
            by_id(page, f"field-kegiatan_usaha.{i}.jenis_kegiatan-{'UTAMA' if i == 0 else 'PENDUKUNG'}").check()
            by_id(page, f"field-kegiatan_usaha.{i}.kbli").fill(a.kbli)
            by_id(page, f"field-kegiatan_usaha.{i}.ruang_lingkup").fill("Lingkup")
        send(page)
        on_step(page, "detail_usaha")
        fill_details(page, 0, R.details)
        fill_details(page, 1, MRU.details)
        izin = [f"kegiatan_usaha.1.izin_sebelumnya_{k}" for k in ("jenis", "nomor", "tanggal")]
        for path in izin:
            expect(field(page, path)).to_be_hidden()
        by_id(page, "field-kegiatan_usaha.1.punya_izin_sebelumnya-YA").check()
        for path in izin:
            expect(field(page, path)).to_be_visible()
            expect(marker(page, path)).to_be_hidden()
        page.screenshot(path=str(shots / "izin_revealed.png"), full_page=True)
        send(page)
        expect_errors_at_once(page, izin, shots / "izin_errors.png")
        # answering "no" again hides them, and the step goes through
        by_id(page, "field-kegiatan_usaha.1.punya_izin_sebelumnya-TIDAK").check()
        for path in izin:
            expect(field(page, path)).to_be_hidden()
        send(page)
        on_step(page, "produk")

    with served_applicant_app(tmp_path / "data2", smtp, whatsapp) as (_, base_url):
        page = open_page(browser, base_url)
        log_in_and_start(page)
        fill_first_steps(page, order)
        on_step(page, "persetujuan_lingkungan")
        size = ["kegiatan_usaha.1.luas_bangunan_m2", "kegiatan_usaha.1.kapasitas_produksi"]
        by_id(page, "field-kegiatan_usaha.1.punya_dokumen_lingkungan-BELUM").check()
        # the kind of business comes from the KBLI's list; its parameter conditions follow it
        expect(field(page, "kegiatan_usaha.1.jenis_usaha_lingkungan")).to_be_visible()
        for path in size:
            expect(field(page, path)).to_be_hidden()
        by_id(page, "field-kegiatan_usaha.1.jenis_usaha_lingkungan").select_option("INDUSTRI_PENGOLAHAN")
        for path in size:
            expect(field(page, path)).to_be_visible()
            expect(marker(page, path)).to_be_hidden()
        page.screenshot(path=str(shots / "lingkungan_revealed.png"), full_page=True)
        send(page)
        expect_errors_at_once(page, size + ["kegiatan_usaha.1.uraian_usaha_lingkungan"], shots / "lingkungan_errors.png")
        assert page.js_errors == []
        page.context.close()
