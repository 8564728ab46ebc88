"""Field types: one object per ``type`` of a definition's field, owning everything that type does.

A field type converts a posted answer (a marshmallow field), reads its answer from an HTML form,
names its input template (``web/templates/fields/<type>.html``), shows an answer on the review page,
says what is missing or wrong, contributes its JSON Schema fragment (the definition schema's type
enum is generated from this registry) and describes itself to the form editor's palette.

Adding a field type is one :func:`register` call and one template; nothing else names a type.
"""
import re
from dataclasses import dataclass
from pathlib import Path

from marshmallow import ValidationError, fields, validate

from .. import attachments
from ..dates import format_date
from ..i18n import SOURCE_LOCALE, LazyText, gettext, lazy_gettext, offered_locales, text
from . import convert

EMPTY = (None, "", [], {})  # an answer not given
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

TEXT_INVALID = lazy_gettext("Isian harus berupa teks")
TOO_SHORT = lazy_gettext("Paling sedikit {min} karakter")
TOO_LONG = lazy_gettext("Paling banyak {max} karakter")
TOO_SMALL = lazy_gettext("Paling kecil {min}")
TOO_LARGE = lazy_gettext("Paling besar {max}")
REQUIRED = lazy_gettext("{label} wajib diisi")
REQUIRED_CHOICE = lazy_gettext("{label}: pilih salah satu")
REQUIRED_CONSENT = lazy_gettext("Centang kotak ini untuk melanjutkan")

# properties every field may have, whatever its type (the editor shows them for all)
COMMON_PROPERTIES = ("key", "type", "label", "hint", "visible_if")
# properties of every field that takes an answer
ANSWER_PROPERTIES = ("required", "required_if", "required_message", "prefill", "store", "validators")
TEXT_PROPERTIES = ("min_length", "max_length", "pattern", "pattern_message", "autocomplete", "inputmode")


@dataclass(frozen=True)
class Editor:
    """How the form editor's palette presents a field type."""
    name: LazyText
    help: LazyText
    properties: tuple[str, ...] = ()  # the definition properties this type uses besides COMMON_PROPERTIES

    def as_dict(self, type_name: str) -> dict:
        return {"type": type_name, "name": {lang: self.name.in_locale(lang) for lang in offered_locales()},
                "help": {lang: self.help.in_locale(lang) for lang in offered_locales()},
                "properties": list(COMMON_PROPERTIES) + [p for p in self.properties if p not in COMMON_PROPERTIES]}


class FieldType:
    """One kind of field. Subclasses override the behaviour that differs; instances are registered by name.

    :param converter: the marshmallow field class for a posted answer; None when the type takes no answer
    :param invalid: the message for an answer the converter cannot read
    :param max_length: an absolute ceiling on the answer's length, whatever a definition says
    :param schema: the JSON Schema applied to a field of this type (e.g. which properties it requires)
    :param template_folder: a folder holding ``fields/<name>.html`` when the template is not the server's own
    """
    container = False  # holds other fields (a group): the stages walk its children
    silent = False     # shows text, never an answer (statement, summary)
    secret = False     # the answer is never kept in the submission; only the step's action sees it
    blank_when_absent = False  # an HTML form sends nothing for this answer when it is "no" (an unticked box)
    upload = False     # the answer is a file: a page posts the step as multipart/form-data

    def __init__(self, name: str, editor: Editor, converter: type[fields.Field] | None = None,
                 invalid: LazyText = TEXT_INVALID, max_length: int | None = None, schema: dict | None = None,
                 template_folder: Path | None = None):
        self.name, self.editor, self.converter, self.invalid = name, editor, converter, invalid
        self.max_length = max_length
        self.schema = {"required": ["label"]} if schema is None else schema
        self.template_folder = template_folder

    def __repr__(self) -> str:
        return f"<FieldType {self.name}>"

    @property
    def template(self) -> str:
        """The Jinja template that renders the input (inside the field's wrapper, with ``f``, ``path``, ``value``)."""
        return f"fields/{self.name}.html"

    @property
    def takes_input(self) -> bool:
        return self.converter is not None or self.container

    # conversion
    def make(self, spec: dict) -> fields.Field | None:
        """The marshmallow field converting and checking one answer of a field with this ``spec``."""
        if self.converter is None:
            return None
        return self.converter(validate=self.checks(spec), error_messages={"invalid": self.invalid})

    def checks(self, spec: dict) -> list:
        """The length, pattern and range checks a field's spec asks for."""
        checks = []
        if self.max_length is not None:
            if "min_length" in spec:
                checks.append(validate.Length(min=spec["min_length"], error=TOO_SHORT))
            checks.append(validate.Length(max=min(spec.get("max_length", self.max_length), self.max_length),
                                          error=TOO_LONG))
        if "pattern" in spec:
            message = LazyText.of(spec["pattern_message"]) if "pattern_message" in spec else TEXT_INVALID
            checks.append(validate.Regexp(spec["pattern"], error=message))
        if "min" in spec:
            checks.append(validate.Range(min=spec["min"], error=TOO_SMALL))
        if "max" in spec:
            checks.append(validate.Range(max=spec["max"], error=TOO_LARGE))
        return checks

    # HTML forms
    def from_form(self, posted, name: str):
        """The answer a posted HTML form (a MultiDict) carries under ``name``."""
        return posted.get(name)

    # requirements
    def answered(self, value) -> bool:
        """Whether ``value`` answers the question (a required one is satisfied)."""
        return value not in EMPTY

    def required_message(self, label: dict) -> LazyText:
        """What to say when a required answer is missing; ``label`` is the field's {"id", "en", …} label."""
        return _with_label(REQUIRED, label)

    # review
    def display(self, value, labels: dict[str, str]) -> str:
        """An answer as the applicant reads it on the review page; ``labels`` maps option values to their words."""
        if value in EMPTY:
            return ""
        return labels.get(str(value), str(value))

    # storing
    def keep(self, value, previous, store, owner: str):
        """The answer as the submission keeps it, once its step is valid (``previous``: the answer it had)."""
        return value

    def unkeep(self, kept, previous, store) -> None:
        """Undo what :meth:`keep` stored for ``kept`` beside the submission: the step was not saved after all."""


class AttachmentType(FieldType):
    """A file (PDF or picture), checked by its bytes; kept in the store, the answer names it (formserver/attachments.py)."""
    upload = True

    def from_form(self, posted, name: str):
        values = posted.getlist(name)
        chosen = next((v for v in values if getattr(v, "filename", "")), None)
        if chosen is not None:
            return chosen  # a file chosen now
        kept = next((v for v in values if isinstance(v, str) and v), None)
        return {"file_id": kept} if kept else None  # the page carries the file kept before

    def display(self, value, labels):
        return attachments.display(value)

    def keep(self, value, previous, store, owner):
        return attachments.keep(value, previous, store, owner)

    def unkeep(self, kept, previous, store) -> None:
        attachments.unkeep(kept, previous, store)


class ChoiceType(FieldType):
    def required_message(self, label: dict) -> LazyText:
        return _with_label(REQUIRED_CHOICE, label)


class MultiChoiceType(ChoiceType):
    def from_form(self, posted, name: str):
        return posted.getlist(name)

    def display(self, value, labels):
        if value in EMPTY:
            return ""
        return ", ".join(labels.get(str(v), str(v)) for v in value)


class ConsentType(FieldType):
    blank_when_absent = True

    def answered(self, value) -> bool:
        return value is True

    def required_message(self, label):
        return REQUIRED_CONSENT

    def display(self, value, labels):
        return "✓" if value is True else gettext("Tidak")  # a box left unticked is an answer too: no


class PasswordType(FieldType):
    secret = True

    def display(self, value, labels):
        return "" if value in EMPTY else "••••••••"


class RupiahType(FieldType):
    def display(self, value, labels):
        if isinstance(value, int) and not isinstance(value, bool):
            return "Rp" + f"{value:,}".replace(",", ".")
        return super().display(value, labels)


class DateType(FieldType):
    def display(self, value, labels):
        return "" if value in EMPTY else format_date(value)


class ComputedType(FieldType):
    def display(self, value, labels):
        if isinstance(value, str) and _iso_date(value):
            return format_date(value)  # a date read from elsewhere (the account's birth date)
        return super().display(value, labels)


class SilentType(FieldType):
    silent = True


class GroupType(FieldType):
    container = True


def _iso_date(value: str) -> bool:
    return ISO_DATE.match(value) is not None


FIELD_TYPES: dict[str, FieldType] = {}


def register(field_type: FieldType) -> FieldType:
    """Add a field type; a name can be registered once."""
    if field_type.name in FIELD_TYPES:
        raise ValueError(f"field type {field_type.name!r} registered twice")
    if not field_type.name.isidentifier():
        raise ValueError(f"field type name {field_type.name!r} must be a plain identifier")
    FIELD_TYPES[field_type.name] = field_type
    return field_type


def unregister(name: str) -> None:
    """Remove a field type (tests that register their own)."""
    FIELD_TYPES.pop(name, None)


def palette() -> list[dict]:
    """Every field type as the editor's palette shows it, in registration order."""
    return [t.editor.as_dict(t.name) for t in FIELD_TYPES.values()]


def markdown() -> str:
    """The field types as a Markdown table, the one docs/FORMAT.md carries (a test keeps the two the same)."""
    rows = ["| type | name | what it is | its own properties |", "|---|---|---|---|"]
    for kind in FIELD_TYPES.values():
        own = ", ".join(f"`{p}`" for p in kind.editor.properties if p not in ANSWER_PROPERTIES) or "–"
        answers = ("takes an answer" if kind.converter is not None
                   else "answers in its fields" if kind.container else "no answer")
        rows.append(f"| `{kind.name}` | {kind.editor.name.id} / {kind.editor.name.en} | {kind.editor.help.en} "
                    f"({answers}) | {own} |")
    return "\n".join(rows)


def _with_label(message: LazyText, label: dict) -> LazyText:
    """``message`` with the field's label in the same locale; a label inside a sentence starts in lower case
    ("Enter full name"), one that starts the sentence keeps its capital ("Nama lengkap wajib diisi")."""
    def resolve() -> str:
        sentence, words = str(message), text(label)
        if not sentence.startswith("{label}"):
            words = words[:1].lower() + words[1:]
        return sentence.format(label=words)
    return LazyText(resolve, message.in_locale(SOURCE_LOCALE).format(label=text(label, SOURCE_LOCALE)))


def deserialize(field: fields.Field, value, key: str):
    """Convert and check one posted value; raises ValidationError with its messages."""
    return field.deserialize(value, key, {})


def _ed(name: LazyText, help: LazyText, *properties: str) -> Editor:
    return Editor(name, help, tuple(properties))


_CHOICE_SCHEMA = {"required": ["label"], "anyOf": [{"required": ["options"]}, {"required": ["source"]}]}

for _type in (
    FieldType("text", _ed(lazy_gettext("Teks singkat"),
                          lazy_gettext("Satu baris teks, misalnya nama."), *ANSWER_PROPERTIES, *TEXT_PROPERTIES, "lookup"),
              convert.Text, max_length=500),
    FieldType("textarea", _ed(lazy_gettext("Teks panjang"),
                              lazy_gettext("Beberapa baris teks, misalnya alamat."),
                              *ANSWER_PROPERTIES, *TEXT_PROPERTIES),
              convert.Text, max_length=5000),
    FieldType("integer", _ed(lazy_gettext("Bilangan bulat"),
                             lazy_gettext("Angka tanpa pecahan, misalnya jumlah pekerja."),
                             *ANSWER_PROPERTIES, "min", "max"),
              convert.Integer, lazy_gettext("Masukkan bilangan bulat, misalnya 12")),
    RupiahType("rupiah", _ed(lazy_gettext("Jumlah rupiah"),
                             lazy_gettext("Jumlah uang dalam rupiah, tanpa sen."), *ANSWER_PROPERTIES, "min", "max"),
               convert.Rupiah, lazy_gettext("Masukkan jumlah rupiah dalam angka, misalnya 15000000")),
    DateType("date", _ed(lazy_gettext("Tanggal"),
                         lazy_gettext("Tanggal, misalnya tanggal lahir."),
                         *ANSWER_PROPERTIES),
             convert.Date, lazy_gettext("Masukkan tanggal yang benar, misalnya 17-08-1990")),
    FieldType("email", _ed(lazy_gettext("Alamat e-mail"),
                           lazy_gettext("Alamat e-mail yang diperiksa bentuknya."), *ANSWER_PROPERTIES, *TEXT_PROPERTIES),
              convert.Email, lazy_gettext("Masukkan alamat e-mail yang benar, misalnya nama@contoh.id"), max_length=254),
    FieldType("phone", _ed(lazy_gettext("Nomor telepon"),
                           lazy_gettext("Nomor telepon atau WhatsApp."), *ANSWER_PROPERTIES, *TEXT_PROPERTIES),
              convert.Text, max_length=20),
    PasswordType("password", _ed(lazy_gettext("Kata sandi"),
                                 lazy_gettext("Kata sandi; tidak pernah disimpan dalam permohonan."),
                                 *ANSWER_PROPERTIES, *TEXT_PROPERTIES),
                 convert.Password, max_length=128),
    ChoiceType("choice", _ed(lazy_gettext("Pilihan tunggal"),
                             lazy_gettext("Pilih satu dari daftar pilihan."), *ANSWER_PROPERTIES, "options", "source"),
               convert.Choice, lazy_gettext("Pilih salah satu pilihan yang tersedia"),
               schema=_CHOICE_SCHEMA),
    MultiChoiceType("multichoice", _ed(lazy_gettext("Pilihan ganda"),
                                       lazy_gettext("Pilih satu atau lebih dari daftar."),
                                       *ANSWER_PROPERTIES, "options", "source", "min_items", "max_items"),
                    convert.MultiChoice, lazy_gettext("Pilih dari pilihan yang tersedia"),
                    schema=_CHOICE_SCHEMA),
    ConsentType("consent", _ed(lazy_gettext("Persetujuan"),
                               lazy_gettext("Kotak centang untuk menyatakan setuju."), *ANSWER_PROPERTIES),
                convert.Consent, lazy_gettext("Centang kotak ini untuk melanjutkan")),
    ComputedType("computed", _ed(lazy_gettext("Nilai terhitung"),
                                 lazy_gettext("Nilai yang dihitung dari jawaban lain."), "compute", "options"),
                 schema={"required": ["label", "compute"]}),
    SilentType("statement", _ed(lazy_gettext("Pernyataan"),
                                lazy_gettext("Teks yang dibaca pemohon, tanpa jawaban."), "text"),
               schema={"required": ["text"]}),
    GroupType("group", _ed(lazy_gettext("Kelompok"),
                           lazy_gettext("Beberapa pertanyaan bersama; dapat diulang per butir."),
                           "fields", "repeat", "each", "item_label", "item_visible_if", "columns", "checks",
                           "min_items", "max_items"),
              schema={"required": ["label", "fields"]}),
    SilentType("summary", _ed(lazy_gettext("Ringkasan"),
                              lazy_gettext("Menampilkan jawaban dari pertanyaan yang disebut."), "of"),
               schema={"required": ["label", "of"]}),
    AttachmentType("attachment", _ed(lazy_gettext("Lampiran"),
                                     lazy_gettext("Berkas PDF atau gambar (PNG, JPEG), paling besar 2 MB; "
                                     "jenisnya diperiksa dari isinya."), "required", "required_if", "required_message"),
                   convert.Attachment, lazy_gettext("Lampiran tidak dapat dibaca")),
):
    register(_type)


__all__ = ["FIELD_TYPES", "FieldType", "Editor", "register", "unregister", "palette", "deserialize",
           "ValidationError", "EMPTY"]
