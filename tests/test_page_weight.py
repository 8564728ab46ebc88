"""Bytes on the wire per step page, measured in a real Chromium (issue 12 §5): a permit application with three
activities; each step ≤ 60 KB transferred on a first visit (empty cache: the page and everything it loads) and
≤ 20 KB for the next step (the static files cached under their content-hashed URLs; measured through the browser's
HTTP cache with the service worker blocked, since what the worker fetches is not the page's traffic).

Bytes are Chromium's own count of what came over the network (Network.loadingFinished encodedDataLength:
headers and compressed bodies). A size assertion, not a timing one.
"""
import pytest

from . import test_permohonan as permit
from .browser_support import serve_app, skip_without_chromium
from .conftest import PASSWORD, Api, make_app

skip_without_chromium()

FIRST_VISIT = 60 * 1024
NEXT_STEP = 20 * 1024
KBLIS = ("47191", "47192", "10298")  # two Rendah, one Menengah Rendah (with its environmental step)


@pytest.fixture(scope="module")
def site(tmp_path_factory, smtp, whatsapp):
    """A served app with an applicant's draft of three activities, answered up to the last step."""
    app = make_app(tmp_path_factory.mktemp("weight"), smtp, whatsapp)
    permit.insert_applicant(app)
    api = Api(app.test_client())
    permit.ok(api.post("/api/v1/auth/login", {"username": "budi0001", "password": PASSWORD}))
    sid = permit.start(api)
    permit.activities(api, sid, *KBLIS)
    permit.ok(permit.details(api, sid, {"modal_usaha": 50_000_000}, {"modal_usaha": 50_000_000},
                             {"modal_usaha": 200_000_000}))
    permit.ok(permit.products(api, sid, *[permit.ONE_PRODUCT] * 3))
    permit.issue(api, sid, 3)
    environment = {"punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN",
                   "luas_bangunan_m2": "BANGUNAN_KURANG_2500", "kapasitas_produksi": "KAPASITAS_KURANG_1000",
                   "uraian_usaha_lingkungan": "Produksi rumahan"}
    permit.ok(api.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [{}, {}, environment]}))
    steps = ["data_pelaku_usaha", "bidang_usaha", "detail_usaha", "produk", "ringkasan_usaha", "daftar_kegiatan",
             "persetujuan_lingkungan", "pernyataan_mandiri"]
    with serve_app(app) as base_url:
        yield base_url, sid, steps, api.client.get_cookie("formserver_session").value


class Meter:
    """Sums the bytes Chromium received for every request of a page (via the DevTools protocol)."""

    def __init__(self, context, page):
        self.total, self.urls, self.pending = 0, {}, set()
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.on("Network.requestWillBeSent", lambda e: self.pending.add(e["requestId"]))
        self.cdp.on("Network.responseReceived", lambda e: self.urls.__setitem__(e["requestId"], e["response"]["url"]))
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", lambda e: self.pending.discard(e["requestId"]))
        self.each = {}

    def _finished(self, event):
        self.pending.discard(event["requestId"])
        self.total += event["encodedDataLength"]
        url = self.urls.get(event["requestId"], event["requestId"])
        self.each[url] = self.each.get(url, 0) + event["encodedDataLength"]

    def measure(self, page, path: str) -> tuple[int, dict]:
        """The page, what it loads, and what its script fetches until it is ready (the form's rules have run:
        ``form[data-ready]``), every request finished. (Not "networkidle": that waits 500 ms of quiet per page.)"""
        self.total, self.each = 0, {}
        page.goto(path)
        page.wait_for_selector("form[data-ready]", state="attached")
        for _ in range(1000):
            if not self.pending:
                break
            page.wait_for_timeout(10)  # lets Playwright deliver the DevTools events of what is still loading
        assert not self.pending, f"{path}: requests still loading after 10 s"
        return self.total, dict(self.each)


def logged_in_context(browser, base_url, cookie, **options):
    """A context with an empty cache and the applicant's session (logged in once, by the fixture)."""
    context = browser.new_context(base_url=base_url, locale="id-ID", **options)
    context.add_cookies([{"name": "formserver_session", "value": cookie, "url": base_url}])
    return context


def test_each_step_is_light_on_a_first_visit_and_lighter_on_the_next(browser, site):
    base_url, sid, steps, cookie = site
    first, following = {}, {}
    for step in steps:  # every step with an empty cache
        context = logged_in_context(browser, base_url, cookie)
        page = context.new_page()
        first[step] = Meter(context, page).measure(page, f"/isian/{sid}/{step}")
        context.close()
    # one visit after the other, as an applicant moves on, through the browser's HTTP cache: with the service worker
    # the pages came from it, and what it fetched was not this page's traffic (every step counted 0 bytes)
    context = logged_in_context(browser, base_url, cookie, service_workers="block")
    page = context.new_page()
    meter = Meter(context, page)
    meter.measure(page, f"/isian/{sid}/{steps[0]}")
    for step in steps[1:]:
        following[step] = meter.measure(page, f"/isian/{sid}/{step}")
    context.close()
    assert all(size > 1000 for size, _ in [*first.values(), *following.values()])  # the meter counts something
    assert {step: m for step, m in first.items() if m[0] > FIRST_VISIT} == {}
    assert {step: m for step, m in following.items() if m[0] > NEXT_STEP} == {}
    # what makes the next step lighter: the hashed static files come from the browser's cache (0 bytes)
    assert all(size == 0 for _, each in following.values() for url, size in each.items() if "/static/" in url), following
    print("first visit:", {step: size for step, (size, _) in first.items()})
    print("next step:", {step: size for step, (size, _) in following.items()})
