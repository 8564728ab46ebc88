"""Issued documents: submit (issue), download, public verification, the tracking timeline."""
from flask import Blueprint, abort, jsonify, make_response, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import PathConverter

from .. import roles
from ..dates import format_date
from ..i18n import gettext
from ..issue import issuance, pdfcheck, signing
from ..issue.issuance import WAITING, mask_name
from ..submissions import Conflict, Locked, StepNotReachable
from . import schemas as s
from . import services
from .contract import operation
from .errors import error_response
from .extensions import actor, csrf, limiter
from .openapi import SESSION, ok
from .views_common import current_account, owned_submission

bp = Blueprint("documents", __name__)


class VerificationCodeConverter(PathConverter):
    """A verification code in a path: anything (a bad code is an answer, not a routing error) except the
    word of the route beside it, so ``/api/v1/verify/pdf`` is the PDF check only, and ``/verifikasi/periksa``
    the page."""
    regex = r"(?!(?:pdf|periksa)$)[^/].*?"


# registered before the routes below are added to the app
bp.record_once(lambda state: state.app.url_map.converters.setdefault("vcode", VerificationCodeConverter))


def _is_officer() -> bool:
    return roles.is_officer(current_account())


def issuance_json(doc: dict) -> dict:
    """{"status", "nib", "documents": [...]} of an application."""
    issuer = services().issuer
    documents = services().store.documents_for(doc["id"])
    return {"status": doc["meta"].get("status_permohonan", "DRAF"), "nib": doc["meta"].get("nib"),
            "documents": [{"id": d["id"], "type": d["type"], "number": d["number"], "status": d["status"],
                           "url": url_for("documents.document_pdf", document_id=d["id"]),
                           "verify_url": issuer.verify_url(d)} for d in documents]}


def document_notice(doc: dict) -> str | None:
    """What the applicant must know about a document that is not in force: why, since when, what next."""
    status = doc["status"]
    if status == "REVOKED":
        revoked = doc.get("revoked") or {}
        return gettext("Dicabut pada {format_date}. Alasan: {reason}. Dokumen ini tidak berlaku lagi.").format(
                   format_date=format_date(revoked.get('at')), reason=revoked.get('reason') or '-')
    if status == "SUPERSEDED":
        superseded = doc.get("superseded") or {}
        return gettext("Digantikan oleh dokumen {by_number} pada {format_date}. Gunakan dokumen pengganti itu.").format(
                   by_number=superseded.get('by_number', ''), format_date=format_date(superseded.get('at')))
    if status in (WAITING, "WAITING"):
        return issuance.waiting_notice(doc)
    return None


def issuance_view(submission: dict) -> dict:
    """issuance_json with, for each document not in force, what the applicant must know (pages only)."""
    issued = issuance_json(submission)
    stored = {d["id"]: d for d in services().store.documents_for(submission["id"])}
    for entry in issued["documents"]:
        entry["notice"] = document_notice(stored[entry["id"]]) if entry["id"] in stored else None
    return issued


@bp.post("/api/v1/submissions/<submission_id>/submit")
@limiter.limit("30 per minute")
@operation("Issue the application",
           {"200": ok("Issued (or issued before: the same NIB and documents).", s.Issuance),
            "409": ok("Steps are missing, or the form issues no documents.", s.StepConflict),
            "422": ok("The last step's answers are not valid, or the body is not `{\"values\": {...}}`.",
                      s.ValidationErrors)},
           errors=(400, 404, 429), body=s.SubmitRequest, body_required=False, security=SESSION,
           description="Runs the last step with its server action. Exactly once: repeating it, or racing it, "
                       "returns the same NIB and documents.")
def submit(submission_id, body):
    """Issue the application (the last step's server action); repeating it returns the same result."""
    doc = owned_submission(submission_id)
    svc = services()
    values = body.get("values", issuance.SUBMIT_VALUES)
    if doc["status"] == "draft":
        state = svc.submissions.state(doc)
        final = state.path[-1] if state.path else None
        try:
            result = svc.submissions.save_step(doc, final, values, actor())
        except (StepNotReachable, Conflict, Locked):
            doc = owned_submission(submission_id)  # another request submitted it meanwhile
            if doc["status"] == "draft":
                return error_response(409, gettext("Lengkapi semua langkah sebelum menerbitkan."),
                                      current_step=svc.submissions.first_open_step(doc, svc.submissions.state(doc)))
        else:
            if not result.ok:
                return jsonify({"errors": result.errors}), 422
            doc = result.submission
    # an issuance that was interrupted (or runs in another request now) is finished here: idempotent
    doc = svc.submissions.complete(doc, actor())
    if not doc["meta"].get("nib"):
        return error_response(409, gettext("Formulir ini tidak menerbitkan dokumen."))
    return jsonify(issuance_json(doc))


def _document_for_caller(document_id: str) -> dict:
    doc = services().store.get_document(document_id)
    if doc is None or (doc["owner"] != actor() and not _is_officer()):
        abort(404)
    application = services().store.get_submission(doc["application_id"])
    if application is None or application["status"] != "completed":
        abort(404)  # made by an issuance that has not finished: not issued yet, so not handed out
    return doc


@bp.get("/api/v1/documents/<document_id>")
@operation("An issued document as a signed PDF",
           {"200": {"description": "The PDF (PAdES-signed).",
                    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
           errors=(404,), security=SESSION, tag="documents",
           description="For the applicant who owns it and for officers; others get 404.")
def document_pdf(document_id):
    """The signed PDF, to its owner and to officers only."""
    doc = _document_for_caller(document_id)
    response = make_response(services().issuer.pdf(doc))
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{doc["type"]}-{doc["number"]}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _verification_json(result) -> dict:
    """What the public may know of a verified document: the signed business data to compare with the
    paper in front of them (names, addresses, KBLI, NIB, date); the holder's name masked, no NIK."""
    doc = result.document
    out = {"valid": result.valid, "status": result.status}
    if doc is not None and result.status != "ALTERED":
        content = doc["content"]
        out.update({"type": doc["type"], "number": doc["number"], "issued_at": doc["issued_at"],
                    "nib": content.get("nib", ""), "holder": mask_name(content["holder"]["nama"]),
                    **issuance.public_activities(content)})
        if doc.get("revoked"):
            out["revoked_at"] = doc["revoked"].get("at", "")
        if doc.get("superseded"):
            out["superseded_by"] = doc["superseded"].get("by_number", "")
    return out


@bp.get("/api/v1/verify/<vcode:code>")
@limiter.limit("120 per minute")
@operation("Verify a document's code (from its QR code)",
           {"200": ok("Known: genuine and valid, revoked, waiting, or altered.", s.VerificationResult),
            "404": {"description": "Unknown or forged code (a code that cannot be a path gives the plain error).",
                    "content": {"application/json": {"schema": {"oneOf": [
                        {"$ref": "#/components/schemas/VerificationResult"}, {"$ref": "#/components/schemas/Error"}]}}}}},
           errors=(429,), tag="documents",
           path={"code": {"description": "The code of the verification URL (`pdf` is the PDF check's path).",
                          "schema": {"type": "string", "pattern": "^(?!pdf$)"}}})
def verify_api(code):
    result = services().issuer.verify(code)
    return jsonify(_verification_json(result)), 404 if result.status == "UNKNOWN" else 200


# multipart framing around a PDF of the largest size accepted
UPLOAD_OVERHEAD = 64 * 1024


class UploadProblem(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _too_large() -> UploadProblem:
    return UploadProblem(413, gettext("Berkas terlalu besar: paling besar {value} MB.").format(value=pdfcheck.MAX_BYTES // (1024 * 1024)))


def _uploaded_pdf(check_csrf: bool = False) -> bytes:
    """The bytes of the uploaded ``file`` (at most pdfcheck.MAX_BYTES); UploadProblem otherwise."""
    request.max_content_length = pdfcheck.MAX_BYTES + UPLOAD_OVERHEAD  # this view only: PDFs exceed the JSON limit
    if request.content_length and request.content_length > request.max_content_length:
        raise _too_large()
    try:
        if check_csrf:
            csrf.protect()
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        raise _too_large() from None
    if upload is None or not upload.filename:
        raise UploadProblem(400, gettext("Pilih berkas PDF yang akan diperiksa."))
    data = upload.read(pdfcheck.MAX_BYTES + 1)
    if len(data) > pdfcheck.MAX_BYTES:
        raise _too_large()
    if b"%PDF-" not in data[:1024]:  # where PDF readers look for the header
        raise UploadProblem(422, gettext("Berkas ini bukan PDF. Unggah berkas PDF dokumen perizinan."))
    return data


def _check_upload(check_csrf: bool = False) -> pdfcheck.PdfCheck:
    data = _uploaded_pdf(check_csrf)
    try:
        return pdfcheck.check_pdf(data, services().issuer)
    except pdfcheck.NotAPdf:
        raise UploadProblem(422, gettext("Berkas PDF ini rusak, terkunci sandi atau tidak dapat dibaca.")) from None


def _check_json(result: pdfcheck.PdfCheck) -> dict:
    return {"valid": result.valid, "status": result.status, "number": result.number,
            "reasons": [str(reason) for reason in result.reasons]}


@bp.post("/api/v1/verify/pdf")
@limiter.limit("20 per minute")
@operation("Check a PDF file: the office's signature, changes after signing, the document's status",
           {"200": ok("The verdict; a file that is not a genuine, unchanged document in force is a 200 with "
                      "`valid: false` and the reasons.", s.PdfCheckResult),
            "422": ok("The file is not a PDF, or a damaged or password-protected one.", s.Error)},
           errors=(400, 429), body=s.PdfUpload, body_media_types=("multipart/form-data",), tag="documents",
           description="Multipart form with the field `file` (a PDF, at most 5 MiB). The PAdES signature is "
                       "validated against the office's certificate; any change after signing (an annotation "
                       "too) makes the file invalid; the signed revision must be the stored document it names. "
                       "Without a file: 400; a file that is not a readable PDF: 422.")
def verify_pdf_api(body=None):
    try:
        result = _check_upload()
    except UploadProblem as problem:
        return error_response(problem.status, problem.message)
    return jsonify(_check_json(result))


@bp.route("/verifikasi/periksa", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def verify_pdf_page():
    """"Periksa berkas PDF": upload a PDF, see whether it is the genuine, unchanged document."""
    if request.method == "GET":
        return render_template("verify_pdf.html", check=None, error=None)
    try:
        result = _check_upload(check_csrf=True)
    except UploadProblem as problem:
        return render_template("verify_pdf.html", check=None, error=problem.message), problem.status
    public = _verification_json(services().issuer.verify(
        signing.verification_code(result.document["id"], result.document["signature"]))) if result.document else None
    return render_template("verify_pdf.html", check=result, document=public, error=None)


@bp.get("/verifikasi/<vcode:code>")
@limiter.limit("120 per minute")
def verify_page(code):
    result = services().issuer.verify(code)
    return render_template("verify.html", result=_verification_json(result),
                           document=result.document), 404 if result.status == "UNKNOWN" else 200


TIMELINE_EVENTS = {"submission.created", "application.status", "submission.step_saved", "document.revoked",
                   "submission.assisted", "environment.approved", "environment.refused"}


def timeline(submission_id: str) -> list[dict]:
    """The application's status changes (who, when, from, to) and saved steps, oldest first."""
    events = services().store.events(f"submission:{submission_id}")
    keys = ("at", "type", "actor", "from", "to", "step", "reason", "document_type", "number", "assisted_by", "on_behalf_of",
            "activity", "jenis", "nomor", "penerbit")
    return [{k: e.get(k) for k in keys if e.get(k) is not None}
            for e in events if e["type"] in TIMELINE_EVENTS]


@bp.get("/api/v1/submissions/<submission_id>/timeline")
@operation("The application's tracking timeline", {"200": ok("Status changes and saved steps.", s.Timeline)},
           errors=(404,), security=SESSION)
def timeline_api(submission_id):
    if _is_officer():
        if services().store.get_submission(submission_id) is None:
            abort(404)
    else:
        owned_submission(submission_id)
    return jsonify({"id": submission_id, "events": timeline(submission_id)})


@bp.get("/isian/<submission_id>/draf/nib")
def draft_nib(submission_id):
    """The draft NIB before issuing: the PDF of the same template, unsigned, marked as a draft."""
    doc = owned_submission(submission_id)
    if doc["form_id"] != issuance.APPLICATION_FORM or doc["status"] != "draft":
        abort(404)
    response = make_response(services().issuer.draft_pdf(doc))
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = 'inline; filename="draf-NIB.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
