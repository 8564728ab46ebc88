"""Complaints on the web: the public status page and API (ticket + contact), and the officers' pages
under /petugas/pengaduan (petugas and supervisors). Thin views over formserver/complaints.py."""
import io

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for

from .. import attachments, complaints, roles
from ..i18n import gettext, lazy_gettext
from . import schemas as s
from . import services
from .contract import operation
from .errors import error_response
from .extensions import actor, limiter
from .forms import answer_rows
from .openapi import ok

bp = Blueprint("complaints", __name__)
OFFICERS = (roles.PETUGAS, roles.SUPERVISOR)
PAGE = 50


def _not_found() -> str:
    # the same words whichever of the two is wrong: the page must not tell which tickets exist
    return gettext("Tidak ada pengaduan dengan nomor tiket dan kontak itu. Periksa keduanya: kontak adalah e-mail atau "
              "nomor HP yang Anda isi saat mengadu.")


@bp.route("/pengaduan/status", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def status_page():
    """Anyone with the ticket and its contact sees the status and the answers."""
    new = url_for("pages.start", form_id=complaints.FORM)
    if request.method == "GET":
        return render_template("complaint_status.html", found=None, ticket=request.args.get("tiket", "")[:20],
                               errors={}, new=new)
    ticket, contact = request.form.get("tiket", "")[:20].strip(), request.form.get("kontak_pengadu", "")[:254]
    doc = complaints.find_by_ticket(services().store, ticket, contact)
    if doc is None:
        return render_template("complaint_status.html", found=None, ticket=ticket,
                               errors={"tiket": [_not_found()]}, new=new), 404
    return render_template("complaint_status.html", found=complaints.public_view(doc), ticket=ticket, errors={},
                           new=new)


@bp.get("/api/v1/pengaduan/<ticket>")
@limiter.limit("10 per minute")
@operation("A complaint's status and answers, for whoever has its ticket and contact",
           {"200": ok("The status and the officers' answers.", s.ComplaintStatus)},
           errors=(400, 404, 429), query=s.ComplaintQuery, tag="complaints",
           path={"ticket": "The ticket number, `ADU-YYYY-NNNNNN`."},
           description="404 when the ticket does not exist or the contact is not the one it was sent with (the two "
                       "are not told apart). 10 per minute per address.")
def status_api(ticket, query):
    doc = complaints.find_by_ticket(services().store, ticket, query[complaints.CONTACT_PARAMETER])
    if doc is None:
        return error_response(404, _not_found())
    return jsonify(complaints.public_view(doc))


# -- officers ------------------------------------------------------------------------------------------

def _workflow() -> complaints.Workflow:
    return complaints.Workflow(services())


@bp.get("/petugas/pengaduan")
@roles.require(*OFFICERS)
def officer_list():
    status = request.args.get("status") if request.args.get("status") in complaints.STATUSES else None
    page = request.args.get("halaman", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    docs = _workflow().list(status, limit=PAGE + 1, offset=(page - 1) * PAGE)
    rows = [{"doc": d, "state": complaints.state_of(d), "public": complaints.public_view(d)} for d in docs[:PAGE]]
    return render_template("officer_complaints.html", rows=rows, status=status, page=page,
                           more=len(docs) > PAGE, statuses=complaints.STATUSES)


def _complaint(submission_id: str) -> dict:
    doc = _workflow().get(submission_id)
    if doc is None:
        abort(404)
    return doc


@bp.get("/petugas/pengaduan/<submission_id>")
@roles.require(*OFFICERS)
def officer_detail(submission_id):
    return _detail(_complaint(submission_id))


def _detail(doc: dict, problem: str | None = None, status: int = 200):
    svc = services()
    form = svc.submissions.form_of(doc)
    state = svc.submissions.state(doc)
    rows = answer_rows([f for step in form.steps for f in step.fields], state, state.data)
    workflow = complaints.state_of(doc)
    files = [{"id": v["file_id"], "label": attachments.display(v)} for v in doc["data"].values()
             if isinstance(v, dict) and v.get("file_id") in attachments.file_ids(doc["data"])]
    return render_template("officer_complaint.html", doc=doc, rows=rows, state=workflow, problem=problem, files=files,
                           next_status=complaints.NEXT.get(workflow["status"]),
                           events=svc.store.events(f"submission:{doc['id']}")), status


CHANGES = {
    "status": (lambda w, doc, form, version, who: w.move(doc, form.get("status", ""), version, who),
               lazy_gettext("Status pengaduan diubah.")),
    "jawab": (lambda w, doc, form, version, who: w.answer(doc, form.get("teks", ""), version, who),
              lazy_gettext("Jawaban disimpan dan dikirim ke pengadu.")),
    "catatan": (lambda w, doc, form, version, who: w.note(doc, form.get("teks", ""), version, who),
                lazy_gettext("Catatan internal disimpan.")),
}


@bp.post("/petugas/pengaduan/<submission_id>/<change>")
@roles.require(*OFFICERS)
def officer_change(submission_id, change):
    doc = _complaint(submission_id)
    if change not in CHANGES:
        abort(404)
    version = request.form.get("version", "")
    if not version.isdigit():
        return _detail(doc, gettext("Muat ulang halaman lalu coba lagi."), 400)
    apply, done = CHANGES[change]
    try:
        apply(_workflow(), doc, request.form, int(version), actor())
    except complaints.WorkflowRefused as refused:
        return _detail(doc, refused.message, 422)
    except complaints.Changed:
        return _detail(_complaint(submission_id), gettext(
            "Pengaduan ini baru saja diubah petugas lain; periksa lalu coba lagi."), 409)
    flash(str(done))
    return redirect(url_for("complaints.officer_detail", submission_id=submission_id), 303)


@bp.get("/petugas/pengaduan/<submission_id>/berkas/<file_id>")
@roles.require(*OFFICERS)
def officer_file(submission_id, file_id):
    """A file the complaint attached, as a download (never shown inline: its bytes came from outside)."""
    doc = _complaint(submission_id)
    stored = services().store.get_file(file_id) if file_id in attachments.file_ids(doc["data"]) else None
    if stored is None:
        abort(404)
    return send_file(io.BytesIO(stored["data"]), mimetype=stored["content_type"], as_attachment=True,
                     download_name=attachments.safe_name(stored["name"]))
