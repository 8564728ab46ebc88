"""The endpoints the browser's rules and drafts use: rules with reference data (ETag, 304)."""


def test_a_forms_rules_come_with_the_operators_reference_data_and_revalidate_with_304(client):
    first = client.get("/api/v1/forms/permohonan/rules")
    assert first.status_code == 200
    body = first.get_json()
    assert body["id"] == "permohonan" and body["definition"]["steps"]
    assert [name for name, _ in body["reference"]["scale"]] == ["MIKRO", "KECIL", "MENENGAH", "BESAR"]
    assert "UMUM" in body["reference"]["environment"]["sets"]
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
