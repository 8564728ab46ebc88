"""Attachments: a file answered to a question (a PDF or a picture), checked by its content and kept in the store.

An upload is read from an HTML form (a file input) or from the JSON API (``{"name", "content_type", "data":
base64}``). Its kind is read from its first bytes (magic numbers), never from its name: a file whose bytes are not
a PDF, PNG or JPEG is refused, and so is one whose name or declared type claims another kind than its bytes are.
While a step is checked the upload travels as ``{"name", "content_type", "size", "sha256", "pending": base64}``;
once the step is valid its bytes go to the store (``put_file``) and the answer keeps only the reference
``{"file_id", "name", "content_type", "size", "sha256"}``.
"""
import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from . import audit
from .i18n import lazy_gettext
from .ids import new_id

MAX_BYTES = 2 * 1024 * 1024
PENDING = "pending"


@dataclass(frozen=True)
class Kind:
    name: str
    content_type: str
    magic: tuple[bytes, ...]
    extensions: tuple[str, ...]


KINDS = (Kind("PDF", "application/pdf", (b"%PDF-",), ("pdf",)),
         Kind("PNG", "image/png", (b"\x89PNG\r\n\x1a\n",), ("png",)),
         Kind("JPEG", "image/jpeg", (b"\xff\xd8\xff",), ("jpg", "jpeg")))

NOT_ALLOWED = lazy_gettext("Lampiran harus berkas PDF, PNG atau JPEG.")
NOT_WHAT_IT_CLAIMS = lazy_gettext("Isi berkas ini bukan {claimed} seperti nama atau jenisnya; isinya {actual}. Unggah berkas "
                        "yang sebenarnya.")
TOO_BIG = lazy_gettext("Lampiran paling besar 2 MB; berkas ini {size}.")
EMPTY_FILE = lazy_gettext("Berkas ini kosong.")
UNREADABLE = lazy_gettext("Lampiran tidak dapat dibaca. Kirim sebagai {\"name\", \"content_type\", \"data\": base64}.")


class Refused(ValueError):
    """An upload that is not accepted; the message says why (a LazyText)."""


def kind_of(data: bytes) -> Kind | None:
    """The kind the bytes are, by their magic number."""
    for kind in KINDS:
        if any(data.startswith(magic) for magic in kind.magic):
            return kind
    return None


def _claimed(name: str, content_type: str) -> Kind | None:
    """The kind a name's extension or a declared media type claims (None when it claims none of ours)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    media = (content_type or "").split(";")[0].strip().lower()
    for kind in KINDS:
        if extension in kind.extensions or media == kind.content_type:
            return kind
    return None


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",") if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def safe_name(name: str) -> str:
    """A file name fit to show and to send back: no path, no control characters, at most 120 characters."""
    name = re.split(r"[\\/]", str(name or ""))[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"<>|*?:]", "_", name).strip(" .")
    return (name or "lampiran")[-120:]


def upload(name: str, content_type: str, data: bytes) -> dict:
    """Check an upload's bytes against what it claims; the pending answer, or Refused."""
    if not data:
        raise Refused(EMPTY_FILE)
    if len(data) > MAX_BYTES:
        raise Refused(TOO_BIG.format(size=_size(len(data))))
    kind = kind_of(data)
    if kind is None:
        raise Refused(NOT_ALLOWED)
    claimed = _claimed(name, content_type)
    extension_or_type = bool(name and "." in name) or bool(content_type)
    if extension_or_type and claimed is not kind:
        raise Refused(NOT_WHAT_IT_CLAIMS.format(claimed=claimed.name if claimed else "PDF/PNG/JPEG", actual=kind.name))
    return {"name": safe_name(name), "content_type": kind.content_type, "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), PENDING: base64.b64encode(data).decode("ascii")}


# what one attachment adds to a JSON body at most: its bytes as base64 (4 characters for 3 bytes), name and type
JSON_ALLOWANCE = MAX_BYTES * 4 // 3 + 4 + 1024
TOO_BIG_BODY = lazy_gettext("Data yang dikirim terlalu besar: setiap lampiran paling besar 2 MB (dikirim sebagai base64 di "
                  "JSON) dan jawaban lainnya paling besar {rest} KB.")


def from_json(value) -> dict:
    """An upload sent in a JSON body: ``{"name", "content_type", "data": base64}``; or a kept answer (its reference)."""
    if isinstance(value, dict) and set(value) <= {"file_id", "name", "content_type", "size", "sha256"} and "file_id" in value:
        return dict(value)
    if not isinstance(value, dict) or not isinstance(value.get("data"), str):
        raise Refused(UNREADABLE)
    if len(value["data"]) > MAX_BYTES * 4 // 3 + 4:
        raise Refused(TOO_BIG.format(size=_size(len(value["data"]) * 3 // 4)))
    try:
        data = base64.b64decode(value["data"], validate=True)
    except (binascii.Error, ValueError):
        raise Refused(UNREADABLE) from None
    return upload(str(value.get("name") or ""), str(value.get("content_type") or ""), data)


def from_file(storage) -> dict | None:
    """An upload from an HTML form's file input (a werkzeug FileStorage); None when no file was chosen."""
    if storage is None or not getattr(storage, "filename", ""):
        return None
    data = storage.stream.read(MAX_BYTES + 1)
    return upload(storage.filename, storage.mimetype or "", data)


def keep(value, previous, store, owner: str):
    """The answer to store: a pending upload's bytes go to the store (its reference is kept); a reference is kept
    only when it is the answer the submission had (a client cannot name someone else's file); anything else: None."""
    if not isinstance(value, dict):
        return None
    if PENDING in value:
        data = base64.b64decode(value[PENDING])
        record = store.put_file({"id": new_id(), "owner": owner, "name": value["name"],
                                 "content_type": value["content_type"], "size": len(data),
                                 "sha256": hashlib.sha256(data).hexdigest(), "created_at": audit.now_iso(),
                                 "data": data})
        return {"file_id": record["id"], "name": record["name"], "content_type": record["content_type"],
                "size": record["size"], "sha256": record["sha256"]}
    if isinstance(previous, dict) and value.get("file_id") == previous.get("file_id"):
        return previous
    return None


def unkeep(kept, previous, store) -> None:
    """Delete the bytes :func:`keep` stored for ``kept`` when its step is not saved after all (its action refused
    it, or the submission changed meanwhile): nothing names them then. The file ``previous`` names stays."""
    file_id = kept.get("file_id") if isinstance(kept, dict) else None
    if file_id and not (isinstance(previous, dict) and previous.get("file_id") == file_id):
        store.delete_file(file_id)


def display(value) -> str:
    """An answer as people read it: ``bukti.pdf (PDF, 120 KB)``."""
    if not isinstance(value, dict) or not value.get("name"):
        return ""
    kind = next((k.name for k in KINDS if k.content_type == value.get("content_type")), "")
    return f"{value['name']} ({kind}, {_size(int(value.get('size') or 0))})"


def file_ids(data) -> set[str]:
    """Every file an answer tree names (so a download can check the file belongs to that submission)."""
    found = set()
    if isinstance(data, dict):
        if isinstance(data.get("file_id"), str) and "sha256" in data:
            found.add(data["file_id"])
        for value in data.values():
            found |= file_ids(value)
    elif isinstance(data, list):
        for value in data:
            found |= file_ids(value)
    return found
