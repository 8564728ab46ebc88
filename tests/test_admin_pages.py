"""The form editor's pages without JavaScript: 403 for everyone but form admins, editing, problems, preview, publish."""
import re

import pytest
from werkzeug.datastructures import MultiDict

from formserver import roles
from formserver.officers import create_form_admin, create_officer

from .conftest import Api

PASSWORD = "Admin#2025rahasia"
DETAIL = "detail_usaha"


def _login(app, username):
    api = Api(app.test_client())
    assert api.post("/api/v1/auth/login", {"username": username, "password": PASSWORD}).status_code == 200
    return api.client


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def admin_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    store = app.extensions["formserver"].store
    create_form_admin(store, "admin1", "a1@kampar.go.id", "Adi", PASSWORD)
    app.config["TEST_OFFICER"] = create_officer(store, "petugas1", "p1@kampar.go.id", "Siti", PASSWORD)["id"]
    return app


@pytest.fixture
def admin(admin_app):
    return _login(admin_app, "admin1")


def _versions(app):
    return app.extensions["formserver"].versions


def _new_draft(app, admin, form_id="permohonan") -> int:
    published = _versions(app).published_number(form_id)
    page = admin.get(f"/admin/formulir/{form_id}").get_data(as_text=True)
    r = admin.post(f"/admin/formulir/{form_id}/draf", data={"csrf_token": _token(page), "dari": published})
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def _post(admin, url, data):
    page = admin.get(url).get_data(as_text=True)
    return admin.post(url, data={"csrf_token": _token(page), **data})


def _field_form(page: str) -> list[tuple[str, str]]:
    """The posted pairs of the field page's form as a browser without JavaScript sends them (untouched)."""
    form = page[page.index("<form method=\"post\" novalidate data-editor>"):]
    form = form[:form.index("</form>")]
    pairs = []
    for tag in re.findall(r"<(input|textarea|select)\b([^>]*)>(.*?)(?=<(?:input|textarea|select|/select|/textarea)\b|$)", form, re.S):
        kind, attrs, rest = tag
        name = re.search(r'name="([^"]+)"', attrs)
        if not name:
            continue
        name = name.group(1)
        if kind == "input":
            input_type = (re.search(r'type="([^"]+)"', attrs) or [None, "text"])[1]
            if input_type in ("checkbox", "radio") and " checked" not in attrs:
                continue
            value = re.search(r'value="([^"]*)"', attrs)
            pairs.append((name, _unescape(value.group(1)) if value else "on"))
        elif kind == "textarea":
            pairs.append((name, _unescape(rest)))
        else:
            options = re.findall(r'<option value="([^"]*)"([^>]*)>', form[form.index(f'name="{name}"'):].split("</select>")[0])
            chosen = [v for v, a in options if " selected" in a] or [options[0][0] if options else ""]
            pairs.append((name, _unescape(chosen[0])))
    return pairs


def _unescape(text: str) -> str:
    import html
    return html.unescape(text)


# ---------------------------------------------------------------- who may use the pages


def _admin_urls(app):
    """Every /admin route with its methods, its arguments filled in."""
    values = {"form_id": "permohonan", "number": 1, "step_key": DETAIL, "key": "punya_izin_sebelumnya"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            url = rule.rule
            for name in rule.arguments:
                url = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), url)
            yield url, sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_admin_page_refuses_anyone_but_form_admins_with_403_and_an_audit_event(admin_app):
    store = admin_app.extensions["formserver"].store
    urls = list(_admin_urls(admin_app))
    assert len(urls) >= 10
    officer = _login(admin_app, "petugas1")
    anonymous = admin_app.test_client()
    for client in (officer, anonymous):
        for url, methods in urls:
            for method in methods:
                r = client.open(url, method=method, data={})
                assert r.status_code == 403, (url, method, r.status_code)
                assert "admin formulir" in r.get_data(as_text=True)
    refused = [e for e in _all_events(store) if e["type"] == roles.REFUSED_EVENT and e["path"].startswith("/admin")]
    assert len(refused) == 2 * sum(len(m) for _, m in urls)
    assert {e["role"] for e in refused} == {"petugas", None}
    assert any(e["actor"] == f"account:{admin_app.config['TEST_OFFICER']}" for e in refused)
    # a form admin gets every page
    admin = _login(admin_app, "admin1")
    for url, methods in urls:
        if "GET" in methods and "pindahkan" not in url and "beda" not in url:
            assert admin.get(url).status_code in (200, 409), url


def _all_events(store):
    return list(store.iter_collection("events"))


# ---------------------------------------------------------------- lists, versions, diff


def test_forms_and_versions_are_listed_with_status_and_who_changed_them(admin_app, admin):
    page = admin.get("/admin/").get_data(as_text=True)
    assert "permohonan" in page and "registrasi" in page and "Kelola formulir" in page
    assert "Manage forms" in admin.get("/admin/?lang=en").get_data(as_text=True)
    admin.get("/admin/?lang=id")
    number = _new_draft(admin_app, admin)
    page = admin.get("/admin/formulir/permohonan").get_data(as_text=True)
    assert f'id="versi-{number}"' in page and "Draf" in page and "Terbit" in page
    account = admin_app.extensions["formserver"].store.get_account(
        _versions(admin_app).get("permohonan", number)["created_by"].split(":", 1)[1])
    assert account["username"] == "admin1"
    row = page.split(f'id="versi-{number}"', 1)[1].split("</tr>", 1)[0]
    assert "admin1 (Adi)" in row


# ---------------------------------------------------------------- editing without JavaScript


def test_without_javascript_labels_help_and_choices_are_edited_and_the_draft_is_published(admin_app, admin):
    number = _new_draft(admin_app, admin)
    url = f"/admin/formulir/permohonan/versi/{number}/isian/punya_izin_sebelumnya"
    page = admin.get(url).get_data(as_text=True)
    data = dict(_field_form(page))
    data.update({"label.id": "Sudah punya izin usaha?", "label.en": "Already hold a business permit?",
                 "hint.id": "Izin apa pun sebelum OSS", "hint.en": "Any permit before OSS",
                 "options.0.label.id": "Ya, sudah", "options.2.value": "RAGU",
                 "options.2.label.id": "Ragu-ragu", "options.2.label.en": "Not sure"})
    r = admin.post(url, data=data)
    assert r.status_code == 302, r.get_data(as_text=True)
    stored = _versions(admin_app).get("permohonan", number)["definition"]
    field = _find(stored, "punya_izin_sebelumnya")
    assert field["label"] == {"id": "Sudah punya izin usaha?", "en": "Already hold a business permit?"}
    assert field["hint"]["id"] == "Izin apa pun sebelum OSS"
    assert [(o["value"], o["label"]["id"]) for o in field["options"]] == [("YA", "Ya, sudah"), ("TIDAK", "Tidak"), ("RAGU", "Ragu-ragu")]
    assert field["visible_if"] if "visible_if" in field else True  # untouched rules stay as they were
    assert _find(stored, "izin_sebelumnya_jenis")["visible_if"] == {"==": [{"var": "punya_izin_sebelumnya"}, "YA"]}

    # the diff says it in words
    published = _versions(admin_app).published_number("permohonan")
    diff = admin.get(f"/admin/formulir/permohonan/beda?dari={published}&ke={number}").get_data(as_text=True)
    assert "Label: “Apakah sudah punya izin usaha sebelumnya?” → “Sudah punya izin usaha?”" in diff
    assert "Pilihan: ditambah “Ragu-ragu”" in diff

    # publish: the impact first, then the button
    page = admin.get(f"/admin/formulir/permohonan/versi/{number}/terbitkan").get_data(as_text=True)
    assert "Dampak" in page and "Draf pada versi lain" in page
    r = admin.post(f"/admin/formulir/permohonan/versi/{number}/terbitkan", data={"csrf_token": _token(page)})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert _versions(admin_app).published_number("permohonan") == number
    # a published version is not edited any more
    assert admin.post(url, data={**data, "csrf_token": _token(page)}).status_code == 409


def _find(definition, key):
    from formserver.admin.edit import locate
    return locate(definition, key)[0]


def test_a_post_without_the_csrf_token_is_refused(admin_app, admin):
    number = _new_draft(admin_app, admin)
    r = admin.post(f"/admin/formulir/permohonan/versi/{number}/isian/npwp", data={"label.id": "x", "label.en": "y"})
    assert r.status_code == 400
    assert _find(_versions(admin_app).get("permohonan", number)["definition"], "npwp")["label"]["id"] == "NPWP"


def test_adding_a_field_with_a_condition_then_previewing_it(admin_app, admin):
    number = _new_draft(admin_app, admin)
    base = f"/admin/formulir/permohonan/versi/{number}"
    r = _post(admin, base, {"_action": f"tambah_isian:{DETAIL}", "type": "text", "key": "nomor_nib_lama",
                            "label.id": "Nomor NIB lama", "label.en": "Old NIB number",
                            "tempat": "setelah:punya_izin_sebelumnya"})
    assert r.status_code == 302 and r.headers["Location"].endswith("#isian-nomor_nib_lama"), r.get_data(as_text=True)
    url = f"{base}/isian/nomor_nib_lama"
    data = dict(_field_form(admin.get(url).get_data(as_text=True)))
    data.update({"required": "ya", "visible_if.mode": "builder", "visible_if.0.field": "punya_izin_sebelumnya",
                 "visible_if.0.op": "eq", "visible_if.0.value": "Ya"})
    r = admin.post(url, data=data)
    assert r.status_code == 302, r.get_data(as_text=True)
    field = _find(_versions(admin_app).get("permohonan", number)["definition"], "nomor_nib_lama")
    assert field["required"] is True
    assert field["visible_if"] == {"==": [{"var": "punya_izin_sebelumnya"}, "YA"]}
    page = admin.get(base).get_data(as_text=True)
    assert "Tampil bila «Apakah sudah punya izin usaha sebelumnya?» sama dengan “Ya”" in page
    field_page = admin.get(url).get_data(as_text=True)
    assert 'value="punya_izin_sebelumnya" selected' in field_page and 'value="builder" checked' in field_page

    store = admin_app.extensions["formserver"].store
    before = len(store.list_submissions("permohonan", limit=100))
    preview = f"{base}/pratinjau/{DETAIL}"
    page = admin.get(preview).get_data(as_text=True)
    assert 'data-field="kegiatan_usaha.0.nomor_nib_lama" hidden' in page
    answers = re.search(r'name="_answers" value="([^"]*)"', page).group(1)
    item = re.search(r'name="kegiatan_usaha\.0\._id" value="([^"]+)"', page).group(1)
    for answer, hidden in (("YA", False), ("TIDAK", True)):
        r = admin.post(preview, data={"csrf_token": _token(page), "_answers": _unescape(answers), "_action": "perbarui",
                                      "kegiatan_usaha.0._id": item, "kegiatan_usaha.0.punya_izin_sebelumnya": answer})
        shown = r.get_data(as_text=True)
        assert ('data-field="kegiatan_usaha.0.nomor_nib_lama" hidden' in shown) is hidden, answer
        # the test run lists it among the step's fields, required, only under that answer
        assert ('data-run-field="kegiatan_usaha.0.nomor_nib_lama"' in shown) is not hidden
    assert len(store.list_submissions("permohonan", limit=100)) == before


def test_problems_are_shown_next_to_the_element_and_nothing_is_saved(admin_app, admin):
    number = _new_draft(admin_app, admin)
    url = f"/admin/formulir/permohonan/versi/{number}/isian/npwp"
    data = dict(_field_form(admin.get(url).get_data(as_text=True)))
    data.update({"visible_if.mode": "raw", "visible_if.raw": '{"==": [{"var": "tidak_ada"}, 1]}'})
    r = admin.post(url, data=data)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    rule = page[page.index('id="field-visible_if"'):]
    rule = rule[:rule.index("</fieldset>")]
    assert "tidak_ada" in rule and "error-message" in rule
    _links_lead_somewhere(page)
    assert "visible_if" not in _find(_versions(admin_app).get("permohonan", number)["definition"], "npwp")
    # a builder row on a field that does not exist is named where it was typed
    data.update({"visible_if.mode": "builder", "visible_if.0.field": "tidak_ada", "visible_if.0.op": "eq", "visible_if.0.value": "1"})
    page = admin.post(url, data=data).get_data(as_text=True)
    assert "Isian &#39;tidak_ada&#39; tidak ada di formulir ini" in page


def test_script_typed_in_a_label_is_escaped_everywhere(admin_app, admin):
    number = _new_draft(admin_app, admin)
    url = f"/admin/formulir/permohonan/versi/{number}/isian/npwp"
    data = dict(_field_form(admin.get(url).get_data(as_text=True)))
    data.update({"label.id": "<script>alert(1)</script>", "label.en": "<img src=x onerror=alert(1)>"})
    assert admin.post(url, data=data).status_code in (302, 422)
    for page_url in (url, f"/admin/formulir/permohonan/versi/{number}",
                     f"/admin/formulir/permohonan/versi/{number}/pratinjau/data_pelaku_usaha"):
        page = admin.get(page_url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page and "<img src=x" not in page


def test_structure_buttons_move_and_remove_steps_and_fields(admin_app, admin):
    number = _new_draft(admin_app, admin)
    base = f"/admin/formulir/permohonan/versi/{number}"
    keys = lambda: [f["key"] for f in _versions(admin_app).get("permohonan", number)["definition"]["steps"][0]["fields"]]  # noqa: E731
    first = keys()
    assert _post(admin, base, {"_action": f"pindah_isian:{first[1]}:naik"}).status_code == 302
    assert keys()[:2] == [first[1], first[0]]
    assert _post(admin, base, {"_action": "hapus_isian:bpjs_kesehatan"}).status_code == 302
    assert "bpjs_kesehatan" not in keys()
    r = _post(admin, base, {"_action": "tambah_langkah", "step_key": "tambahan", "step_title.id": "Tambahan",
                            "step_title.en": "More", "after": "produk"})
    assert r.status_code == 302
    steps = [s["key"] for s in _versions(admin_app).get("permohonan", number)["definition"]["steps"]]
    assert steps[steps.index("produk") + 1] == "tambahan"
    # an edit the checks refuse is not saved, and the page says why
    r = _post(admin, base, {"_action": "tambah_isian:produk", "type": "text", "key": "nik", "label.id": "x", "label.en": "x",
                            "tempat": "akhir"})
    assert r.status_code == 422 and "sudah dipakai" in r.get_data(as_text=True)
    assert _post(admin, base, {"_action": "tidak_dikenal:x"}).status_code == 400


def test_removing_a_field_the_documents_print_is_refused_next_to_its_step(admin_app, admin):
    number = _new_draft(admin_app, admin)
    base = f"/admin/formulir/permohonan/versi/{number}"
    r = _post(admin, base, {"_action": "hapus_isian:npwp"})  # the NIB prints the holder's NPWP
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    step = page[page.index('id="langkah-data_pelaku_usaha"'):]
    step = step[:step.index("</section>")]
    assert "field-error" in page[page.rindex("<section", 0, page.index('id="langkah-data_pelaku_usaha"')):][:200]
    assert "&#39;npwp&#39;" in step and ("mencetaknya" in step or "still print" in step)
    assert "npwp" in [f["key"] for s in _versions(admin_app).get("permohonan", number)["definition"]["steps"]
                      for f in s.get("fields", [])]  # nothing stored


def test_a_rule_the_builder_cannot_show_stays_raw_said_in_words_and_unchanged_on_save(admin_app, admin):
    number = _new_draft(admin_app, admin)
    url = f"/admin/formulir/permohonan/versi/{number}/isian/pernyataan_standar_usaha"
    before = _find(_versions(admin_app).get("permohonan", number)["definition"], "pernyataan_standar_usaha")
    page = admin.get(url).get_data(as_text=True)
    assert 'id="visible_if.mode-raw" value="raw" checked' in page
    assert "Pembuat syarat tidak dapat menampilkan aturan ini" in page
    assert "ada «Kegiatan usaha» yang: «Proses kegiatan ini»" in page
    data = dict(_field_form(page))
    assert admin.post(url, data={**data, "label.id": "Saya bersedia memenuhi standar usaha."}).status_code == 302
    after = _find(_versions(admin_app).get("permohonan", number)["definition"], "pernyataan_standar_usaha")
    assert after["visible_if"] == before["visible_if"] and after["label"]["id"] == "Saya bersedia memenuhi standar usaha."


def test_a_step_title_and_its_condition(admin_app, admin):
    number = _new_draft(admin_app, admin)
    url = f"/admin/formulir/permohonan/versi/{number}/langkah/produk"
    page = admin.get(url).get_data(as_text=True)
    r = admin.post(url, data={"csrf_token": _token(page), "title.id": "Produk dan jasa", "title.en": "Products",
                              "description.id": "", "description.en": "", "visible_if.mode": "builder",
                              "visible_if.combine": "any",
                              "visible_if.0.field": "sudah_berjalan", "visible_if.0.op": "eq", "visible_if.0.value": "Ya",
                              "visible_if.1.combine": "all", "visible_if.1.0.field": "modal_usaha",
                              "visible_if.1.0.op": "gt", "visible_if.1.0.value": "1.000"})
    assert r.status_code == 302, r.get_data(as_text=True)
    step = _versions(admin_app).get("permohonan", number)["definition"]["steps"][3]
    assert step["title"] == {"id": "Produk dan jasa", "en": "Products"} and "description" not in step
    assert step["visible_if"] == {"or": [{"==": [{"var": "sudah_berjalan"}, "YA"]}, {"and": [{">": [{"var": "modal_usaha"}, 1000]}]}]}
    page = admin.get(url).get_data(as_text=True)
    assert "Sekarang:" in page and "lebih dari 1000" in page
    # without a title it is refused and nothing changes
    r = admin.post(url, data={"csrf_token": _token(page), "title.id": "", "title.en": "", "visible_if.mode": "none"})
    assert r.status_code == 422 and "Isi judul langkah" in r.get_data(as_text=True)
    assert _versions(admin_app).get("permohonan", number)["definition"]["steps"][3]["title"]["id"] == "Produk dan jasa"
    # a rule on a field that does not exist: the problem stands beside the rule, the step is unchanged
    r = admin.post(url, data={"csrf_token": _token(page), "title.id": "Produk", "title.en": "Products",
                              "visible_if.mode": "raw", "visible_if.raw": '{"var": "tidak_ada"}'})
    assert r.status_code == 422
    rule = r.get_data(as_text=True).split('id="field-visible_if"', 1)[1].split("</fieldset>", 1)[0]
    assert "tidak_ada" in rule and "error-message" in rule
    assert _versions(admin_app).get("permohonan", number)["definition"]["steps"][3]["title"]["id"] == "Produk dan jasa"


def test_bad_requests_are_4xx_never_500(admin_app, admin):
    number = _new_draft(admin_app, admin)
    base = f"/admin/formulir/permohonan/versi/{number}"
    assert admin.get("/admin/formulir/tidak_ada").status_code == 404
    assert admin.get("/admin/formulir/permohonan/versi/999").status_code == 404
    assert admin.get(f"{base}/isian/tidak_ada").status_code == 404
    assert admin.get(f"{base}/langkah/tidak_ada").status_code == 404
    assert admin.get(f"{base}/pratinjau/tidak_ada").status_code == 404
    assert admin.get("/admin/formulir/permohonan/beda?dari=x&ke=1").status_code == 404
    page = admin.get(f"{base}/pratinjau/produk").get_data(as_text=True)
    r = admin.post(f"{base}/pratinjau/produk", data={"csrf_token": _token(page), "_answers": "[1, 2"})
    assert r.status_code == 400
    r = admin.post(f"{base}/pratinjau/produk", data={"csrf_token": _token(page), "_answers": '"text"'})
    assert r.status_code == 400


@pytest.mark.parametrize("answers", [
    '{"kegiatan_usaha": "x"}', '{"kegiatan_usaha": [1, null, "a"]}', '{"kegiatan_usaha": [{"_id": 5, "kbli": []}]}',
    '{"kegiatan_usaha": [{"_id": "a1", "modal_usaha": "banyak", "dipilih": "ya"}]}', '{"npwp": {"a": 1}}',
])
def test_odd_sample_answers_in_a_preview_are_never_a_server_error(admin_app, admin, answers):
    number = _new_draft(admin_app, admin)
    for step in ("data_pelaku_usaha", DETAIL, "daftar_kegiatan", "pernyataan_mandiri"):
        url = f"/admin/formulir/permohonan/versi/{number}/pratinjau/{step}"
        page = admin.get(url).get_data(as_text=True)
        r = admin.post(url, data={"csrf_token": _token(page), "_answers": answers, "_action": "perbarui",
                                  "kegiatan_usaha.0._id": "zz", "kegiatan_usaha.0.modal_usaha": "x"})
        assert r.status_code < 500, (step, answers)


def test_a_draft_with_problems_shows_them_in_place_and_cannot_be_published(admin_app, admin):
    import copy
    versions = _versions(admin_app)
    published = versions.published_number("permohonan")
    definition = copy.deepcopy(versions.get("permohonan", published)["definition"])
    definition["steps"][0]["fields"][8]["visible_if"] = {"==": [{"var": "tidak_ada"}, 1]}  # stored past the checks
    number = published + 10
    admin_app.extensions["formserver"].store.insert_form_version({
        "id": f"permohonan@{number}", "form_id": "permohonan", "number": number, "definition": {**definition, "version": number},
        "created_at": "2026-01-01T00:00:00+00:00", "created_by": "test", "updated_at": "2026-01-01T00:00:00+00:00",
        "updated_by": "test"})
    key = definition["steps"][0]["fields"][8]["key"]
    page = admin.get(f"/admin/formulir/permohonan/versi/{number}").get_data(as_text=True)
    assert "Draf ini belum dapat diterbitkan" in page
    item = page[page.index(f'id="isian-{key}"'):]
    assert "tidak_ada" in item[:item.index("</li>")]  # beside the field it concerns
    url = f"/admin/formulir/permohonan/versi/{number}/terbitkan"
    page = admin.get(url).get_data(as_text=True)
    assert "Versi ini belum dapat diterbitkan" in page and "Terbitkan versi" not in page.split("</h1>", 1)[1]
    r = admin.post(url, data={"csrf_token": _token(page)})
    assert r.status_code == 422 and versions.published_number("permohonan") == published
    assert admin.get(f"/admin/formulir/permohonan/versi/{number}/pratinjau/{DETAIL}").status_code == 422


def test_the_impact_sends_back_only_drafts_the_new_version_refuses_and_to_that_step(admin_app):
    from formserver.admin import edit

    from .items_scenarios import add_applicant
    from .test_permohonan import activities, details, ok, start
    add_applicant(admin_app)
    api = Api(admin_app.test_client())
    assert api.post("/api/v1/auth/login", {"username": "budi0001", "password": "Rahasia#2025"}).status_code == 200
    drafts = {}
    for answer, extra in (("YA", {"izin_sebelumnya_jenis": "SIUP", "izin_sebelumnya_nomor": "1/2019",
                                  "izin_sebelumnya_tanggal": "2019-05-02"}), ("TIDAK", {})):
        sid = start(api)
        activities(api, sid, "47191")
        ok(details(api, sid, {"modal_usaha": 50_000_000, "punya_izin_sebelumnya": answer, **extra}))
        drafts[answer] = sid
    versions = _versions(admin_app)
    published = versions.published_number("permohonan")
    definition = edit.add_field(versions.get("permohonan", published)["definition"], DETAIL, {
        "key": "nomor_nib_lama", "type": "text", "label": {"id": "Nomor NIB lama", "en": "Old NIB number"}, "required": True,
        "visible_if": {"==": [{"var": "punya_izin_sebelumnya"}, "YA"]}}, parent="detail_kegiatan", after="punya_izin_sebelumnya")
    number = versions.create_draft("permohonan", definition, "test")["number"]
    impact = versions.impact("permohonan", number)
    assert impact["accepted"] == 1
    assert [(d["submission_id"], d["step"]) for d in impact["sent_back"]] == [(drafts["YA"], DETAIL)]
    assert "nomor_nib_lama" in " ".join(impact["sent_back"][0]["reasons"])


def _links_lead_somewhere(page: str) -> None:
    """Every link of an error summary goes to an element of the page."""
    summaries = re.findall(r'<div class="error-summary".*?</div>', page, re.S)
    targets = [t for summary in summaries for t in re.findall(r'href="#([^"]+)"', summary)]
    assert targets
    for target in targets:
        assert f'id="{target}"' in page, target


def test_every_mistake_in_a_field_form_is_linked_from_the_summary(admin_app, admin):
    number = _new_draft(admin_app, admin)
    url = f"/admin/formulir/permohonan/versi/{number}/isian/punya_izin_sebelumnya"
    data = dict(_field_form(admin.get(url).get_data(as_text=True)))
    data.update({"label.en": "", "options.1.value": "YA", "visible_if.mode": "raw", "visible_if.raw": "[oops"})
    r = admin.post(url, data=data)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    _links_lead_somewhere(page)
    assert 'href="#field-options.1"' in page and 'href="#field-label"' in page and 'href="#field-visible_if"' in page


def test_without_javascript_a_validator_with_an_argument_is_chosen_in_plain_words(admin_app, admin):
    number = _new_draft(admin_app, admin)
    url = f"/admin/formulir/permohonan/versi/{number}/isian/nama_usaha"
    page = admin.get(url).get_data(as_text=True)
    # plain labels, not only code names; each argument has its input
    assert "Angka saja, sejumlah tertentu" in page and "Kode pos sesuai kelurahan/desa" in page
    assert 'type="number"' in page and 'name="validators.digits.length"' in page
    assert re.search(r'<option value="kelurahan_usaha">[^<]+ \(kelurahan_usaha\)</option>', page)  # label + key
    data = _field_form(page)
    assert ("validators", "digits") not in data and ("validators.digits.length", "") in data
    data = [(k, v) for k, v in data if k != "validators.digits.length"]

    # a missing number: shown next to the validator, nothing saved
    r = admin.post(url, data=MultiDict(data + [("validators", "digits"), ("validators.digits.length", "lima")]))
    assert r.status_code == 422
    assert 'id="error-validators.digits.length"' in r.get_data(as_text=True)
    assert "validators" not in _find(_versions(admin_app).get("permohonan", number)["definition"], "nama_usaha")

    r = admin.post(url, data=MultiDict(data + [("validators", "digits"), ("validators.digits.length", "5")]))
    assert r.status_code == 302, r.get_data(as_text=True)
    stored = _versions(admin_app).get("permohonan", number)["definition"]
    assert _find(stored, "nama_usaha")["validators"] == [{"name": "digits", "args": {"length": 5}}]

    # shown again ticked with its value; an untouched page saves it unchanged
    page = admin.get(url).get_data(as_text=True)
    again = dict(_field_form(page))
    assert again["validators"] == "digits" and again["validators.digits.length"] == "5"
    assert admin.post(url, data=MultiDict(_field_form(page))).status_code == 302
    stored = _versions(admin_app).get("permohonan", number)["definition"]
    assert _find(stored, "nama_usaha")["validators"] == [{"name": "digits", "args": {"length": 5}}]


def test_an_existing_validator_with_arguments_is_shown_filled_in(admin_app, admin):
    number = _new_draft(admin_app, admin)
    page = admin.get(f"/admin/formulir/permohonan/versi/{number}/isian/kode_pos").get_data(as_text=True)
    data = dict(_field_form(page))
    assert data["validators"] == "kode_pos" and data["validators.kode_pos.kelurahan"] == "kelurahan_usaha"
    assert "ubah lewat JSON" not in page


def test_lengths_ranges_and_a_pattern_in_plain_inputs(admin_app, admin):
    number = _new_draft(admin_app, admin)
    stored = lambda key: _find(_versions(admin_app).get("permohonan", number)["definition"], key)  # noqa: E731
    url = f"/admin/formulir/permohonan/versi/{number}/isian/izin_sebelumnya_nomor"
    data = dict(_field_form(admin.get(url).get_data(as_text=True)))
    assert data["max_length"] == "100" and data["min_length"] == "" and data["pattern"] == ""
    data.update({"min_length": "3", "max_length": "20", "pattern": "^[A-Z0-9/.-]+$",
                 "pattern_message.id": "Huruf besar, angka, / . - saja", "pattern_message.en": "Capitals, digits, / . - only"})
    assert _post(admin, url, data).status_code == 302
    field = stored("izin_sebelumnya_nomor")
    assert (field["min_length"], field["max_length"], field["pattern"]) == (3, 20, "^[A-Z0-9/.-]+$")
    assert field["pattern_message"] == {"id": "Huruf besar, angka, / . - saja", "en": "Capitals, digits, / . - only"}
    for change, words in (({"pattern": "(["}, "bukan ekspresi reguler yang sah"),
                          ({"min_length": "30"}, "tidak boleh lebih kecil"),
                          ({"max_length": "dua puluh"}, "Tulis bilangan bulat 0 atau lebih"),
                          ({"pattern_message.id": "", "pattern_message.en": ""}, "Tulis pesan bagi pemohon")):
        refused = _post(admin, url, {**data, **change})
        assert refused.status_code == 422 and words in refused.get_data(as_text=True), change
        assert stored("izin_sebelumnya_nomor") == field  # nothing stored
    assert _post(admin, url, {**data, "pattern": "", "min_length": ""}).status_code == 302
    field = stored("izin_sebelumnya_nomor")
    assert "pattern" not in field and "pattern_message" not in field and "min_length" not in field
    url = f"/admin/formulir/permohonan/versi/{number}/isian/jumlah_tenaga_kerja"
    data = dict(_field_form(admin.get(url).get_data(as_text=True)))
    assert "pattern" not in data and data["max"] == "1000000"
    assert _post(admin, url, {**data, "min": "1", "max": "2.500.000"}).status_code == 302
    assert (stored("jumlah_tenaga_kerja")["min"], stored("jumlah_tenaga_kerja")["max"]) == (1, 2_500_000)
