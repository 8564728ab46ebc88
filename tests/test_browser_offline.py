"""In a real Chromium: the step's rules run in the page, answers autosave, and survive going offline.

One applicant app served per module; each test opens its own browser context (its own service
worker, IndexedDB and offline switch).
"""
import pytest

from .browser_support import skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

from .items_browser import by_id, field, log_in_and_start, on_step, open_page, send, served_applicant_app  # noqa: E402


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


def _saved(page):
    expect(page.locator("[data-save-status]")).to_have_text("Tersimpan")


def test_answers_typed_offline_survive_a_reload_and_reach_the_server(browser, served):
    app, base_url = served
    page = open_page(browser, base_url)
    log_in_and_start(page)
    on_step(page, "data_pelaku_usaha")
    # the service worker takes this page over; from now on the step is kept for offline use
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")
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
