"""Field types own their behaviour: a type added here, in the test suite alone (one registry entry and one
template), renders, parses, validates, shows on the review page, passes the schema and reaches the editor's palette."""
import json
import re
import shutil
from pathlib import Path

import pytest
from marshmallow import fields

from formserver.compile.fields import FIELD_TYPES, Editor, FieldType, markdown, palette, register, unregister
from formserver.definition.check import form_schema, schema_problems
from formserver.i18n import LazyText

from .conftest import ROOT, make_app
from .test_html_flow import Browser

HERE = Path(__file__).resolve().parent


class Colour(fields.String):
    """A colour as ``#rrggbb``, stored lower-case."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        if not re.fullmatch(r"#[0-9a-f]{6}", value):
            raise self.make_error("invalid")
        return value


class ColourType(FieldType):
    def display(self, value, labels):
        return "" if not value else f"warna {value.upper()}"


def _colour_type() -> FieldType:
    return ColourType("colour", Editor(LazyText.of({"id": "Warna", "en": "Colour"}), LazyText.of({"id": "Pilih sebuah warna.", "en": "Choose a colour."}),
                                       ("required", "required_if")),
                      Colour, LazyText.of({"id": "Pilih warna yang benar, misalnya #1a2b3c", "en": "Choose a real colour, like #1a2b3c"}),
                      template_folder=HERE / "field_templates")


COLOUR_FORM = {
    "key": "warna", "version": 1, "title": {"id": "Formulir warna", "en": "Colour form"},
    "steps": [
        {"key": "pilih", "title": {"id": "Pilih warna", "en": "Choose a colour"},
         "fields": [{"key": "warna_utama", "type": "colour", "required": True,
                     "label": {"id": "Warna utama", "en": "Main colour"}}]},
        {"key": "akhir", "title": {"id": "Akhir", "en": "End"}, "review": True, "end": True,
         "fields": [{"key": "catatan", "type": "text", "label": {"id": "Catatan", "en": "Note"}}]},
    ],
}


@pytest.fixture
def colour():
    kind = register(_colour_type())
    yield kind
    unregister("colour")


@pytest.fixture
def colour_browser(colour, tmp_path, smtp, whatsapp):
    folder = tmp_path / "forms"
    folder.mkdir()
    shutil.copy(ROOT / "forms" / "registrasi.json", folder)
    (folder / "warna.json").write_text(json.dumps(COLOUR_FORM), encoding="utf-8")
    app = make_app(tmp_path / "data", smtp, whatsapp, forms_dir=folder)
    return Browser(app.test_client())


def test_a_type_registered_in_a_test_works_end_to_end(colour_browser):
    browser = colour_browser
    browser.get("/formulir/warna")
    browser.submit({}, url="/formulir/warna")
    # rendered by its own template, inside the field wrapper the page script reads
    assert re.search(r'<div class="field" data-field="warna_utama">\s*<label class="label" for="field-warna_utama"',
                     browser.text)
    assert 'type="color"' in browser.text and "data-colour" in browser.text
    # required: the generic message with the label
    page = browser.submit({})
    assert page.status_code == 422 and "Warna utama wajib diisi" in browser.text
    # invalid: the type's own message, and what was typed stays on the page
    page = browser.submit({"warna_utama": "merah"})
    assert page.status_code == 422 and "Pilih warna yang benar, misalnya #1a2b3c" in browser.text
    # parsed and converted by the type's converter, shown on the review page by the type's display
    page = browser.submit({"warna_utama": " #1A2B3C "})
    assert page.status_code == 200 and "Periksa jawaban Anda" in browser.text
    assert "warna #1A2B3C" in browser.text


def test_the_schema_enum_and_rules_come_from_the_registry(colour):
    schema = form_schema()
    assert "colour" in schema["$defs"]["field"]["properties"]["type"]["enum"]
    assert schema_problems(COLOUR_FORM) == []
    without_label = json.loads(json.dumps(COLOUR_FORM))
    del without_label["steps"][0]["fields"][0]["label"]
    assert [p.pointer for p in schema_problems(without_label)] == ["/steps/0/fields/0"]


def test_a_type_not_registered_is_refused_by_the_schema():
    assert "colour" not in FIELD_TYPES
    assert "colour" not in form_schema()["$defs"]["field"]["properties"]["type"]["enum"]
    problems = schema_problems(COLOUR_FORM)
    assert [p.pointer for p in problems] == ["/steps/0/fields/0/type"]


def test_the_palette_describes_every_type(colour):
    entries = {entry["type"]: entry for entry in palette()}
    assert list(entries) == list(FIELD_TYPES)
    assert entries["colour"]["name"] == {"id": "Warna", "en": "Colour"}
    assert "required" in entries["colour"]["properties"] and "label" in entries["colour"]["properties"]
    assert {"options", "source"} <= set(entries["choice"]["properties"])
    assert {"min", "max"} <= set(entries["integer"]["properties"])
    assert "min_length" in entries["text"]["properties"] and "min_length" not in entries["date"]["properties"]
    assert all(entry["name"]["id"] and entry["name"]["en"] and entry["help"]["id"] for entry in entries.values())


def test_every_type_has_its_template():
    folder = ROOT / "formserver" / "web" / "templates"
    for kind in FIELD_TYPES.values():
        assert (folder / kind.template).is_file() or (kind.template_folder / kind.template).is_file(), kind.name


def test_a_name_is_registered_once(colour):
    with pytest.raises(ValueError, match="registered twice"):
        register(_colour_type())


def test_the_format_document_lists_the_registered_types():
    """docs/FORMAT.md carries the registry's table; regenerate it with formserver.compile.fields.markdown()."""
    text = (ROOT / "docs" / "FORMAT.md").read_text(encoding="utf-8")
    section = text.split("<!-- field-types: generated -->\n", 1)[1].split("\n<!-- /field-types -->", 1)[0]
    assert section == markdown()
