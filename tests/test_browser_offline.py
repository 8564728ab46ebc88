"""In a real Chromium: the step's rules run in the page, answers autosave, and survive going offline.

One applicant app served per module; each test opens its own browser context (its own service
worker, IndexedDB and offline switch).
"""
import pytest

from .browser_support import skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

from .items_browser import by_id, field, log_in, log_in_and_start, on_step, open_page, send, served_applicant_app  # noqa: E402
from .items_scenarios import STEP_TITLES  # noqa: E402


@pytest.fixture(scope="module")
def served(tmp_path_factory, smtp, whatsapp):
    with served_applicant_app(tmp_path_factory.mktemp("offline"), smtp, whatsapp) as (app, base_url):
        yield app, base_url


def _submission(app, page):
    sid = page.url.split("/")[-2] if "/langkah/" in page.url else None
    store = app.extensions["formserver"].store
    if sid is None:
        sid = page.locator("form[data-draft]").get_attribute("data-draft").split("/")[4]
    return store.get_submission(sid)


def _controlled(page):
    """Once the service worker controls the page, every step opened is kept for offline use."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")


def _first_step(page):
    page.fill("#field-npwp", "012345678901000")
    page.fill("#field-email", "usaha@example.test")
    send(page)
    on_step(page, "bidang_usaha")


def _saved(page):
    expect(page.locator("[data-save-status]")).to_have_text("Tersimpan")


def test_answers_typed_offline_survive_a_reload_and_reach_the_server(browser, served):
    app, base_url = served
    page = open_page(browser, base_url)
    log_in_and_start(page)
    on_step(page, "data_pelaku_usaha")
    _controlled(page)
    page.fill("#field-npwp", "012345678901000")
    _saved(page)
    assert _submission(app, page)["data"]["npwp"] == "012345678901000"

    page.context.set_offline(True)
    page.fill("#field-email", "luring@example.test")
    page.fill("#field-bpjs_ketenagakerjaan", "12345678901")
    expect(page.locator("[data-offline-banner]")).to_be_visible()
    expect(page.locator("[data-save-status]")).to_contain_text("Tersimpan di perangkat ini")
    page.reload()  # offline: the service worker's copy of the step, the answers from IndexedDB
    on_step(page, "data_pelaku_usaha")
    expect(page.locator("#field-email")).to_have_value("luring@example.test")
    expect(page.locator("#field-bpjs_ketenagakerjaan")).to_have_value("12345678901")
    expect(page.locator("[data-offline-banner]")).to_be_visible()

    page.context.set_offline(False)
    _saved(page)
    expect(page.locator("[data-offline-banner]")).to_be_hidden()
    data = _submission(app, page)["data"]
    assert (data["npwp"], data["email"], data["bpjs_ketenagakerjaan"]) == \
        ("012345678901000", "luring@example.test", "12345678901")
    assert not page.js_errors
    page.context.close()


def test_what_is_typed_while_the_page_settles_is_not_overwritten_by_what_the_device_kept(browser, served):
    # over a slow connection the page settles seconds after it shows (it asks the server for the submission, then
    # restores what this device kept): an answer typed in that time was overwritten by the older one kept here
    _, base_url = served
    page = open_page(browser, base_url, service_workers="block")  # the page's own requests, routed by the test
    log_in_and_start(page)
    on_step(page, "data_pelaku_usaha")
    page.route("**/draft", lambda route: route.abort())  # the autosave does not reach the server: kept here
    page.fill("#field-email", "disimpan@example.test")
    expect(page.locator("[data-save-status]")).to_contain_text("Tersimpan di perangkat ini")
    held = []
    page.route("**/api/v1/submissions/*", lambda route: held.append(route))  # the slow answer to the page's question
    page.reload()
    expect(page.locator("h1")).to_have_text(STEP_TITLES["data_pelaku_usaha"])
    _until(page, lambda: held, "the page asks for the submission")
    expect(page.locator("form[data-preview]")).not_to_have_attribute("data-ready", "1")
    page.fill("#field-email", "diketik@example.test")
    page.unroute("**/api/v1/submissions/*")
    for route in held:
        route.continue_()
    expect(page.locator("form[data-preview]")).to_have_attribute("data-ready", "1")
    expect(page.locator("#field-email")).to_have_value("diketik@example.test")
    page.wait_for_timeout(1000)  # past the autosave's delay: what it keeps is the typed answer
    expect(page.locator("#field-email")).to_have_value("diketik@example.test")
    assert not page.js_errors
    page.context.close()


def test_the_rules_run_in_the_page_and_a_code_not_loaded_offline_is_checked_when_connected(browser, served):
    app, base_url = served
    page = open_page(browser, base_url)
    previews = []
    page.on("request", lambda request: previews.append(request.url) if "/preview" in request.url else None)
    log_in_and_start(page)
    page.fill("#field-npwp", "012345678901000")
    page.fill("#field-email", "usaha@example.test")
    send(page)
    on_step(page, "bidang_usaha")
    computed = page.locator('[data-computed="kegiatan_usaha.0.uraian_kbli"]')
    expect(page.locator("html")).to_have_class("js-enabled")
    page.wait_for_function("window.FormRules !== undefined")
    # the searchable KBLI picker: words or digits bring up codes with their titles
    by_id(page, "field-kegiatan_usaha.0.kbli").type("kelontong")
    expect(page.locator('[id="lookup-kegiatan_usaha.0.kbli"] option[value="47192"]')).to_have_count(1)
    by_id(page, "field-kegiatan_usaha.0.kbli").fill("47191")
    by_id(page, "field-kegiatan_usaha.0.kbli").press("Tab")
    expect(computed).to_contain_text("Perdagangan Eceran")

    page.context.set_offline(True)
    by_id(page, "field-kegiatan_usaha.0.kbli").fill("10792")
    by_id(page, "field-kegiatan_usaha.0.kbli").press("Tab")
    expect(computed).to_have_text("(diperiksa saat tersambung)")  # never a guess
    page.context.set_offline(False)
    expect(computed).to_contain_text("Industri")
    assert previews == []  # every state came from the rules in the page
    assert not page.js_errors
    page.context.close()


def test_a_newer_version_saved_elsewhere_is_shown_to_choose_never_overwritten(browser, served):
    app, base_url = served
    page = open_page(browser, base_url)
    log_in_and_start(page)
    on_step(page, "data_pelaku_usaha")
    other = page.context.new_page()  # a second tab on the same step, opened before the first one saves
    other.goto(page.url)
    page.fill("#field-email", "tab.satu@example.test")
    _saved(page)
    other.fill("#field-email", "tab.dua@example.test")
    box = other.locator("[data-conflict]")
    expect(box).to_be_visible()
    expect(box).to_contain_text("tab.satu@example.test")
    assert _submission(app, page)["data"]["email"] == "tab.satu@example.test"
    box.locator("[data-keep-mine]").click()
    expect(other.locator("[data-save-status]")).to_have_text("Tersimpan")
    assert _submission(app, page)["data"]["email"] == "tab.dua@example.test"
    page.context.close()


def test_the_site_is_installable(browser, served):
    _, base_url = served
    page = open_page(browser, base_url)
    page.goto("/")
    manifest = page.locator('link[rel="manifest"]').get_attribute("href")
    body = page.request.get(base_url + manifest).json()
    assert body["display"] == "standalone" and body["start_url"] == "/" and body["icons"]
    worker = page.request.get(base_url + "/sw.js")
    assert worker.status == 200 and "javascript" in worker.headers["content-type"]
    page.wait_for_function("navigator.serviceWorker.ready.then(r => r.scope)")
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)") == base_url + "/"
    page.context.close()


def _server_data(page, sid):
    return page.request.get(f"/api/v1/submissions/{sid}").json()["data"]


def _until(page, check, what):
    """Wait (on the page's clock) until ``check()`` holds: the answers go in the background once online."""
    for _ in range(100):
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError(what)


def test_offline_the_applicant_moves_between_steps_already_opened_and_every_answer_reaches_the_server(browser, served):
    _, base_url = served
    page = open_page(browser, base_url)
    log_in_and_start(page)
    _controlled(page)
    sid = page.url.split("/")[-2]
    _first_step(page)
    by_id(page, "field-kegiatan_usaha.0.jenis_kegiatan-UTAMA").check()
    by_id(page, "field-kegiatan_usaha.0.kbli").fill("47191")
    by_id(page, "field-kegiatan_usaha.0.ruang_lingkup").fill("Warung kelontong")
    send(page)
    on_step(page, "detail_usaha")
    expect(page.locator("html")).to_have_class("js-enabled")
    page.wait_for_function("window.FormRules !== undefined")

    page.context.set_offline(True)
    by_id(page, "field-kegiatan_usaha.0.nama_usaha").fill("Warung Luring")
    expect(page.locator("[data-offline-banner]")).to_be_visible()
    expect(page.locator("[data-save-status]")).to_contain_text("Tersimpan di perangkat ini")
    # back through the page's own link: the steps come from this device, with the answers saved since they were opened
    page.locator("a.back-link").click()
    on_step(page, "bidang_usaha")
    expect(by_id(page, "field-kegiatan_usaha.0.kbli")).to_have_value("47191")
    expect(page.locator("[data-offline-banner]")).to_be_visible()
    page.locator("a.back-link").click()
    on_step(page, "data_pelaku_usaha")
    expect(page.locator("#field-npwp")).to_have_value("012345678901000")
    page.fill("#field-email", "luring@example.test")
    expect(page.locator("[data-save-status]")).to_contain_text("Tersimpan di perangkat ini")
    # and forward with the step's own button, offline
    send(page)
    on_step(page, "bidang_usaha")
    expect(by_id(page, "field-kegiatan_usaha.0.jenis_kegiatan-UTAMA")).to_be_checked()
    send(page)
    on_step(page, "detail_usaha")
    expect(by_id(page, "field-kegiatan_usaha.0.nama_usaha")).to_have_value("Warung Luring")
    by_id(page, "field-kegiatan_usaha.0.alamat_usaha").fill("Jalan Luring 1")
    expect(page.locator("[data-save-status]")).to_contain_text("Tersimpan di perangkat ini")
    page.reload()  # still offline
    on_step(page, "detail_usaha")
    expect(by_id(page, "field-kegiatan_usaha.0.alamat_usaha")).to_have_value("Jalan Luring 1")
    expect(by_id(page, "field-kegiatan_usaha.0.nama_usaha")).to_have_value("Warung Luring")
    expect(page.locator("[data-offline-banner]")).to_be_visible()

    page.context.set_offline(False)
    expect(page.locator("[data-offline-banner]")).to_be_hidden()

    def arrived():
        data = _server_data(page, sid)
        item = (data.get("kegiatan_usaha") or [{}])[0]
        return (data.get("email"), data.get("npwp"), item.get("nama_usaha"), item.get("alamat_usaha"), item.get("kbli")) == \
            ("luring@example.test", "012345678901000", "Warung Luring", "Jalan Luring 1", "47191")
    _until(page, arrived, f"the answers typed offline are not all on the server: {_server_data(page, sid)}")
    # nothing is left waiting on the device
    assert page.evaluate("""() => new Promise((done) => { const open = indexedDB.open("formserver");
        open.onsuccess = () => { const all = open.result.transaction("drafts").objectStore("drafts").getAll();
          all.onsuccess = () => done(all.result.filter((r) => r.key.startsWith("/api/")).length); }; })""") == 0
    assert not page.js_errors
    page.context.close()


def test_a_conflict_names_the_questions_by_their_labels_with_both_answers_readable(browser, served):
    _, base_url = served
    first = open_page(browser, base_url)
    log_in_and_start(first)
    _first_step(first)
    # the same applicant on another device, in English, on the same step of the same application
    second = open_page(browser, base_url)
    log_in(second)
    second.goto(first.url + "?lang=en")
    expect(second.locator("html")).to_have_attribute("lang", "en")
    second.wait_for_function("window.FormRules !== undefined")

    by_id(first, "field-kegiatan_usaha.0.jenis_kegiatan-UTAMA").check()
    _saved(first)
    by_id(second, "field-kegiatan_usaha.0.jenis_kegiatan-PENDUKUNG").check()
    box = second.locator("[data-conflict]")
    expect(box).to_be_visible()
    row = box.locator("[data-conflict-row]").filter(has_text="Kind of activity")
    expect(row).to_have_count(1)
    expect(row.locator("th")).to_contain_text("Kind of activity")
    expect(row.locator("td").nth(0)).to_have_text("Supporting")  # on this page
    expect(row.locator("td").nth(1)).to_have_text("Main")  # saved from the other device
    expect(box).not_to_contain_text("jenis_kegiatan")
    expect(box).not_to_contain_text("PENDUKUNG")
    sid = first.url.split("/")[-2]
    assert _server_data(first, sid)["kegiatan_usaha"][0]["jenis_kegiatan"] == "UTAMA"  # nothing overwritten
    box.locator("[data-keep-mine]").click()
    expect(second.locator("[data-save-status]")).to_have_text("Saved")
    assert _server_data(first, sid)["kegiatan_usaha"][0]["jenis_kegiatan"] == "PENDUKUNG"
    assert not first.js_errors and not second.js_errors
    first.context.close()
    second.context.close()


class _Api:
    """The page's own session through the JSON API (what tests/test_permohonan.py's helpers call)."""

    class _Response:
        def __init__(self, response):
            self.status_code, self.get_json = response.status, response.json

    def __init__(self, request):
        self.request = request

    def post(self, url):
        return self._Response(self.request.post(url, data={}))

    def put_step(self, sid, step, values):
        return self._Response(self.request.put(f"/api/v1/submissions/{sid}/steps/{step}", data={"values": values}))


LIVE = "el => { const live = el.closest('[aria-live]'); return live ? live.getAttribute('aria-live') : null; }"


def _spoken(locator) -> str:
    """What a live region says now: its rendered text (hidden parts say nothing)."""
    return locator.evaluate("el => el.innerText.trim()")


def _choose(page, name, value):
    inputs = page.locator(f'[name="{name}"]')
    if inputs.first.evaluate("el => el.tagName") == "SELECT":
        inputs.first.select_option(value)
    else:
        page.locator(f'[name="{name}"][value="{value}"]').check()


def test_saved_connection_and_computed_results_are_live_regions_whose_words_change(browser, served):
    from . import test_permohonan as permit
    _, base_url = served
    page = open_page(browser, base_url)
    log_in_and_start(page)
    page.wait_for_function("window.FormRules !== undefined")
    sid = page.url.split("/")[-2]
    status, connection = page.locator("[data-save-status]"), page.locator("[data-connection]")
    assert status.evaluate(LIVE) == "polite" and connection.evaluate(LIVE) == "polite"
    assert _spoken(status) == "" and _spoken(connection) == ""
    page.fill("#field-npwp", "012345678901000")
    expect(status).to_have_text("Tersimpan")
    page.context.set_offline(True)
    page.fill("#field-email", "luring@example.test")
    expect(connection).to_contain_text("Anda sedang luring", use_inner_text=True)
    expect(status).to_have_text("Tersimpan di perangkat ini; dikirim saat tersambung kembali.")
    page.context.set_offline(False)
    expect(connection).to_contain_text("Tersambung kembali", use_inner_text=True)
    expect(connection).not_to_contain_text("Anda sedang luring", use_inner_text=True)
    expect(status).to_have_text("Tersimpan")

    # the scale and the risk level, worked out in the page as the capital is typed
    api = _Api(page.context.request)
    permit.ok(api.put_step(sid, "data_pelaku_usaha", {"npwp": "012345678901000", "email": "usaha@example.test"}))
    permit.activities(api, sid, "10298")
    page.goto(f"/isian/{sid}/detail_usaha")
    page.wait_for_function("window.FormRules !== undefined")
    scale = page.locator('[data-computed="kegiatan_usaha.0.skala_usaha_hasil"]')
    risk = page.locator('[data-computed="kegiatan_usaha.0.tingkat_risiko"]')
    assert scale.evaluate(LIVE) == "polite" and risk.evaluate(LIVE) == "polite"
    before = (_spoken(scale), _spoken(risk))
    by_id(page, "field-kegiatan_usaha.0.modal_usaha").fill("200.000.000")
    by_id(page, "field-kegiatan_usaha.0.luas_lahan_m2").fill("50")
    expect(scale).to_have_text("Mikro")
    expect(risk).not_to_have_text(before[1])
    assert _spoken(risk) and before[0] != "Mikro"

    # the environmental obligation, on its own step
    permit.ok(permit.details(api, sid, {"modal_usaha": 200_000_000}))
    permit.ok(permit.products(api, sid, permit.ONE_PRODUCT))
    permit.issue(api, sid, 1)
    page.goto(f"/isian/{sid}/persetujuan_lingkungan")
    page.wait_for_function("window.FormRules !== undefined")
    obligation = page.locator('[data-computed="kegiatan_usaha.0.kewajiban_lingkungan"]')
    assert obligation.evaluate(LIVE) == "polite"
    assert _spoken(obligation) == ""
    prefix = "kegiatan_usaha.0."
    _choose(page, prefix + "punya_dokumen_lingkungan", "BELUM")
    _choose(page, prefix + "jenis_usaha_lingkungan", "INDUSTRI_PENGOLAHAN")
    _choose(page, prefix + "luas_bangunan_m2", "BANGUNAN_KURANG_2500")
    _choose(page, prefix + "kapasitas_produksi", "KAPASITAS_KURANG_1000")
    expect(obligation).to_contain_text("SPPL")
    assert not page.js_errors
    page.context.close()
