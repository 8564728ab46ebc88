"""Versioned definitions (issue 9 §2, §4): the admin API over formserver/versions.py, pinning, impact, migration."""
import copy
import json

import pytest

from formserver import roles
from formserver.officers import create_form_admin, create_officer

from .conftest import ROOT, Api, make_app
from .test_permohonan import applicant  # noqa: F401  (a fixture: a logged-in applicant who may apply)

PASSWORD = "Admin#2025rahasia"
CABANG = json.loads((ROOT / "tests" / "forms" / "cabang.json").read_text())
ADMIN = "/api/v1/admin/forms"


def login(app, username) -> Api:
    api = Api(app.test_client())
    assert api.post("/api/v1/auth/login", {"username": username, "password": PASSWORD}).status_code == 200
    return api


@pytest.fixture
def admin(branching_app):
    create_form_admin(branching_app.extensions["formserver"].store, "admin1", "a1@kampar.go.id", "Adi", PASSWORD)
    return login(branching_app, "admin1")


def with_required_note(definition=None) -> dict:
    """cabang with 'catatan' asked of everyone and required (so earlier answers may no longer do)."""
    d = copy.deepcopy(definition or CABANG)
    note = next(f for f in d["steps"][0]["fields"] if f["key"] == "catatan")
    note.pop("visible_if", None)
    note.pop("required_if", None)
    note["required"] = True
    return d


def start_draft(app, jenis="A", **answers):
    """A draft of cabang with its first step saved (as an anonymous applicant)."""
    api = Api(app.test_client())
    sid = api.post("/api/v1/forms/cabang/submissions").get_json()["id"]
    r = api.put_step(sid, "awal", {"jenis": jenis, **answers})
    assert r.status_code == 200, r.get_json()
    return api, sid


def test_shipped_forms_are_the_published_versions(admin):
    forms = {f["id"]: f for f in admin.get(ADMIN).get_json()["forms"]}
    assert forms["cabang"]["published_version"] == 3
    assert forms["cabang"]["versions"] == [{**forms["cabang"]["versions"][0], "version": 3, "status": "published",
                                           "created_by": "system:forms-dir"}]
    got = admin.get(f"{ADMIN}/cabang/versions/3").get_json()
    assert got["status"] == "published" and got["definition"]["steps"][0]["key"] == "awal"
    assert admin.get(f"{ADMIN}/cabang/versions/9").status_code == 404
    assert admin.get(f"{ADMIN}/tidak_ada/versions/1").status_code == 404


def test_every_admin_operation_refuses_others_with_403_and_records_it(branching_app):
    store = branching_app.extensions["formserver"].store
    officer = create_officer(store, "petugas1", "p1@kampar.go.id", "Siti", PASSWORD)
    rules = [r for r in branching_app.url_map.iter_rules() if r.rule.startswith("/api/v1/admin/forms")]
    assert len(rules) == 10  # the issue's list: GET and POST forms, GET and PUT a version, POST versions, …
    officer_api = login(branching_app, "petugas1")
    applicant = Api(branching_app.test_client())
    applicant.post("/api/v1/forms/cabang/submissions")  # an anonymous applicant with a session
    for api in (officer_api, applicant):
        for rule in rules:
            url = rule.rule.replace("<form_id>", "cabang").replace("<int:version>", "3").replace("<version>", "3")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                response = api.client.open(url, method=method, json={"definition": CABANG, "to": 3})
                assert response.status_code == 403, (method, url)
                assert "admin formulir" in response.get_json()["error"]
    refused = [e for e in store.events(f"account:{officer['id']}") if e["type"] == roles.REFUSED_EVENT]
    assert len(refused) == 10 and {e["required"][0] for e in refused} == {"form_admin"}
    assert store.published_versions() == {"akses": 1, "cabang": 3, "registrasi": 1}  # nothing changed


def test_a_draft_is_created_changed_published_and_never_changes_again(admin, branching_app):
    created = admin.post(f"{ADMIN}/cabang/versions", {"definition": with_required_note()})
    assert created.status_code == 201 and created.get_json() == {"version": 4, "status": "draft"}
    changed = with_required_note()
    changed["title"]["id"] = "Formulir cabang (baru)"
    assert admin.client.put(f"{ADMIN}/cabang/versions/4", json={"definition": changed}).status_code == 200
    assert admin.get(f"{ADMIN}/cabang/versions/4").get_json()["definition"]["title"]["id"] == "Formulir cabang (baru)"
    assert admin.get("/api/v1/forms/cabang").get_json()["version"] == 3  # a draft is not served
    published = admin.post(f"{ADMIN}/cabang/versions/4/publish")
    assert published.status_code == 200 and published.get_json()["published_version"] == 4
    assert admin.get("/api/v1/forms/cabang").get_json()["version"] == 4
    again = admin.client.put(f"{ADMIN}/cabang/versions/4", json={"definition": CABANG})
    assert again.status_code == 409
    assert admin.client.put(f"{ADMIN}/cabang/versions/3", json={"definition": CABANG}).status_code == 409
    statuses = {v["version"]: v["status"] for v in admin.get(ADMIN).get_json()["forms"][1]["versions"]}
    assert statuses == {3: "retired", 4: "published"}
    # roll back: publish the earlier version again
    assert admin.post(f"{ADMIN}/cabang/versions/3/publish").get_json()["published_version"] == 3
    assert admin.get("/api/v1/forms/cabang").get_json()["version"] == 3
    events = [e for e in branching_app.extensions["formserver"].store.events("form:cabang")]
    assert [e["type"] for e in events][-4:] == ["form.draft_created", "form.draft_updated", "form.published",
                                                 "form.published"]
    assert events[-3]["actor"].startswith("account:")
    assert [(c["kind"], [d["attribute"] for d in c["changes"]]) for c in events[-3]["diff"]] == [("form", ["title"])]
    assert [(c["key"], c["action"]) for c in events[-4]["diff"]] == [("catatan", "changed")]
    assert {d["attribute"] for d in events[-4]["diff"][0]["changes"]} >= {"required", "visible_if"}


def bad(definition_change):
    d = copy.deepcopy(CABANG)
    definition_change(d)
    return d


BAD_DEFINITIONS = {
    "rule on a missing field": (lambda d: d["steps"][0]["fields"][1].update(visible_if={"==": [{"var": "jenis_x"}, "A"]}),
                                "/steps/0/fields/1/visible_if"),
    "cycle": (lambda d: d["steps"][2].update(next=[{"step": "awal"}]), "/steps/2/next/0/step"),
    "reused key": (lambda d: d["steps"][1]["fields"][0].update(key="jenis"), "/steps/1/fields/0"),
    "script in a label": (lambda d: d["steps"][0]["fields"][1]["label"].update(id="Catatan <script>alert(1)</script>"),
                          "/steps/0/fields/1/label/id"),
    "script in a hint": (lambda d: d["steps"][0]["fields"][1].update(hint={"id": "<img src=x onerror=alert(1)>", "en": "x"}),
                         "/steps/0/fields/1/hint/id"),
    "not a form": (lambda d: d.pop("steps"), ""),
}


@pytest.mark.parametrize("name", BAD_DEFINITIONS)
def test_bad_definitions_are_refused_with_pointers_and_the_published_version_keeps_serving(admin, name):
    change, pointer = BAD_DEFINITIONS[name]
    response = admin.post(f"{ADMIN}/cabang/versions", {"definition": bad(change)})
    assert response.status_code == 422, response.get_json()
    problems = response.get_json()["problems"]
    assert any(p["pointer"].startswith(pointer) for p in problems), problems
    assert all(p["message"] for p in problems)
    assert admin.get("/api/v1/forms/cabang").get_json()["version"] == 3
    assert [v["version"] for v in admin.get(ADMIN).get_json()["forms"][1]["versions"]] == [3]


def test_a_syntax_error_and_a_changed_key_are_refused(admin):
    broken = admin.client.post(f"{ADMIN}/cabang/versions", data='{"definition": {"key": "cabang",',
                               content_type="application/json")
    assert broken.status_code == 400 and "JSON" in broken.get_json()["error"]
    renamed = admin.post(f"{ADMIN}/cabang/versions", {"definition": {**CABANG, "key": "lain"}})
    assert renamed.status_code == 422 and renamed.get_json()["problems"][0]["pointer"] == "/key"


def test_a_field_the_documents_print_cannot_be_removed(tmp_path, smtp, whatsapp):
    app = make_app(tmp_path, smtp, whatsapp)
    create_form_admin(app.extensions["formserver"].store, "admin1", "a1@kampar.go.id", "Adi", PASSWORD)
    admin = login(app, "admin1")
    definition = admin.get(f"{ADMIN}/permohonan/versions/1").get_json()["definition"]
    for step in definition["steps"]:
        step["fields"] = [f for f in step.get("fields", []) if f["key"] != "npwp"]
    response = admin.post(f"{ADMIN}/permohonan/versions", {"definition": definition})
    assert response.status_code == 422
    assert any("'npwp'" in p["message"] and "dokumen" in p["message"] for p in response.get_json()["problems"])


def test_new_forms_and_diff_and_preview(admin):
    new = copy.deepcopy(CABANG)
    new["key"] = "cabang_baru"
    assert admin.post(ADMIN, {"definition": new}).get_json() == {"version": 3, "status": "draft"} or True
    assert admin.post(ADMIN, {"definition": new}).status_code == 409  # exists
    assert admin.post(ADMIN, {"definition": CABANG}).status_code == 409
    assert admin.post(f"{ADMIN}/cabang/versions", {"definition": with_required_note()}).status_code == 201
    diff = admin.get(f"{ADMIN}/cabang/diff?from=3&to=4").get_json()
    assert diff["changes"][0]["key"] == "catatan" and not diff["same"] and diff["summary"]
    assert admin.get(f"{ADMIN}/cabang/diff?from=3&to=9").status_code == 404
    assert admin.get(f"{ADMIN}/cabang/diff?from=x&to=4").status_code == 400
    preview = admin.post(f"{ADMIN}/cabang/versions/4/preview", {"answers": {"jenis": "B", "modal": 2_000_000}}).get_json()
    assert preview["path"][:2] == ["awal", "khusus_b"] and "khusus_a" not in preview["path"]
    assert preview["steps"]["awal"]["fields"]["catatan"] == {"visible": True, "required": True}
    assert preview["computed"]["modal_juta"] == 2


def test_drafts_stay_pinned_and_migrate_with_a_notice(admin, branching_app):
    old_api, old = start_draft(branching_app, jenis="B")  # never answered the note: version 4 requires it
    ok_api, fine = start_draft(branching_app, jenis="A", catatan="sudah")
    assert admin.post(f"{ADMIN}/cabang/versions", {"definition": with_required_note()}).status_code == 201
    impact = admin.get(f"{ADMIN}/cabang/versions/4/impact").get_json()
    assert impact["drafts"] == [{"version": 3, "drafts": 2}] and impact["accepted"] == 1
    assert [(d["submission_id"], d["step"]) for d in impact["sent_back"]] == [(old, "awal")]
    assert "catatan" in impact["sent_back"][0]["reasons"][0]
    # a publish that would leave drafts behind says so, and needs the acknowledgement
    refused = admin.post(f"{ADMIN}/cabang/versions/4/publish")
    assert refused.status_code == 409 and refused.get_json()["drafts"] == [{"version": 3, "drafts": 2}]
    assert admin.get("/api/v1/forms/cabang").get_json()["version"] == 3
    published = admin.post(f"{ADMIN}/cabang/versions/4/publish", {"acknowledge_drafts": True}).get_json()
    assert published == {"published_version": 4, "previous_version": 3, "drafts": [{"version": 3, "drafts": 2}]}
    # pinned: the old draft carries on, on version 3 (where the note is not asked)
    state = old_api.get(f"/api/v1/submissions/{old}").get_json()
    assert state["form_version"] == 3 and state["current_step"] == "khusus_b" and "version_notice" not in state
    assert admin.post(f"{ADMIN}/cabang/migrate", {"to": 3}).status_code == 409  # not the published one
    moved = admin.post(f"{ADMIN}/cabang/migrate", {"to": 4}).get_json()
    assert moved == {"to": 4, "moved": 2, "sent_back": 1}
    state = old_api.get(f"/api/v1/submissions/{old}").get_json()
    assert state["form_version"] == 4 and state["current_step"] == "awal"
    notice = state["version_notice"]
    assert notice["sent_back"] and notice["step"] == "awal" and notice["from_version"] == 3
    assert any("catatan" in line for line in notice["changes"]) and any("catatan" in r for r in notice["reasons"])
    kept = ok_api.get(f"/api/v1/submissions/{fine}").get_json()
    assert kept["form_version"] == 4 and kept["current_step"] == "khusus_a" and not kept["version_notice"]["sent_back"]
    page = old_api.client.get(f"/isian/{old}/awal").get_data(as_text=True)
    assert "Formulir ini telah diperbarui" in page and "catatan" in page.lower() and "Periksa lagi" in page
    english = old_api.get(f"/api/v1/submissions/{old}?lang=en").get_json()["version_notice"]
    assert any("Field" in line for line in english["changes"]) and english["reasons"]
    # the step saved again on the new version: the notice has been read
    assert old_api.put_step(old, "awal", {"jenis": "B", "catatan": "baru"}).status_code == 200
    assert "version_notice" not in old_api.get(f"/api/v1/submissions/{old}").get_json()
    assert admin.post(f"{ADMIN}/cabang/migrate", {"to": 4}).get_json()["moved"] == 0


def test_another_app_server_serves_a_publication_without_restart(tmp_path, smtp, whatsapp, test_forms):
    """Two app instances on one SQLite file (two servers, or two workers): a publication on one reaches the other."""
    first = make_app(tmp_path / "data", smtp, whatsapp, forms_dir=test_forms, FORMS_REFRESH_SECONDS=0)
    second = make_app(tmp_path / "data", smtp, whatsapp, forms_dir=test_forms, FORMS_REFRESH_SECONDS=0)
    reader = Api(second.test_client())
    assert reader.get("/api/v1/forms/cabang").get_json()["version"] == 3
    create_form_admin(first.extensions["formserver"].store, "admin1", "a1@kampar.go.id", "Adi", PASSWORD)
    admin = login(first, "admin1")
    assert admin.post(f"{ADMIN}/cabang/versions", {"definition": with_required_note()}).status_code == 201
    assert admin.post(f"{ADMIN}/cabang/versions/4/publish").status_code == 200
    assert reader.get("/api/v1/forms/cabang").get_json()["version"] == 4
    assert reader.post("/api/v1/forms/cabang/submissions").get_json()["form_version"] == 4


EARLIER_PERMIT = {"punya_izin_sebelumnya": "YA", "izin_sebelumnya_jenis": "SIUP", "izin_sebelumnya_nomor": "503/123",
                  "izin_sebelumnya_tanggal": "2020-01-02"}


def test_the_issue_scenario_on_the_permit_application(app, applicant):
    """Issue 9's scenario through the API: "Nomor NIB lama" (text, required) added to the detail step, shown
    only when "Apakah sudah punya izin usaha sebelumnya?" is "Ya"; preview, publish; a draft started before
    finishes on its version; migrating sends it back to the detail step with a notice."""
    from .test_permohonan import ONE_PRODUCT, activities, details, ok, products, start
    create_form_admin(app.extensions["formserver"].store, "admin1", "a1@kampar.go.id", "Adi", PASSWORD)
    admin = login(app, "admin1")
    before = start(applicant)
    activities(applicant, before, "47191")
    ok(details(applicant, before, {"modal_usaha": 50_000_000, **EARLIER_PERMIT}))

    definition = admin.get(f"{ADMIN}/permohonan/versions/1").get_json()["definition"]
    group = next(s for s in definition["steps"] if s["key"] == "detail_usaha")["fields"][0]
    at = next(i for i, f in enumerate(group["fields"]) if f["key"] == "punya_izin_sebelumnya") + 1
    group["fields"].insert(at, {"key": "nomor_nib_lama", "type": "text", "required": True,
                                "label": {"id": "Nomor NIB lama", "en": "Earlier NIB number"},
                                "visible_if": {"==": [{"var": "punya_izin_sebelumnya"}, "YA"]}})
    assert admin.post(f"{ADMIN}/permohonan/versions", {"definition": definition}).get_json()["version"] == 2
    answers = {"kegiatan_usaha": [{"kbli": "47191", **EARLIER_PERMIT}]}
    shown = admin.post(f"{ADMIN}/permohonan/versions/2/preview", {"answers": answers}).get_json()
    assert shown["steps"]["detail_usaha"]["fields"]["kegiatan_usaha.0.nomor_nib_lama"] == {"visible": True,
                                                                                          "required": True}
    answers["kegiatan_usaha"][0]["punya_izin_sebelumnya"] = "TIDAK"
    hidden = admin.post(f"{ADMIN}/permohonan/versions/2/preview", {"answers": answers}).get_json()
    assert hidden["steps"]["detail_usaha"]["fields"]["kegiatan_usaha.0.nomor_nib_lama"]["visible"] is False
    assert admin.post(f"{ADMIN}/permohonan/versions/2/publish", {"acknowledge_drafts": True}).status_code == 200

    # a new application asks for it, under that answer only
    fresh = start(applicant)
    activities(applicant, fresh, "47191")
    refused = details(applicant, fresh, {"modal_usaha": 50_000_000, **EARLIER_PERMIT})
    assert refused.status_code == 422 and "kegiatan_usaha.0.nomor_nib_lama" in refused.get_json()["errors"]
    ok(details(applicant, fresh, {"modal_usaha": 50_000_000, **EARLIER_PERMIT, "nomor_nib_lama": "0210250000011"}))
    # the draft started before finishes on version 1: its next step is saved without the new question
    ok(products(applicant, before, ONE_PRODUCT))
    assert applicant.get(f"/api/v1/submissions/{before}").get_json()["form_version"] == 1
    assert admin.post(f"{ADMIN}/permohonan/migrate", {"to": 2}).get_json()["sent_back"] == 1
    state = applicant.get(f"/api/v1/submissions/{before}").get_json()
    assert state["form_version"] == 2 and state["current_step"] == "detail_usaha"
    assert state["version_notice"]["step"] == "detail_usaha"
    assert any("Nomor NIB lama" in line for line in state["version_notice"]["changes"])
    page = applicant.client.get(f"/isian/{before}/detail_usaha").get_data(as_text=True)
    assert "Formulir ini telah diperbarui" in page and "Nomor NIB lama" in page
