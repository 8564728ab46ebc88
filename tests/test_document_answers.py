"""The answers the documents print are derived from what their templates read (issue 9, Bad input: "a field
removed that a document template still uses"), so a template change cannot leave the list stale."""
import shutil

from formserver.issue.issuance import PRINTED_FROM, _activity, _holder, document_answers
from formserver.officers import create_form_admin

from .conftest import ROOT, make_app
from .test_versions import ADMIN, PASSWORD, login

FIELD = "tanggal_dokumen_lingkungan"  # in the application form, in a document's content, printed by no shipped template


def _printing_the_field(folder) -> None:
    """An SPPL template in ``folder`` that prints, as well as what the shipped one does, the environmental document."""
    (folder / "sppl.html").write_text(
        (ROOT / "documents" / "sppl.html").read_text(encoding="utf-8")
        + "{% for a in activities %}{{ a.dokumen_lingkungan.tanggal_dokumen_lingkungan }}{% endfor %}\n",
        encoding="utf-8")


def test_every_content_name_says_which_answers_it_is_made_of():
    activity = set(_activity({}, None, None)) | {"kegiatan_bupm"}  # the BUPM activity only when one was chosen
    holder_answers = {"email", "npwp"}  # the rest of the holder is the account's, not the form's
    assert activity <= PRINTED_FROM.keys() and holder_answers <= PRINTED_FROM.keys() and set(_holder({})) >= holder_answers
    assert "statements" in PRINTED_FROM


def test_the_answers_follow_what_the_templates_read(tmp_path):
    shipped = document_answers()
    assert {"npwp", "uraian_kbli", "nama_usaha", "kelurahan_usaha", "nomor_sni", "pernyataan_k3l"} <= shipped
    assert FIELD not in shipped
    _printing_the_field(tmp_path)
    assert document_answers((tmp_path,)) == shipped | {"jenis_dokumen_lingkungan", "nomor_dokumen_lingkungan", FIELD}


def _without(definition: dict, key: str) -> tuple[dict, int]:
    """``definition`` without the field ``key`` (at any depth), and the index of the step that had it."""
    found = []

    def drop(fields):
        kept = []
        for field in fields:
            if field["key"] == key:
                found.append(True)
                continue
            if "fields" in field:
                field["fields"] = drop(field["fields"])
            kept.append(field)
        return kept
    index = None
    for i, step in enumerate(definition["steps"]):
        before = len(found)
        step["fields"] = drop(step.get("fields", []))
        index = i if len(found) > before else index
    assert found
    return definition, index


def test_removing_a_field_a_variant_template_prints_is_refused_with_a_pointer(tmp_path, smtp, whatsapp):
    plain = make_app(tmp_path / "plain", smtp, whatsapp)
    create_form_admin(plain.extensions["formserver"].store, "admin1", "a1@kampar.go.id", "Adi", PASSWORD)
    admin = login(plain, "admin1")
    definition, step = _without(admin.get(f"{ADMIN}/permohonan/versions/1").get_json()["definition"], FIELD)
    assert admin.post(f"{ADMIN}/permohonan/versions", {"definition": definition}).status_code == 201

    variants = tmp_path / "variants"  # the same office, with a template that prints the field
    shutil.copytree(ROOT / "variants" / "contoh", variants / "contoh")
    (variants / "contoh" / "templates").mkdir()
    _printing_the_field(variants / "contoh" / "templates")
    printing = make_app(tmp_path / "data", smtp, whatsapp, VARIANT="contoh", VARIANTS_DIR=str(variants))
    create_form_admin(printing.extensions["formserver"].store, "admin1", "a1@kampar.go.id", "Adi", PASSWORD)
    admin = login(printing, "admin1")
    definition, step = _without(admin.get(f"{ADMIN}/permohonan/versions/1").get_json()["definition"], FIELD)
    refused = admin.post(f"{ADMIN}/permohonan/versions", {"definition": definition})
    assert refused.status_code == 422
    problem = next(p for p in refused.get_json()["problems"] if f"'{FIELD}'" in p["message"])
    assert problem["pointer"] == f"/steps/{step}"
    assert "dokumen yang diterbitkan masih mencetaknya" in problem["message"] or "documents still print" in problem["message"]
