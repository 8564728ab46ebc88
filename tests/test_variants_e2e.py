"""The Kampar and example variants end to end (Flask test client, real SMTP): every applicant page, an e-mail,
every document type and the verification page carry the variant's own office; overlays change the forms; the
server refuses what an overlay restricts even when posted directly."""
import io
import json
import re
import shutil

import pytest
from pypdf import PdfReader

from formserver.issue.render import DOCUMENT_TYPES, render_html

from .conftest import ROOT, Api, make_app, register_via_api
from .test_issue_pdf import sample_context
from .test_permohonan import LOCATION, ONE_PRODUCT, activities, details, insert_applicant, issue, ok, products, start

OFFICES = {
    "kampar": {"name": "DPMPTSP Kabupaten Kampar", "contact": "0812-7646-0487", "parent": "PEMERINTAH KABUPATEN KAMPAR"},
    "contoh": {"name": "CONTOH — DPMPTSP Kabupaten Contoh", "contact": "layanan@example.org",
               "parent": "PEMERINTAH KABUPATEN CONTOH"},
}


@pytest.fixture(scope="module", params=sorted(OFFICES))
def served(request, tmp_path_factory, smtp, whatsapp):
    app = make_app(tmp_path_factory.mktemp(request.param), smtp, whatsapp, VARIANT=request.param)
    insert_applicant(app)
    return request.param, app


def login(app) -> Api:
    from .conftest import PASSWORD
    api = Api(app.test_client())
    assert api.post("/api/v1/auth/login", {"username": "budi0001", "password": PASSWORD}).status_code == 200
    return api


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def assert_office(name: str, html: str):
    footer = html[html.index("<footer"):]
    assert OFFICES[name]["name"].replace("—", "&mdash;") in footer or OFFICES[name]["name"] in footer
    assert OFFICES[name]["contact"] in footer and OFFICES[name]["parent"] in footer
    other = next(n for n in OFFICES if n != name)
    assert OFFICES[other]["name"] not in html


def test_every_applicant_page_document_and_the_verification_page_show_the_office(served):
    name, app = served
    api = login(app)
    sid = start(api)
    activities(api, sid, "10298")
    ok(details(api, sid, {"modal_usaha": 200_000_000}))
    ok(products(api, sid, ONE_PRODUCT))
    issue(api, sid, 1)
    ok(api.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [
        {"punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN",
         "luas_bangunan_m2": "BANGUNAN_KURANG_2500", "kapasitas_produksi": "KAPASITAS_KURANG_1000",
         "uraian_usaha_lingkungan": "Produksi rumahan"}]}))
    ok(api.put_step(sid, "pernyataan_mandiri", {"pernyataan_k3l": True, "pernyataan_sppl": True,
                                                "pernyataan_standar_usaha": True}))
    path = [step["key"] for step in api.get(f"/api/v1/submissions/{sid}").get_json()["steps"]]
    assert "persetujuan_lingkungan" in path and "draf_perizinan" in path
    for step in path:
        page = api.client.get(f"/isian/{sid}/{step}")
        assert page.status_code == 200, step
        assert_office(name, page.get_data(as_text=True))
    for url in ("/", "/dasbor", f"/isian/{sid}/periksa", "/layanan", "/formulir/pengaduan", "/ikm"):
        page = api.client.get(url)
        assert page.status_code == 200, url
        assert_office(name, page.get_data(as_text=True))
    draft = api.client.get(f"/isian/{sid}/draf/nib")
    assert OFFICES[name]["name"] in pdf_text(draft.data)
    ok(api.put_step(sid, "draf_perizinan", {"setuju_terbitkan": True}))
    result = ok(api.post(f"/api/v1/submissions/{sid}/submit"))
    assert sorted(d["type"] for d in result["documents"]) == ["NIB", "PERNYATAAN_MANDIRI", "SERTIFIKAT_STANDAR", "SPPL"]
    for doc in result["documents"]:
        text = pdf_text(api.client.get(doc["url"]).data)
        assert OFFICES[name]["name"] in text, doc["type"]
        other = next(n for n in OFFICES if n != name)
        assert OFFICES[other]["name"] not in text
    assert_office(name, api.client.get(f"/isian/{sid}/selesai").get_data(as_text=True))
    code = result["documents"][0]["verify_url"].rsplit("/verifikasi/", 1)[1]
    verify = app.test_client().get(f"/verifikasi/{code}").get_data(as_text=True)
    assert_office(name, verify)
    assert "Kantor penerbit" in verify and OFFICES[name]["contact"] in verify[:verify.index("<footer")]


def test_the_pkplh_and_every_template_with_the_running_office(served):
    name, app = served
    running = app.extensions["formserver"].variant
    for doc_type in DOCUMENT_TYPES:  # the PKPLH is issued after an officer's approval: rendered from its template
        context = {**sample_context(doc_type), "office": running.office()}
        html = render_html(doc_type, context, running.template_dirs)
        assert OFFICES[name]["name"].replace("—", "&mdash;") in html or OFFICES[name]["name"] in html


def test_an_email_is_signed_by_the_office(served, smtp):
    name, app = served
    before = len(smtp.messages)
    register_via_api(Api(app.test_client()), smtp, email=f"sign-{name}@example.test")
    body = smtp.wait_for(before + 1)[before].get_body(("plain",)).get_content()
    signature = body[body.index("\n-- \n"):]
    assert OFFICES[name]["name"] in signature and OFFICES[name]["contact"] in signature


def _location_step(api, sid, **location):
    activities(api, sid, "47191")
    return details(api, sid, {"modal_usaha": 50_000_000, **location})


def test_kampar_accepts_business_locations_in_riau_kampar_only(served):
    name, app = served
    api = login(app)
    sid = start(api)
    activities(api, sid, "47191")
    fresh = api.client.get(f"/isian/{sid}/detail_usaha").get_data(as_text=True)
    province = fresh[fresh.index('name="kegiatan_usaha.0.provinsi_usaha"'):]
    province = province[:province.index("</select>")]
    assert ('<option value="14" selected>Riau</option>' in province) == (name == "kampar")  # the default, in an item
    ok(_location_step(api, sid))  # Kampar (LOCATION) is accepted everywhere
    wilayah = app.extensions["formserver"].wilayah
    outside = {"provinsi_usaha": "31", "kabupaten_usaha": "31.71", "kecamatan_usaha": "31.71.01",
               "kelurahan_usaha": "31.71.01.1001", "kode_pos": wilayah.kodepos("31.71.01.1001")}
    r = _location_step(api, sid, **outside)
    if name == "kampar":
        assert r.status_code == 422 and "kegiatan_usaha.0.provinsi_usaha" in r.get_json()["errors"]
        r = _location_step(api, sid, kabupaten_usaha="14.06", kecamatan_usaha="14.06.01",
                           kelurahan_usaha="14.06.01.2002", kode_pos=wilayah.kodepos("14.06.01.2002"))
        assert r.status_code == 422 and "kegiatan_usaha.0.kabupaten_usaha" in r.get_json()["errors"]
        html = api.client.get(f"/isian/{sid}/detail_usaha").get_data(as_text=True)
        provinces = html[html.index('name="kegiatan_usaha.0.provinsi_usaha"'):]
        provinces = provinces[:provinces.index("</select>")]
        assert 'value="14"' in provinces and 'value="31"' not in provinces
    else:
        assert r.status_code == 200, r.get_json()


def test_contoh_overlays_change_the_pages_and_the_server_checks_them(served):
    name, app = served
    api = login(app)
    sid = start(api)
    first = api.client.get(f"/isian/{sid}/data_pelaku_usaha").get_data(as_text=True)
    r = api.put_step(sid, "bidang_usaha", {"kegiatan_usaha": [
        {"jenis_kegiatan": "KANTOR_CABANG_ADMINISTRASI", "kbli": "47191", "ruang_lingkup": "Usaha kecil"}]})
    _location_step(api, sid)
    detail = api.client.get(f"/isian/{sid}/detail_usaha").get_data(as_text=True)
    if name == "contoh":
        assert "nomor_whatsapp_pemberitahuan" in first and 'data-field="bpjs_kesehatan" hidden' in first
        assert r.status_code == 422 and "kegiatan_usaha.0.jenis_kegiatan" in r.get_json()["errors"]
        assert "Nama usaha atau toko" in detail
        # a hidden field is never stored, even posted directly
        ok(api.put_step(sid, "data_pelaku_usaha", {"npwp": "01.234.567.8-901.000", "email": "usaha@example.test",
                                                   "bpjs_kesehatan": "0001234567890"}))
        assert "bpjs_kesehatan" not in api.get(f"/api/v1/submissions/{sid}").get_json()["data"]
    else:
        assert "nomor_whatsapp_pemberitahuan" not in first and 'data-field="bpjs_kesehatan">' in first
        assert r.status_code == 200 and "Nama usaha atau toko" not in detail


def test_the_contoh_logo_and_a_template_override(tmp_path, smtp, whatsapp):
    variants = tmp_path / "variants"
    shutil.copytree(ROOT / "variants" / "contoh", variants / "contoh")
    (variants / "contoh" / "templates").mkdir()
    nib = (ROOT / "documents" / "nib.html").read_text(encoding="utf-8")
    (variants / "contoh" / "templates" / "nib.html").write_text(
        nib.replace("{% block content %}", "{% block content %}<p>TEMPLAT KANTOR CONTOH</p>", 1), encoding="utf-8")
    app = make_app(tmp_path / "data", smtp, whatsapp, VARIANT="contoh", VARIANTS_DIR=str(variants))
    running = app.extensions["formserver"].variant
    assert running.image_data_uri("logo").startswith("data:image/png;base64,")
    html = render_html("NIB", {**sample_context("NIB"), "office": running.office()}, running.template_dirs)
    assert "TEMPLAT KANTOR CONTOH" in html
    assert "TEMPLAT KANTOR CONTOH" not in render_html("SPPL", {**sample_context("SPPL"), "office": running.office()},
                                                      running.template_dirs)


# the image sits inside the home link beside its words, so its alt is empty: a screen reader says the name once
HEADER_IMAGE = re.compile(r'<a href="/" class="header-name header-brand"><img src="([^"]+)" alt="([^"]*)" class="header-logo">'
                          r'<span>[^<]+<span class="header-office">([^<]+)</span></span></a>')


def _header(client, path="/") -> str:
    page = client.get(path).get_data(as_text=True)
    return page[page.index("<header"):page.index("</header>")]


def test_the_page_header_shows_the_office_logo_from_a_hashed_url_cached_for_a_year(served):
    name, app = served
    client = app.test_client()
    header = _header(client)
    if name == "kampar":  # no logo, no crest: no image at all
        assert "<img" not in header and client.get("/kantor/logo.0123456789ab.png").status_code == 404
        return
    (url, alt, name), = HEADER_IMAGE.findall(header)
    assert re.fullmatch(r"/kantor/logo\.[0-9a-f]{12}\.png", url) and alt == "" and name == OFFICES["contoh"]["name"]
    assert [found[0] for found in HEADER_IMAGE.findall(_header(client, "/layanan?lang=en"))] == [url]
    shown = client.get(url)
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    assert shown.data == (ROOT / "variants" / "contoh" / "assets" / "logo.png").read_bytes()
    cache = shown.headers["Cache-Control"]
    assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache
    older = client.get("/kantor/logo.0123456789ab.png")  # a logo replaced since: the current one
    assert older.status_code == 302 and older.headers["Location"].endswith(url)
    assert client.get("/kantor/crest.0123456789ab.png").status_code == 404
    assert client.get("/kantor/variant.json").status_code == 404


def test_the_page_header_shows_the_crest_when_the_office_has_no_logo(tmp_path, smtp, whatsapp):
    variants = tmp_path / "variants"
    shutil.copytree(ROOT / "variants" / "contoh", variants / "contoh")
    doc = json.loads((variants / "contoh" / "variant.json").read_text(encoding="utf-8"))
    doc["identity"]["crest"] = doc["identity"].pop("logo")
    (variants / "contoh" / "variant.json").write_text(json.dumps(doc), encoding="utf-8")
    client = make_app(tmp_path / "data", smtp, whatsapp, VARIANT="contoh", VARIANTS_DIR=str(variants)).test_client()
    (url, alt, name), = HEADER_IMAGE.findall(_header(client))
    assert re.fullmatch(r"/kantor/crest\.[0-9a-f]{12}\.png", url) and alt == "" and name == OFFICES["contoh"]["name"]
    assert client.get(url).mimetype == "image/png" and client.get(url.replace("crest", "logo")).status_code == 404


@pytest.mark.parametrize(("change", "words"), [
    (lambda doc, folder: doc["identity"].update(logo="logo.png") or (folder / "assets" / "logo.png").write_bytes(
        b"<svg onload=alert(1)>"), "PNG"),
    (lambda doc, folder: doc["identity"].update(name="<script>x</script>"), "/identity/name"),
    (lambda doc, folder: doc["forms"]["permohonan"].append({"op": "hide", "field": "tidak_ada"}), None),
    (lambda doc, folder: (folder / "templates").mkdir() or (folder / "templates" / "lain.html").write_text("x"),
     "templates/lain.html"),
])
def test_a_bad_variant_stops_the_start_naming_the_place_and_a_stale_entry_does_not(tmp_path, smtp, whatsapp, change,
                                                                                    words):
    from formserver.variants import VariantError
    variants = tmp_path / "variants"
    shutil.copytree(ROOT / "variants" / "contoh", variants / "contoh")
    doc = json.loads((variants / "contoh" / "variant.json").read_text(encoding="utf-8"))
    change(doc, variants / "contoh")
    (variants / "contoh" / "variant.json").write_text(json.dumps(doc), encoding="utf-8")
    if words is None:  # an entry the base no longer fits: served without it, logged, reported
        app = make_app(tmp_path / "data", smtp, whatsapp, VARIANT="contoh", VARIANTS_DIR=str(variants))
        app.extensions["formserver"].forms.get("permohonan")
        reported = app.extensions["formserver"].variant.reported
        assert [p.pointer for ps in reported.values() for p in ps] == ["/forms/permohonan/4/field"]
        assert app.test_client().get("/").status_code == 200
        return
    with pytest.raises(VariantError) as error:
        make_app(tmp_path / "data", smtp, whatsapp, VARIANT="contoh", VARIANTS_DIR=str(variants))
    assert words in str(error.value)


def test_a_refused_replacement_keeps_the_last_good_variant(served):
    name, app = served
    running = app.extensions["formserver"].variant
    before = running.identity["name"]
    bad = json.loads(json.dumps(running.variant.doc))
    bad["identity"]["name"] = "Kantor <img src=x onerror=alert(1)>"
    svc = app.extensions["formserver"]
    bases = {key: svc.versions.record(key, number)["definition"] for key, number in svc.store.published_versions().items()}
    assert [p.pointer for p in running.replace(bad, bases)] == ["/identity/name"]
    assert running.identity["name"] == before
    assert before in app.test_client().get("/").get_data(as_text=True)


def _variant_with_reference(tmp_path, files: dict):
    variants = tmp_path / "variants"
    shutil.copytree(ROOT / "variants" / "contoh", variants / "contoh")
    (variants / "contoh" / "reference").mkdir()
    for name, text in files.items():
        (variants / "contoh" / "reference" / name).write_text(text, encoding="utf-8")
    return variants


def test_local_reference_data_replaces_the_shipped_files(tmp_path, smtp, whatsapp):
    lingkungan = json.loads((ROOT / "formserver/reference/data/kbli/lingkungan.json").read_text(encoding="utf-8"))
    kind = lingkungan["jenis_usaha"][0]
    kind["label"] = {"id": "Jenis usaha menurut aturan daerah", "en": "Kind of business under the regional rule"}
    variants = _variant_with_reference(tmp_path, {
        "lingkungan.json": json.dumps(lingkungan),
        "perizinan_tunggal.csv": "kode_awalan,perizinan_tunggal,sumber\n47,ya,Keputusan kepala dinas (contoh)\n",
        "bupm_kegiatan.csv": "kode,kode_kegiatan,kegiatan,kegiatan_en,sumber_url\n"
                             "47191,WARUNG,Warung kelontong,Grocery stall,https://example.org/aturan\n"})
    app = make_app(tmp_path / "data", smtp, whatsapp, VARIANT="contoh", VARIANTS_DIR=str(variants))
    svc = app.extensions["formserver"]
    assert svc.lingkungan.kinds[kind["kode"]]["label"]["id"] == "Jenis usaha menurut aturan daerah"
    assert svc.kbli.get("47191")["perizinan_tunggal"] is True
    assert [code for code, _ in svc.bupm.options("kegiatan", "47191")] == ["WARUNG"]
    shipped = make_app(tmp_path / "data2", smtp, whatsapp).extensions["formserver"]  # kampar: the shipped files
    assert shipped.kbli.get("47191")["perizinan_tunggal"] is False and shipped.bupm.options("kegiatan", "47191") == []


@pytest.mark.parametrize(("name", "text"), [
    ("lingkungan.json", '{"status": "MUNGKIN"}'),
    ("perizinan_tunggal.csv", "kode_awalan,perizinan_tunggal,sumber\n4x,barangkali,\n"),
    ("kbli_risiko.csv", "kode\n"),
])
def test_bad_local_reference_data_stops_the_start(tmp_path, smtp, whatsapp, name, text):
    from formserver.variants import VariantError
    variants = _variant_with_reference(tmp_path, {name: text})
    with pytest.raises(VariantError) as error:
        make_app(tmp_path / "data", smtp, whatsapp, VARIANT="contoh", VARIANTS_DIR=str(variants))
    assert f"reference/{name}" in str(error.value)


def test_the_service_page_lists_the_offices_channels(served):
    name, app = served
    page = app.test_client().get("/layanan").get_data(as_text=True)
    channels = page[page.index('id="saluran"'):]
    channels = channels[:channels.index("</section>")]
    if name == "kampar":
        assert 'href="https://www.lapor.go.id/"' in channels and "0812-7646-0487" in channels
        assert 'href="https://dpmptsp.kamparkab.go.id/pages/bidang-pengaduan"' in channels
    else:
        assert "Senin–Jumat 08.00–15.00 (jam contoh)" in channels and "layanan@example.org" in channels


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed (README: npm ci)")
def test_a_restricted_reference_list_is_the_same_in_the_browser(tmp_path, smtp, whatsapp):
    """The browser lists the environmental kinds itself (from the rules' reference data): it must leave out what
    the variant's restriction leaves out, as the server does."""
    import subprocess

    from formserver.reference.browser import kbli_entry, operator_reference, with_bupm

    from .test_rules_parity import _server_state, _sourced
    variants = tmp_path / "variants"
    (variants / "uji").mkdir(parents=True)
    doc = json.loads((ROOT / "variants" / "kampar" / "variant.json").read_text(encoding="utf-8"))
    doc["name"], doc["forms"] = "uji", {"permohonan": [
        {"op": "restrict", "field": "lingkungan_kegiatan.jenis_usaha_lingkungan", "values": ["USAHA_DI_BANGUNAN"]}]}
    (variants / "uji" / "variant.json").write_text(json.dumps(doc), encoding="utf-8")
    svc = make_app(tmp_path / "data", smtp, whatsapp, VARIANT="uji", VARIANTS_DIR=str(variants)).extensions["formserver"]
    form = svc.forms.get("permohonan")
    subprocess.run(["node", "scripts/build.mjs"], cwd=ROOT, check=True, timeout=120)
    ref = with_bupm(operator_reference(), svc.bupm)
    ref["kbli"] = {"10298": kbli_entry(svc.kbli, svc.risk, "10298")}
    ref["wilayah"] = {}
    # 10298 (Menengah Rendah when Kecil) is offered only INDUSTRI_PENGOLAHAN, which the restriction leaves out
    cases = [["persetujuan_lingkungan", {"kegiatan_usaha": [{"punya_dokumen_lingkungan": "BELUM"}]},
              {"kegiatan_usaha": [{"kbli": "10298", "modal_usaha": 200_000_000, "dipilih": True}]}]]
    done = subprocess.run(["node", str(ROOT / "scripts" / "rules-eval.mjs"), str(ROOT / "static" / "build" / "rules.js")],
                          input=json.dumps({"ref": ref, "form": form.spec, "steps": cases}), capture_output=True,
                          text=True, check=True, timeout=300)
    browser = json.loads(done.stdout)
    kinds = []
    for (key, posted, answers), got in zip(cases, browser, strict=True):
        expected = _server_state(svc, form, key, posted, answers)
        assert _sourced(form, got["fields"]) == expected["fields"]
        kinds.append(expected["fields"].get("kegiatan_usaha.0.jenis_usaha_lingkungan"))
    assert kinds == [[False, False, None]]  # nothing left to choose: the question is not asked, on both sides


def test_office_texts_are_escaped_on_pages(tmp_path, smtp, whatsapp):
    variants = tmp_path / "variants"
    shutil.copytree(ROOT / "variants" / "contoh", variants / "contoh")
    doc = json.loads((variants / "contoh" / "variant.json").read_text(encoding="utf-8"))
    doc["identity"]["name"] = 'Kantor "Maju" & Jaya'
    (variants / "contoh" / "variant.json").write_text(json.dumps(doc), encoding="utf-8")
    app = make_app(tmp_path / "data", smtp, whatsapp, VARIANT="contoh", VARIANTS_DIR=str(variants))
    page = app.test_client().get("/layanan").get_data(as_text=True)
    assert "Kantor &#34;Maju&#34; &amp; Jaya" in page and 'Kantor "Maju" & Jaya' not in page


def test_a_new_base_version_gets_the_overlay_and_what_no_longer_fits_is_reported(tmp_path, smtp, whatsapp, caplog):
    import copy
    import logging
    app = make_app(tmp_path / "data", smtp, whatsapp, VARIANT="contoh")
    svc = app.extensions["formserver"]
    published = svc.forms.published_version("permohonan")
    base = copy.deepcopy(svc.versions.record("permohonan", published)["definition"])
    step = next(s for s in base["steps"] if s["key"] == "data_pelaku_usaha")
    step["fields"] = [f for f in step["fields"] if f["key"] != "bpjs_kesehatan"]  # the national form drops it
    number = svc.versions.create_draft("permohonan", base, "test")["number"]
    with caplog.at_level(logging.WARNING, logger="formserver.variants.runtime"):
        svc.versions.publish("permohonan", number, "test", acknowledge_drafts=True)
        form = svc.forms.get("permohonan")
    assert form.version == number
    assert form.fields_by_key["nama_usaha"].spec["label"]["id"] == "Nama usaha atau toko"  # the overlay applies
    assert "nomor_whatsapp_pemberitahuan" in form.fields_by_key and "bpjs_kesehatan" not in form.fields_by_key
    assert [p.pointer for p in svc.variant.reported[("permohonan", number)]] == ["/forms/permohonan/1/field"]
    assert any("/forms/permohonan/1/field" in r.getMessage() for r in caplog.records)
    insert_applicant(app)
    api = login(app)
    sid = start(api)
    page = api.client.get(f"/isian/{sid}/data_pelaku_usaha")
    assert page.status_code == 200 and "nomor_whatsapp_pemberitahuan" in page.get_data(as_text=True)
