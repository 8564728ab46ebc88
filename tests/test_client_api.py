"""The endpoints the browser uses: rules with reference data (ETag, 304) and drafts (autosave, conflicts)."""
from .test_permohonan import applicant  # noqa: F401 (a fixture)


def test_a_forms_rules_come_with_the_operators_reference_data_and_revalidate_with_304(client):
    first = client.get("/api/v1/forms/permohonan/rules")
    assert first.status_code == 200
    body = first.get_json()
    assert body["id"] == "permohonan" and body["definition"]["steps"]
    assert [name for name, _ in body["reference"]["scale"]] == ["MIKRO", "KECIL", "MENENGAH", "BESAR"]
    kinds = [kind["kode"] for kind in body["reference"]["environment"]["kinds"]]
    assert kinds == ["USAHA_DI_BANGUNAN", "INDUSTRI_PENGOLAHAN"] and body["reference"]["bupm"] == {}
    assert first.headers["ETag"] and "no-cache" in first.headers["Cache-Control"]
    again = client.get("/api/v1/forms/permohonan/rules", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/api/v1/forms/nope/rules").status_code == 404


def test_a_kbli_codes_rule_data_is_cacheable_and_an_unknown_code_has_none(client):
    known = client.get("/api/v1/reference/kbli/47191/rules")
    assert known.status_code == 200
    entry = known.get_json()["entry"]
    assert entry["judul"] and set(entry["risiko"]) <= {"MIKRO", "KECIL", "MENENGAH", "BESAR"}
    assert "max-age=600" in known.headers["Cache-Control"] and known.headers["ETag"]
    assert client.get("/api/v1/reference/kbli/47191/rules",
                      headers={"If-None-Match": known.headers["ETag"]}).status_code == 304
    assert client.get("/api/v1/reference/kbli/99999/rules").get_json() == {"kode": "99999", "entry": None}


def _draft(api, sid, step, values, version=None):
    return api.client.put(f"/api/v1/submissions/{sid}/steps/{step}/draft", json={"values": values, "version": version})


def test_a_draft_keeps_the_visible_answers_without_completing_the_step(applicant):
    sid = applicant.post("/api/v1/forms/permohonan/submissions").get_json()["id"]
    before = applicant.client.get(f"/api/v1/submissions/{sid}")
    version = before.get_json()["version"]
    assert before.headers["ETag"] == f'"{version}"'
    # nomor_paspor is asked of foreign applicants only: this account is Indonesian, so it is never stored
    saved = _draft(applicant, sid, "data_pelaku_usaha", {"email": "usaha@example.test", "nomor_paspor": "X123",
                                                         "npwp": "bukan npwp"}, version)
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert body["version"] == version + 1 and "email" in body["kept"] and "nomor_paspor" not in body["kept"]
    assert "npwp" in body["not_kept"]
    doc = applicant.client.get(f"/api/v1/submissions/{sid}").get_json()
    assert doc["data"]["email"] == "usaha@example.test" and "nomor_paspor" not in doc["data"]
    assert doc["current_step"] == "data_pelaku_usaha"
    assert [s["status"] for s in doc["steps"] if s["key"] == "data_pelaku_usaha"] != ["done"]


def test_a_draft_from_an_older_version_is_a_conflict_that_shows_the_stored_answers(applicant):
    sid = applicant.post("/api/v1/forms/permohonan/submissions").get_json()["id"]
    version = applicant.client.get(f"/api/v1/submissions/{sid}").get_json()["version"]
    assert _draft(applicant, sid, "data_pelaku_usaha", {"email": "tab1@example.test"}, version).status_code == 200
    stale = _draft(applicant, sid, "data_pelaku_usaha", {"email": "tab2@example.test"}, version)
    assert stale.status_code == 409
    assert stale.get_json()["version"] == version + 1
    assert stale.get_json()["values"]["email"] == "tab1@example.test"
    doc = applicant.client.get(f"/api/v1/submissions/{sid}").get_json()
    assert doc["data"]["email"] == "tab1@example.test"  # never overwritten silently
    # If-Match wins over the body, as for a step
    again = applicant.client.put(f"/api/v1/submissions/{sid}/steps/data_pelaku_usaha/draft",
                                 json={"values": {"email": "tab2@example.test"}}, headers={"If-Match": f'"{version + 1}"'})
    assert again.status_code == 200


def test_a_done_step_changed_by_a_draft_is_open_again_until_saved(applicant):
    from .test_permohonan import start
    sid = start(applicant)
    doc = applicant.client.get(f"/api/v1/submissions/{sid}").get_json()
    assert doc["current_step"] != "data_pelaku_usaha"
    assert _draft(applicant, sid, "data_pelaku_usaha", {"npwp": "01.234.567.8-901.000",
                                                        "email": "baru@example.test"}).status_code == 200
    doc = applicant.client.get(f"/api/v1/submissions/{sid}").get_json()
    assert doc["current_step"] == "data_pelaku_usaha"
    # unchanged answers leave it done
    assert applicant.put_step(sid, "data_pelaku_usaha", {"npwp": "01.234.567.8-901.000",
                                                         "email": "baru@example.test"}).status_code == 200
    assert _draft(applicant, sid, "data_pelaku_usaha", {"npwp": "01.234.567.8-901.000",
                                                        "email": "baru@example.test"}).status_code == 200
    assert applicant.client.get(f"/api/v1/submissions/{sid}").get_json()["current_step"] != "data_pelaku_usaha"


def test_a_drafts_version_must_be_a_whole_number(applicant):
    """Found by schemathesis: a fractional version was read as 0 and, with If-Match: *, the draft was saved."""
    sid = applicant.post("/api/v1/forms/permohonan/submissions").get_json()["id"]
    refused = applicant.client.put(f"/api/v1/submissions/{sid}/steps/data_pelaku_usaha/draft",
                                   json={"values": {}, "version": 2.5e-42}, headers={"If-Match": "*"})
    assert refused.status_code == 422 and "version" in refused.get_json()["errors"]
