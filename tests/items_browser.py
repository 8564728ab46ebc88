"""Helpers for browser tests of the permit application: a served app with an applicant, and the
application filled in through the pages by a person with JavaScript on.

Screenshots go to ``test-artifacts/<test name>/`` (ignored by git) for a person to look at.
"""
import re
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import expect

from .browser_support import serve_app
from .conftest import PASSWORD, ROOT, make_app
from .items_scenarios import PARAMETERS, STEP_TITLES, add_applicant, check_review_environment

ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 10_000  # a shared, loaded machine: waits for a page or the server's answer may take a while
expect.set_options(timeout=TIMEOUT_MS)


def artifacts(name: str) -> Path:
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def served_applicant_app(tmp_dir, smtp, whatsapp):
    """An app with the applicant ``budi0001``, served on loopback; yields (app, base URL)."""
    app = make_app(tmp_dir, smtp, whatsapp)
    add_applicant(app)
    with serve_app(app) as base_url:
        yield app, base_url


def open_page(browser, base_url, javascript=True, width=1000, **options):
    """A page in a new context; ``options`` go to the context (e.g. ``service_workers="block"``)."""
    context = browser.new_context(java_script_enabled=javascript, locale="id-ID", base_url=base_url,
                                  viewport={"width": width, "height": 900}, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.js_errors = []
    page.scripted = javascript
    page.on("pageerror", lambda error: page.js_errors.append(error))
    return page


def by_id(page, element_id):
    """An element by its id (ids hold dots: ``field-kegiatan_usaha.0.kbli``)."""
    return page.locator(f'[id="{element_id}"]')


def field(page, path):
    return page.locator(f'[data-field="{path}"]')


def on_step(page, step):
    """On ``step``, and with JavaScript once the page's script has settled it: what this device kept is restored and the
    rules have run (``form[data-ready]``). Typing before that raced the restore, which could overwrite a checked
    declaration or replace the "saved" status; on a loaded CI machine it did."""
    expect(page.locator("h1")).to_have_text(STEP_TITLES.get(step, step))
    form = page.locator("form[data-preview]")
    if getattr(page, "scripted", False) and form.count():
        expect(form).to_have_attribute("data-ready", "1")


def send(page):
    """The step's main button ("Simpan dan lanjutkan" or the step's own label)."""
    page.locator("form button[data-prevent-double-click]").click()


def log_in(page):
    page.goto("/masuk")
    page.fill("#field-username", "budi0001")
    page.fill("#field-password", PASSWORD)
    page.locator("main").get_by_role("button", name="Masuk").click()


def log_in_and_start(page):
    log_in(page)
    page.goto("/formulir/permohonan")
    page.get_by_role("button", name="Mulai").click()
    on_step(page, "data_pelaku_usaha")


def fill_first_steps(page, order):
    """Data pelaku usaha, the activities, their details and products, up to the list of activities."""
    page.fill("#field-npwp", "012345678901000")
    page.fill("#field-email", "usaha@example.test")
    send(page)
    on_step(page, "bidang_usaha")
    for i, a in enumerate(order):
        if i:
            page.locator('button[value="add:kegiatan_usaha"]').click()
            expect(by_id(page, f"field-kegiatan_usaha.{i}.kbli")).to_be_visible()
        by_id(page, f"field-kegiatan_usaha.{i}.jenis_kegiatan-{'UTAMA' if i == 0 else 'PENDUKUNG'}").check()
        by_id(page, f"field-kegiatan_usaha.{i}.kbli").fill(a.kbli)
        by_id(page, f"field-kegiatan_usaha.{i}.ruang_lingkup").fill(f"Lingkup {a.name}")
    send(page)
    on_step(page, "detail_usaha")
    for i, a in enumerate(order):
        fill_details(page, i, a.details)
    send(page)
    on_step(page, "produk")
    for i, a in enumerate(order):
        prefix = f"field-kegiatan_usaha.{i}.produk.0"
        by_id(page, f"{prefix}.jenis_produk").fill(a.product["jenis_produk"])
        by_id(page, f"{prefix}.kapasitas_per_tahun").fill(str(a.product["kapasitas_per_tahun"]))
        by_id(page, f"{prefix}.satuan_kapasitas-{a.product['satuan_kapasitas']}").check()
    send(page)
    on_step(page, "ringkasan_usaha")
    send(page)
    on_step(page, "daftar_kegiatan")
    for i in range(len(order)):
        by_id(page, f"field-kegiatan_usaha.{i}.dipilih").check()
    send(page)


def fill_details(page, i, details: dict):
    prefix = f"field-kegiatan_usaha.{i}"
    for key in ("nama_usaha", "luas_lahan_m2", "alamat_usaha", "kode_pos", "perkiraan_jangka_waktu_operasi",
                "deskripsi_kegiatan", "jumlah_tenaga_kerja"):
        by_id(page, f"{prefix}.{key}").fill(str(details[key]))
    by_id(page, f"{prefix}.modal_usaha").fill("50.000.000")
    for key in ("sudah_berjalan", "punya_izin_sebelumnya"):
        by_id(page, f"{prefix}.{key}-{details[key]}").check()
    for key, following in (("provinsi_usaha", "kabupaten_usaha"), ("kabupaten_usaha", "kecamatan_usaha"),
                           ("kecamatan_usaha", "kelurahan_usaha"), ("kelurahan_usaha", None)):
        by_id(page, f"{prefix}.{key}").select_option(details[key])
        if following:  # the next list is filled from the server's answer
            expect(by_id(page, f"{prefix}.{following}").locator(f'option[value="{details[following]}"]')).to_have_count(1)


def fill_environment(page, order):
    """Only the Menengah Rendah activities are asked about; "Belum" brings up the size questions."""
    on_step(page, "persetujuan_lingkungan")
    for i, a in enumerate(order):
        if a.environment is None:
            expect(field(page, f"kegiatan_usaha.{i}.punya_dokumen_lingkungan")).to_have_count(0)
            continue
        prefix = f"field-kegiatan_usaha.{i}"
        by_id(page, f"{prefix}.punya_dokumen_lingkungan-{a.environment['punya_dokumen_lingkungan']}").check()
        # the kind of business is chosen from the KBLI's list, then its parameter conditions appear
        expect(field(page, f"kegiatan_usaha.{i}.jenis_usaha_lingkungan")).to_be_visible()
        by_id(page, f"{prefix}.jenis_usaha_lingkungan").select_option(a.environment["jenis_usaha_lingkungan"])
        for key in PARAMETERS:
            choice = by_id(page, f"{prefix}.{key}")
            expect(choice.locator(f'option[value="{a.environment[key]}"]')).to_have_count(1)
            choice.select_option(a.environment[key])
        by_id(page, f"{prefix}.uraian_usaha_lingkungan").fill(a.environment["uraian_usaha_lingkungan"])
    send(page)


def finish(page, screenshots: Path, order) -> str:
    """The declarations, the review and issuance; returns the application's id."""
    on_step(page, "pernyataan_mandiri")
    for key in ("pernyataan_k3l", "pernyataan_sppl", "pernyataan_standar_usaha"):
        if field(page, key).is_visible():
            by_id(page, f"field-{key}").check()
    send(page)
    expect(page.locator("h1")).to_have_text("Periksa jawaban Anda")
    page.screenshot(path=str(screenshots / "review.png"), full_page=True)
    check_review_environment(page.content(), order)
    by_id(page, "field-setuju_terbitkan").check()
    send(page)
    page.wait_for_url(re.compile(r"/isian/[^/]+/selesai$"))
    page.screenshot(path=str(screenshots / "documents.png"), full_page=True)
    return re.search(r"/isian/([^/]+)/selesai$", page.url).group(1)
