"""The officers' back office (/petugas): search, an application's detail, assisted filing, environmental
decisions, revocation and the dashboard. Petugas and supervisors only; supervisors alone decide
(environmental approvals, revocations). Thin views over backoffice/__init__.py and issue/environment.py."""
from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, session, url_for
from marshmallow import ValidationError

from .. import audit, backoffice, roles
from ..charts import bar_chart, line_chart
from ..i18n import gettext, pgettext
from ..issue import environment
from ..issue.issuance import RevocationRefused
from ..labels import label
from ..search import Query, day_range
from ..submissions import AccessDenied
from ..web import schemas as s
from ..web import services
from ..web.contract import _messages, operation
from ..web.documents import issuance_view, timeline
from ..web.errors import error_response
from ..web.forms import review_rows
from ..web.openapi import SESSION, ok
from ..web.views_common import current_account

bp = Blueprint("officer", __name__, template_folder="templates")


@bp.app_context_processor
def _menu():
    """The officers' menu (on the complaint and IKM pages too) shows a supervisor's own pages to supervisors only."""
    return {"officer_is_supervisor": lambda: roles.has_role(current_account(), roles.SUPERVISOR)}
OFFICERS = roles.OFFICERS
ASSIST = "assist"  # session key: {"account_id": the applicant an officer files for}


def _query(loaded: dict) -> tuple[Query, str | None, str | None, int]:
    query = Query(q=loaded["q"], nib=loaded["nib"], nik=loaded["nik"], kbli=loaded["kbli"], status=loaded["status"],
                  risk=loaded["risk"])
    start, end = day_range(loaded.get("from_"), loaded.get("to"))
    return query, start, end, loaded["page"]


@bp.get("/api/v1/officer/submissions")
@roles.require(*OFFICERS)
@operation("Search applications (officers)",
           {"200": ok("A page of applications, newest change first.", s.OfficerSubmissionList),
            "403": ok("Not logged in as a petugas or supervisor (the attempt is recorded).", s.Error)},
           errors=(400,), query=s.OfficerSearchQuery, security=SESSION, tag="officers",
           description="Every filter given must match: words of the applicant's or a business's name (`q`; 13 digits "
                       "find a NIB, 16 a NIK, 5 a KBLI code), NIB, NIK or passport number, KBLI, status, risk, and the "
                       "day of the last change (`from`, `to`, both inclusive, WIB). 20 results a page.")
def search_api(query):
    found = backoffice.search(services().store, *_query(query))
    keys = ("id", "form_id", "status", "nib", "holder", "updated_at")
    return jsonify({"items": [{k: item[k] for k in keys} for item in found.items], "total": int(found.total),
                    "total_is_estimate": found.total.estimate, "total_capped": found.total.capped, "page": found.page})


@bp.get("/petugas")
@roles.require(*OFFICERS)
def search_page():
    """The officer's home: the search form and its results (no JavaScript needed)."""
    try:
        loaded = s.OfficerSearchQuery().load({k: v for k, v in request.args.items() if k in _SEARCH_KEYS})
    except ValidationError as error:
        messages = [m for texts in _messages(error.messages).values() for m in texts]
        return render_template("officer/search.html", found=None, args=request.args, errors=messages,
                               statuses=backoffice.STATUSES, risks=backoffice.RISKS), 400
    found = backoffice.search(services().store, *_query(loaded))
    return render_template("officer/search.html", found=found, args=request.args, errors=[],
                           statuses=backoffice.STATUSES, risks=backoffice.RISKS)


_SEARCH_KEYS = ("q", "nib", "nik", "kbli", "status", "risk", "from", "to", "page")


@bp.get("/petugas/permohonan/<submission_id>")
@roles.require(*OFFICERS)
def detail(submission_id):
    """An application: its answers (as the review page shows them), timeline, documents and audit trail."""
    svc = services()
    doc = svc.store.get_submission(submission_id)
    if doc is None:
        abort(404)
    for activity in _decided_unrecorded(doc):
        doc = environment.finish(svc, doc["id"], activity, _actor())  # a decision a crash left half done
    form = svc.submissions.form_of(doc)
    state = svc.submissions.state(doc)
    applicant = svc.store.get_account(doc["owner"].split(":", 1)[1]) if doc["owner"].startswith("account:") else None
    return render_template(
        "officer/detail.html", doc=doc, form=form, sections=review_rows(doc, form, state), applicant=applicant,
        issued=issuance_view(doc) if doc["meta"].get("nib") else None, timeline=timeline(doc["id"]),
        trail=svc.store.events(f"submission:{doc['id']}"),
        waiting=environment.waiting_certificates(svc.store, doc["id"]) if doc["meta"].get("nib") else [],
        supervisor=roles.has_role(current_account(), roles.SUPERVISOR), today=audit.now_iso()[:10])


def _decided_unrecorded(doc: dict) -> list[str]:
    """Activities whose Sertifikat Standar still waits although a decision may be bound to them."""
    if not doc["meta"].get("nib"):
        return []
    recorded = doc["meta"].get("environment") or {}
    return [d["activity"] for d in environment.waiting_certificates(services().store, doc["id"])
            if d["activity"] not in recorded and environment.decided(services().store, doc["id"], d["activity"])]


def _actor() -> str:
    return f"account:{session['account_id']}"


@bp.post("/petugas/permohonan/<submission_id>/lingkungan/<activity>")
@roles.require(roles.SUPERVISOR)
def environment_decision(submission_id, activity):
    """Record the environmental approval of an activity, or its refusal with a reason."""
    outcome = {"setuju": environment.APPROVED, "tolak": environment.REFUSED}.get(request.form.get("keputusan", ""))
    if outcome is None:
        return error_response(400, gettext("Pilih keputusan: setuju atau tolak."))
    details = {k: request.form.get(k, "") for k in ("jenis", "nomor", "tanggal", "penerbit", "reason")}
    try:
        environment.record_decision(services(), submission_id, activity, outcome, details, _actor())
    except environment.DecisionRefused as refused:
        if refused.status == 404:
            abort(404)
        flash(refused.message)
        return redirect(url_for("officer.detail", submission_id=submission_id), 303)
    flash(gettext("Persetujuan lingkungan dicatat; Sertifikat Standar berlaku dan PKPLH diterbitkan.")
          if outcome == environment.APPROVED else
          gettext("Penolakan persetujuan lingkungan dicatat; Sertifikat Standar kegiatan ini dicabut."))
    return redirect(url_for("officer.detail", submission_id=submission_id), 303)


@bp.post("/petugas/dokumen/<document_id>/cabut")
@roles.require(roles.SUPERVISOR)
def revoke(document_id):
    """Revoke a document with a reason (the revocation lifecycle; the command line's revoke does the same)."""
    doc = services().store.get_document(document_id)
    if doc is None:
        abort(404)
    try:
        backoffice.revoke(services(), document_id, _actor(), request.form.get("reason", "")[:500])
        flash(gettext("{label} {number} dicabut.").format(label=label(doc['type']), number=doc['number']))
    except RevocationRefused as refused:
        flash(refused.message)
    return redirect(url_for("officer.detail", submission_id=doc["application_id"]), 303)


@bp.get("/petugas/dasbor")
@roles.require(*OFFICERS)
def dashboard():
    """Applications per status, risk, KBLI section and month, as charts with their tables."""
    counts = backoffice.dashboard_counts(services())
    applications = pgettext("backoffice/views", "Permohonan")
    charts = [
        bar_chart(gettext("Permohonan per status"), [(label(k), n) for k, n in counts["status"]],
                  gettext("Status"), applications),
        bar_chart(gettext("Kegiatan per tingkat risiko"), [(label(k), n) for k, n in counts["risk"]],
                  gettext("Tingkat risiko"), gettext("Kegiatan")),
        bar_chart(gettext("Kegiatan per kategori KBLI"), counts["section"],
                  gettext("Kategori KBLI"), gettext("Kegiatan")),
        line_chart(gettext("Permohonan per bulan (dibuat)"), counts["month"],
                   gettext("Bulan"), applications),
    ]
    return render_template("officer/dashboard.html", charts=charts, total=counts["total"])


# -- assisted filing ----------------------------------------------------------------------------------

@bp.route("/petugas/bantuan", methods=["GET", "POST"])
@roles.require(roles.PETUGAS, roles.SUPERVISOR)
def assist():
    """Find a walk-in applicant by NIK, passport number or username; start or continue an application for them."""
    svc = services()
    if request.method == "POST":
        applicant = svc.store.get_account(request.form.get("account_id", ""))
        if applicant is None or applicant.get("role"):
            abort(404)
        return _begin(applicant, request.form.get("submission_id", ""))
    text = request.args.get("cari", "")[:64]
    applicant = backoffice.find_applicant(svc.store, text) if text else None
    drafts = svc.store.find_submissions(f"account:{applicant['id']}", form_id=backoffice.APPLICATIONS, limit=20) \
        if applicant else []
    return render_template("officer/assist.html", text=text, applicant=applicant, applications=drafts,
                           assisting=session.get(ASSIST)), (404 if text and applicant is None else 200)


def _begin(applicant: dict, submission_id: str):
    svc = services()
    owner = f"account:{applicant['id']}"
    if submission_id:
        doc = svc.store.get_submission(submission_id)
        if doc is None or doc["owner"] != owner or doc["status"] != "draft":
            abort(404)
    else:
        form = svc.forms.get(backoffice.APPLICATIONS)
        try:
            doc = svc.submissions.create(form, owner, applicant)
        except AccessDenied as denied:  # the applicant's account may not use this form (not UMK, say)
            flash(denied.message)
            return redirect(url_for("officer.assist", cari=applicant["username"]), 303)
    session[ASSIST] = {"account_id": applicant["id"]}
    backoffice.begin_assistance(svc, current_account(), applicant, doc)
    return redirect(url_for("pages.resume", submission_id=doc["id"]), 303)


@bp.post("/petugas/bantuan/selesai")
@roles.require(roles.PETUGAS, roles.SUPERVISOR)
def end_assist():
    session.pop(ASSIST, None)
    flash(gettext("Bantuan pengisian selesai."))
    return redirect(url_for("officer.assist"), 303)


def assisted_submission(submission_id: str) -> dict | None:
    """The application an officer files for the applicant they assist (see views_common.owned_submission),
    with every event of this request marked as done for that applicant; None otherwise."""
    assisting = session.get(ASSIST)
    if not assisting:
        return None
    account = current_account()
    if not roles.is_officer(account):
        return None
    doc = services().store.get_submission(submission_id)
    if doc is None or doc["owner"] != f"account:{assisting['account_id']}":
        return None
    applicant = services().store.get_account(assisting["account_id"])
    if applicant is None:
        return None
    if "acting_for_token" not in g:
        g.acting_for_token = audit.acting_for.set(backoffice.assisted_by(account, applicant))
    return doc


@bp.teardown_app_request
def _stop_acting_for(exc=None):
    token = g.pop("acting_for_token", None)
    if token is not None:
        audit.acting_for.reset(token)
