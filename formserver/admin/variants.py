"""The office variant's editor, without the web: reading the identity and channel inputs of a posted page, and the
overlay operations one field's page owns (its label and help texts, its restricted choices).

A variant document is variant.json's shape (formserver/variants): ``identity`` and ``forms`` ({form id: [operation]}).
The pages only ever write ``text`` operations on a field (no option) and ``restrict`` operations; every other
operation a shipped variant has stays as it is, in its place.
"""
import copy

from ..i18n import gettext
from .edit import text_locales

# identity properties edited as one plain line each: (name, label)
IDENTITY_LINES = (
    ("name", gettext("Nama kantor")),
    ("parent_line", gettext("Baris pemerintah induk (mis. PEMERINTAH KABUPATEN KAMPAR)")),
    ("address", gettext("Alamat")), ("city", gettext("Kota/kabupaten")),
    ("province", gettext("Provinsi")), ("phone", gettext("Telepon")), ("email", gettext("E-mail")),
    ("website", gettext("Situs web")), ("place_of_issue", gettext("Tempat terbit dokumen")),
    ("motto", gettext("Motto pelayanan")),
)
SIGNATORY = (("name", gettext("Nama penanda tangan")),
             ("title", gettext("Jabatan penanda tangan")), ("nip", gettext("NIP penanda tangan")))
CHANNEL_KINDS = {"email": gettext("E-mail"), "website": gettext("Situs web"), "phone": gettext("Telepon"),
                 "whatsapp": gettext("WhatsApp"), "lapor": gettext("SP4N LAPOR"),
                 "online": gettext("Daring di situs ini"), "dropbox": gettext("Kotak pengaduan"),
                 "survey": gettext("Survei"), "other": gettext("Lainnya")}
FIELD_TEXTS = (("label", gettext("Label")), ("hint", gettext("Bantuan")))
MAX_CHANNELS = 30


def _line(posted, name: str) -> str:
    return " ".join(str(posted.get(name) or "").split())


def _pair(posted, name: str, errors: dict) -> dict | None:
    """A text from ``name.id``, ``name.en`` (both, or an error for the missing one) and ``name.<locale>`` for each
    other offered locale (optional); None when all are empty."""
    value = {lang: str(posted.get(f"{name}.{lang}") or "").strip() for lang in text_locales()}
    if not any(value.values()):
        return None
    for lang, words in (("id", gettext("Bahasa Indonesia")), ("en", gettext("bahasa Inggris"))):
        if not value[lang]:
            errors[f"{name}.{lang}"] = gettext("Isi juga teks {words}.").format(words=words)
    return {lang: words for lang, words in value.items() if words or lang in ("id", "en")}


def read_identity(posted, identity: dict) -> tuple[dict, dict]:
    """(the identity with the page's values, the mistakes by input name). Keys the page does not edit (logo,
    crest, layanan, …) are kept."""
    new, errors = copy.deepcopy(identity), {}
    for name, _ in IDENTITY_LINES:
        value = _line(posted, name)
        if value:
            new[name] = value
        else:
            new.pop(name, None)
    new["signatory"] = {k: v for k, _ in SIGNATORY if (v := _line(posted, f"signatory.{k}"))}
    hours = _pair(posted, "service_hours", errors)
    if hours:
        new["service_hours"] = hours
    else:
        new.pop("service_hours", None)
    new["complaint_channels"] = read_channels(posted, errors)
    return new, errors


def read_channels(posted, errors: dict) -> list[dict]:
    """The channel rows (``channels.<i>.kind|label.id|label.en|value|url``); a row ticked ``hapus`` or left empty
    (the new row) is left out."""
    rows = []
    for i in range(MAX_CHANNELS):
        prefix = f"channels.{i}"
        if f"{prefix}.kind" not in posted:
            continue
        if posted.get(f"{prefix}.hapus"):
            continue
        value, url = _line(posted, f"{prefix}.value"), _line(posted, f"{prefix}.url")
        label = _pair(posted, f"{prefix}.label", errors)
        if not value and not url and label is None:
            continue  # the empty row for a new channel
        row = {"kind": str(posted.get(f"{prefix}.kind")), "label": label or {"id": "", "en": ""}, "value": value}
        if label is None:
            errors[f"{prefix}.label.id"] = gettext("Beri nama saluran ini.")
        if url:
            row["url"] = url
        rows.append(row)
    return rows


def channel_rows(channels: list) -> list[dict]:
    """The rows the page shows: each channel, and an empty one to add."""
    return [*copy.deepcopy(channels or []), {"kind": "other", "label": {}, "value": ""}]


# ---------------------------------------------------------------- one field's operations


def steps_and_fields(definition: dict) -> list[dict]:
    """[{"key", "title", "fields": [{"key", "path", "label", "type"}]}]: every step with its fields (a group's
    fields after it, their key path from the step)."""
    def walk(fields, prefix):
        for f in fields or []:
            if isinstance(f, dict) and isinstance(f.get("key"), str):
                yield {"key": f["key"], "path": prefix + f["key"], "label": f.get("label"), "type": f.get("type")}
                yield from walk(f.get("fields"), prefix + f["key"] + ".")
    return [{"key": s.get("key"), "title": s.get("title"), "fields": list(walk(s.get("fields"), ""))}
            for s in definition.get("steps") or [] if isinstance(s, dict)]


def _is_field_text(op: dict, step: str, path: str) -> bool:
    return (op.get("op") == "text" and op.get("field") == path and op.get("step") in (None, step)
            and "option" not in op)


def _is_restrict(op: dict, step: str, path: str) -> bool:
    return op.get("op") == "restrict" and op.get("field") == path and op.get("step") in (None, step)


def field_overrides(ops: list, step: str, path: str) -> dict:
    """{"texts": {"label": {id, en}, "hint": {id, en}}, "restrict": [values] or None} the overlay sets on a field."""
    texts, restrict = {}, None
    for op in ops or []:
        if not isinstance(op, dict):
            continue
        if _is_field_text(op, step, path):
            texts.update({k: v for k, v in (op.get("set") or {}).items() if k in dict(FIELD_TEXTS)})
        elif _is_restrict(op, step, path):
            restrict = list(op.get("values") or [])
    return {"texts": texts, "restrict": restrict}


def op_indexes(ops: list, step: str, path: str) -> dict[int, str]:
    """{index of an operation on this field: the element of the page it belongs to ("texts" or "restrict")}."""
    found = {}
    for i, op in enumerate(ops or []):
        if isinstance(op, dict) and _is_field_text(op, step, path):
            found[i] = "texts"
        elif isinstance(op, dict) and _is_restrict(op, step, path):
            found[i] = "restrict"
    return found


def with_field_overrides(ops: list, step: str, path: str, texts: dict, restrict: list | None) -> list:
    """``ops`` with this field's text and restrict operations replaced by the page's (where the first of them
    stood, else at the end); no text or no restriction: no operation."""
    kept, place = [], None
    for op in ops or []:
        if isinstance(op, dict) and (_is_field_text(op, step, path) or _is_restrict(op, step, path)):
            place = len(kept) if place is None else place
            continue
        kept.append(op)
    new = []
    if texts:
        new.append({"op": "text", "step": step, "field": path, "set": texts})
    if restrict is not None:
        new.append({"op": "restrict", "step": step, "field": path, "values": restrict})
    place = len(kept) if place is None else place
    return kept[:place] + new + kept[place:]


def read_field(posted, choices: list | None) -> tuple[dict, list | None, dict]:
    """(texts, restricted values or None, mistakes) from a field's page. ``choices``: the base's values when the
    field has a fixed list (ticked ones are kept; all ticked is no restriction); None for reference data, whose
    codes come one per line."""
    errors: dict = {}
    texts = {name: value for name, _ in FIELD_TEXTS if (value := _pair(posted, name, errors))}
    if choices is not None:
        ticked = set(posted.getlist("restrict")) if hasattr(posted, "getlist") else set(posted.get("restrict") or ())
        kept = [v for v in choices if str(v) in ticked]
        if not kept:
            errors["restrict"] = gettext("Sisakan paling sedikit satu pilihan.")
        restrict = None if len(kept) == len(choices) else kept
    else:
        codes = [c.strip() for c in str(posted.get("restrict_codes") or "").replace(",", "\n").splitlines() if c.strip()]
        restrict = codes or None
    return texts, restrict, errors


def near(problems, prefix: str) -> dict[str, list[str]]:
    """Messages of problems under ``prefix`` (a JSON pointer) by the rest of their pointer's first segments joined
    with dots: "/identity/signatory/nip" under "/identity" → "signatory.nip"."""
    found: dict = {}
    for p in problems:
        if p.pointer == prefix or p.pointer.startswith(prefix + "/"):
            rest = [s for s in p.pointer[len(prefix):].split("/") if s]
            found.setdefault(".".join(rest), []).append(p.message)
    return found
