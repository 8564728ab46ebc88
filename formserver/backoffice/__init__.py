"""The officers' back office on permit applications: search, counts for the dashboard, assisted filing, revocation.

Its pages and API are in backoffice/views.py (with their templates here, not in the generic web stage: the back
office knows the permit application's NIB, NIK and KBLI); environmental approvals are in issue/environment.py.
"""
from dataclasses import dataclass

from .. import audit
from ..accounts.messages import Message
from ..config import base_url
from ..issue.issuance import DICABUT
from ..search import Query

PAGE_SIZE = 20
MAX_PAGE = 500  # 10,000 results deep: narrow the search rather than page further
STATUSES = ("DRAF", "DIAJUKAN", "RISIKO_TERVALIDASI", "MENUNGGU_PERSETUJUAN_LINGKUNGAN", "TERBIT", "DICABUT")
RISKS = ("RENDAH", "MENENGAH_RENDAH", "MENENGAH_TINGGI", "TINGGI")
APPLICATIONS = "permohonan"


@dataclass(frozen=True)
class Found:
    items: list[dict]
    total: int
    page: int
    pages: int


def summary(doc: dict) -> dict:
    """One search result: ``{"id", "form_id", "status", "nib", "holder", "updated_at"}`` (and KBLI codes)."""
    data, meta = doc.get("data") or {}, doc.get("meta") or {}
    return {"id": doc["id"], "form_id": doc["form_id"], "status": meta.get("status_permohonan", "DRAF"),
            "nib": meta.get("nib"), "holder": (data.get("akun") or {}).get("nama_lengkap", ""),
            "updated_at": doc["updated_at"],
            "kbli": [item.get("kbli") for item in data.get("kegiatan_usaha") or [] if isinstance(item, dict) and item.get("kbli")]}


def search(store, query: Query, updated_from: str | None, updated_to: str | None, page: int) -> Found:
    """A page of applications matching ``query``, newest change first."""
    docs, total = store.search_submissions(query.terms(), updated_from, updated_to, limit=PAGE_SIZE,
                                           offset=(page - 1) * PAGE_SIZE)
    return Found([summary(d) for d in docs], total, page, max(1, min(MAX_PAGE, -(-total // PAGE_SIZE))))


def dashboard_counts(services) -> dict:
    """Applications per status, risk level, KBLI section (kategori) and month of creation."""
    store = services.store
    statuses = {t.split(":", 1)[1]: n for t, n in store.count_terms("status:").items()}
    risks = {t.split(":", 1)[1]: n for t, n in store.count_terms("risk:").items()}
    sections: dict[str, int] = {}
    for term, n in store.count_terms("kbli:").items():
        row = services.kbli.get(term.split(":", 1)[1])
        letter = row["kategori"] if row else "?"
        sections[letter] = sections.get(letter, 0) + n
    months = {t.split(":", 1)[1]: n for t, n in store.count_terms("month:").items()}
    return {"status": [(s, statuses.get(s, 0)) for s in STATUSES],
            "risk": [(r, risks.get(r, 0)) for r in RISKS],
            "section": sorted(sections.items()),
            "month": sorted(months.items())[-12:],
            "total": store.search_submissions([f"form:{APPLICATIONS}"], limit=0)[1]}


def find_applicant(store, text: str) -> dict | None:
    """An applicant's account by username, NIK or passport number (officers' own accounts are not found)."""
    text = text.strip()
    if not text:
        return None
    account = (store.find_account(identity=f"nik:{text}") if text.isdigit() else None) \
        or store.find_account(identity=f"paspor:{text.upper()}") or store.find_account(username=text.lower())
    return account if account and not account.get("role") else None


def assisted_by(officer: dict, applicant: dict) -> dict:
    """The details every event of an assisted request carries (see audit.acting_for)."""
    return {"on_behalf_of": f"account:{applicant['id']}",
            "assisted_by": officer.get("profile", {}).get("nama_lengkap") or officer["username"]}


def begin_assistance(services, officer: dict, applicant: dict, submission: dict) -> None:
    """Record that the officer files ``submission`` for the applicant and tell the applicant by e-mail."""
    details = assisted_by(officer, applicant)
    audit.record(services.store, f"submission:{submission['id']}", "submission.assisted", f"account:{officer['id']}",
                 **details)
    link = f"{base_url(services.config)}/dasbor"
    body = (f"Yth. {applicant.get('profile', {}).get('nama_lengkap') or applicant['username']},\n\n"
            f"Petugas {details['assisted_by']} sedang mengisi permohonan perizinan berusaha Anda "
            f"(nomor {submission['id']}) atas permintaan Anda di kantor layanan. Setiap langkah yang disimpan "
            f"petugas tercatat di riwayat permohonan. Lihat di dasbor Anda: {link}\n"
            "Jika Anda tidak meminta bantuan ini, hubungi kantor layanan.\n\n"
            f"Officer {details['assisted_by']} is filling in your business licence application "
            f"(number {submission['id']}) at your request at the service office. Every step the officer saves is "
            f"recorded in the application's history. See it on your dashboard: {link}\n"
            "If you did not ask for this help, contact the service office.\n")
    services.messenger.send("email", Message(to=applicant["email"], body=body,
                                             subject="Permohonan Anda diisi dengan bantuan petugas / "
                                                     "Your application is being filled in with an officer's help"))


def revoke(services, document_id: str, actor: str, reason: str) -> dict:
    """Revoke a document (the revocation lifecycle); a revoked NIB makes the application DICABUT. The supervisor's
    button on the detail page and ``formserver document revoke`` both come here."""
    doc = services.issuer.revoke(document_id, actor, reason)
    if doc["type"] == "NIB":
        def change(application):
            if application is None:  # a document whose application is gone: nothing to mark
                return None
            old = application["meta"].get("status_permohonan")
            return None if old == DICABUT else ({"status_permohonan": DICABUT}, [])
        services.submissions.record_change(doc["application_id"], actor, change)
    return doc

