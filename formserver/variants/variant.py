"""A regional variant: ``variants/<name>/`` with ``variant.json`` (identity + overlays), and optional
``templates/`` (document templates by file name), ``assets/`` (logo, crest) and ``reference/`` (local reference
data). Loaded and checked once at start-up; see docs/VARIANTS.md for the format."""
import base64
import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from ..config import PROJECT_ROOT
from ..definition.check import Problem, listing, schema_sentence
from ..i18n import gettext, json_mistake, lazy_gettext
from .images import image_problems, image_type
from .overlay import effective
from .texts import markup_problems

VARIANTS_DIR = PROJECT_ROOT / "variants"
DEFAULT_VARIANT = "kampar"  # the seed's office: what the server ran before variants existed
VARIANT_FILE = "variant.json"
IMAGE_KEYS = ("logo", "crest")
SCHEMA: dict = json.loads((Path(__file__).with_name("variant.schema.json")).read_text(encoding="utf-8"))


class VariantError(Exception):
    """A variant that cannot be used; lists every problem with its JSON pointer (or file)."""

    def __init__(self, where: str, problems: list[Problem]):
        super().__init__(where, problems)
        self.where, self.problems = where, problems

    def __str__(self) -> str:
        return listing(self.where, self.problems)


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(SCHEMA)


def _pointer(path) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def schema_problems(doc) -> list[Problem]:
    """The variant.json format (variant.schema.json): one problem per wrong place, the most telling message."""
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    seen, problems = set(), []
    for error in errors:
        at = _pointer(error.absolute_path)
        if at in seen:
            continue
        seen.add(at)
        best = best_match([error])
        problems.append(Problem(at, lazy_gettext("Format variant.json: {message}").format(message=schema_sentence(best))))
    return problems


def validate_overlay(variant_doc, base_definitions: dict, references=None, locales=None,
                     check_definition=None) -> list[Problem]:
    """Every problem of a variant document against the base definitions ({form id: definition}): its format,
    markup in any text, each overlay operation that does not fit its base form, and (with ``check_definition``,
    a function giving a definition's problems) the effective definitions. Pointers are into the variant
    document; messages are bilingual. An empty list: the variant can be served."""
    problems = schema_problems(variant_doc)
    if problems:
        return problems
    problems = [Problem("/identity" + p, m) for p, m in markup_problems(variant_doc["identity"])]
    problems += [Problem("/title" + p, m) for p, m in markup_problems(variant_doc.get("title") or {})]
    for form_id, ops in (variant_doc.get("forms") or {}).items():
        at = f"/forms/{form_id}"
        if form_id not in base_definitions:
            problems.append(Problem(at, gettext("Tidak ada formulir dasar '{form_id}'.").format(form_id=form_id)))
            continue
        definition, found = effective(base_definitions[form_id], ops, at, references, locales)
        problems += found
        if not found and check_definition is not None:
            problems += [Problem(at, gettext("Definisi hasil overlay tidak sah di {pointer}: {message}").format(
                                         pointer=p.pointer or '/', message=p.message))
                         for p in check_definition(definition)]
    return problems


@dataclass(frozen=True)
class OfficeImage:
    """The image the pages' header shows, named by its content (``logo.3f2a9c1b7d04.png``) like the static files."""
    role: str         # logo | crest
    data: bytes
    media_type: str   # image/png | image/jpeg

    @functools.cached_property
    def filename(self) -> str:
        digest = hashlib.sha256(self.data).hexdigest()[:12]
        return f"{self.role}.{digest}.{'png' if self.media_type == 'image/png' else 'jpg'}"


@dataclass
class Variant:
    """A loaded variant: its document and its folder (None for one held only in memory, e.g. from the store)."""
    name: str
    doc: dict
    root: Path | None = None
    problems: list = field(default_factory=list)  # overlay entries that no longer fit the base (logged, reported)
    images: dict = field(default_factory=dict)  # {file name: bytes} held in the store (a published version's)

    @property
    def identity(self) -> dict:
        return self.doc["identity"]

    @property
    def overlays(self) -> dict[str, list]:
        return self.doc.get("forms") or {}

    @property
    def template_dir(self) -> Path | None:
        folder = self.root / "templates" if self.root else None
        return folder if folder and folder.is_dir() else None

    def reference_file(self, name: str) -> Path | None:
        """The variant's own copy of a reference file (files.CHECKS names them), or None to use the shipped one."""
        path = self.root / "reference" / name if self.root else None
        return path if path and path.is_file() else None

    def asset(self, name: str | None) -> bytes | None:
        if name and name in self.images:
            return self.images[name]
        if not name or not self.root:
            return None
        path = self.root / "assets" / name
        return path.read_bytes() if path.is_file() and path.parent == self.root / "assets" else None

    @functools.cached_property
    def header_image(self) -> OfficeImage | None:
        """The logo, else the crest, for the pages' header; None when the variant has neither (looked at once: a
        published change replaces the whole Variant)."""
        for key in IMAGE_KEYS:
            data = self.asset(self.identity.get(key))
            media_type = image_type(data) if data else None
            if media_type:
                return OfficeImage(key, data, media_type)
        return None

    def image_data_uri(self, key: str) -> str:
        """The identity's ``logo``/``crest`` as a data: URI ("" when the variant has none)."""
        data = self.asset(self.identity.get(key))
        if not data or image_problems(data):
            return ""
        return f"data:{image_type(data)};base64,{base64.b64encode(data).decode()}"


def variant_path(name: str, variants_dir: str | Path | None = None) -> Path:
    return Path(variants_dir or VARIANTS_DIR) / name


def read_variant(name: str, variants_dir: str | Path | None = None) -> Variant:
    """Read ``variants/<name>/`` and check what can be checked without the forms (format, texts, files);
    VariantError lists every problem."""
    root = variant_path(name, variants_dir)
    path = root / VARIANT_FILE
    if not name or "/" in name or name.startswith(".") or not path.is_file():
        raise VariantError(str(path), [Problem("", gettext("Varian '{name}' tidak ada ({path} tidak ditemukan).").format(name=name, path=path))])
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise VariantError(str(path), [Problem("", lazy_gettext("berkas ini bukan teks UTF-8"))]) from None
    except ValueError as error:
        raise VariantError(str(path), [Problem("", json_mistake(error))]) from None
    problems = schema_problems(doc)
    if not problems:
        problems = [Problem("/identity" + p, m) for p, m in markup_problems(doc["identity"])]
        if doc["name"] != name:
            problems.append(Problem("/name", gettext("Nama harus '{name}' (nama foldernya).").format(name=name)))
        variant = Variant(name, doc, root)
        problems += file_problems(variant)
    if problems:
        raise VariantError(str(path), problems)
    return variant


def file_problems(variant: Variant) -> list[Problem]:
    """The variant's files: its images (PNG/JPEG, 1 MB at most), template names, reference data."""
    problems = []
    for key in IMAGE_KEYS:
        name = variant.identity.get(key)
        if not name:
            continue
        data = variant.asset(name)
        if data is None:
            problems.append(Problem(f"/identity/{key}", gettext("Berkas assets/{name} tidak ada.").format(name=name)))
        else:
            problems += [Problem(f"/identity/{key}", f"assets/{name}: {m}") for m in image_problems(data)]
    from .files import reference_problems, template_problems
    return problems + template_problems(variant) + reference_problems(variant)
