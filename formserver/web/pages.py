"""HTML pages: thin views over the submission service. Every step works without JavaScript."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from werkzeug.datastructures import CombinedMultiDict

from .. import attachments, audit, reminders, roles
from ..accounts import auth, registration
from ..actions import DRAFTS, resend_of
from ..i18n import gettext
from ..issue import issuance
from ..submissions import AccessDenied, Conflict, Locked, StepNotReachable
from ..validate import ITEM_ID
from . import captcha, services
from .api import reset_needed_message, start_session
from .documents import issuance_view, timeline
from .extensions import actor, limiter
from .forms import parse_step_form, review_rows, step_view
from .sessions import renew
from .views_common import changed_choice, current_account, local_target, owned_submission, typed

bp = Blueprint("pages", __name__)
REVIEW = "periksa"
UPLOAD_ALLOWANCE = attachments.MAX_BYTES + 64 * 1024  # a step with a file question may carry one file beyond the limit


@bp.url_value_preprocessor
def _allow_an_upload(endpoint, values):
    """A step page posted as multipart/form-data (it asks for a file) may be larger, set before anything reads the
    body (the CSRF check does, in before_request); the file's own size is checked by its field type."""
    if endpoint == "pages.step" and request.method == "POST" and request.mimetype == "multipart/form-data":
        request.max_content_length = current_app.config["MAX_CONTENT_LENGTH"] + UPLOAD_ALLOWANCE


@bp.get("/")
def home():
    return render_template("home.html", forms=list(services().forms))


@bp.get("/daftar")
def register():
    return redirect(url_for("pages.start", form_id=registration.FORM))


@bp.route("/formulir/<form_id>", methods=["GET", "POST"])
def start(form_id):
    svc = services()
    if form_id not in svc.forms:
        abort(404)
    form = svc.forms.get(form_id)
    draft = svc.submissions.latest_draft(form_id, actor())
    try:
        svc.submissions.check_access(form, current_account())
    except AccessDenied as denied:
        if denied.login_needed:
            flash(gettext("Masuk terlebih dahulu untuk mengisi formulir ini."))
            return redirect(url_for("pages.login", lanjut=url_for("pages.start", form_id=form_id)))
        return render_template("error.html", status=403, message=denied.message), 403
    if request.method == "POST":
        if draft and request.form.get("_action") == "resume":
            return redirect(url_for("pages.resume", submission_id=draft["id"]))
        doc = svc.submissions.create(form, actor(), current_account())
        return redirect(url_for("pages.step", submission_id=doc["id"], step_key=doc["current_step"]))
    return render_template("start.html", form=form, draft=draft)


@bp.get("/isian/<submission_id>")
def resume(submission_id):
    """Back where the applicant stopped."""
    doc = owned_submission(submission_id)
    if doc["status"] != "draft":
        return redirect(url_for("pages.done", submission_id=submission_id))
    state = services().submissions.state(doc)
    return redirect(_step_url(doc, services().submissions.first_open_step(doc, state)))


def _step_url(doc, step_key):
    form = services().submissions.form_of(doc)
    step = form.steps_by_key[step_key]
    if step.review and all(k in doc["completed"] for k in _path_before(doc, step_key)):
        return url_for("pages.review", submission_id=doc["id"])
    return url_for("pages.step", submission_id=doc["id"], step_key=step_key)


def _path_before(doc, step_key):
    path = services().submissions.state(doc).path
    return path[:path.index(step_key)] if step_key in path else path


@bp.route("/isian/<submission_id>/<step_key>", methods=["GET", "POST"])
def step(submission_id, step_key):
    doc = owned_submission(submission_id)
    svc = services()
    if doc["status"] != "draft":
        return redirect(url_for("pages.done", submission_id=submission_id))
    form = svc.submissions.form_of(doc)
    if step_key not in form.steps_by_key:
        abort(404)
    state = svc.submissions.state(doc)
    if not svc.submissions.reachable(doc, state, step_key):
        flash(gettext("Langkah itu belum dapat dibuka; lanjutkan dari sini."))
        return redirect(_step_url(doc, svc.submissions.first_open_step(doc, state)))
    if request.method == "GET":
        # request.args.get of an absent name builds an exception (werkzeug's MultiDict): most pages have no query
        return render_template("step.html", focus=_focus(state, request.args.get("fokus", "")) if request.query_string else None,
                               **step_view(doc, form, form.steps_by_key[step_key], state))
    return _post_step(doc, form, form.steps_by_key[step_key])


def _post_step(doc, form, step):
    svc = services()
    action = request.form.get("_action", "")
    posted = parse_step_form(form, step, CombinedMultiDict([request.files, request.form]) if request.files else request.form)
    try:
        if action == "resend":
            return _resend(doc, step)
        if action.startswith(("refresh", "add:", "remove:")):
            edited = _edit_groups(posted, action)
            changed = changed_choice(form, step, edited, doc["data"]) if action == "refresh" else None
            doc, checked = svc.submissions.save_draft(doc, step.key, edited, actor())
            refused = {path: messages for path, messages in checked.errors.items() if typed(edited, path)}
            if refused:  # an answer typed but not kept: show it with the reason instead of dropping it unseen
                view = step_view(doc, form, step, checked.state, errors=refused, posted=edited)
                return render_template("step.html", **view), 422
            if changed:  # back at the question that changed, focused, where it was on the page
                return redirect(url_for("pages.step", submission_id=doc["id"], step_key=step.key, fokus=changed)
                                + f"#field-{changed}")
            return redirect(url_for("pages.step", submission_id=doc["id"], step_key=step.key) + "#main")
        if _stale_items(doc, posted):
            raise Conflict(doc["id"])
        result = svc.submissions.save_step(doc, step.key, posted, actor())
    except Conflict:
        flash(gettext("Isian ini diubah di tempat lain; periksa lalu kirim lagi."))
        return redirect(url_for("pages.step", submission_id=doc["id"], step_key=step.key))
    except StepNotReachable as error:
        return redirect(_step_url(doc, error.current_step))
    except Locked as locked:  # sent meanwhile from another tab
        flash(locked.message)
        return redirect(url_for("pages.done", submission_id=doc["id"]))
    if not result.ok:
        if _only_new_questions(result.errors):
            # without JavaScript, an answer can reveal questions the page did not show yet: ask them, no error
            view = step_view(doc, form, step, result.state, posted=posted)
            view["notices"] = [gettext("Jawaban Anda memunculkan pertanyaan tambahan. Lengkapi lalu lanjutkan.")]
            return render_template("step.html", **view)
        view = step_view(doc, form, step, result.state, errors=result.errors, posted=posted)
        if result.retry_after:  # a limit, not a mistake in the answers
            return render_template("step.html", **view), 429, {"Retry-After": str(result.retry_after)}
        return render_template("step.html", **view), 422
    saved = result.submission
    if saved["status"] != "draft":
        return redirect(url_for("pages.done", submission_id=saved["id"]))
    if request.args.get("dari") == REVIEW:
        return redirect(_step_url(saved, svc.submissions.first_open_step(saved, svc.submissions.state(saved))))
    return redirect(_step_url(saved, saved["current_step"]))


def _stale_items(doc, posted) -> bool:
    """Whether the page posted an item (by its id) that the draft no longer has: it was removed in another tab."""
    for key, items in posted.items():
        stored = doc["data"].get(key)
        if not isinstance(items, list) or not isinstance(stored, list):
            continue
        known = {item.get(ITEM_ID) for item in stored if isinstance(item, dict)}
        if any(isinstance(item, dict) and item.get(ITEM_ID) and item[ITEM_ID] not in known for item in items):
            return True
    return False


def _focus(state, path: str) -> str | None:
    """The question a refresh came back to (``?fokus=``), when it is one the step shows."""
    return path if state.visible(path) else None


def _only_new_questions(errors) -> bool:
    """Whether every error is on a field the page did not show when it was filled in."""
    if "_shown" not in request.form:
        return False
    shown = set(request.form["_shown"].split(","))
    return all(path not in shown for path in errors)


def _edit_groups(posted, action):
    """Add or remove an item of a repeating group (buttons that work without JavaScript).

    ``add:kegiatan_usaha`` or ``add:kegiatan_usaha.0.produk``; ``remove:<group path>:<index>``.
    """
    verb, _, rest = action.partition(":")
    path, _, index = rest.partition(":")
    segments = path.split(".")
    node = posted
    for segment in segments[:-1]:
        node = node[int(segment)] if segment.isdigit() and isinstance(node, list) and int(segment) < len(node) \
            else (node.get(segment) if isinstance(node, dict) else None)
        if node is None:
            return posted
    if not isinstance(node, dict):
        return posted
    items = node.get(segments[-1])
    items = items if isinstance(items, list) else []
    if verb == "add" and len(items) < 100:
        items.append({})
    elif verb == "remove" and index.isdigit() and int(index) < len(items):
        items.pop(int(index))
    node[segments[-1]] = items
    return posted


def _resend(doc, step):
    again = resend_of(services().submissions.form_of(doc))
    if again is None or not again.waiting(doc):
        abort(409)
    refused = again.send(services(), doc, actor())
    flash(refused.message if refused else gettext("Kode baru telah dikirim."))
    return redirect(url_for("pages.step", submission_id=doc["id"], step_key=step.key))


@bp.get("/isian/<submission_id>/periksa")
def review(submission_id):
    doc = owned_submission(submission_id)
    svc = services()
    if doc["status"] != "draft":
        return redirect(url_for("pages.done", submission_id=submission_id))
    form = svc.submissions.form_of(doc)
    state = svc.submissions.state(doc)
    final = svc.submissions.first_open_step(doc, state)
    if not final or not form.steps_by_key[final].review:
        return redirect(_step_url(doc, final))
    view = step_view(doc, form, form.steps_by_key[final], state)
    draft = DRAFTS.get(form.steps_by_key[final].action)
    return render_template("review.html", rows=review_rows(doc, form, state, final), final=form.steps_by_key[final],
                           draft=draft and {"url": url_for(draft.endpoint, submission_id=doc["id"]), "label": draft.label},
                           **view)


@bp.get("/isian/<submission_id>/selesai")
def done(submission_id):
    doc = owned_submission(submission_id)
    if doc["status"] == "draft":
        return redirect(url_for("pages.resume", submission_id=submission_id))
    svc = services()
    doc = svc.submissions.complete(doc, actor())  # an interrupted completion is finished on access
    account = svc.store.get_account(doc["meta"]["account_id"]) if doc["meta"].get("account_id") else None
    issued = issuance_view(doc) if doc["meta"].get("nib") else None
    return render_template("done.html", doc=doc, account=account, form=svc.submissions.form_of(doc),
                           issued=issued, timeline=timeline(doc["id"]))


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    target = local_target(request.args.get("lanjut", ""))
    if request.method == "GET":
        return _login_page({}, "")
    username = request.form.get("username", "").strip()[:254]
    password = request.form.get("password", "")[:128]
    errors = {}
    if not username:
        errors["username"] = [gettext("Masukkan nama pengguna atau e-mail")]
    if not password:
        errors["password"] = [gettext("Masukkan kata sandi")]
    if captcha.enabled() and not captcha.verify(request.form.get("captcha", "")):
        errors["captcha"] = [gettext("Jawaban tantangan tidak cocok. Coba lagi dengan gambar dan soal yang baru.")]
    if not errors:
        result = auth.login(services().store, username, password, actor(), client=get_remote_address())
        if result.reset_needed:
            errors["password"] = [reset_needed_message()]
        elif result.locked:
            errors["username"] = [gettext("Akun dikunci sementara karena terlalu banyak percobaan. Coba lagi dalam 15 menit.")]
        elif result.account is None:
            errors["password"] = [gettext("Nama pengguna atau kata sandi salah")]
        else:
            start_session(result.account)
            return redirect(target or url_for("pages.dashboard"))
    return _login_page(errors, username), 422


def _login_page(errors: dict, username: str):
    challenge = captcha.new_challenge() if captcha.enabled() else None
    return render_template("login.html", errors=errors, username=username, challenge=challenge,
                           lanjut=local_target(request.args.get("lanjut", "")))


@bp.post("/keluar")
def logout():
    if session.get("account_id"):
        audit.record(services().store, f"account:{session['account_id']}", "logout", actor())
    renew(session)
    flash(gettext("Anda telah keluar."))
    return redirect(url_for("pages.home"))


@bp.get("/dasbor")
def dashboard():
    account = current_account()
    if account is None:
        session.pop("account_id", None)
        return redirect(url_for("pages.login"))
    if roles.is_officer(account):  # an officer's home is the search, not an applicant's dashboard
        return redirect(url_for("officer.search_page"))
    svc = services()
    applications = []
    for doc in svc.store.find_submissions(actor(), form_id=issuance.APPLICATION_FORM, limit=50):
        applications.append({"doc": doc, "codes": issuance.activity_codes(doc),
                             "status": doc["meta"].get("status_permohonan", "DRAF"),
                             "notices": [d for d in issuance_view(doc)["documents"] if d["notice"]]
                             if doc["meta"].get("nib") else []})
    can_apply = issuance.APPLICATION_FORM in svc.forms
    if can_apply:
        try:
            svc.submissions.check_access(svc.forms.get(issuance.APPLICATION_FORM), account)
        except AccessDenied:
            can_apply = False
    return render_template("dashboard.html", account=account, name=registration.display_name(account),
                           applications=applications, can_apply=can_apply, application_form=issuance.APPLICATION_FORM,
                           reminders=reminders.due(svc, account, actor()))


@bp.get("/captcha.png")
def captcha_image():
    return captcha.image_response(request.args.get("c"))
