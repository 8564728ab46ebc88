"""Environmental approvals: a supervisor records the outcome for an activity whose Sertifikat Standar waits
for its UKL-UPL (status MENUNGGU_PERSETUJUAN_LINGKUNGAN).

Approved (document type, number, date, issuing authority): the waiting Sertifikat Standar is superseded by a
reissued one that is in force and names the approval (the existing lifecycle: nothing issued changes except
its status), and a PKPLH document is issued for the activity. Refused (with a reason): the waiting Sertifikat
Standar is revoked with that reason. Either way the application's timeline says so, and once no activity
waits any more the application is TERBIT.

Exactly once, like issuance: the decision is bound to (application, activity) by a one-time claim before
anything is made, so a second decision is refused (409) and a crash half way is finished by ``finish`` (the
next visit of the application's page, or the same decision sent again): documents have unique slots, the
supersession and the application's record happen once.
"""
import datetime as dt
import json

from .. import audit
from ..i18n import gettext
from ..ids import new_id
from ..store import DuplicateKey
from ..submissions import COMPLETED
from .issuance import DICABUT, TERBIT, VALID, WAITING, RevocationRefused, status_events

APPROVED, REFUSED = "DISETUJUI", "DITOLAK"
APPROVAL_TYPES = ("PKPLH",)  # UKL-UPL; an AMDAL's SKKL is the ministry's, not this flow's
EVENT = {APPROVED: "environment.approved", REFUSED: "environment.refused"}


class DecisionRefused(ValueError):
    """A decision that cannot be recorded: ``status`` 404 (no such activity waiting), 409 (decided already),
    422 (the decision itself is incomplete); ``message`` says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _claim_key(application_id: str, activity: str) -> str:
    return f"environment:{application_id}:{activity}"


def waiting_certificates(store, application_id: str) -> list[dict]:
    """The application's Sertifikat Standar documents that wait for the environmental approval."""
    return [d for d in store.documents_for(application_id) if d["type"] == "SERTIFIKAT_STANDAR" and d["status"] == WAITING]


def decided(store, application_id: str, activity: str) -> dict | None:
    """The decision recorded for an activity, or None."""
    bound = store.claimed(_claim_key(application_id, activity))
    return json.loads(bound) if bound else None


def check_approval(values: dict) -> dict:
    """The approval's fields, cleaned; DecisionRefused (422) naming what is missing or wrong."""
    jenis = str(values.get("jenis") or "").strip().upper()
    nomor = str(values.get("nomor") or "").strip()[:100]
    penerbit = str(values.get("penerbit") or "").strip()[:200]
    tanggal = str(values.get("tanggal") or "").strip()
    problems = []
    if jenis not in APPROVAL_TYPES:
        problems.append(gettext("Jenis dokumen harus PKPLH (persetujuan atas UKL-UPL)."))
    if not nomor:
        problems.append(gettext("Nomor persetujuan wajib diisi."))
    if not penerbit:
        problems.append(gettext("Instansi penerbit wajib diisi."))
    try:
        day = dt.date.fromisoformat(tanggal)
        if day > dt.date.today():
            problems.append(gettext("Tanggal persetujuan tidak boleh di masa depan."))
    except ValueError:
        problems.append(gettext("Tanggal persetujuan harus tanggal yang sah (TTTT-BB-HH)."))
    if problems:
        raise DecisionRefused(422, " ".join(problems))
    return {"jenis": jenis, "nomor": nomor, "tanggal": tanggal, "penerbit": penerbit}


def record_decision(services, application_id: str, activity: str, outcome: str, details: dict, actor: str) -> dict:
    """Record the outcome for one waiting activity (exactly once) and carry it out; the application, stored.

    ``details``: the approval's fields (see check_approval) for APPROVED, ``{"reason"}`` for REFUSED.
    """
    store = services.store
    application = store.get_submission(application_id)
    if application is None or application["status"] != COMPLETED or not application["meta"].get("nib"):
        raise DecisionRefused(404, gettext("Permohonan tidak ditemukan."))
    if outcome == APPROVED:
        details = check_approval(details)
    else:
        reason = str(details.get("reason") or "").strip()[:500]
        if not reason:
            raise DecisionRefused(422, gettext("Alasan penolakan wajib diisi."))
        details = {"reason": reason}
    earlier = decided(store, application_id, activity)
    if earlier is None and not any(d["activity"] == activity for d in waiting_certificates(store, application_id)):
        raise DecisionRefused(404, gettext("Kegiatan ini tidak menunggu persetujuan lingkungan."))
    decision = {"id": new_id(), "outcome": outcome, **details, "at": audit.now_iso(), "by": actor}
    bound = earlier or json.loads(store.claim(_claim_key(application_id, activity), json.dumps(decision)))
    if bound["id"] != decision["id"]:
        finish(services, application_id, activity, actor)  # a crash may have left the first decision half done
        raise DecisionRefused(409, gettext(
            "Persetujuan lingkungan kegiatan ini sudah dicatat "
                                           "({outcome_words} pada {value}); catatan itu tidak diubah.").format(
                                       outcome_words=_outcome_words(bound), value=bound['at'][:10]))
    return finish(services, application_id, activity, actor)


def _outcome_words(decision: dict) -> str:
    if decision["outcome"] == APPROVED:
        return f"{decision['jenis']} {decision['nomor']}"
    return gettext("ditolak")


def finish(services, application_id: str, activity: str, actor: str) -> dict:
    """Carry out the decision bound to the activity (again after a crash: each part happens once)."""
    store, issuer = services.store, services.issuer
    decision = decided(store, application_id, activity)
    application = store.get_submission(application_id)
    if decision is None:
        return application
    waiting = next((d for d in store.documents_for(application_id)
                    if d["type"] == "SERTIFIKAT_STANDAR" and d["activity"] == activity), None)
    if decision["outcome"] == APPROVED and waiting is not None:
        approval = {k: decision[k] for k in ("jenis", "nomor", "tanggal", "penerbit")}
        activity_content = {**waiting["content"]["activities"][0], "dokumen_lingkungan": {
            "jenis_dokumen_lingkungan": approval["jenis"], "nomor_dokumen_lingkungan": approval["nomor"],
            "tanggal_dokumen_lingkungan": approval["tanggal"], "penerbit_dokumen_lingkungan": approval["penerbit"]}}
        content = {**waiting["content"], "activities": [activity_content]}
        in_force = _issue(issuer, waiting, "SERTIFIKAT_STANDAR", f"{activity}-L", f"{waiting['number']}-L", content, actor)
        _issue(issuer, waiting, "PKPLH", activity, waiting["number"].replace("SS-", "PKPLH-", 1),
               {**content, "approval": approval}, actor)
        if waiting["status"] == WAITING:
            issuer.supersede(waiting, in_force, actor)
    elif decision["outcome"] == REFUSED and waiting is not None and waiting["status"] == WAITING:
        try:
            issuer.revoke(waiting["id"], actor, gettext("Persetujuan lingkungan ditolak: {reason}").format(reason=decision['reason']))
        except RevocationRefused:
            pass  # revoked meanwhile (a concurrent finish): the revocation stands
    return _record(services, application, activity, decision, actor)


def _issue(issuer, waiting: dict, doc_type: str, slot: str, number: str, content: dict, actor: str) -> dict:
    """A signed document for the activity in its own slot, once; the one stored (an earlier attempt's, maybe)."""
    doc = {"id": new_id(), "application_id": waiting["application_id"], "owner": waiting["owner"], "type": doc_type,
           "activity": slot, "number": number, "status": VALID, "issued_at": audit.now_iso(), "content": content}
    doc["key_id"], doc["signature"] = issuer.ring.sign(issuer.payload(doc))
    try:
        issuer.store.insert_document(doc)
    except DuplicateKey:
        stored = next((d for d in issuer.store.documents_for(waiting["application_id"])
                       if (d["type"], d["activity"]) == (doc_type, slot)), None)
        if stored is None:
            raise
        return stored
    audit.record(issuer.store, f"document:{doc['id']}", "document.issued", actor,
                 application_id=doc["application_id"], type=doc_type, number=number)
    return doc


def _record(services, application: dict, activity: str, decision: dict, actor: str) -> dict:
    """The decision on the application (meta and timeline), once; TERBIT when no activity waits any more."""
    def change(current: dict):
        recorded = current["meta"].get("environment") or {}
        if activity in recorded:
            return None
        still_waiting = [d for d in waiting_certificates(services.store, current["id"]) if d["activity"] != activity]
        status = current["meta"].get("status_permohonan")
        new_status = status if still_waiting or status == DICABUT else TERBIT
        meta = {"environment": {**recorded, activity: {k: v for k, v in decision.items() if k != "id"}},
                "status_permohonan": new_status,
                "documents": [d["id"] for d in services.store.documents_for(current["id"])]}
        details = {k: decision[k] for k in ("jenis", "nomor", "tanggal", "penerbit", "reason") if k in decision}
        return meta, [(EVENT[decision["outcome"]], {"activity": activity, **details}), *status_events(status, new_status)]
    return services.submissions.record_change(application["id"], actor, change)
