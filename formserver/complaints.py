"""Complaints (forms/pengaduan.json): the form's actions, its ticket, and the officers' workflow.

The form runs on the engine like any other; what it needs beyond the engine lives here, as its
actions: on submission the complainant gets a ticket number ``ADU-YYYY-NNNNNN`` exactly once
(the completion of ``pengaduan.kirim``: a store counter per year, bound to the complaint by a
claim), sent to the contact they gave. Officers then move the complaint baru → diproses → selesai,
answer the complainant (sent to the same contact) and keep internal notes, which never leave the
back office. Whoever gives the ticket with its contact sees the status and the answers.
"""
import datetime as dt
import hmac
import logging
import re
from dataclasses import dataclass

from marshmallow import ValidationError

from . import audit
from .accounts.messages import DeliveryError, Message
from .actions import ActionContext, action, completion
from .config import base_url
from .dates import WIB
from .i18n import gettext
from .ids import new_id
from .store import StaleVersion
from .validators import Context, email_or_phone

log = logging.getLogger(__name__)

FORM = "pengaduan"
BARU, DIPROSES, SELESAI = "BARU", "DIPROSES", "SELESAI"
STATUSES = (BARU, DIPROSES, SELESAI)
# the workflow goes one way: a complaint is taken up, then closed
NEXT = {BARU: DIPROSES, DIPROSES: SELESAI}
TICKET = re.compile(r"^ADU-\d{4}-\d{6}$")
MAX_TEXT = 5000
STATUS_PATH = "/pengaduan/status"
CONTACT_PARAMETER = "kontak"  # the status API's query parameter: the contact the complaint was sent with


class WorkflowRefused(ValueError):
    """An officer's change that cannot be made; ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Changed(Exception):
    """The complaint changed since it was read (another officer); read it again."""


def state_of(doc: dict) -> dict:
    """The complaint's workflow state: status, answers to the complainant, internal notes."""
    return {"status": BARU, "answers": [], "notes": [], **(doc.get("meta") or {}).get(FORM, {})}


def channel_of(contact: str) -> str:
    """How a contact is reached: an e-mail address by e-mail, a mobile number by WhatsApp."""
    return "email" if "@" in contact else "whatsapp"


# -- the ticket --------------------------------------------------------------------------------

def ticket_for(store, submission_id: str, on: dt.date) -> str:
    """The complaint's ticket number, taken once: a repeat (a retry, two workers) finds the bound one."""
    key = f"ticket-of:{submission_id}"
    bound = store.claimed(key)
    if bound is None:
        serial = store.next_value(f"ticket:ADU-{on.year}")  # a retry that lost the claim leaves a gap, never a duplicate
        bound = store.claim(key, f"ADU-{on.year}-{serial:06d}")
    store.claim(f"ticket:{bound}", submission_id)  # the way back from a ticket; idempotent
    return bound


def _ticket_message(ticket: str, config) -> tuple[str, str]:
    link = base_url(config) + STATUS_PATH
    subject = f"Pengaduan diterima / Complaint received: {ticket}"
    body = (f"Pengaduan Anda telah kami terima dengan nomor tiket {ticket}.\n"
            f"Lihat status dan jawaban petugas di {link} dengan nomor tiket dan kontak ini.\n\n"
            f"We have received your complaint with the ticket number {ticket}.\n"
            f"See its status and the officers' answers at {link} with the ticket number and this contact.\n")
    return subject, body


def _send(services, doc: dict, subject: str, body: str) -> bool:
    """Send a message to the complainant's contact; False (logged) when it could not be delivered."""
    contact = doc["data"]["kontak"]
    try:
        services.messenger.send(channel_of(contact), Message(to=contact, subject=subject, body=body))
        return True
    except DeliveryError as error:
        log.error("complaint %s: message not delivered: %s", doc["id"], error)
        return False


@action("pengaduan.kirim")
def _submit(context: ActionContext) -> None:
    """The complaint is sent: it starts as baru; the ticket follows in the completion."""
    meta = context.submission["meta"]
    context.submission["meta"] = {**meta, "submitted_at": audit.now_iso(),
                                  FORM: {"status": BARU, "answers": [], "notes": []}}


@completion("pengaduan.kirim")
def _give_ticket(context: ActionContext) -> None:
    """Bind the ticket and send it, each exactly once (safe to run again after a crash)."""
    doc, services = context.submission, context.services
    ticket = ticket_for(services.store, doc["id"], dt.datetime.now(WIB).date())
    if doc["meta"].get("ticket") != ticket:
        doc["meta"] = {**doc["meta"], "ticket": ticket, "follow_up": f"{STATUS_PATH}?tiket={ticket}"}
        context.record("complaint.ticket_issued", ticket=ticket)
    token = new_id()
    if services.store.claim(f"ticket-sent:{doc['id']}", token) == token:  # only the first run sends it
        sent = _send(services, doc, *_ticket_message(ticket, services.config))
        context.record("complaint.ticket_sent" if sent else "complaint.ticket_not_sent",
                       channel=channel_of(doc["data"]["kontak"]))


# -- finding a complaint by its ticket ----------------------------------------------------------

def _same_contact(given: str, stored: str) -> bool:
    try:
        normalised = email_or_phone(given, {}, Context())
    except ValidationError:
        return False
    return hmac.compare_digest(normalised.encode(), str(stored).encode())


def find_by_ticket(store, ticket: str, contact: str) -> dict | None:
    """The complaint with that ticket when ``contact`` is the one it was sent with; None otherwise (whichever
    of the two is wrong: the answer must not tell which tickets exist)."""
    ticket = (ticket or "").strip().upper()
    if not TICKET.match(ticket):
        return None
    submission_id = store.claimed(f"ticket:{ticket}")
    doc = store.get_submission(submission_id) if submission_id else None
    if doc is None or doc.get("form_id") != FORM or not _same_contact(contact or "", doc["data"].get("kontak", "")):
        return None
    return doc


def public_view(doc: dict) -> dict:
    """What the complainant may see: the ticket, the status, the subject, the answers; never internal notes."""
    state = state_of(doc)
    return {"ticket": doc["meta"].get("ticket"), "status": state["status"], "subject": doc["data"].get("perihal", ""),
            "submitted_at": doc["meta"].get("submitted_at") or doc["created_at"],
            "answers": [{"at": a["at"], "text": a["text"]} for a in state["answers"]]}


# -- the officers' workflow ---------------------------------------------------------------------

@dataclass
class Workflow:
    """Officers' changes to a complaint: each stored with the version it read, with an audit event."""

    services: object

    @property
    def store(self):
        return self.services.store

    def get(self, submission_id: str) -> dict | None:
        """A sent complaint (a draft is the complainant's own until sent), or None."""
        doc = self.store.get_submission(submission_id) if submission_id else None
        if doc is None or doc.get("form_id") != FORM or doc.get("status") != "completed":
            return None
        return doc

    def list(self, status: str | None = None, limit: int = 50, offset: int = 0) -> list[dict]:
        """Sent complaints, newest first; with ``status``, those in that state (read from a bounded window)."""
        if status is None:
            return self.store.list_submissions(FORM, status="completed", limit=limit, offset=offset)
        # the workflow state lives in the complaint; the window keeps a filtered page bounded
        window = self.store.list_submissions(FORM, status="completed", limit=1000)
        chosen = [doc for doc in window if state_of(doc)["status"] == status]
        return chosen[offset:offset + limit]

    def move(self, doc: dict, to: str, version: int, actor: str) -> dict:
        """baru → diproses → selesai, one step at a time."""
        current = state_of(doc)["status"]
        if to not in STATUSES:
            raise WorkflowRefused(gettext("Status tidak dikenal."))
        if NEXT.get(current) != to:
            raise WorkflowRefused(gettext("Pengaduan berstatus {current} tidak dapat menjadi {to}.").format(current=current, to=to))
        return self._change(doc, version, actor, lambda s: {**s, "status": to},
                            "complaint.status_changed", **{"from": current, "to": to})

    def answer(self, doc: dict, text: str, version: int, actor: str) -> dict:
        """An answer to the complainant: kept on the complaint and sent to the contact."""
        text = _text(text)
        if state_of(doc)["status"] == SELESAI:
            raise WorkflowRefused(gettext("Pengaduan ini sudah selesai."))
        entry = {"at": audit.now_iso(), "by": actor, "text": text}
        saved = self._change(doc, version, actor, lambda s: {**s, "answers": [*s["answers"], entry]},
                             "complaint.answered", length=len(text))
        ticket = saved["meta"].get("ticket", "")
        subject = f"Jawaban pengaduan / Answer to your complaint: {ticket}"
        body = (f"Jawaban petugas atas pengaduan {ticket}:\n\n{text}\n\n"
                f"Lihat status pengaduan di {base_url(self.services.config)}{STATUS_PATH}.\n\n"
                f"The officers' answer to complaint {ticket} is above (in Indonesian).\n")
        sent = _send(self.services, saved, subject, body)
        audit.record(self.store, f"submission:{doc['id']}", "complaint.answer_sent" if sent else "complaint.answer_not_sent",
                     actor, channel=channel_of(saved["data"]["kontak"]))
        return saved

    def note(self, doc: dict, text: str, version: int, actor: str) -> dict:
        """An internal note: officers only, never shown to the complainant."""
        text = _text(text)
        entry = {"at": audit.now_iso(), "by": actor, "text": text}
        return self._change(doc, version, actor, lambda s: {**s, "notes": [*s["notes"], entry]},
                            "complaint.noted", length=len(text))

    def _change(self, doc: dict, version: int, actor: str, change, event: str, **details) -> dict:
        if version != doc["version"]:
            raise Changed(doc["id"])
        new = {**doc, "meta": {**doc["meta"], FORM: change(state_of(doc))}, "updated_at": audit.now_iso()}
        try:
            saved = self.store.update_submission(new)
        except StaleVersion:
            raise Changed(doc["id"]) from None
        audit.record(self.store, f"submission:{doc['id']}", event, actor, **details)
        return saved


def _text(raw) -> str:
    text = str(raw or "").strip()
    if not text:
        raise WorkflowRefused(gettext("Tulis isinya terlebih dahulu."))
    if len(text) > MAX_TEXT:
        raise WorkflowRefused(gettext("Paling banyak {max_text} karakter.").format(max_text=MAX_TEXT))
    return text
