"""At 360 px wide no page scrolls sideways, in a real Chromium (issue 7 items 12-14).

Screenshots of every page go to ``test-artifacts/narrow/`` (kept out of git) for a person to look at.
"""
import os
import re
from pathlib import Path

import pytest

from formserver.officers import create_officer

from . import test_permohonan as permit
from .browser_support import serve_app, skip_without_chromium
from .conftest import PASSWORD, PASSWORD_HASH, Api, make_app
from .test_plain_words import PAGE_WORD_CODES, _mixed_draft, raw_codes

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

WIDTH = 360
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "narrow"
TIMEOUT_MS = 5_000


@pytest.fixture(scope="module")
def site(tmp_path_factory, smtp, whatsapp):
    """A served app with an applicant who has an issued application (one document revoked) and a draft with two
    activities at its check-your-answers page; yields (base URL, paths of the pages to look at)."""
    app = make_app(tmp_path_factory.mktemp("narrow"), smtp, whatsapp)
    svc = app.extensions["formserver"]
    svc.store.insert_account({"id": "acc1", "username": "budi0001", "email": "budi@example.test", "status": "active",
                              "password_hash": PASSWORD_HASH, "profile": permit.PROFILE})
    api = Api(app.test_client())
    permit.ok(api.post("/api/v1/auth/login", {"username": "budi0001", "password": PASSWORD}))
    issued = permit.start(api)
    permit._to_pernyataan(api, issued, "10298", env={
        "punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN", "luas_bangunan_m2": "BANGUNAN_KURANG_2500",
        "kapasitas_produksi": "KAPASITAS_50000_ATAU_LEBIH",
        "uraian_usaha_lingkungan": "Pabrik"})
    result = permit._issue_now(api, issued, pernyataan_standar_usaha=True)
    revoked = next(d for d in result["documents"] if d["type"] == "PERNYATAAN_MANDIRI")
    svc.issuer.revoke(revoked["id"], "officer:test", "Uji pencabutan")
    draft = _mixed_draft(api)
    create_officer(svc.store, "petugas1", "p1@kampar.go.id", "Siti", "Petugas#2025")
    verify = result["documents"][0]["verify_url"].split("/verifikasi/", 1)[1]
    pages = {"dashboard": "/dasbor", "documents": f"/isian/{issued}/selesai",
             "daftar-kegiatan": f"/isian/{draft}/daftar_kegiatan", "review": f"/isian/{draft}/periksa",
             "detail-usaha": f"/isian/{draft}/detail_usaha", "bidang-usaha": f"/isian/{draft}/bidang_usaha",
             "produk": f"/isian/{draft}/produk", "data-pelaku-usaha": f"/isian/{draft}/data_pelaku_usaha",
             "verification": f"/verifikasi/{verify}", "home": "/", "password-change": "/akun/kata-sandi"}
    with serve_app(app) as base_url:
        yield base_url, pages, f"/petugas/permohonan/{issued}"


def _log_in(page, username, password):
    page.goto("/masuk")
    page.locator("#field-username").fill(username)
    page.locator("#field-password").fill(password)
    page.locator("main").get_by_role("button", name=re.compile("^(Masuk|Log in)$")).click()
    expect(page.locator("h1")).not_to_have_text(re.compile("Masuk|Log in"))


@pytest.mark.parametrize(("javascript", "lang"), [(True, "id"), (False, "id"), (True, "en")])
def test_no_page_scrolls_sideways_at_360_px(browser, site, javascript, lang):
    base_url, pages, officer_page = site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    widths, codes = {}, {}
    for who, username, password, paths in (("applicant", "budi0001", PASSWORD, pages),
                                           ("officer", "petugas1", "Petugas#2025", {"officer": officer_page}),
                                           ("visitor", None, None, {"login": "/masuk", "register": "/formulir/registrasi",
                                                                           "pdf-check": "/verifikasi/periksa",
                                                                           "password-recovery": "/lupa-sandi"})):
        context = browser.new_context(java_script_enabled=javascript, base_url=base_url, locale="id-ID",
                                      viewport={"width": WIDTH, "height": 740}, device_scale_factor=1)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error, seen=errors: seen.append(error))
        if username:
            _log_in(page, username, password)
        for name, path in paths.items():
            response = page.goto(f"{path}?lang={lang}")
            assert response.status == 200, (name, response.status)
            page.wait_for_load_state("load")
            widths[name] = page.evaluate("document.documentElement.scrollWidth")
            codes[name] = raw_codes(page.content(), PAGE_WORD_CODES)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}-{'js' if javascript else 'nojs'}.png"), full_page=True)
        assert errors == [], (who, errors)
        context.close()
    assert {name: width for name, width in widths.items() if width > WIDTH} == {}
    assert {name: found for name, found in codes.items() if found} == {}
