"""Issuance: an application's NIB and documents, exactly once, signed and verifiable.

Exactly once, whatever happens around it (a double click, two tabs, a retry, a crash half way):
issuance is the completion of the last step (see formserver/actions.py): the application is stored
``processing``, its answers frozen, before any document exists, and becomes ``completed`` after the
last one; a document verifies as valid only once its application is completed, and whatever a crash
left half done is finished by the next submit or the next start-up. The NIB is bound to the
applicant by a one-time claim in the store, and every document has a slot (application, type,
activity) that the store keeps unique; a repeated issuance finds what the first one made.

One business, one NIB (OSS RBA): the NIB identifies the business actor (the account). Each of the
account's applications gets the next place in its NIB's chain (a claim per place), and its NIB
document lists the activities of the NIB document before it plus its own, with its own number;
the one before becomes SUPERSEDED. Nothing issued is changed afterwards, except its status by a
revocation or that supersession.
"""
from dataclasses import dataclass

from .. import audit
from ..actions import ActionContext, action, completion, draft
from ..config import base_url
from ..i18n import gettext, lazy_gettext
from ..ids import new_id
from ..labels import label
from ..store import DuplicateKey, StaleVersion
from ..store.base import CATEGORIES
from ..submissions import COMPLETED, PROCESSING
from ..upgrades import upgrade
from . import search_terms, signing  # noqa: F401  (search_terms registers the application's search terms)
from .keyring import KeyRing

SELECTED_MR = "MENENGAH_RENDAH"
WAITING = "MENUNGGU_PERSETUJUAN_LINGKUNGAN"
# document statuses
VALID, REVOKED, SUPERSEDED = "VALID", "REVOKED", "SUPERSEDED"
CHAIN = "nib-document"  # claim key prefix: f"{CHAIN}:{nib}:{place}" -> the application holding that place
RETRIES = 3
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


@dataclass(frozen=True)
class Verification:
    valid: bool
    status: str          # VALID, REVOKED, SUPERSEDED, MENUNGGU_PERSETUJUAN_LINGKUNGAN, UNKNOWN, ALTERED
    document: dict | None = None


class RevocationRefused(ValueError):
    """A revocation that cannot be made (no reason, already revoked, superseded); ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def mask_name(name: str) -> str:
    """A holder's name as the public may see it: first letters kept, "Budi Santoso" → "Bu** Sa*****"."""
    return " ".join(word[:2] + "*" * max(len(word) - 2, 0) for word in str(name).split())


# the declarations the self-declaration document states, when the applicant ticked them
STATEMENTS = ("pernyataan_k3l", "pernyataan_sppl", "pernyataan_standar_usaha", "pernyataan_sni", "pernyataan_halal")
# the certificates an applicant gave for a product, printed with the activity (SNI, halal)
PRODUCT_CERTIFICATES = ("nomor_sni", "sni_berlaku_sampai", "nomor_halal", "halal_terbit", "halal_berakhir")
_PLACE = ("alamat_usaha", "kelurahan_usaha", "kecamatan_usaha", "kabupaten_usaha", "provinsi_usaha")
_ENVIRONMENT_DOCUMENT = ("jenis_dokumen_lingkungan", "nomor_dokumen_lingkungan", "tanggal_dokumen_lingkungan")
# what a document's content holds (a name its templates may read: holder.npwp, activity.judul, statements) →
# the answers it is made of, below; tests/test_document_answers.py fails when a content key is missing here
PRINTED_FROM = {
    "email": ("email",), "npwp": ("npwp",),  # the holder's; the rest of the holder is the account's
    "kbli": ("kbli",), "judul": ("uraian_kbli",), "skala": ("skala_usaha_hasil",), "kegiatan_bupm": ("kegiatan_bupm",),
    "tingkat_risiko": ("tingkat_risiko",), "nama_usaha": ("nama_usaha",), "alamat_usaha": _PLACE,
    "modal_usaha": ("modal_usaha",), "kewajiban_lingkungan": ("kewajiban_lingkungan",),
    "dokumen_lingkungan": _ENVIRONMENT_DOCUMENT, "produk": ("produk", "nomor_sni", "nomor_halal"),
    "jenis_produk": ("jenis_produk",), **{key: (key,) for key in PRODUCT_CERTIFICATES},
    "statements": (*STATEMENTS, "komitmen_lingkungan"),
}
# what issuing reads whatever the templates print: the activities, which ones were chosen, which of them the SPPL
# covers, and what decides which documents are issued (Issuer.plan)
ISSUING_READS = frozenset({"kegiatan_usaha", "dipilih", "komitmen_lingkungan", "pernyataan_sppl", "tingkat_risiko",
                           "punya_dokumen_lingkungan", "kewajiban_lingkungan"})


def document_answers(template_dirs: tuple = ()) -> frozenset[str]:
    """The answer keys the documents print, from what their templates read (a variant's own templates first):
    the admin may not remove a field with one of these keys (formserver/versions.py)."""
    from .render import printed_names
    printed = printed_names(template_dirs)
    return ISSUING_READS | {answer for name in printed & PRINTED_FROM.keys() for answer in PRINTED_FROM[name]}


def _categories(doc: dict) -> list[str]:
    """What the monthly report counts a NIB document by: the KBLI codes of the activities it adds (a reissued
    document lists the earlier documents' activities first, ``carried``: they were counted then)."""
    activities = (doc.get("content") or {}).get("activities") or []
    return [str(a["kbli"]) for a in activities[doc.get("carried") or 0:] if isinstance(a, dict) and a.get("kbli")]


@upgrade("document-categories", "documents")
def _categories_of_nib(doc: dict) -> dict | None:
    """A NIB document issued before documents carried their categories: its KBLI codes, as issuing gives them."""
    if doc.get("type") != "NIB" or CATEGORIES in doc:
        return None
    return {**doc, CATEGORIES: _categories(doc)}


def _selected(data: dict) -> list[tuple[int, dict]]:
    return [(i, item) for i, item in enumerate(data.get("kegiatan_usaha") or []) if item.get("dipilih")]


def _holder(data: dict) -> dict:
    akun = data.get("akun") or {}
    holder = {"nama": akun.get("nama_lengkap", ""), "nik": akun.get("nik", ""), "alamat": akun.get("alamat", ""),
              "email": data.get("email", ""), "nomor_telepon": akun.get("nomor_telepon", ""), "npwp": data.get("npwp", "")}
    if akun.get("nomor_paspor"):  # a foreign national (WNA) is identified by the passport, not a NIK
        holder.update(kewarganegaraan=akun.get("kewarganegaraan", ""), nomor_paspor=akun["nomor_paspor"])
    return holder


def _certified_products(item: dict) -> list[dict]:
    """The activity's products that have an SNI or halal certificate number, with those numbers."""
    return [{"jenis_produk": product.get("jenis_produk", ""),
             **{k: product[k] for k in PRODUCT_CERTIFICATES if product.get(k)}}
            for product in item.get("produk") or [] if product.get("nomor_sni") or product.get("nomor_halal")]


def _bupm_label(item: dict, bupm) -> str | None:
    """The chosen BUPM activity as its Indonesian name (the code when the table in force no longer lists it)."""
    code = item.get("kegiatan_bupm")
    if not code:
        return None
    return next((label["id"] for value, label in bupm.options("kegiatan", item.get("kbli")) if value == code), code)


def _activity(item: dict, wilayah, bupm) -> dict:
    names = [(wilayah.get(level, item.get(key)) or {}).get("nama") if item.get(key) else None
             for level, key in zip(("kelurahan", "kecamatan", "kabupaten", "provinsi"), _PLACE[1:])]
    bupm = _bupm_label(item, bupm)
    return {"kbli": item.get("kbli"), "judul": item.get("uraian_kbli"), "skala": item.get("skala_usaha_hasil"),
            **({"kegiatan_bupm": bupm} if bupm else {}),
            "tingkat_risiko": item.get("tingkat_risiko"), "nama_usaha": item.get("nama_usaha"),
            "alamat_usaha": ", ".join(filter(None, [item.get(_PLACE[0]), *names])), "modal_usaha": item.get("modal_usaha"),
            "kewajiban_lingkungan": item.get("kewajiban_lingkungan"),
            "dokumen_lingkungan": {k: item.get(k) for k in _ENVIRONMENT_DOCUMENT if item.get(k)},
            "produk": _certified_products(item)}


def _sppl_items(data: dict) -> list[tuple[int, dict]]:
    """The selected activities the SPPL statement covers (the form's komitmen_lingkungan, see DECISIONS.md)."""
    return [(i, item) for i, item in _selected(data) if item.get("komitmen_lingkungan") == "SPPL"]


def _statements(data: dict, form) -> list[str]:
    statements = []
    for key in (k for k in STATEMENTS if data.get(k) is True):
        text = form.fields_by_key[key].spec["label"]["id"]
        if key == "pernyataan_sppl":  # the declaration names the activities it covers, as the SPPL document lists them
            text += " Berlaku untuk KBLI " + ", ".join(str(item.get("kbli")) for _, item in _sppl_items(data)) + "."
        statements.append(text)
    return statements


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

    def nib(self, submission: dict) -> str:
        """The NIB of the application's owner: one per business actor, allocated once and bound for ever
        (a lost race wastes a serial, never reuses one)."""
        key = f"nib:{submission['owner']}"
        bound = self.store.claimed(key)
        if bound:
            return bound
        earlier = self._issued_before_one_nib_per_owner(submission)
        if earlier is not None:
            # an application issued when every application had its own NIB: its NIB becomes the owner's,
            # its NIB document the first of the chain (bound first, so a crash between leaves no gap)
            self.store.claim(f"{CHAIN}:{earlier['meta']['nib']}:1", earlier["id"])
            return self.store.claim(key, earlier["meta"]["nib"])
        return self.store.claim(key, make_nib(self.store.next_value("nib")))

    def _issued_before_one_nib_per_owner(self, submission: dict) -> dict | None:
        issued = [d for d in self.store.find_submissions(submission["owner"], form_id=submission["form_id"],
                                                         status=COMPLETED, limit=1000)
                  if d["meta"].get("nib") and d["id"] != submission["id"]]
        return min(issued, key=lambda d: d["created_at"], default=None)

    def place(self, nib: str, submission: dict) -> int:
        """The application's place in its NIB's chain of NIB documents (1: the first), bound once.

        The chain is what keeps two applications of one owner, issued at the same time, from each
        listing only its own activities: the later place always builds on the earlier one.
        """
        place = 1
        while True:
            key = f"{CHAIN}:{nib}:{place}"
            holder = self.store.claimed(key) or self.store.claim(key, submission["id"])
            if holder == submission["id"]:
                return place
            place += 1

    def _nib_document(self, application_id: str) -> dict | None:
        return next((d for d in self.store.documents_for(application_id) if d["type"] == "NIB"), None)

    def _previous_nib_document(self, nib: str, place: int, actor: str) -> dict | None:
        """The NIB document of the place before ``place``, finishing that application's issuance first when a
        crash (or a concurrent request) left it ``processing``."""
        for earlier in range(place - 1, 0, -1):
            holder = self.store.claimed(f"{CHAIN}:{nib}:{earlier}")
            doc = self._nib_document(holder) if holder else None
            if doc is None and holder:
                application = self.store.get_submission(holder)
                if application is not None and application["status"] == PROCESSING:
                    self.services.submissions.complete(application, actor)
                    doc = self._nib_document(holder)
            if doc is not None:
                return doc
        return None

    def plan(self, submission: dict) -> list[dict]:
        """The documents an application gets: (type, activity slot, number, status)."""
        data = submission["data"]
        nib = submission["meta"]["nib"]
        place = submission["meta"].get("nib_place", 1)
        edition = "" if place == 1 else f"-{place:02d}"  # the numbers of the owner's first application stay short
        slots = [{"type": "NIB", "activity": "", "number": f"{nib}{edition}", "status": VALID},
                 {"type": "PERNYATAAN_MANDIRI", "activity": "", "number": f"PM-{nib}{edition}", "status": VALID}]
        if data.get("pernyataan_sppl") is True:
            slots.append({"type": "SPPL", "activity": "", "number": f"SPPL-{nib}{edition}", "status": VALID})
        for i, item in _selected(data):
            if item.get("tingkat_risiko") == SELECTED_MR:
                waiting = item.get("punya_dokumen_lingkungan") == "BELUM" and \
                    item.get("kewajiban_lingkungan") in ("UKL_UPL", "AMDAL")
                slots.append({"type": "SERTIFIKAT_STANDAR", "activity": str(i),
                              "number": f"SS-{nib}{edition}-{i + 1:03d}", "status": WAITING if waiting else VALID})
        return slots

    def issue(self, submission: dict, actor: str) -> list[dict]:
        """Issue every planned document that does not exist yet; return all of them.

        Sets ``meta["nib"]`` and ``meta["nib_place"]`` on ``submission`` (the caller stores it).
        """
        data, form = submission["data"], self.services.submissions.form_of(submission)
        nib = self.nib(submission)
        place = self.place(nib, submission)
        submission["meta"] = {**submission["meta"], "nib": nib, "nib_place": place}
        previous = self._previous_nib_document(nib, place, actor)
        # a revoked NIB document's activities are not carried into the next one
        carried = previous["content"]["activities"] if previous and previous["status"] != REVOKED else []
        holder = _holder(data)
        activities = {str(i): _activity(item, self.services.wilayah, self.services.bupm) for i, item in _selected(data)}
        issued_at, office = audit.now_iso(), self.services.variant.office()
        covered = {str(i) for i, _ in _sppl_items(data)}
        for slot in self.plan(submission):
            own = [activities[slot["activity"]]] if slot["activity"] else list(activities.values())
            if slot["type"] == "SPPL":  # only the activities the SPPL covers, never one that needs UKL-UPL or AMDAL
                own = [activity for i, activity in activities.items() if i in covered]
            content = {"nib": nib, "holder": holder, "activities": carried + own if slot["type"] == "NIB" else own,
                       "statements": _statements(data, form) if slot["type"] == "PERNYATAAN_MANDIRI" else [],
                       "office": office, "risk_table": submission["meta"].get("risk_table")}
            doc = {"id": new_id(), "application_id": submission["id"], "owner": submission["owner"],
                   **slot, "issued_at": issued_at, "content": content}
            if slot["type"] == "NIB":
                if carried:
                    doc["carried"] = len(carried)  # the first activities are the earlier documents'
                doc[CATEGORIES] = _categories(doc)  # the report counts a NIB's activities, the carried ones once
            doc["key_id"], doc["signature"] = self.ring.sign(self.payload(doc))
            try:
                self.store.insert_document(doc)
            except DuplicateKey:
                # issued by an earlier attempt: that one stays. Its number is the same too, and a store may name
                # either unique index first (SQLite the slot, MongoDB the number): what counts is the slot
                if not any((d["type"], d["activity"]) == (slot["type"], slot["activity"])
                           for d in self.store.documents_for(submission["id"])):
                    raise
                continue
            audit.record(self.store, f"document:{doc['id']}", "document.issued", actor,
                         application_id=submission["id"], type=doc["type"], number=doc["number"])
        documents = self.store.documents_for(submission["id"])
        if previous is not None:
            self.supersede(previous, next(d for d in documents if d["type"] == "NIB"), actor)
        return documents

    def supersede(self, doc: dict, by: dict, actor: str) -> None:
        """Mark the document ``doc`` superseded by ``by`` (once; a revoked one stays revoked)."""
        for _ in range(RETRIES):
            if doc["status"] in (SUPERSEDED, REVOKED):
                return
            try:
                self.store.update_document({**doc, "status": SUPERSEDED, "superseded": {
                    "at": audit.now_iso(), "by_document": by["id"], "by_number": by["number"]}})
            except StaleVersion:
                doc = self.store.get_document(doc["id"])
                continue
            audit.record(self.store, f"document:{doc['id']}", "document.superseded", actor,
                         by_document=by["id"], by_number=by["number"])
            return
        raise StaleVersion(doc["id"])

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
        application = self.store.get_submission(doc["application_id"])
        if application is None or application["status"] != COMPLETED:
            # made by an issuance that has not finished (a crash half way): not issued, so nobody's proof yet
            return Verification(False, "UNKNOWN")
        if not self.ring.verify(self.payload(doc), doc["signature"], doc.get("key_id"), doc.get("key_id_assumed") is True):
            return Verification(False, "ALTERED", doc)
        return Verification(doc["status"] == VALID, doc["status"], doc)

    def revoke(self, document_id: str, actor: str, reason: str) -> dict:
        """Revoke a document in force, for a reason (its content and signature stay as issued).

        RevocationRefused without a reason, for an unknown document, or one already revoked or superseded
        (the stored revocation is never touched).
        """
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise RevocationRefused(gettext("Alasan pencabutan wajib diisi."))
        for _ in range(RETRIES):
            doc = self.store.get_document(document_id)
            if doc is None:
                raise RevocationRefused(gettext("Dokumen tidak ditemukan."))
            if doc["status"] == REVOKED:
                raise RevocationRefused(gettext("Dokumen {number} sudah dicabut; pencabutannya tidak diubah.").format(number=doc['number']))
            if doc["status"] == SUPERSEDED:
                by = (doc.get("superseded") or {}).get("by_number", "")
                raise RevocationRefused(gettext("Dokumen {number} sudah digantikan oleh dokumen "
                                                "{by}; cabut dokumen itu.").format(number=doc['number'], by=by))
            revoked = {"at": audit.now_iso(), "by": actor, "reason": reason}
            try:
                updated = self.store.update_document({**doc, "status": REVOKED, "revoked": revoked})
            except StaleVersion:
                continue  # changed meanwhile (revoked by someone else?): read it again
            audit.record(self.store, f"document:{document_id}", "document.revoked", actor, reason=reason)
            # on the application's timeline too: "Dicabut", with the reason
            audit.record(self.store, f"submission:{doc['application_id']}", "document.revoked", actor,
                         to=DICABUT, reason=reason, document_type=doc["type"], number=doc["number"])
            return updated
        raise RevocationRefused(gettext("Dokumen sedang diubah; coba lagi."))

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
                "statements": content["statements"], "approval": content.get("approval"), "verify_url": url,
                "qr_png_data_uri": qr_png_data_uri(url) if url else "",
                # the office's images as data: URIs, from the variant served (not stored with the document)
                "images": {key: self.services.variant.image_data_uri(key) for key in ("logo", "crest")}}

    def html(self, doc: dict, status: str | None = None) -> str:
        from .render import render_html
        return render_html(doc["type"], self.render_context(doc, status), self.services.variant.template_dirs)

    def pdf(self, doc: dict) -> bytes:
        """The signed PDF of an issued document (made from its stored content, so it never changes)."""
        from .pades import sign_pdf
        from .pdf import html_to_pdf
        self.ring.ensure_registered()  # the certificate that signs this PDF stays known after it changes
        return sign_pdf(html_to_pdf(self.html(doc)), self.keys, location=doc["content"]["office"].get("city", ""),
                        verification_code=signing.verification_code(doc["id"], doc["signature"]))

    def draft_pdf(self, submission: dict) -> bytes:
        """The draft NIB as a PDF: the issued document's template and styles, unsigned, with a draft mark."""
        from .pdf import html_to_pdf
        return html_to_pdf(self.html(self.draft_nib(submission), status="DRAF"))

    def draft_nib(self, submission: dict) -> dict:
        """An unsigned NIB preview for the draft step (number not yet allocated): an owner who has a NIB sees it,
        with the activities its NIB document lists already, as the reissued document will."""
        data = submission["data"]
        nib = self.store.claimed(f"nib:{submission['owner']}")
        latest = self._latest_nib_document(nib) if nib else None
        carried = latest["content"]["activities"] if latest and latest["status"] != REVOKED else []
        return {"id": "draf", "type": "NIB", "number": "(draf)", "issued_at": audit.now_iso(), "status": "DRAF",
                "content": {"nib": nib or "(belum diterbitkan)", "holder": _holder(data),
                            "activities": carried + [_activity(item, self.services.wilayah, self.services.bupm) for _, item in _selected(data)],
                            "statements": [], "office": self.services.variant.office()}}

    def _latest_nib_document(self, nib: str) -> dict | None:
        """The last NIB document issued in the NIB's chain."""
        place, latest = 1, None
        while holder := self.store.claimed(f"{CHAIN}:{nib}:{place}"):
            latest = self._nib_document(holder) or latest
            place += 1
        return latest


def status_events(old: str | None, new: str) -> list[tuple[str, dict]]:
    """The timeline event of a move from ``old`` to ``new`` (none when it is no move)."""
    return [] if old == new else [("application.status", {"from": old or DRAF, "to": new})]


def record_status(context: ActionContext, new: str) -> None:
    """Move the application to a new tracking status; its audit event (who, when, from, to) is appended
    once the application is stored."""
    submission = context.submission
    old = submission["meta"].get("status_permohonan", DRAF)
    if old == new:
        return
    submission["meta"] = {**submission["meta"], "status_permohonan": new}
    context.record("application.status", **{"from": old, "to": new})


@action("permohonan.validasi_risiko")
def _validate_risk(context: ActionContext) -> None:
    """Record which risk table decided the risk (the rules already refused what cannot be issued)."""
    svc, submission = context.services, context.submission
    table = svc.risk.current()
    submission["meta"] = {**submission["meta"], "risk_table": {
        "id": table["id"], "regulation": table["regulation"], "effective": table["effective"]} if table else None}
    record_status(context, RISIKO_TERVALIDASI)


@action("permohonan.terbitkan")
def _submit(context: ActionContext) -> None:
    """Refuse what cannot be issued; otherwise the application is submitted (and frozen) for issuance."""
    if not _selected(context.submission["data"]):
        context.fail("setuju_terbitkan", gettext("Belum ada kegiatan yang dipilih."))
        return
    record_status(context, DIAJUKAN)


@completion("permohonan.terbitkan")
def _issue(context: ActionContext) -> None:
    """Issue the NIB and the documents of the frozen application (again after a crash: exactly once)."""
    svc, submission = context.services, context.submission
    documents = svc.issuer.issue(submission, context.actor)
    waiting = any(d["status"] == WAITING for d in documents)
    record_status(context, WAITING if waiting else TERBIT)
    submission["meta"] = {**submission["meta"], "documents": [d["id"] for d in documents]}


# what the pages show of the permit application (the generic views ask these; they name no key of the form)
APPLICATION_FORM = "permohonan"  # the dashboard lists and starts applications of this form
SUBMIT_VALUES = {"setuju_terbitkan": True}  # the last step's answers when POST .../submit sends none
draft("permohonan.terbitkan", "documents.draft_nib", lazy_gettext("Lihat draf NIB"))


def activity_codes(submission: dict) -> str:
    """The KBLI codes of an application's activities, for the dashboard."""
    return ", ".join(filter(None, (k.get("kbli") for k in submission["data"].get("kegiatan_usaha") or [])))


def waiting_notice(doc: dict) -> str:
    """What to do with a certificate waiting for its environmental approval: apply for it, then report its number."""
    activity = (doc.get("content", {}).get("activities") or [{}])[0]
    obligation = label(activity.get("kewajiban_lingkungan") or "UKL_UPL")
    approval = "SKKL" if activity.get("kewajiban_lingkungan") == "AMDAL" else "PKPLH"
    kbli = activity.get("kbli") or ""
    return gettext("Belum berlaku. Langkah berikutnya: ajukan persetujuan lingkungan ({obligation}) "
                   "untuk kegiatan KBLI {kbli} kepada dinas lingkungan hidup. Setelah {approval} "
                   "terbit, sampaikan nomornya kepada DPMPTSP; setelah petugas mencatatnya, "
                   "Sertifikat Standar ini berlaku.").format(obligation=obligation, kbli=kbli, approval=approval)


def public_activities(content: dict) -> dict:
    """What the public verification shows of a document's activities: codes, titles, names and addresses."""
    return {"kbli": [a["kbli"] for a in content["activities"]],
            "activities": [{k: a.get(k) for k in ("kbli", "judul", "nama_usaha", "alamat_usaha")}
                           for a in content["activities"]]}
