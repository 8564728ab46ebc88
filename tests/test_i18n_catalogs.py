"""Interface texts through gettext catalogs (issue 10 §3): complete English catalog, pages in each
locale, catalogs compiled at start, and a third locale added with a .po file and definition texts only."""
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from babel.messages import pofile
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from formserver import cli, i18n
from formserver.i18n import Catalogs, LazyText, current_locale, gettext, lazy_gettext, text

from .conftest import ROOT, make_app

TRANSLATIONS = ROOT / "formserver" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}


def _in_code() -> set:
    """(context, msgid) of every message the sources hand to gettext, as `pybabel extract -F babel.cfg` finds them."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    return {(context, message[0] if isinstance(message, tuple) else message)
            for _, _, message, _, context in extract_from_dir(str(ROOT / "formserver"), method_map, options_map,
                                                              keywords=KEYWORDS)}


def _catalog(locale: str, folder: Path = TRANSLATIONS):
    with open(folder / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        return pofile.read_po(po, locale=locale)


def test_every_message_in_the_code_has_an_english_translation():
    english = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id): m for m in _catalog("en") if m.id}
    found = _in_code()
    assert found, "the extractor found no message: babel.cfg no longer matches the sources"
    missing = sorted(f"{c or ''}|{i}" for c, i in found if (c, i) not in english)
    untranslated = sorted(f"{c or ''}|{i}" for c, i in found
                          if (c, i) in english and not all(english[(c, i)].string if isinstance(english[(c, i)].string, tuple)
                                                           else [english[(c, i)].string]))
    assert not missing, f"not in the en catalog (run scripts/bi_to_gettext.py or pybabel update): {missing[:10]}"
    assert not untranslated, f"no English text in the en catalog: {untranslated[:10]}"


def test_a_text_resolves_in_the_current_locale_and_falls_back_to_indonesian():
    token = current_locale.set("en")
    try:
        assert i18n.ngettext("dalam {n} menit", "dalam {n} menit", 3) == "in {n} minutes"
        assert i18n.ngettext("dalam {n} menit", "dalam {n} menit", 1) == "in {n} minute"
        assert gettext("Teks yang tidak ada di katalog") == "Teks yang tidak ada di katalog"
        assert text({"id": "Nama", "en": "Name"}) == "Name" and text({"id": "Nama"}) == "Nama"
    finally:
        current_locale.reset(token)
    token = current_locale.set("jv")  # not offered by the package: Indonesian
    try:
        assert i18n.ngettext("dalam {n} menit", "dalam {n} menit", 3) == "dalam {n} menit"
        assert text({"id": "Nama", "en": "Name", "jv": "Jeneng"}) == "Jeneng"
    finally:
        current_locale.reset(token)


def test_a_lazy_text_is_a_string_that_resolves_when_shown_and_formats_lazily():
    lazy = lazy_gettext("dalam {n} menit")
    assert isinstance(lazy, str) and lazy == "dalam {n} menit"
    label = LazyText.of({"id": "Umur", "en": "Age"})
    formatted = LazyText.of({"id": "{what} wajib", "en": "{what} is required"}).format(what=label)
    assert str(formatted) == "Umur wajib"
    assert formatted.in_locale("en") == "Age is required" and formatted.en == "Age is required"


def test_no_inline_bilingual_pair_returns():
    """Interface texts go through the catalogs: no bi("…", "…") / Bi(…) pair in the package or its templates."""
    pair = re.compile(r"(?<![\w.])(bi|Bi)\(")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "formserver").rglob("*"))
             if path.suffix in (".py", ".html") for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if pair.search(line)]
    assert found == [], "write gettext(\"Indonesian\") / _(\"Indonesian\") and add the English to the en catalog"


# ---------------------------------------------------------------- pages


@pytest.fixture
def client(tmp_path, smtp, whatsapp):
    return make_app(tmp_path, smtp, whatsapp).test_client()


def _visible(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_pages_speak_the_locale_asked_for_by_query_session_or_browser(client):
    home = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in home and "Log in" in home and "Skip to main content" in home
    assert ">Indonesia</a>" in home and 'hreflang="id"' in home  # the switcher names a language in itself
    again = client.get("/").get_data(as_text=True)  # remembered in the session
    assert "Log in" in again
    indonesian = client.get("/?lang=id").get_data(as_text=True)
    assert '<html lang="id">' in indonesian and ">Masuk<" in indonesian and "Langsung ke isi" in indonesian
    assert ">English</a>" in indonesian
    browser = make_client_like(client)
    assert "Log in" in browser.get("/masuk", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Masuk" in browser.get("/masuk", headers={"Accept-Language": "id-ID"}).get_data(as_text=True)
    missing = client.get("/isian/tidak-ada?lang=en")
    assert missing.status_code == 404


def make_client_like(client):
    return client.application.test_client()


def test_an_api_message_made_in_python_follows_the_locale(client):
    english = client.post("/api/v1/auth/login?lang=en", json={"username": "x", "password": "y"}).get_json()
    indonesian = client.post("/api/v1/auth/login?lang=id", json={"username": "x", "password": "y"}).get_json()
    assert english["error"] != indonesian["error"]
    assert "wrong" in english["error"] and "salah" in indonesian["error"]


# ---------------------------------------------------------------- compiled at start


def test_catalogs_are_compiled_next_to_their_po_when_missing_or_older(tmp_path):
    folder = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, folder, ignore=shutil.ignore_patterns("*.mo"))
    mo = folder / "en" / "LC_MESSAGES" / "messages.mo"
    assert not mo.exists()
    assert Catalogs(folder).locales == ("id", "en") and mo.exists()
    po = mo.with_suffix(".po")
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "Kucing"\nmsgstr "Cat"\n', encoding="utf-8")
    now = time.time()
    os.utime(mo, (now - 100, now - 100))  # the .po edited after the last compilation
    os.utime(po, (now - 50, now - 50))
    catalogs = Catalogs(folder)
    assert catalogs.of("en").gettext("Kucing") == "Cat" and mo.stat().st_mtime >= po.stat().st_mtime


def test_no_compiled_catalog_is_committed():
    tracked = os.popen(f"git -C {ROOT} ls-files -- '*.mo'").read().split()
    assert tracked == []
    assert "*.mo" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


# ---------------------------------------------------------------- a third locale, without code changes

JAVANESE = {
    "Masuk": "Mlebu",
    "Langsung ke isi": "Langsung menyang isi",
    "Perizinan Berusaha UMK": "Perizinan Usaha UMK (Jawa)",
    # the form editor's generated sentences: whole sentences with named parts, reordered by the translator
    "sama dengan": "padha karo",
    "{field} sama dengan {value}": "{field} padha karo {value}",
    "Isian “{name}” ({key}) diubah": "Diowahi: isian “{name}” ({key})",
    ("admin/diff", "Label"): "Tulisan",
    "Ya": "Inggih",  # a new choice field's first default choice
    # a definition problem: the parts reordered by the translator
    "{what} memakai variabel '{name}' yang tidak dikenal: tidak ada isian formulir ini dengan kunci itu{suggestion} "
    "Gunakan kunci sebuah isian formulir ini.": "Variabel '{name}' ing {what} ora ana ing formulir iki{suggestion} "
                                                "Gunakake kunci isen formulir iki.",
    "isian '{name}'": "isen '{name}'",
}


def _third_locale(tmp_path) -> tuple[Path, Path]:
    """A copy of the translations with a small Javanese catalog, and a copy of the Kampar variant whose overlay
    gives the registration form's first step title and first question in Javanese too."""
    translations = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, translations, ignore=shutil.ignore_patterns("*.mo"))
    po = translations / "jv" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    entries = "".join((f'\nmsgctxt "{k[0]}"\nmsgid "{k[1]}"' if isinstance(k, tuple) else f'\nmsgid "{k}"')
                      + f'\nmsgstr "{v}"\n' for k, v in JAVANESE.items())
    po.write_text('msgid ""\nmsgstr ""\n"Language: jv\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n' + entries,
                  encoding="utf-8")
    variants = tmp_path / "variants"
    shutil.copytree(ROOT / "variants" / "kampar", variants / "kampar")
    path = variants / "kampar" / "variant.json"
    variant = json.loads(path.read_text(encoding="utf-8"))
    first = json.loads((ROOT / "forms" / "registrasi.json").read_text(encoding="utf-8"))["steps"][0]
    variant["forms"]["registrasi"] = [
        {"op": "text", "step": first["key"], "set": {"title": {**first["title"], "jv": "Skala usaha (basa Jawa)"}}},
        {"op": "text", "step": first["key"], "field": first["fields"][0]["key"],
         "set": {"label": {**first["fields"][0]["label"], "jv": "Pilih skala usaha panjenengan"}}}]
    path.write_text(json.dumps(variant, ensure_ascii=False), encoding="utf-8")
    return translations, variants


def test_a_third_locale_is_offered_from_its_catalog_and_the_definition_texts(tmp_path, smtp, whatsapp):
    translations, variants = _third_locale(tmp_path)
    app = make_app(tmp_path / "data", smtp, whatsapp, TRANSLATIONS_DIR=str(translations), VARIANTS_DIR=str(variants),
                   VARIANT="kampar")
    client = app.test_client()
    start = client.get("/formulir/registrasi?lang=jv").get_data(as_text=True)
    assert "Mulai" in start  # the start button: not in the jv catalog, Indonesian
    token = re.search(r'name="csrf_token" value="([^"]+)"', start).group(1)
    page = client.post("/formulir/registrasi", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    words = _visible(page)
    assert '<html lang="jv">' in page
    assert "Mlebu" in words and "Langsung menyang isi" in words and "Perizinan Usaha UMK (Jawa)" in words
    assert "Skala usaha (basa Jawa)" in words and "Pilih skala usaha panjenengan" in words  # the overlay's jv texts
    assert "Layanan ini gratis" in words  # not in the jv catalog: Indonesian
    first = json.loads((ROOT / "forms" / "registrasi.json").read_text(encoding="utf-8"))["steps"][0]
    other_labels = [text(o["label"], "id") for o in first["fields"][0].get("options", [])]
    assert other_labels and all(label in words for label in other_labels)  # no jv label: Indonesian
    switcher = re.search(r'<nav class="header-nav".*?</nav>', page, re.S).group(0)
    assert ">Indonesia</a>" in switcher and ">English</a>" in switcher and 'hreflang="jv"' not in switcher
    indonesian = client.get("/formulir/registrasi?lang=id").get_data(as_text=True)
    assert 'hreflang="jv">Jawa</a>' in indonesian and ">Masuk<" in indonesian
    # the package's own server offers no Javanese: jv is not a locale there
    plain = make_app(tmp_path / "plain", smtp, whatsapp).test_client()
    assert '<html lang="id">' in plain.get("/?lang=jv").get_data(as_text=True)


def test_a_third_locale_reads_the_form_editor_s_generated_sentences_from_its_catalog(tmp_path, smtp, whatsapp):
    """A rule's sentence, the builder's operators and a diff's lines come from the .po alone, reordered where the
    translator reordered them; what the jv catalog lacks reads in Indonesian."""
    from formserver.admin import diff as admin_diff
    from formserver.officers import create_form_admin

    from .test_admin_pages import PASSWORD, _field_form, _login, _new_draft
    translations, variants = _third_locale(tmp_path)
    app = make_app(tmp_path / "data", smtp, whatsapp, TRANSLATIONS_DIR=str(translations), VARIANTS_DIR=str(variants),
                   VARIANT="kampar", WTF_CSRF_ENABLED=True)
    create_form_admin(app.extensions["formserver"].store, "admin1", "a1@kampar.go.id", "Adi", PASSWORD)
    admin = _login(app, "admin1")
    number = _new_draft(app, admin)
    url = f"/admin/formulir/permohonan/versi/{number}/isian/izin_sebelumnya_jenis"
    page = admin.get(url + "?lang=jv").get_data(as_text=True)
    sentence = _visible(re.search(r'<p class="rule-sentence".*?</p>', page, re.S).group(0))
    assert " padha karo “" in sentence and "sama dengan" not in sentence and " is “" not in sentence
    assert '<option value="eq" selected>padha karo</option>' in page  # the operator's words in the select
    assert '<option value="ne">tidak sama dengan</option>' in page  # not in the jv catalog: Indonesian
    data = dict(_field_form(page))
    data["label.id"] = "Jenis izin lama"
    assert admin.post(url, data=data).status_code == 302
    published = app.extensions["formserver"].versions.published_number("permohonan")
    diff = _visible(admin.get(f"/admin/formulir/permohonan/beda?dari={published}&ke={number}").get_data(as_text=True))
    assert "Diowahi: isian “Jenis izin lama” (izin_sebelumnya_jenis)" in diff  # reordered by the translator
    assert "Tulisan: “" in diff and "→ “Jenis izin lama”" in diff
    english = _visible(admin.get(f"/admin/formulir/permohonan/beda?dari={published}&ke={number}&lang=en")
                       .get_data(as_text=True))
    assert "(izin_sebelumnya_jenis) changed" in english and "Label: “" in english
    with app.app_context():  # the words kept with a change (a moved draft's notice, the API) carry every offered locale
        versions = app.extensions["formserver"].versions
        changes = admin_diff.diff(versions.record("permohonan", published)["definition"],
                                  versions.record("permohonan", number)["definition"])
        said = admin_diff.sentences(changes)
        assert set(said[0]) == {"id", "en", "jv"} and said[0]["jv"].startswith("Diowahi: isian “")
        assert admin_diff.lines(changes, "jv")[1].startswith("  Tulisan: ")


def test_a_third_locale_s_texts_are_typed_in_the_form_editor_and_shown_in_that_locale(tmp_path, smtp, whatsapp):
    """The editor offers an input per offered locale (jv from its catalog alone, optional); what is typed there is
    stored in the definition and read by applicants whose page is in jv."""
    from formserver.officers import create_form_admin

    from .test_admin_pages import PASSWORD, _field_form, _login, _new_draft, _token
    translations, variants = _third_locale(tmp_path)
    app = make_app(tmp_path / "data", smtp, whatsapp, TRANSLATIONS_DIR=str(translations), VARIANTS_DIR=str(variants),
                   VARIANT="kampar", WTF_CSRF_ENABLED=True)
    create_form_admin(app.extensions["formserver"].store, "admin1", "a1@kampar.go.id", "Adi", PASSWORD)
    admin = _login(app, "admin1")
    number = _new_draft(app, admin, "registrasi")
    first = json.loads((ROOT / "forms" / "registrasi.json").read_text(encoding="utf-8"))["steps"][0]
    url = f"/admin/formulir/registrasi/versi/{number}/isian/{first['fields'][0]['key']}"
    page = admin.get(url).get_data(as_text=True)
    assert 'name="hint.jv" lang="jv"' in page and 'name="options.0.label.jv" id="options.0.label.jv" lang="jv"' in page
    assert '<label class="hint" for="hint.jv">Jawa</label>' in page
    data = dict(_field_form(page))
    assert data["hint.jv"] == "" and data["label.id"]  # optional: left empty, the page still saves
    assert admin.post(url, data=data).status_code == 302
    spec = app.extensions["formserver"].versions.record("registrasi", number)["definition"]["steps"][0]["fields"][0]
    assert "jv" not in (spec.get("hint") or {}) and "jv" not in spec["options"][0]["label"]
    data["hint.jv"] = "Pitulung ing basa Jawa"
    refused = admin.post(url, data=data)  # a text in jv alone: Indonesian (and English) stay required
    assert refused.status_code == 422 and "Pitulung ing basa Jawa" in refused.get_data(as_text=True)
    data.update({"hint.id": "Bantuan", "hint.en": "Help", "options.0.label.jv": "Usaha mikro lan cilik"})
    assert admin.post(url, data=data).status_code == 302
    spec = app.extensions["formserver"].versions.record("registrasi", number)["definition"]["steps"][0]["fields"][0]
    assert spec["hint"]["jv"] == "Pitulung ing basa Jawa" and spec["options"][0]["label"]["jv"] == "Usaha mikro lan cilik"
    assert 'value="Usaha mikro lan cilik"' in admin.get(url).get_data(as_text=True)  # shown again for editing
    with app.app_context():  # a choice field the editor adds gets its default choices from the catalogs
        from formserver.admin.edit import new_field
        options = new_field("choice", "baru", {"id": "Baru", "en": "New"})["options"]
        assert [o["label"] for o in options] == [{"id": "Ya", "en": "Yes", "jv": "Inggih"}, {"id": "Tidak", "en": "No"}]
    publish = f"/admin/formulir/registrasi/versi/{number}/terbitkan"
    r = admin.post(publish, data={"csrf_token": _token(admin.get(publish).get_data(as_text=True))})
    assert r.status_code == 302, r.get_data(as_text=True)

    def first_step(lang):
        client = app.test_client()
        start = client.get(f"/formulir/registrasi?lang={lang}").get_data(as_text=True)
        return _visible(client.post("/formulir/registrasi", data={"csrf_token": _token(start)},
                                    follow_redirects=True).get_data(as_text=True))
    javanese, indonesian = first_step("jv"), first_step("id")
    assert "Pitulung ing basa Jawa" in javanese and "Usaha mikro lan cilik" in javanese
    assert "Pitulung ing basa Jawa" not in indonesian and "Usaha mikro lan cilik" not in indonesian


def test_check_warns_about_texts_without_an_offered_locale_and_still_passes(tmp_path, monkeypatch, capsys):
    translations, variants = _third_locale(tmp_path)
    monkeypatch.setenv("FORMSERVER_LOCALE", "en")  # the warnings' English wording is pinned below
    monkeypatch.setenv("FORMSERVER_TRANSLATIONS_DIR", str(translations))
    monkeypatch.setenv("FORMSERVER_VARIANTS_DIR", str(variants))
    monkeypatch.setenv("FORMSERVER_VARIANT", "kampar")
    form = ROOT / "forms" / "registrasi.json"
    assert cli.main(["check", str(form)]) == 0
    out = capsys.readouterr().out
    warnings = [line for line in out.splitlines() if ": warning: " in line]
    assert warnings and "no translation 'jv' (Jawa)" in warnings[0]
    assert re.search(rf"^{re.escape(str(form))}: OK \(\d+ warnings?\)$", out, re.M)
    assert any(line.startswith(f"{form}:/title: warning:") for line in warnings)
    variant = str(variants / "kampar" / "variant.json")
    overlay = [line for line in warnings if line.startswith(variant)]
    assert overlay and not any("/forms/registrasi/" in line for line in overlay)  # the overlay's own texts have jv
    assert any("/identity/" in line for line in overlay)  # the office's texts do not yet
    monkeypatch.setenv("FORMSERVER_LOCALE", "id")  # the office staff's language: the same lines in Indonesian
    assert cli.main(["check", str(form)]) == 0
    said = capsys.readouterr().out
    assert f"{form}:/title: warning: Formulir: teks " in said and "belum punya terjemahan 'jv' (Jawa)" in said
    assert re.search(rf"^{re.escape(str(form))}: OK \(\d+ peringatan\)$", said, re.M)
    monkeypatch.setenv("FORMSERVER_LOCALE", "en")
    monkeypatch.delenv("FORMSERVER_TRANSLATIONS_DIR")
    assert cli.main(["check", str(form)]) == 1  # without the jv catalog, the overlay's jv texts are refused
    assert "'jv'" in capsys.readouterr().out
    monkeypatch.delenv("FORMSERVER_VARIANTS_DIR")
    assert cli.main(["check", str(form)]) == 0
    assert ": warning: " not in capsys.readouterr().out  # the package offers id and en only
    broken = json.loads(form.read_text(encoding="utf-8"))
    del broken["title"]["en"]
    (tmp_path / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    assert cli.main(["check", str(tmp_path / "broken.json")]) == 1  # a missing English text is a problem
    assert "/title" in capsys.readouterr().out


def test_definition_problems_read_in_the_locale_of_the_page_the_api_and_the_command(tmp_path, smtp, whatsapp,
                                                                                    monkeypatch, capsys):
    """A form definition's problems are whole sentences from the catalogs: Indonesian by default, English asked for,
    jv from its .po alone (reordered); one found once reads in the locale it is shown in later."""
    import copy

    from formserver.definition.check import check
    from formserver.definition.load import registries
    from formserver.logic import Logic
    from formserver.officers import create_form_admin

    from .test_admin_pages import PASSWORD, _login
    translations, variants = _third_locale(tmp_path)
    app = make_app(tmp_path / "data", smtp, whatsapp, TRANSLATIONS_DIR=str(translations), VARIANTS_DIR=str(variants),
                   VARIANT="kampar")
    create_form_admin(app.extensions["formserver"].store, "admin1", "a1@kampar.go.id", "Adi", PASSWORD)
    admin = _login(app, "admin1")
    versions = app.extensions["formserver"].versions
    published = versions.published_number("permohonan")
    definition = copy.deepcopy(versions.get("permohonan", published)["definition"])
    field = definition["steps"][0]["fields"][8]
    field["visible_if"] = {"==": [{"var": "tidak_ada"}, 1]}
    number = published + 10
    app.extensions["formserver"].store.insert_form_version({  # stored past the checks, as an older server might have
        "id": f"permohonan@{number}", "form_id": "permohonan", "number": number,
        "definition": {**definition, "version": number}, "created_at": "2026-01-01T00:00:00+00:00",
        "created_by": "test", "updated_at": "2026-01-01T00:00:00+00:00", "updated_by": "test"})
    url = f"/admin/formulir/permohonan/versi/{number}"
    key = field["key"]
    indonesian = _visible(admin.get(url).get_data(as_text=True)).replace("&#39;", "'")
    assert f"isian '{key}': aturan 'visible_if' memakai variabel 'tidak_ada' yang tidak dikenal: " in indonesian
    english = _visible(admin.get(url + "?lang=en").get_data(as_text=True)).replace("&#39;", "'")
    assert f"field '{key}': the rule 'visible_if' uses an unknown variable 'tidak_ada': " in english
    assert "memakai variabel" not in english
    javanese = _visible(admin.get(url + "?lang=jv").get_data(as_text=True)).replace("&#39;", "'")
    # reordered in jv; "aturan" is not in the jv catalog, so it reads in Indonesian
    assert f"isen '{key}': Variabel 'tidak_ada' ing aturan 'visible_if' ora ana ing formulir iki" in javanese
    # the API's problem list follows the request's locale too
    bad = {"definition": {**definition, "version": published}}
    said = {lang: admin.post(f"/api/v1/admin/forms/permohonan/versions?lang={lang}", json=bad) for lang in ("id", "en")}
    assert {r.status_code for r in said.values()} == {422}
    assert any("memakai variabel 'tidak_ada'" in p["message"] for p in said["id"].get_json()["problems"])
    assert any("uses an unknown variable 'tidak_ada'" in p["message"] for p in said["en"].get_json()["problems"])
    # a problem found once (at start, in a cache) is not frozen in the locale it was found in
    with app.app_context():
        [found] = check(definition, registries(), Logic().engine)
        assert "memakai variabel" in found.message
        token = current_locale.set("en")
        try:
            assert "uses an unknown variable" in found.message
        finally:
            current_locale.reset(token)
    # the command: FORMSERVER_LOCALE names the locale (here one offered by a .po alone)
    path = tmp_path / "permohonan.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    monkeypatch.setenv("FORMSERVER_TRANSLATIONS_DIR", str(translations))
    monkeypatch.setenv("FORMSERVER_VARIANTS_DIR", str(variants))
    monkeypatch.setenv("FORMSERVER_LOCALE", "jv")
    assert cli.main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:/steps/0/fields/8/visible_if: " in out and "Variabel 'tidak_ada' ing aturan 'visible_if'" in out
    assert current_locale.get() == "id"  # the command's locale ends with it
