"""The office variant in the store and its admin pages and API: versions, identity, images, channels, field texts and
choices, preview, publish, roll-back; bad input refused with what and where; 403 for everyone but form admins."""
import io
import json
import random
import re

import pytest
from PIL import Image

from formserver import roles
from formserver.config import PROJECT_ROOT
from formserver.officers import create_form_admin, create_officer, create_staff

from .conftest import Api, make_app

PASSWORD = "Admin#2025rahasia"
PAGES = "/admin/varian/kampar"
API = "/api/v1/admin/variants/kampar"
PATH = "produk_kegiatan.produk.satuan_kapasitas"  # a choice of the permit application, inside two groups


def _served_field(client) -> dict:
    """The choice as the applicants' API serves the permit application."""
    form = Api(client).get("/api/v1/forms/permohonan").get_json()["definition"]

    def walk(fields):
        for f in fields:
            yield f
            yield from walk(f.get("fields") or [])
    return next(f for s in form["steps"] for f in walk(s["fields"]) if f["key"] == "satuan_kapasitas")


def _login(app, username):
    api = Api(app.test_client())
    assert api.post("/api/v1/auth/login", {"username": username, "password": PASSWORD}).status_code == 200
    return api


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _image(kind="PNG", size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, kind)
    return out.getvalue()


@pytest.fixture
def admin_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    store = app.extensions["formserver"].store
    create_form_admin(store, "admin1", "a1@kampar.go.id", "Adi", PASSWORD)
    return app


@pytest.fixture
def admin(admin_app):
    return _login(admin_app, "admin1").client


def _post(client, url, data, page_url=None, **options):
    page = client.get(page_url or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": _token(page), **data}, **options)


def _draft(client) -> int:
    r = _post(client, f"{PAGES}/draf", {"dari": "1"}, page_url=PAGES)
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def _identity_form(page: str) -> dict:
    """The identity form's inputs as a browser without JavaScript posts them, untouched."""
    form = page[page.index('<form method="post" novalidate'):]
    form = form[:form.index("</form>")]
    data = {}
    for attrs in re.findall(r'<input class="input"([^>]*)>', form):
        name, value = re.search(r'name="([^"]+)"', attrs).group(1), re.search(r'value="([^"]*)"', attrs).group(1)
        data[name] = value.replace("&amp;", "&").replace("&#34;", '"').replace("&#39;", "'")
    for name, value in re.findall(r'<textarea[^>]* name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        data[name] = value
    for name in re.findall(r'<select class="select input-short" id="[^"]+" name="([^"]+)"', form):
        chunk = form[form.index(f'name="{name}"'):].split("</select>")[0]
        data[name] = (re.findall(r'<option value="([^"]+)" selected', chunk) or ["other"])[0]
    return data


def test_the_shipped_folder_is_the_published_version_and_imported_once(app, tmp_path, smtp, whatsapp):
    store = app.extensions["formserver"].store
    [version] = store.variant_versions("kampar")
    assert version["created_by"] == "system:variants-dir" and store.published_variants() == {"kampar": 1}
    assert version["document"]["identity"]["name"] == "DPMPTSP Kabupaten Kampar"
    again = make_app(tmp_path, smtp, whatsapp)  # a second start on the same data: nothing new
    assert len(again.extensions["formserver"].store.variant_versions("kampar")) == 1
    assert [e["type"] for e in store.events("variant:kampar")] == ["variant.published"]


def test_an_admin_edits_the_identity_restricts_a_choice_publishes_and_applicants_see_it(admin_app, admin):
    number = _draft(admin)
    assert number == 2
    url = f"{PAGES}/versi/{number}"
    page = admin.get(url).get_data(as_text=True)
    assert 'value="DPMPTSP Kabupaten Kampar"' in page and "Saluran" in page
    data = _identity_form(page)
    assert data["parent_line"] == "PEMERINTAH KABUPATEN KAMPAR" and data["channels.0.kind"] == "dropbox"
    data.update({"name": "DPMPTSP Kabupaten Contoh Baru", "signatory.nip": "19700101 199003 1 001",
                 "channels.0.hapus": "1",  # remove the drop box
                 "channels.7.kind": "phone", "channels.7.label.id": "Telepon kantor", "channels.7.label.en": "Office phone",
                 "channels.7.value": "(0762) 123456"})
    saved = _post(admin, url, data)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    stored = admin_app.extensions["formserver"].variant_versions.get("kampar", number)["document"]["identity"]
    assert stored["name"] == "DPMPTSP Kabupaten Contoh Baru" and stored["signatory"]["nip"] == "19700101 199003 1 001"
    assert [c["kind"] for c in stored["complaint_channels"]][0] == "email"
    assert stored["complaint_channels"][-1] == {"kind": "phone", "label": {"id": "Telepon kantor", "en": "Office phone"},
                                                "value": "(0762) 123456"}
    assert stored["layanan"]  # what the page does not edit stays

    # a label in both languages and a restricted choice on the permit application
    field = f"{url}/formulir/permohonan/isian/satuan_kapasitas"
    page = admin.get(field)
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    choices = re.findall(r'name="restrict" id="restrict-\d+" value="([^"]+)"', html)
    assert len(choices) >= 2
    r = _post(admin, field, {"label.id": "Satuan (Kampar)", "label.en": "Unit (Kampar)", "restrict": choices[:2]})
    assert r.status_code == 302, r.get_data(as_text=True)
    ops = admin_app.extensions["formserver"].variant_versions.get("kampar", number)["document"]["forms"]["permohonan"]
    assert {"op": "restrict", "step": "produk", "field": PATH, "values": choices[:2]} in ops
    assert {"op": "text", "step": "produk", "field": PATH,
            "set": {"label": {"id": "Satuan (Kampar)", "en": "Unit (Kampar)"}}} in ops
    # the preview shows the step with the overlay applied and the office's letterhead
    preview = admin.get(f"{url}/pratinjau/permohonan/produk").get_data(as_text=True)
    assert "Satuan (Kampar)" in preview and "DPMPTSP Kabupaten Contoh Baru" in preview
    assert "19700101 199003 1 001" in preview

    # not served before it is published
    applicant = admin_app.test_client()
    assert "DPMPTSP Kabupaten Contoh Baru" not in applicant.get("/").get_data(as_text=True)
    published = _post(admin, f"{url}/terbitkan", {})
    assert published.status_code == 302, published.get_data(as_text=True)
    assert "DPMPTSP Kabupaten Contoh Baru" in applicant.get("/").get_data(as_text=True)
    spec = _served_field(applicant)
    assert spec["label"]["id"] == "Satuan (Kampar)" and [o["value"] for o in spec["options"]] == choices[:2]

    # the list says who and when; the events carry the diff
    listing = admin.get(PAGES).get_data(as_text=True)
    assert "admin1" in listing and "Terbit" in listing and "Pensiun" in listing
    events = admin_app.extensions["formserver"].store.events("variant:kampar")
    assert [e["type"] for e in events][1:] == ["variant.draft_created", "variant.draft_updated",
                                               "variant.draft_updated", "variant.published"]
    assert all(e["actor"].startswith("account:") for e in events[1:])
    changed = {c["pointer"]: c for c in events[2]["diff"]}
    assert changed["/document/identity/name"]["new"] == "DPMPTSP Kabupaten Contoh Baru"

    # roll back: publish version 1 again
    assert _post(admin, f"{PAGES}/versi/1/terbitkan", {}).status_code == 302
    assert "DPMPTSP Kabupaten Kampar" in applicant.get("/").get_data(as_text=True)
    spec = _served_field(applicant)
    assert spec["label"]["id"] != "Satuan (Kampar)" and len(spec["options"]) == len(choices)


def test_a_logo_is_checked_by_its_content_and_size(admin_app, admin):
    number = _draft(admin)
    url = f"{PAGES}/versi/{number}"
    upload = f"{url}/gambar"

    def send(data: bytes, file_name: str):
        return _post(admin, upload, {"peran": "logo", "berkas": (io.BytesIO(data), file_name)}, page_url=url,
                     content_type="multipart/form-data")

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for data, name in ((b"%PDF-1.7 not an image", "logo.png"), (svg, "logo.svg"), (_image("GIF"), "logo.png")):
        refused = send(data, name)
        assert refused.status_code == 422, name
        assert "PNG atau JPEG" in refused.get_data(as_text=True)
    big = io.BytesIO()
    Image.frombytes("RGB", (700, 700), random.Random(1).randbytes(700 * 700 * 3)).save(big, "PNG")  # noise: no compression
    assert len(big.getvalue()) > 1024 * 1024
    too_big = send(big.getvalue(), "logo.png")
    assert too_big.status_code == 422 and "1 MB" in too_big.get_data(as_text=True)
    assert "logo" not in admin_app.extensions["formserver"].variant_versions.get("kampar", number)["document"]["identity"]

    good = send(_image("JPEG"), "foto.svg")  # the name says nothing: the content is a JPEG
    assert good.status_code == 302, good.get_data(as_text=True)
    record = admin_app.extensions["formserver"].variant_versions.get("kampar", number)
    assert record["document"]["identity"]["logo"] == "logo.jpg"
    assert record["assets"]["logo.jpg"]["content_type"] == "image/jpeg"
    shown = admin.get(f"{url}/gambar/logo.jpg")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg" and shown.data[:2] == b"\xff\xd8"
    assert admin.get(f"{url}/gambar/tidak.png").status_code == 404
    assert 'class="header-logo"' not in admin.get("/").get_data(as_text=True)  # Kampar has no image yet
    # published, the running server's documents draw it from the store, and the pages' header shows it
    assert _post(admin, f"{url}/terbitkan", {}).status_code == 302
    home = admin.get("/").get_data(as_text=True)  # a request: the publication is read
    assert admin_app.extensions["formserver"].variant.image_data_uri("logo").startswith("data:image/jpeg;base64,/9j/")
    logo = re.search(r'<img src="(/kantor/logo\.[0-9a-f]{12}\.jpg)" alt="" class="header-logo">',
                     admin.get("/").get_data(as_text=True))
    assert logo, home[:2000]
    served = admin.get(logo.group(1))
    assert served.status_code == 200 and served.mimetype == "image/jpeg" and served.data == shown.data


def test_script_in_a_label_is_refused_saying_what_and_where_and_a_bad_draft_cannot_be_published(admin_app, admin):
    number = _draft(admin)
    url = f"{PAGES}/versi/{number}"
    field = f"{url}/formulir/permohonan/isian/satuan_kapasitas"
    ticked = re.findall(r'name="restrict" id="restrict-\d+" value="([^"]+)"', admin.get(field).get_data(as_text=True))
    r = _post(admin, field, {"label.id": "<script>alert(1)</script>", "label.en": "Kind", "restrict": ticked})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "markup atau skrip" in page and "<script>alert(1)</script>" not in page  # said, and escaped
    assert "field-error" in page[page.index('id="field-texts"') - 200:page.index('id="field-texts"') + 400]
    data = _identity_form(admin.get(url).get_data(as_text=True))
    r = _post(admin, url, {**data, "motto": "Izin <b onmouseover=alert(1)>cepat</b>"})
    assert r.status_code == 422 and "/identity/motto" in r.get_data(as_text=True)
    r = _post(admin, url, {**data, "signatory.nip": "NIP-ABC"})
    assert r.status_code == 422 and "/identity/signatory/nip" in r.get_data(as_text=True)
    r = _post(admin, url, {**data, "channels.0.label.en": ""})  # a text in one language only
    assert r.status_code == 422 and "Isi juga teks" in r.get_data(as_text=True)
    versions = admin_app.extensions["formserver"].variant_versions
    assert versions.get("kampar", number)["document"] == versions.get("kampar", 1)["document"]  # nothing stored

    # a draft whose overlay no longer fits the forms (made through the API) cannot be published
    api = Api(admin)
    document = versions.get("kampar", 1)["document"]
    bad = {**document, "forms": {"permohonan": [{"op": "restrict", "field": PATH, "values": ["X"]}]}}
    refused = api.post(f"{API}/versions", {"document": bad})
    assert refused.status_code == 422
    [problem] = refused.get_json()["problems"]
    assert problem["pointer"] == "/forms/permohonan/0/values/0" and '"X"' in problem["message"]
    store = admin_app.extensions["formserver"].store
    record = store.get_variant_version("kampar", number)
    store.update_variant_version({**record, "document": bad})  # as if the base form had changed under it
    assert _post(admin, f"{url}/terbitkan", {}).status_code == 422
    assert api.post(f"{API}/versions/{number}/publish").status_code == 422
    assert store.published_variants() == {"kampar": 1}
    assert "DPMPTSP Kabupaten Kampar" in admin_app.test_client().get("/").get_data(as_text=True)


def test_the_admin_api_lists_creates_changes_previews_and_publishes(admin_app, admin):
    api = Api(admin)
    listed = api.get(API).get_json()
    assert listed["variant"] == "kampar" and listed["published_version"] == 1
    assert listed["versions"][0]["created_by"] == "system:variants-dir"
    got = api.get(f"{API}/versions/1").get_json()
    assert got["status"] == "published" and got["document"]["name"] == "kampar"
    document = got["document"]
    document["identity"] = {**document["identity"], "motto": "Melayani dengan hati"}
    created = api.post(f"{API}/versions", {"document": document})
    assert created.status_code == 201 and created.get_json() == {"version": 2, "status": "draft"}
    document["identity"]["phone"] = "(0762) 999"
    assert admin.put(f"{API}/versions/2", json={"document": document}).status_code == 200
    preview = api.post(f"{API}/versions/2/preview", {"form": "permohonan"}).get_json()
    assert preview["office"]["motto"] == "Melayani dengan hati" and preview["problems"] == []
    assert preview["definition"]["key"] == "permohonan"
    assert api.post(f"{API}/versions/2/preview", {"form": "tidak_ada"}).status_code == 404
    published = api.post(f"{API}/versions/2/publish")
    assert published.status_code == 200 and published.get_json() == {"published_version": 2, "previous_version": 1}
    assert admin.put(f"{API}/versions/2", json={"document": document}).status_code == 409
    assert api.get(f"{API}/versions/9").status_code == 404
    assert api.get("/api/v1/admin/variants/tidak_ada").status_code == 404
    assert api.post("/api/v1/admin/variants/tidak_ada/versions", {"document": document}).status_code == 404
    assert "(0762) 999" in admin_app.test_client().get("/").get_data(as_text=True)  # the footer's contacts


def test_another_server_serves_a_publication_without_a_restart(tmp_path, smtp, whatsapp):
    one = make_app(tmp_path, smtp, whatsapp, FORMS_REFRESH_SECONDS=0)
    two = make_app(tmp_path, smtp, whatsapp, FORMS_REFRESH_SECONDS=0)  # the same store, another process's view
    versions = one.extensions["formserver"].variant_versions
    document = versions.get("kampar", 1)["document"]
    draft = versions.create_draft("kampar", {**document, "identity": {**document["identity"], "name": "Kantor Baru"}},
                                  "account:x", assets={})
    versions.publish("kampar", draft["number"], "account:x")
    assert "Kantor Baru" in two.test_client().get("/").get_data(as_text=True)


def test_every_variant_page_and_api_refuses_everyone_but_form_admins(admin_app):
    store = admin_app.extensions["formserver"].store
    create_officer(store, "petugas1", "p1@kampar.go.id", "Siti", PASSWORD)
    create_staff(store, "super1", "s1@kampar.go.id", "Sari", PASSWORD, roles.SUPERVISOR)
    rules = [r for r in admin_app.url_map.iter_rules()
             if r.rule.startswith("/admin/varian") or r.rule.startswith("/api/v1/admin/variants")]
    assert len(rules) >= 15
    applicant = Api(admin_app.test_client())
    applicant.post("/api/v1/forms/registrasi/submissions")
    for who in (applicant, _login(admin_app, "petugas1"), _login(admin_app, "super1")):
        for rule in rules:
            url = re.sub(r"<(int:)?(\w+)>", lambda m: {"name": "kampar", "number": "1", "version": "1",
                                                         "form_id": "permohonan", "key": "satuan_kapasitas",
                                                         "step_key": "detail_usaha", "file_name": "logo.png"}[m.group(2)],
                         rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                response = who.client.open(url, method=method, json={"document": {}, "form": "permohonan"})
                assert response.status_code == 403, (method, url)
    refused = [e for e in store.events("account:" + store.find_account(username="petugas1")["id"])
               if e["type"] == roles.REFUSED_EVENT]
    assert len(refused) == sum(len(r.methods - {"HEAD", "OPTIONS"}) for r in rules)
    assert store.published_variants() == {"kampar": 1} and len(store.variant_versions("kampar")) == 1


def test_reference_choices_are_restricted_by_codes_and_a_wrong_code_is_shown_at_its_field(admin_app, admin):
    number = _draft(admin)
    field = f"{PAGES}/versi/{number}/formulir/permohonan/isian/kabupaten_usaha"
    page = admin.get(field).get_data(as_text=True)
    assert 'name="restrict_codes"' in page and "14.01" in page  # kampar's own restriction, shown as codes
    r = _post(admin, field, {"restrict_codes": "14.01\n99.99"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    restrict = html[html.index('id="field-restrict"'):]
    assert "99.99" in restrict[:restrict.index("</div>")]  # the message stands at the codes it is about
    assert _post(admin, field, {"restrict_codes": "14.01, 14.06"}).status_code == 302
    ops = admin_app.extensions["formserver"].variant_versions.get("kampar", number)["document"]["forms"]["permohonan"]
    assert [op["values"] for op in ops if op["op"] == "restrict" and op["field"].endswith("kabupaten_usaha")] == \
        [["14.01", "14.06"]]


def test_a_publication_the_running_server_cannot_use_leaves_the_last_good_variant_serving(app, caplog):
    """As when another server, with other forms, published it: this one refuses it and keeps serving kampar."""
    store = app.extensions["formserver"].store
    document = store.get_variant_version("kampar", 1)["document"]
    bad = {**document, "identity": {**document["identity"], "name": "Kantor Lain"},
           "forms": {"permohonan": [{"op": "restrict", "field": PATH, "values": ["X"]}]}}
    store.insert_variant_version({"id": "kampar@2", "variant": "kampar", "number": 2, "document": bad, "assets": {},
                                  "created_at": "t", "created_by": "account:x",
                                  "published_seq": store.next_value("variant_publications")})
    app.extensions["formserver"].variant_versions._checked_at = None  # the refresh time has passed
    page = app.test_client().get("/").get_data(as_text=True)
    assert "DPMPTSP Kabupaten Kampar" in page and "Kantor Lain" not in page
    assert "kampar version 2 is not served" in caplog.text


def test_the_preview_of_a_draft_whose_effective_form_is_invalid_lists_its_problems(admin_app, admin):
    number = _draft(admin)
    store = admin_app.extensions["formserver"].store
    record = store.get_variant_version("kampar", number)
    broken = {**record["document"], "forms": {"permohonan": [
        {"op": "add", "step": "produk", "field": {"key": "catatan_kampar", "type": "tidak_ada"}}]}}
    store.update_variant_version({**record, "document": broken})  # as if made when the forms were different
    r = admin.get(f"{PAGES}/versi/{number}/pratinjau/permohonan/produk")
    assert r.status_code == 422 and "/forms/permohonan/steps/" in r.get_data(as_text=True)


def test_a_forms_page_lists_each_step_and_field_once(admin_app, admin):
    """The page that leads to a form's fields (its template was once the same block repeated 1,784 times)."""
    number = _draft(admin)
    page = admin.get(f"{PAGES}/versi/{number}/formulir/permohonan")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    ids = re.findall(r'id="((?:langkah|isian)-[^"]+)"', html)
    assert ids and len(ids) == len(set(ids)), "a step or field is listed twice"
    steps = json.loads((PROJECT_ROOT / "forms" / "permohonan.json").read_text())["steps"]
    assert {f"langkah-{s['key']}" for s in steps} <= set(ids)
    assert "isian-satuan_kapasitas" in ids
