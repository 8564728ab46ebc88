"""Issue 9 end to end in Chromium: a form admin adds "Nomor NIB lama" to the detail step, shown only when the
applicant already holds a permit, previews it and publishes; a new application asks it only under that answer,
a draft started before finishes on its old version, and migrating another sends it back to the detail step."""
import re

import pytest
from playwright.sync_api import expect

from formserver.officers import create_form_admin

from .browser_support import serve_app, skip_without_chromium
from .conftest import PASSWORD, Api, make_app
from .items_browser import TIMEOUT_MS, by_id, field, on_step, open_page, send
from .items_scenarios import add_applicant
from .test_permohonan import ONE_PRODUCT, activities, details, ok, products, start

skip_without_chromium()

ADMIN_PASSWORD = "Admin#2025rahasia"
NIB = "kegiatan_usaha.0.nomor_nib_lama"
YA_DETAILS = {"modal_usaha": 50_000_000, "punya_izin_sebelumnya": "YA", "izin_sebelumnya_jenis": "SIUP",
              "izin_sebelumnya_nomor": "503/123/2019", "izin_sebelumnya_tanggal": "2019-05-02"}


@pytest.fixture(scope="module")
def served(tmp_path_factory, smtp, whatsapp):
    app = make_app(tmp_path_factory.mktemp("admin_browser"), smtp, whatsapp)
    add_applicant(app)
    create_form_admin(app.extensions["formserver"].store, "admin1", "a1@kampar.go.id", "Adi", ADMIN_PASSWORD)
    with serve_app(app) as base_url:
        yield app, base_url


def _applicant(app) -> Api:
    api = Api(app.test_client())
    assert api.post("/api/v1/auth/login", {"username": "budi0001", "password": PASSWORD}).status_code == 200
    return api


def _draft_through_details(api) -> str:
    """A draft whose detail step was saved with "Ya" (it holds an earlier permit), now on the products step."""
    sid = start(api)
    activities(api, sid, "47191")
    ok(details(api, sid, YA_DETAILS))
    return sid


def _log_in(page, username, password):
    page.goto("/masuk")
    page.fill("#field-username", username)
    page.fill("#field-password", password)
    page.locator("main").get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"/dasbor$"))


def test_add_a_conditional_field_preview_publish_and_migrate(served, browser):
    app, base_url = served
    versions = app.extensions["formserver"].versions
    old_version = versions.published_number("permohonan")
    applicant = _applicant(app)
    finishing, migrating = _draft_through_details(applicant), _draft_through_details(applicant)

    admin = open_page(browser, base_url)
    _log_in(admin, "admin1", ADMIN_PASSWORD)
    admin.goto("/admin/")
    admin.get_by_role("link", name=re.compile("Permohonan")).first.click()
    admin.locator(f"#versi-{old_version}").get_by_role("button", name="Buat draf dari versi ini").click()
    admin.wait_for_url(re.compile(r"/versi/\d+$"))
    draft = int(admin.url.rsplit("/", 1)[1])
    assert draft > old_version

    # add the field to the step that holds "Apakah sudah punya izin usaha sebelumnya?", right after it
    step = admin.locator("#langkah-detail_usaha")
    step.locator("summary", has_text="Tambah isian di langkah ini").click()
    by_id(admin, "type-detail_usaha-text").check()
    by_id(admin, "key-detail_usaha").fill("nomor_nib_lama")
    by_id(admin, "detail_usaha-label.id").fill("Nomor NIB lama")
    by_id(admin, "detail_usaha-label.en").fill("Old NIB number")
    by_id(admin, "tempat-detail_usaha").select_option("setelah:punya_izin_sebelumnya")
    step.get_by_role("button", name="Tambah isian").click()
    expect(admin.locator("#isian-nomor_nib_lama")).to_contain_text("Nomor NIB lama")

    # required, and shown only when the earlier question is "Ya", with the condition builder
    admin.locator("#isian-nomor_nib_lama").get_by_role("link", name=re.compile("^Ubah")).click()
    admin.check("#required")
    by_id(admin, "visible_if.mode-builder").check()
    expect(by_id(admin, "visible_if.raw")).to_be_hidden()            # the expert box is out of the way
    by_id(admin, "visible_if.0.field").select_option("punya_izin_sebelumnya")
    by_id(admin, "visible_if.0.op").select_option("filled")
    expect(by_id(admin, "visible_if.0.value")).to_be_hidden()        # "terisi" takes no value
    by_id(admin, "visible_if.0.op").select_option("eq")
    by_id(admin, "visible_if.0.value").fill("Ya")
    admin.get_by_role("button", name="Simpan").click()
    expect(admin.locator("#isian-nomor_nib_lama")).to_contain_text(
        "Tampil bila «Apakah sudah punya izin usaha sebelumnya?» sama dengan “Ya”")
    assert not admin.js_errors

    # preview the detail step as an applicant sees it: the field comes with "Ya" only
    admin.locator("#langkah-detail_usaha").get_by_role("link", name=re.compile("^Pratinjau")).click()
    on_step(admin, "detail_usaha")
    expect(field(admin, NIB)).to_be_hidden()
    with admin.expect_navigation():  # a choice updates the preview at once
        by_id(admin, "field-kegiatan_usaha.0.punya_izin_sebelumnya-YA").check()
    expect(field(admin, NIB)).to_be_visible()
    expect(admin.locator(f'[data-run-field="{NIB}"]')).to_contain_text("wajib")
    with admin.expect_navigation():
        by_id(admin, "field-kegiatan_usaha.0.punya_izin_sebelumnya-TIDAK").check()
    expect(field(admin, NIB)).to_be_hidden()
    assert len(app.extensions["formserver"].store.list_submissions("permohonan", limit=100)) == 2  # nothing stored

    # publish, with the impact first
    admin.goto(f"/admin/formulir/permohonan/versi/{draft}")
    admin.get_by_role("link", name="Terbitkan", exact=True).click()
    expect(admin.locator("main")).to_contain_text("Draf pada versi lain")
    admin.get_by_role("button", name=f"Terbitkan versi {draft}").click()
    expect(admin.locator("main")).to_contain_text(f"Versi {draft} diterbitkan")
    assert versions.published_number("permohonan") == draft

    # a new application asks for the old NIB only of those who hold an earlier permit
    applicant_page = open_page(browser, base_url)
    _log_in(applicant_page, "budi0001", PASSWORD)
    applicant_page.goto("/formulir/permohonan")
    applicant_page.get_by_role("button", name="Mulai").click()
    on_step(applicant_page, "data_pelaku_usaha")
    applicant_page.fill("#field-npwp", "012345678901000")
    applicant_page.fill("#field-email", "usaha@example.test")
    send(applicant_page)
    on_step(applicant_page, "bidang_usaha")
    by_id(applicant_page, "field-kegiatan_usaha.0.jenis_kegiatan-UTAMA").check()
    by_id(applicant_page, "field-kegiatan_usaha.0.kbli").fill("47191")
    by_id(applicant_page, "field-kegiatan_usaha.0.ruang_lingkup").fill("Warung")
    send(applicant_page)
    on_step(applicant_page, "detail_usaha")
    expect(field(applicant_page, NIB)).to_be_hidden()
    by_id(applicant_page, "field-kegiatan_usaha.0.punya_izin_sebelumnya-YA").check()
    expect(field(applicant_page, NIB)).to_be_visible(timeout=TIMEOUT_MS)
    by_id(applicant_page, "field-kegiatan_usaha.0.punya_izin_sebelumnya-TIDAK").check()
    expect(field(applicant_page, NIB)).to_be_hidden()
    assert not applicant_page.js_errors

    # the draft started before the publication finishes on its old version, never asked for the old NIB
    ok(products(applicant, finishing, ONE_PRODUCT))
    ok(applicant.put_step(finishing, "ringkasan_usaha", {}))
    ok(applicant.put_step(finishing, "daftar_kegiatan", {"kegiatan_usaha": [{"dipilih": True}]}))
    ok(applicant.put_step(finishing, "pernyataan_mandiri", {"pernyataan_k3l": True, "pernyataan_sppl": True}))
    assert ok(applicant.put_step(finishing, "draf_perizinan", {"setuju_terbitkan": True}))["status"] == "completed"
    done = app.extensions["formserver"].store.get_submission(finishing)
    assert done["form_version"] == old_version and "nomor_nib_lama" not in done["data"]["kegiatan_usaha"][0]

    # migrating the other draft sends it back to the detail step, and the applicant is told why
    admin.goto("/admin/formulir/permohonan")
    admin.get_by_role("link", name=re.compile("Pindahkan draf")).click()
    expect(admin.locator("main")).to_contain_text(migrating)
    expect(admin.locator("main")).to_contain_text("detail_usaha")
    admin.get_by_role("button", name="Pindahkan draf").click()
    expect(admin.locator("main")).to_contain_text("1 draf dipindahkan")
    moved = app.extensions["formserver"].store.get_submission(migrating)
    assert moved["form_version"] == draft and moved["current_step"] == "detail_usaha"

    applicant_page.goto(f"/isian/{migrating}")
    on_step(applicant_page, "detail_usaha")
    expect(applicant_page.locator(".notice").first).to_be_visible()
    expect(field(applicant_page, NIB)).to_be_visible()
    assert not admin.js_errors and not applicant_page.js_errors
    admin.context.close()
    applicant_page.context.close()


def test_without_javascript_labels_help_and_choices_are_edited_and_published(served, browser):
    app, base_url = served
    versions = app.extensions["formserver"].versions
    page = open_page(browser, base_url, javascript=False)
    _log_in(page, "admin1", ADMIN_PASSWORD)
    page.goto("/admin/formulir/permohonan")
    published = versions.published_number("permohonan")
    page.locator(f"#versi-{published}").get_by_role("button", name="Buat draf dari versi ini").click()
    page.wait_for_url(re.compile(r"/versi/\d+$"))
    draft = int(page.url.rsplit("/", 1)[1])
    page.locator("#isian-sudah_berjalan").get_by_role("link", name=re.compile("^Ubah")).click()
    page.fill('[id="label.id"]', "Apakah usaha Anda sudah berjalan?")
    page.fill('[id="hint.id"]', "Sudah melayani pelanggan")
    page.fill('[id="hint.en"]', "Already serving customers")
    page.fill('[id="options.0.label.id"]', "Ya, sudah berjalan")
    page.fill('[id="options.2.value"]', "SEBAGIAN")
    page.fill('[id="options.2.label.id"]', "Sebagian")
    page.fill('[id="options.2.label.en"]', "Partly")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#isian-sudah_berjalan")).to_contain_text("Apakah usaha Anda sudah berjalan?")
    page.get_by_role("link", name="Terbitkan", exact=True).click()
    page.get_by_role("button", name=f"Terbitkan versi {draft}").click()
    expect(page.locator("main")).to_contain_text(f"Versi {draft} diterbitkan")
    served_form = app.extensions["formserver"].forms.get("permohonan")
    field = served_form.fields_by_key["sudah_berjalan"].spec
    assert served_form.version == draft and field["label"]["id"] == "Apakah usaha Anda sudah berjalan?"
    assert field["hint"] == {"id": "Sudah melayani pelanggan", "en": "Already serving customers"}
    assert [o["value"] for o in field["options"]] == ["YA", "TIDAK", "SEBAGIAN"]
    page.context.close()
