"""Issuance: an application's NIB and documents, exactly once, signed and verifiable.

Exactly once, whatever happens around it (a double click, two tabs, a retry, a crash half way):
the NIB is bound to the application by a one-time claim in the store, and every document has a
slot (application, type, activity) that the store keeps unique; a repeated issuance finds what
the first one made. Nothing issued is changed afterwards, except its status by a revocation.
"""
import json
from dataclasses import dataclass
from pathlib import Path

from .. import audit
from ..actions import ActionContext, action
from ..config import PROJECT_ROOT, base_url
from ..i18n import bi
from ..ids import new_id
from ..store import DuplicateKey
from . import signing
from .keyring import KeyRing

SELECTED_MR = "MENENGAH_RENDAH"
WAITING = "MENUNGGU_PERSETUJUAN_LINGKUNGAN"
# application statuses on the tracking timeline (domain section 4)
DRAF, DIAJUKAN, RISIKO_TERVALIDASI, TERBIT, DICABUT = "DRAF", "DIAJUKAN", "RISIKO_TERVALIDASI", "TERBIT", "DICABUT"


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def make_nib(serial: int) -> str:
    """A 13-digit NIB: "91", a 10-digit serial, a Luhn check digit."""
    if not 0 < serial < 10**10:
        raise ValueError("NIB serial out of range")
    base = f"91{serial:010d}"
    return base + luhn_digit(base)


def nib_is_valid(nib: str) -> bool:
    """Whether ``nib`` is 13 digits with a right check digit."""
    return isinstance(nib, str) and len(nib) == 13 and nib.isdigit() and luhn_digit(nib[:-1]) == nib[-1]


def load_office(config) -> dict:
    """The issuing office's identity (regional variant data), from OFFICE_FILE or documents/office.json."""
    path = Path(config.get("OFFICE_FILE") or PROJECT_ROOT / "documents" / "office.json")
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Verification:
    valid: bool
    status: str          # VALID, REVOKED, MENUNGGU_PERSETUJUAN_LINGKUNGAN, UNKNOWN, ALTERED
    document: dict | None = None


def mask_name(name: str) -> str:
    """A holder's name as the public may see it: first letters kept, "Budi Santoso" → "Bu** Sa*****"."""
    return " ".join(word[:2] + "*" * max(len(word) - 2, 0) for word in str(name).split())


def _selected(data: dict) -> list[tuple[int, dict]]:
    return [(i, item) for i, item in enumerate(data.get("kegiatan_usaha") or []) if item.get("dipilih")]


def _holder(data: dict) -> dict:
    akun = data.get("akun") or {}
    return {"nama": akun.get("nama_lengkap", ""), "nik": akun.get("nik", ""), "alamat": akun.get("alamat", ""),
            "email": data.get("email", ""), "nomor_telepon": akun.get("nomor_telepon", ""), "npwp": data.get("npwp", "")}


def _activity(item: dict, wilayah) -> dict:
    names = [(wilayah.get(level, item.get(key)) or {}).get("nama") if item.get(key) else None for level, key in (
        ("kelurahan", "kelurahan_usaha"), ("kecamatan", "kecamatan_usaha"), ("kabupaten", "kabupaten_usaha"),
        ("provinsi", "provinsi_usaha"))]
    return {"kbli": item.get("kbli"), "judul": item.get("uraian_kbli"), "skala": item.get("skala_usaha_hasil"),
            "tingkat_risiko": item.get("tingkat_risiko"), "nama_usaha": item.get("nama_usaha"),
            "alamat_usaha": ", ".join(filter(None, [item.get("alamat_usaha"), *names])), "modal_usaha": item.get("modal_usaha"),
            "kewajiban_lingkungan": item.get("kewajiban_lingkungan"),
            "dokumen_lingkungan": {k: item.get(k) for k in ("jenis_dokumen_lingkungan", "nomor_dokumen_lingkungan",
                                                           "tanggal_dokumen_lingkungan") if item.get(k)}}


def _statements(data: dict, form) -> list[str]:
    keys = ("pernyataan_k3l", "pernyataan_sppl", "pernyataan_standar_usaha", "pernyataan_sni", "pernyataan_halal")
    return [form.fields_by_key[k].spec["label"]["id"] for k in keys if data.get(k) is True]


class Issuer:
    """Issues, renders and verifies documents for the permit application."""

    def __init__(self, services):
        self.services = services
        self._keys = None
        self._ring = None

    @property
    def keys(self) -> signing.OfficeKeys:
        if self._keys is None:
            self._keys = signing.OfficeKeys.load(self.services.config)
        return self._keys

    @property
    def ring(self) -> KeyRing:
        """Signs with the current key; verifies a document with the key it names (see issue/keyring.py)."""
        if self._ring is None:
            self._ring = KeyRing(self.store, self.keys)
        return self._ring

    @property
    def store(self):
        return self.services.store

    def nib(self, application_id: str) -> str:
        """The application's NIB: allocated once and bound for ever (a lost race wastes a serial, never reuses one)."""
        candidate = make_nib(self.store.next_value("nib"))
        return self.store.claim(f"nib:{application_id}", candidate)

    def plan(self, submission: dict) -> list[dict]:
        """The documents an application gets: (type, activity slot, number, status)."""
        data = submission["data"]
        nib = submission["meta"]["nib"]
        slots = [{"type": "NIB", "activity": "", "number": nib, "status": "VALID"},
                 {"type": "PERNYATAAN_MANDIRI", "activity": "", "number": f"PM-{nib}", "status": "VALID"}]
        if data.get("pernyataan_sppl") is True:
            slots.append({"type": "SPPL", "activity": "", "number": f"SPPL-{nib}", "status": "VALID"})
        for i, item in _selected(data):
            if item.get("tingkat_risiko") == SELECTED_MR:
                waiting = item.get("punya_dokumen_lingkungan") == "BELUM" and \
                    item.get("kewajiban_lingkungan") in ("UKL_UPL", "AMDAL")
                slots.append({"type": "SERTIFIKAT_STANDAR", "activity": str(i), "number": f"SS-{nib}-{i + 1:03d}",
                              "status": WAITING if waiting else "VALID"})
        return slots

    def issue(self, submission: dict, actor: str) -> list[dict]:
        """Issue every planned document that does not exist yet; return all of them."""
        data, form = submission["data"], self.services.forms.get(submission["form_id"])
        holder = _holder(data)
        activities = {str(i): _activity(item, self.services.wilayah) for i, item in _selected(data)}
        issued_at, office = audit.now_iso(), load_office(self.services.config)
        for slot in self.plan(submission):
            content = {"nib": submission["meta"]["nib"], "holder": holder,
                       "activities": [activities[slot["activity"]]] if slot["activity"] else list(activities.values()),
                       "statements": _statements(data, form) if slot["type"] == "PERNYATAAN_MANDIRI" else [],
                       "office": office, "risk_table": submission["meta"].get("risk_table")}
            doc = {"id": new_id(), "application_id": submission["id"], "owner": submission["owner"],
                   **slot, "issued_at": issued_at, "content": content}
            doc["key_id"], doc["signature"] = self.ring.sign(self.payload(doc))
            try:
                self.store.insert_document(doc)
            except DuplicateKey:
                continue  # issued by an earlier attempt: that one stays
            audit.record(self.store, f"document:{doc['id']}", "document.issued", actor,
                         application_id=submission["id"], type=doc["type"], number=doc["number"])
        return self.store.documents_for(submission["id"])

    @staticmethod
    def payload(doc: dict) -> dict:
        """What a document's signature covers: everything printed on it."""
        return {"id": doc["id"], "type": doc["type"], "number": doc["number"], "issued_at": doc["issued_at"],
                "application_id": doc["application_id"], "activity": doc["activity"], "content": doc["content"]}

    def verify_url(self, doc: dict) -> str:
        """The absolute address of a document's verification page (printed and in its QR code)."""
        return f"{base_url(self.services.config)}/verifikasi/{signing.verification_code(doc['id'], doc['signature'])}"

    def verify(self, code: str) -> Verification:
        """Whether a verification code belongs to a genuine, unaltered document, and its status."""
        parsed = signing.parse_verification_code(code)
        doc = self.store.get_document(parsed[0]) if parsed else None
        if doc is None or doc["signature"] != parsed[1]:
            return Verification(False, "UNKNOWN")
        if not self.ring.verify(self.payload(doc), doc["signature"], doc.get("key_id"), doc.get("key_id_assumed") is True):
            return Verification(False, "ALTERED", doc)
        return Verification(doc["status"] == "VALID", doc["status"], doc)

    def revoke(self, document_id: str, actor: str, reason: str) -> dict:
        """Mark a document revoked (its content and signature stay as issued)."""
        doc = self.store.get_document(document_id)
        updated = self.store.update_document({**doc, "status": "REVOKED", "revoked": {"at": audit.now_iso(),
                                                                                     "by": actor, "reason": reason}})
        audit.record(self.store, f"document:{document_id}", "document.revoked", actor, reason=reason)
        return updated

    def render_context(self, doc: dict, status: str | None = None) -> dict:
        """The template context of an issued (or draft) document."""
        from .qr import qr_png_data_uri
        content = doc["content"]
        url = self.verify_url(doc) if doc.get("signature") else ""
        return {"document": {"id": doc["id"], "type": doc["type"], "number": doc["number"],
                             "issued_at": doc["issued_at"], "status": status or doc["status"],
                             # what ended it, printed on the PDF (None while it is in force)
                             "revoked": doc.get("revoked"), "superseded": doc.get("superseded")},
                "office": content["office"], "holder": content["holder"], "nib": content["nib"],
                "activities": content["activities"], "activity": (content["activities"] or [{}])[0],
                "statements": content["statements"], "verify_url": url,
                "qr_png_data_uri": qr_png_data_uri(url) if url else ""}

    def html(self, doc: dict, status: str | None = None) -> str:
        from .render import render_html
        return render_html(doc["type"], self.render_context(doc, status))

    def pdf(self, doc: dict) -> bytes:
        """The signed PDF of an issued document (made from its stored content, so it never changes)."""
        from .pades import sign_pdf
        from .pdf import html_to_pdf
        return sign_pdf(html_to_pdf(self.html(doc)), self.keys, location=doc["content"]["office"].get("city", ""))

    def draft_pdf(self, submission: dict) -> bytes:
        """The draft NIB as a PDF: the issued document's template and styles, unsigned, with a draft mark."""
        from .pdf import html_to_pdf
        return html_to_pdf(self.html(self.draft_nib(submission), status="DRAF"))

    def draft_nib(self, submission: dict) -> dict:
        """An unsigned NIB preview for the draft step (number not yet allocated)."""
        data = submission["data"]
        return {"id": "draf", "type": "NIB", "number": "(draf)", "issued_at": audit.now_iso(), "status": "DRAF",
                "content": {"nib": "(belum diterbitkan)", "holder": _holder(data),
                            "activities": [_activity(item, self.services.wilayah) for _, item in _selected(data)],
                            "statements": [], "office": load_office(self.services.config)}}


def record_status(store, submission: dict, new: str, actor: str) -> None:
    """Move the application to a new tracking status, as an audit event (who, when, from, to)."""
    old = submission["meta"].get("status_permohonan", DRAF)
    if old == new:
        return
    submission["meta"] = {**submission["meta"], "status_permohonan": new}
    audit.record(store, f"submission:{submission['id']}", "application.status", actor, **{"from": old, "to": new})


@action("permohonan.validasi_risiko")
def _validate_risk(context: ActionContext) -> None:
    """Record which risk table decided the risk (the rules already refused what cannot be issued)."""
    svc, submission = context.services, context.submission
    table = svc.risk.current()
    submission["meta"] = {**submission["meta"], "risk_table": {
        "id": table["id"], "regulation": table["regulation"], "effective": table["effective"]} if table else None}
    record_status(svc.store, submission, RISIKO_TERVALIDASI, context.actor)


@action("permohonan.terbitkan")
def _issue(context: ActionContext) -> None:
    svc, submission = context.services, context.submission
    if not _selected(submission["data"]):
        context.fail("setuju_terbitkan", bi("Belum ada kegiatan yang dipilih.", "No activity has been selected."))
        return
    record_status(svc.store, submission, DIAJUKAN, context.actor)
    submission["meta"] = {**submission["meta"], "nib": svc.issuer.nib(submission["id"])}
    documents = svc.issuer.issue(submission, context.actor)
    waiting = any(d["status"] == WAITING for d in documents)
    record_status(svc.store, submission, WAITING if waiting else TERBIT, context.actor)
    submission["meta"] = {**submission["meta"], "documents": [d["id"] for d in documents]}
