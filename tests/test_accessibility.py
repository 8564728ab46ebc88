"""WCAG 2.1 AA in a real Chromium: axe-core (the npm package, `npm ci`) on every page of the applicant flows,
log-in, password recovery, documents, verification and the officer and admin pages, with their error states.

axe is injected from node_modules/axe-core/axe.min.js (the installed package, not a copy in the repository).
Zero violations of impact "serious" or "critical" are allowed. Without node_modules/axe-core the module is
skipped on a workstation and fails under CI (which runs `npm ci`).
"""
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from formserver.officers import create_officer

from . import test_permohonan as permit
from .browser_support import serve_app, skip_without_chromium
from .conftest import PASSWORD, PERSON, ROOT, code_from, make_app

skip_without_chromium()

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
if not AXE.exists() and not os.environ.get("CI"):
    pytest.skip(f"{AXE.relative_to(ROOT)} is missing (npm ci); set CI to make this a failure", allow_module_level=True)

TIMEOUT_MS = 8_000
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
OFFICER = ("petugas1", "Petugas#2025")

REGISTRATION = {
    "skala": {"skala_usaha": "UMK"},
    "jenis_pelaku": {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI"},
    "kontak": {"nomor_telepon": "081276460487", "email": "axe@example.test", "kirim_kode_via": "EMAIL",
               "setuju_pernyataan": True},
    "akun": {"nama_lengkap": "Budi Santoso", "password": PASSWORD, "password_konfirmasi": PASSWORD},
    "data_pelaku": {**PERSON, "nik": "1401011708900002"},
    "selesai": {},
}
PERMIT = {
    "data_pelaku_usaha": {"npwp": "01.234.567.8-901.000", "email": "usaha@example.test"},
    "bidang_usaha": {"kegiatan_usaha": [{"jenis_kegiatan": "UTAMA", "kbli": "47191", "ruang_lingkup": "Usaha kecil"}]},
    "detail_usaha": {"kegiatan_usaha": [{**permit.LOCATION, "modal_usaha": 50_000_000}]},
    "produk": {"kegiatan_usaha": [{"produk": permit.ONE_PRODUCT}]},
    "ringkasan_usaha": {},
    "daftar_kegiatan": {"kegiatan_usaha": [{"dipilih": True}]},
    "pernyataan_mandiri": {"pernyataan_k3l": True, "pernyataan_sppl": True},
    "draf_perizinan": {"setuju_terbitkan": True},
}


@pytest.fixture(scope="module")
def site(tmp_path_factory, smtp, whatsapp):
    app = make_app(tmp_path_factory.mktemp("axe"), smtp, whatsapp)
    store = app.extensions["formserver"].store
    permit.insert_applicant(app)
    create_officer(store, OFFICER[0], "p1@kampar.go.id", "Siti", OFFICER[1])
    with serve_app(app) as base_url:
        yield app, base_url


@pytest.fixture(scope="module")
def audit():
    """Collects every page's serious and critical violations; the module's last test asserts there are none."""
    return {}


def new_context(browser, base_url, javascript=True):
    # the pages' CSP allows only their own scripts: axe is added by the test, so the test context bypasses it
    context = browser.new_context(base_url=base_url, locale="id-ID", java_script_enabled=javascript, bypass_csp=True,
                                  viewport={"width": 1000, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    return context


def check(page, audit, name):
    """axe-core on the page as it is now; its serious and critical WCAG 2.1 A/AA violations go into ``audit``."""
    assert AXE.exists(), f"{AXE} is missing: run npm ci"
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                           WCAG_AA)
    found = [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["html"][:120] for n in v["nodes"][:3])
             for v in result["violations"] if v["impact"] in BLOCKING]
    found += [f"error not tied to its input by aria-describedby: {e}" for e in page.evaluate(UNTIED_ERRORS)]
    audit[f"{name} {page.url}"] = found


# every error message on the page as the browser has it (after the page's script ran), named by the
# aria-describedby of an input, select, textarea or group (fieldset) that holds it
UNTIED_ERRORS = r"""() => {
  const tied = new Set();
  document.querySelectorAll("input[aria-describedby], select[aria-describedby], textarea[aria-describedby], fieldset[aria-describedby]")
    .forEach((el) => el.getAttribute("aria-describedby").split(/\s+/).forEach((id) => tied.add(id)));
  return Array.from(document.querySelectorAll(".error-message, [id^='error-']"))
    .filter((el) => !el.closest("[hidden], .error-summary") && !(el.id && tied.has(el.id)))
    .map((el) => (el.id || "(no id)") + ": " + el.textContent.trim().slice(0, 60));
}"""


def test_the_error_check_finds_an_error_without_its_input(browser, site):
    """The check above is no formality: an error whose input does not name it is reported."""
    _, base_url = site
    context = new_context(browser, base_url)
    page = context.new_page()
    page.goto("/masuk")
    submit_empty(page)
    errors = page.evaluate(UNTIED_ERRORS)
    assert errors == []
    assert page.locator(".error-message").count() >= 1  # log-in's errors are there, each tied to its input
    page.evaluate("document.querySelectorAll('[aria-describedby]').forEach((el) => el.removeAttribute('aria-describedby'))")
    assert len(page.evaluate(UNTIED_ERRORS)) == page.locator(".error-message").count()
    context.close()


def submit_empty(page):
    """Send the page's main form as it is, to see its error state (the button a keyboard user would press)."""
    buttons = page.locator("main form button[type=submit]:not([name]):visible")
    (buttons if buttons.count() else page.locator("main form button[type=submit]:visible")).first.click()
    page.wait_for_load_state("load")


def walk(page, audit, api, submission_id, answers, flow, smtp=None):
    """Open each step on the submission's path (resume link), check it empty and with errors, answer it by the API."""
    seen = []
    for _ in range(len(answers) + 4):
        page.goto(f"/isian/{submission_id}")
        match = re.search(r"/isian/[^/]+/([a-z_]+)$", page.url.split("?")[0])
        if not match or match[1] in ("periksa", "selesai") and match[1] not in answers:
            break
        step = match[1]
        if step in seen:
            raise AssertionError(f"{flow}: step {step} did not move on")
        seen.append(step)
        check(page, audit, f"{flow} {step}")
        if answers.get(step):
            submit_empty(page)
            check(page, audit, f"{flow} {step} with errors")
        values = answers.get(step, {})
        if step == "verifikasi":
            values = {"kode_verifikasi": code_from(smtp.messages[-1])}
        before = len(smtp.messages) if smtp else 0
        response = api.put(f"/api/v1/submissions/{submission_id}/steps/{step}", data={"values": values})
        assert response.status == 200, (flow, step, response.text())
        if smtp and step == "kontak":
            smtp.wait_for(before + 1)
    return seen


def test_registration_pages(browser, site, smtp, audit):
    app, base_url = site
    context = new_context(browser, base_url)
    page = context.new_page()
    for path in ("/", "/daftar", "/formulir/registrasi"):
        page.goto(path)
        check(page, audit, "registration start")
    created = context.request.post("/api/v1/forms/registrasi/submissions", data={})
    assert created.status == 201
    sid = created.json()["id"]
    steps = walk(page, audit, context.request, sid, REGISTRATION, "registration", smtp)
    assert steps[:6] == ["skala", "jenis_pelaku", "kontak", "verifikasi", "akun", "data_pelaku"]
    page.goto(f"/isian/{sid}/selesai")
    check(page, audit, "registration done")
    context.close()


def test_permit_documents_and_verification_pages(browser, site, audit):
    app, base_url = site
    context = new_context(browser, base_url)
    page = context.new_page()
    assert context.request.post("/api/v1/auth/login", data={"username": "budi0001", "password": PASSWORD}).status == 200
    page.goto("/dasbor")
    check(page, audit, "dashboard")
    page.goto("/formulir/permohonan")
    check(page, audit, "permit start")
    sid = context.request.post("/api/v1/forms/permohonan/submissions", data={}).json()["id"]
    steps = walk(page, audit, context.request, sid, PERMIT, "permit")
    assert steps[0] == "data_pelaku_usaha" and "pernyataan_mandiri" in steps, steps
    page.goto(f"/isian/{sid}/periksa")
    check(page, audit, "permit review")
    response = context.request.put(f"/api/v1/submissions/{sid}/steps/draf_perizinan", data={"values": PERMIT["draf_perizinan"]})
    assert response.status == 200, response.text()
    result = context.request.post(f"/api/v1/submissions/{sid}/submit", data={})
    assert result.status == 200, result.text()
    page.goto(f"/isian/{sid}/selesai")
    check(page, audit, "documents")
    code = result.json()["documents"][0]["verify_url"].split("/verifikasi/", 1)[1]
    page.goto("/akun/kata-sandi")
    check(page, audit, "password change")
    submit_empty(page)
    check(page, audit, "password change with errors")
    visitor = new_context(browser, base_url)
    public = visitor.new_page()
    public.goto(f"/verifikasi/{code}")
    check(public, audit, "verification")
    public.goto("/verifikasi/periksa")
    check(public, audit, "verification of a PDF")
    officer = new_context(browser, base_url)
    assert officer.request.post("/api/v1/auth/login", data={"username": OFFICER[0], "password": OFFICER[1]}).status == 200
    officer_page = officer.new_page()
    officer_page.goto(f"/petugas/permohonan/{sid}")
    check(officer_page, audit, "officer: an application")
    for ctx in (context, visitor, officer):
        ctx.close()


def test_log_in_and_password_recovery_pages(browser, site, audit):
    app, base_url = site
    context = new_context(browser, base_url)
    page = context.new_page()
    page.goto("/masuk")
    check(page, audit, "log-in")
    submit_empty(page)
    check(page, audit, "log-in with errors")
    page.goto("/lupa-sandi")
    check(page, audit, "password recovery")
    submit_empty(page)
    check(page, audit, "password recovery with errors")
    page.goto("/lupa-sandi/kode")
    check(page, audit, "password recovery code")
    context.close()


def simple_pages(app) -> list[str]:
    """Every HTML page without a parameter in its URL (officer and admin lists and forms as they exist)."""
    skip = ("static", "pages.captcha_image")
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.arguments and rule.endpoint not in skip
                   and not rule.rule.startswith(("/api/", "/schema/", "/healthz", "/readyz"))})


def test_every_simple_page_as_visitor_and_officer(browser, site, audit):
    app, base_url = site
    for who, login in (("visitor", None), ("officer", OFFICER)):
        context = new_context(browser, base_url)
        if login:
            assert context.request.post("/api/v1/auth/login", data={"username": login[0], "password": login[1]}).status == 200
        page = context.new_page()
        seen = set()
        for path in simple_pages(app):
            response = page.goto(path)
            if response is None or "text/html" not in (response.headers.get("content-type") or ""):
                continue
            # a page reached again (a redirect to the log-in, the one refusal page of every 403) is checked once
            shown = (response.status, urlsplit(page.url).path if response.ok else "")
            if shown not in seen:
                seen.add(shown)
                check(page, audit, f"{who} {path}")
        context.close()


def test_no_serious_or_critical_violations(audit):
    assert len(audit) >= 30, sorted(audit)  # every page above was looked at
    assert {page: found for page, found in audit.items() if found} == {}
