"""The structure every step page of both shipped forms keeps (issue 12 §5: a step page is rendered for less, never
with less): the form posting back to its step with the CSRF token and the list of shown questions, the browser
script's links and texts, one wrapper per question of the step's state with its label tied to its input, the
step list naming the current step, the page's language and security headers. In Indonesian and English, as
first shown and as shown again with errors."""
import json

import pytest
from flask import url_for

from . import test_permohonan as permit
from .conftest import Api
from .test_aria import Page, post_empty, untied_errors, untied_option_hints
from .test_permohonan import applicant  # noqa: F401  (fixture)

TEXTS = {"saving", "saved", "not_saved", "kept_here", "restored", "pending", "conflict", "keep_mine", "take_server",
         "question", "mine", "theirs", "empty", "yes", "no", "next_offline"}
HEADERS = ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy", "Vary")


def check_step_page(app, client, sid: str, step_key: str, locale: str, html: str | None = None) -> None:
    path = f"/isian/{sid}/{step_key}"
    if html is None:
        response = client.get(f"{path}?lang={locale}")
        assert response.status_code == 200, (path, response.status_code)
        assert response.headers["Content-Language"] == locale and response.headers["Cache-Control"] == "no-store"
        assert all(response.headers.get(name) for name in HEADERS)
        html = response.get_data(as_text=True)
    page = Page(html)
    assert f'<html lang="{locale}">' in html
    svc = app.extensions["formserver"]
    doc = svc.store.get_submission(sid)
    form = svc.submissions.form_of(doc)
    state = svc.submissions.state(doc)
    forms = [e for e in page.elements if e["tag"] == "form" and e.get("data-step") == step_key]
    assert len(forms) == 1, path
    form_element = forms[0]
    with app.test_request_context("/"):
        expected = {"action": url_for("pages.step", submission_id=sid, step_key=step_key),
                    "data-preview": url_for("api.preview_step", submission_id=sid, step_key=step_key),
                    "data-rules": url_for("client.form_rules", form_id=doc["form_id"]),
                    "data-submission": url_for("api.get_submission", submission_id=sid),
                    "data-draft": url_for("client.save_draft", submission_id=sid, step_key=step_key)}
    assert {name: form_element.get(name) for name in expected} == expected
    assert form_element["data-version"] == str(doc["version"]) and form_element["data-steps"] == ",".join(state.path)
    assert set(json.loads(form_element["data-texts"])) == TEXTS
    hidden = {e["name"]: e.get("value", "") for e in page.elements if e["tag"] == "input" and e.get("type") == "hidden"}
    assert len(hidden["csrf_token"]) > 20
    assert hidden["_shown"] == ",".join(state.visible_paths())
    wrappers = {e["data-field"]: e for e in page.elements if "data-field" in e}
    for f in form.steps_by_key[step_key].fields:
        if f.kind.silent or f.kind.container or f.each:
            continue
        assert f.key in wrappers, (path, f.key)
        assert ("hidden" in wrappers[f.key]) == (not state.visible(f.key)), (path, f.key)
    labelled = {e.get("for") for e in page.elements if e["tag"] == "label"}
    inputs = [e for e in page.elements if e["tag"] in ("input", "select", "textarea") and e.get("type") != "hidden"
              and e.get("id", "").startswith("field-")]
    legends = {e["id"] for e in page.elements if e["tag"] == "fieldset" and e.get("id")}
    assert all(e["id"] in labelled or any(a.get("id") in legends for a in e["_ancestors"]) for e in inputs), path
    described = page.described_ids()
    assert all(e["id"] in described for e in page.with_class("hint") if e.get("id", "").startswith("hint-")), path
    assert untied_errors(html) == [] and untied_option_hints(html) == []
    steps = [e for e in page.elements if e["tag"] == "li" and any("steps" in a.get("class", "") for a in e["_ancestors"])]
    assert len(steps) == len(state.path)
    assert [e.get("aria-current") for e in steps].count("step") == 1, path


@pytest.mark.parametrize("locale", ["id", "en"])
def test_every_registration_step_page_keeps_its_structure(app, client, smtp, locale):
    api = Api(client)
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    answers = [("skala", {"skala_usaha": "UMK"}),
               ("jenis_pelaku", {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI"})]
    for step_key, values in answers:
        check_step_page(app, client, sid, step_key, locale)
        check_step_page(app, client, sid, step_key, locale, post_empty(client, f"/isian/{sid}/{step_key}"))
        assert api.put_step(sid, step_key, values).status_code == 200
        check_step_page(app, client, sid, step_key, locale)
    check_step_page(app, client, sid, "kontak", locale)
    check_step_page(app, client, sid, "kontak", locale, post_empty(client, f"/isian/{sid}/kontak"))


def test_every_permit_step_page_keeps_its_structure(app, applicant):  # noqa: F811
    client = applicant.client
    sid = permit.start(applicant)
    permit.activities(applicant, sid, "47191", "10298")
    permit.ok(permit.details(applicant, sid, {"modal_usaha": 50_000_000}, {"modal_usaha": 200_000_000}))
    permit.ok(permit.products(applicant, sid, permit.ONE_PRODUCT, permit.ONE_PRODUCT))
    permit.issue(applicant, sid, 2)
    check_step_page(app, client, sid, "persetujuan_lingkungan", "id",
                    post_empty(client, f"/isian/{sid}/persetujuan_lingkungan"))
    environment = {"punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN",
                   "luas_bangunan_m2": "BANGUNAN_KURANG_2500", "kapasitas_produksi": "KAPASITAS_KURANG_1000",
                   "uraian_usaha_lingkungan": "Produksi rumahan"}
    permit.ok(applicant.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [{}, environment]}))
    steps = ["data_pelaku_usaha", "bidang_usaha", "detail_usaha", "produk", "ringkasan_usaha", "daftar_kegiatan",
             "persetujuan_lingkungan", "pernyataan_mandiri"]
    for locale in ("id", "en"):
        for step_key in steps:
            check_step_page(app, client, sid, step_key, locale)
