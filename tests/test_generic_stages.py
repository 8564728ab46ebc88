"""The generic stages never name a shipped form or one of its keys: what a form needs beyond the engine is an
action, operator, field type or document registered by that form's own module (docs/DECISIONS.md)."""
import ast
import io
import json
import re
import tokenize

from formserver.compile.fields import FIELD_TYPES

from .conftest import ROOT

PACKAGE = ROOT / "formserver"
# web/ and the stages every form goes through
GENERIC = [*sorted((PACKAGE / "web").rglob("*.py")), *sorted((PACKAGE / "web" / "templates").rglob("*.html")),
           *sorted((PACKAGE / "compile").glob("*.py")),
           *(PACKAGE / name for name in ("validate.py", "state.py", "logic.py", "submissions.py")),
           *sorted((PACKAGE / "store").glob("*.py"))]
# known and left, with the reason (docs/DECISIONS.md); empty: the stores index neutral fields the forms fill
KNOWN: dict[tuple[str, str], str] = {}
# words the engine itself uses that shipped forms happen to use as keys too
ENGINE_WORDS = {
    "akun": "the account's answers as rules read them (state.ROOTS), for every form",
    "password_konfirmasi": "the password pages' own input (web/recovery.py), not the registration form's",
    "password_lama": "the password change page's own input",
    "kode": "the recovery page's own input",
    "selesai": "the page after a submission (/isian/<id>/selesai), not a step",
}


def shipped_names() -> set[str]:
    """Every shipped form's id, step keys and field keys, except the field types' own names (e.g. email)."""
    names = set()

    def walk(fields):
        for field in fields:
            names.add(field["key"])
            walk(field.get("fields", []))
    for path in (ROOT / "forms").glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        names.add(doc["key"])
        for step in doc["steps"]:
            names.add(step["key"])
            walk(step.get("fields", []))
    return names - set(FIELD_TYPES) - set(ENGINE_WORDS)


def literals(path) -> list[tuple[int, str]]:
    """The string literals of a Python file, or the quoted words of a template, with their line."""
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        found = []
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING:
                try:
                    value = ast.literal_eval(token.string)
                except (ValueError, SyntaxError):  # an f-string
                    value = token.string
                if isinstance(value, str):
                    found.append((token.start[0], value))
        return found
    return [(source.count("\n", 0, m.start()) + 1, m.group(2)) for m in re.finditer(r"""(["'])([^"'\n]*)\1""", source)]


def named(value: str, names: set[str]) -> set[str]:
    """The shipped names ``value`` is, or starts with as a dotted path or action name ("permohonan.terbitkan")."""
    return {part for part in re.split(r"[.:]", value) if part in names} if re.fullmatch(r"[\w.:]+", value) else set()


def test_the_generic_stages_name_no_shipped_form_or_key():
    names = shipped_names()
    assert {"registrasi", "permohonan", "kegiatan_usaha", "setuju_terbitkan", "nik"} <= names
    found = [f"{path.relative_to(ROOT)}:{line}: {value!r}"
             for path in GENERIC for line, value in literals(path)
             if named(value, names) - {name for (where, name) in KNOWN if path.relative_to(PACKAGE).as_posix() == where}]
    assert found == []


def test_the_guard_finds_a_key_in_code_and_in_a_template(tmp_path):
    code = tmp_path / "view.py"
    code.write_text('if doc["form_id"] == "registrasi":\n    pass\n', encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text("{% if final.action == 'permohonan.terbitkan' %}x{% endif %}\n", encoding="utf-8")
    names = shipped_names()
    assert [named(v, names) for _, v in literals(code) if named(v, names)] == [{"registrasi"}]
    assert [named(v, names) for _, v in literals(page) if named(v, names)] == [{"permohonan"}]
