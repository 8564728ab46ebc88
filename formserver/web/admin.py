"""The form editor's pages under /admin: thin views over the versions service and formserver.admin.

Every page is for form administrators only (403 and an audit event for anyone else, see roles.py).
Everything works without JavaScript; admin.js only shows and hides parts of the condition builder.
"""
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import roles
from ..accounts.registration import display_name
from ..admin import edit, preview
from ..admin import forms as admin_forms
from ..admin.diff import diff
from ..admin.rules import fields_of, sentence
from ..compile.fields import FIELD_TYPES, palette
from ..definition.check import Problem
from ..i18n import current_locale, gettext, locale_name, text
from ..validators import VALIDATOR_ARG_LABELS, VALIDATOR_ARGS, VALIDATOR_LABELS
from . import services
from .extensions import actor, csrf
from .forms import parse_step_form, step_view

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.app_template_global()
def text_locales() -> list[dict]:
    """The locales the editor's text inputs offer (edit.text_locales), each with the words of its input's label."""
    named = {"id": (gettext("Bahasa Indonesia"), gettext("Label Bahasa Indonesia")),
             "en": (gettext("Bahasa Inggris"), gettext("Label bahasa Inggris"))}
    return [{"code": lang, "name": named[lang][0] if lang in named else locale_name(lang),
             "label": named[lang][1] if lang in named else gettext("Label {language}").format(language=locale_name(lang))}
            for lang in edit.text_locales()]


@bp.before_request
def form_admins_only():
    # the role first, then the CSRF token (the blueprint is exempt from the app-wide check for this order):
    # anyone else gets 403 and an audit event on every page and method, with or without a token
    roles.check(roles.FORM_ADMIN)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


# ---------------------------------------------------------------- the versions service (issue 9 §2, versions.py)


def _versions():
    return services().versions


def stored_version(service, owner: str, number: int, draft: bool = False) -> dict:
    """{"version", "status", …} of a stored version of a versions service (forms', variants'), or 404; with
    ``draft``, 409 for a version that is not a draft."""
    from ..versions import NoSuchVersion
    try:
        record = service.get(owner, number)
    except NoSuchVersion:
        abort(404)
    if draft and record["status"] != "draft":
        abort(409)
    return record


def _version(form_id: str, number: int) -> dict:
    return stored_version(_versions(), form_id, number)


def _draft(form_id: str, number: int) -> dict:
    return stored_version(_versions(), form_id, number, draft=True)


def _problems(form_id: str, definition) -> list[Problem]:
    """What saving or publishing would refuse: the checks of `formserver check` and the versions service's own."""
    versions = _versions()
    published = versions.published_number(form_id)
    base = versions.get(form_id, published)["definition"] if published is not None else None
    return versions.problems(form_id, definition, base)


def _save(form_id: str, number: int, definition: dict) -> list[Problem]:
    """Save a draft; the problems that refused it (nothing is stored then)."""
    from ..versions import DefinitionRefused, VersionConflict
    try:
        _versions().update_draft(form_id, number, definition, actor())
    except DefinitionRefused as refused:
        return refused.problems
    except VersionConflict as conflict:
        return [Problem("", conflict.message)]
    return []


# ---------------------------------------------------------------- lists and diffs


@bp.get("/")
def index():
    return render_template("admin/index.html", forms=[_titled(f) for f in _versions().list_forms()])


@bp.get("/formulir/<form_id>")
def form(form_id):
    found = next((f for f in _versions().list_forms() if f["id"] == form_id), None)
    if found is None:
        abort(404)
    return render_template("admin/form.html", form=_titled(found), who=_who)


def _who(actor: str | None) -> str:
    """Who an actor id is, as people know them: an account's username and name."""
    if actor and actor.startswith("account:"):
        account = services().store.get_account(actor.split(":", 1)[1])
        if account:
            name = display_name(account)
            return f"{account['username']} ({name})" if name else account["username"]
    if actor and actor.startswith("system:"):
        return gettext("sistem (berkas formulir yang dikirim)")
    return actor or "—"


def _titled(listed: dict) -> dict:
    """A listed form with the title of its published (else newest) version."""
    number = listed["published_version"] or max(v["version"] for v in listed["versions"])
    return {**listed, "title": _versions().get(listed["id"], number)["definition"].get("title")}


@bp.post("/formulir/<form_id>/draf")
def new_draft(form_id):
    source = _version(form_id, _number(request.form.get("dari")))
    record = _versions().create_draft(form_id, source["definition"], actor())
    flash(gettext("Draf versi {number} dibuat dari versi {version}.").format(number=record['number'], version=source['version']))
    return redirect(url_for("admin.version", form_id=form_id, number=record["number"]))


@bp.get("/formulir/<form_id>/beda")
def compare(form_id):
    old = _version(form_id, _number(request.args.get("dari")))
    new = _version(form_id, _number(request.args.get("ke")))
    return render_template("admin/diff.html", form_id=form_id, old=old, new=new,
                           changes=diff(old["definition"], new["definition"]))


def _number(raw) -> int:
    if not raw or not str(raw).isdigit() or len(str(raw)) > 9:
        abort(404)
    return int(raw)


# ---------------------------------------------------------------- one version: overview and structure


@bp.get("/formulir/<form_id>/versi/<int:number>")
def version(form_id, number):
    record = _version(form_id, number)
    return render_template("admin/version.html", **_version_view(form_id, record))


def _version_view(form_id, record, problems=None, notices=None) -> dict:
    definition = record["definition"]
    problems = _problems(form_id, definition) if problems is None else problems
    fields = fields_of(definition)
    names = {t["type"]: t["name"] for t in _palette()}
    return {"form_id": form_id, "record": record, "definition": definition, "fields": fields,
            "placed": edit.problems_by_place(definition, problems), "problems": problems, "palette": _palette(),
            "draft": record["status"] == "draft", "all_fields": list(edit.all_fields(definition)),
            "sentence": lambda rule: sentence(rule, fields, current_locale.get()),
            "type_name": lambda name: text(names.get(name)) or str(name),
            **({"notices": notices} if notices else {})}


def _palette() -> list[dict]:
    """Field types as the palette offers them (each registry entry describes itself)."""
    return palette()


@bp.post("/formulir/<form_id>/versi/<int:number>")
def change_structure(form_id, number):
    """Add, move or remove a step or a field (buttons on the version page)."""
    record = _draft(form_id, number)
    action = request.form.get("_action", "")
    verb, _, target = action.partition(":")
    definition = record["definition"]
    try:
        changed = _structure(definition, verb, target, admin_forms.Posted(request.form))
    except edit.EditError as error:
        view = _version_view(form_id, record)
        view["edit_error"] = str(error)
        return render_template("admin/version.html", **view), 422
    problems = _save(form_id, number, changed)
    if problems:
        view = _version_view(form_id, record, notices=[gettext("Perubahan tidak disimpan: ada masalah.")])
        view["refused"] = problems
        # each also next to its step or field: places are named by key, so the refused definition's hold here too
        for where, found in edit.problems_by_place(changed, problems).items():
            if where != "form":
                view["placed"].setdefault(where, []).extend(found)
        return render_template("admin/version.html", **view), 422
    return redirect(url_for("admin.version", form_id=form_id, number=number) + _anchor(verb, target, request.form))


def _structure(definition, verb, target, posted):
    key, _, direction = target.partition(":")
    delta = -1 if direction == "naik" else 1
    if verb == "tambah_langkah":
        return edit.add_step(definition, posted.get("step_key"), admin_forms.read_text(posted, "step_title")
                             or _missing(gettext("Isi judul langkah")), posted.get("after") or None)
    if verb == "tambah_isian":
        field_type = posted.get("type")
        if field_type not in FIELD_TYPES:
            raise edit.EditError(gettext("Pilih jenis isian"))
        label = admin_forms.read_text(posted, "label") or _missing(gettext("Isi label isian"))
        field = edit.new_field(field_type, posted.get("key"), label)
        where, _, near = posted.get("tempat").partition(":")
        if where == "setelah":
            _, place = edit.locate(definition, near)
            return edit.add_field(definition, place.step_key, field, place.parent, near)
        return edit.add_field(definition, key, field, near if where == "kelompok" else None)
    operations = {"hapus_langkah": lambda: edit.remove_step(definition, key),
                  "pindah_langkah": lambda: edit.move_step(definition, key, delta),
                  "hapus_isian": lambda: edit.remove_field(definition, key),
                  "pindah_isian": lambda: edit.move_field(definition, key, delta)}
    if verb not in operations:
        abort(400)
    return operations[verb]()


def _missing(message):
    raise edit.EditError(message)


def _anchor(verb, target, posted) -> str:
    key = target.partition(":")[0]
    if verb == "tambah_isian":
        return f"#isian-{posted.get('key')}"
    if verb == "tambah_langkah":
        return f"#langkah-{posted.get('step_key')}"
    return "" if verb.startswith("hapus") else f"#{'langkah' if 'langkah' in verb else 'isian'}-{key}"


# ---------------------------------------------------------------- a step and a field


@bp.route("/formulir/<form_id>/versi/<int:number>/langkah/<step_key>", methods=["GET", "POST"])
def step(form_id, number, step_key):
    record = _version(form_id, number)
    definition = record["definition"]
    try:
        spec = edit.find_step(definition, step_key)
    except edit.EditError:
        abort(404)
    fields = fields_of(definition)
    if request.method == "GET":
        return render_template("admin/step.html", **_step_view(form_id, record, spec, fields))
    _draft(form_id, number)
    posted = admin_forms.Posted(request.form)
    changes = {"title": admin_forms.read_text(posted, "title"), "description": admin_forms.read_text(posted, "description")}
    rule, error = admin_forms.read_rule(posted, "visible_if", fields)
    changes["visible_if"] = rule
    errors = {"visible_if": error} if error else {}
    if changes["title"] is None:
        errors["title.id"] = gettext("Isi judul langkah")
    return _save_or_show(form_id, record, "admin/step.html", errors,
                         lambda: edit.update_step(definition, step_key, changes),
                         lambda new, problems: _step_view(form_id, record, {**spec, **{k: v for k, v in changes.items()}},
                                                          fields, errors, problems, posted=True),
                         url_for("admin.version", form_id=form_id, number=number) + f"#langkah-{step_key}")


def _near(problems, pointer: str) -> tuple[dict, list]:
    """Problems under ``pointer`` by the element they concern ("label", "visible_if", "options/2", "" for the
    element itself), and the problems elsewhere in the definition."""
    near: dict = {}
    elsewhere = []
    for p in problems:
        if p.pointer != pointer and not p.pointer.startswith(pointer + "/"):
            elsewhere.append(p)
            continue
        rest = p.pointer[len(pointer):].strip("/").split("/")
        near.setdefault("/".join(rest[:2]) if rest[0] == "options" else rest[0], []).append(p.message)
    return near, elsewhere


def _step_view(form_id, record, spec, fields, errors=None, problems=(), posted=False) -> dict:
    pointer = edit.pointer(("steps", edit.step_index(record["definition"], spec["key"])))
    near, elsewhere = _near(problems, pointer)
    return {"form_id": form_id, "record": record, "spec": spec, "draft": record["status"] == "draft",
            "near": near, "elsewhere": elsewhere, "problems": problems,
            "errors": errors or {}, "fields": fields, "operators": admin_forms.operators(),
            "rule": _rule_view("visible_if", spec.get("visible_if"), fields, posted)}


def _rule_view(name, rule, fields, posted):
    if posted and f"{name}.mode" in request.form:
        # the page as it was posted: the admin's rows stay when the save is refused
        rule_from_page, error = admin_forms.read_rule(admin_forms.Posted(request.form), name, fields)
        if error is None:
            rule = rule_from_page
    return admin_forms.rule_view(rule, fields, name)


@bp.route("/formulir/<form_id>/versi/<int:number>/isian/<key>", methods=["GET", "POST"])
def field(form_id, number, key):
    record = _version(form_id, number)
    definition = record["definition"]
    try:
        spec, place = edit.locate(definition, key)
    except edit.EditError:
        abort(404)
    fields = fields_of(definition)
    if request.method == "GET":
        return render_template("admin/field.html", **_field_view(form_id, record, spec, place, fields))
    _draft(form_id, number)
    posted = admin_forms.Posted(request.form)
    changes, errors = admin_forms.read_field(posted, spec, _properties(spec), fields, VALIDATOR_ARGS)
    shown = {**spec, **{k: v for k, v in changes.items() if v is not None}}
    return _save_or_show(form_id, record, "admin/field.html", errors,
                         lambda: edit.update_field(definition, key, changes),
                         lambda new, problems: _field_view(form_id, record, shown, place, fields, errors, problems,
                                                           posted=True),
                         url_for("admin.version", form_id=form_id, number=number) + f"#isian-{key}")


def _save_or_show(form_id, record, template, errors, make, view, done_url):
    """Save the edited draft when the form has no mistakes and the checks find no problem; else show them."""
    if errors:
        return render_template(template, **view(None, [])), 422
    try:
        new = make()
    except edit.EditError as error:
        return render_template(template, **view(None, [Problem("", str(error))])), 422
    problems = _save(form_id, record["version"], new)
    if problems:
        return render_template(template, **view(new, problems)), 422
    flash(gettext("Perubahan disimpan."))
    return redirect(done_url)


def _properties(spec) -> set[str]:
    """The properties the field's type has (by the palette); every editable one for a type that does not say."""
    return set(_type_of(spec.get("type"))["properties"]) or {"required", "options", "validators", "required_if"}


def _type_of(name) -> dict:
    return next((t for t in _palette() if t["type"] == name),
                {"type": name, "name": str(name), "help": "", "properties": []})


def _validator_views(spec, posted) -> list[dict]:
    """Each registered validator for the field page: its plain label, whether it is ticked, and its arguments
    (kind, plain label, and value: as posted when the page comes back with mistakes, else as in the definition)."""
    given = {v.get("name"): v.get("args") or {} for v in spec.get("validators") or [] if isinstance(v, dict)}
    ticked = {v if isinstance(v, str) else v.get("name") for v in spec.get("validators") or []}
    views = []
    for name in sorted(VALIDATOR_ARGS, key=lambda n: str(VALIDATOR_LABELS[n]).lower()):
        args = [{"name": arg, "kind": kind, "label": VALIDATOR_ARG_LABELS[name][arg], "input": f"validators.{name}.{arg}",
                 "value": request.form.get(f"validators.{name}.{arg}", "") if posted else given.get(name, {}).get(arg, "")}
                for arg, kind in VALIDATOR_ARGS[name].items()]
        views.append({"name": name, "label": VALIDATOR_LABELS[name], "ticked": name in ticked, "args": args})
    return views


def _field_view(form_id, record, spec, place, fields, errors=None, problems=(), posted=False) -> dict:
    field_type = _type_of(spec.get("type"))
    properties = _properties(spec)
    near, elsewhere = _near(problems, place.pointer)
    return {
        "form_id": form_id, "record": record, "spec": spec, "place": place, "draft": record["status"] == "draft",
        "type": field_type, "properties": properties, "errors": errors or {}, "near": near,
        "elsewhere": elsewhere, "fields": fields,
        "options": list(spec.get("options") or []), "validators": _validator_views(spec, posted),
        "limits": [{"name": name, "label": admin_forms.LIMIT_LABELS[name],
                    "value": request.form.get(name, "") if posted else spec.get(name, "")}
                   for name in admin_forms.LIMITS if name in properties],
        "pattern": request.form.get("pattern", "") if posted else spec.get("pattern", ""),
        "rules": [_rule_view(name, spec.get(name), fields, posted) for name in admin_forms.RULES
                  if name == "visible_if" or "required_if" in properties],
        "operators": admin_forms.operators(),
    }


# ---------------------------------------------------------------- preview and test run


@bp.route("/formulir/<form_id>/versi/<int:number>/pratinjau/<step_key>", methods=["GET", "POST"])
def preview_step(form_id, number, step_key):
    """A step as an applicant sees it, for sample answers; the test run beside it. Nothing is stored."""
    record = _version(form_id, number)
    problems = _problems(form_id, record["definition"])
    if problems:
        view = _version_view(form_id, record, problems)
        view["notices"] = [gettext("Pratinjau belum dapat dibuat: perbaiki dulu masalah di bawah.")]
        return render_template("admin/version.html", **view), 422
    svc = services()
    compiled = svc.forms.get(form_id, number)
    if step_key not in compiled.steps_by_key:
        abort(404)
    answers = preview.sample_answers(compiled) if request.method == "GET" else _sample(request.form.get("_answers"))
    errors = {}
    if request.method == "POST":
        posted = parse_step_form(compiled, compiled.steps_by_key[step_key], request.form)
        answers, result = preview.try_step(compiled, svc.validator, step_key, posted, answers)
        errors = result.errors
        target = request.form.get("_action", "")
        if not errors and target.startswith("ke:") and target[3:] in compiled.steps_by_key:
            step_key = target[3:]
            errors = {}
    return render_template("admin/preview.html", **_preview_view(form_id, record, compiled, step_key, answers, errors))


def _sample(raw) -> dict:
    try:
        answers = json.loads(raw or "{}")
    except ValueError:
        abort(400)
    if not isinstance(answers, dict):
        abort(400)
    return answers


def _preview_view(form_id, record, compiled, step_key, answers, errors) -> dict:
    svc = services()
    state = svc.evaluator.evaluate(compiled, answers)
    from ..versions import DefinitionRefused
    try:
        run = _versions().preview(form_id, record["version"], answers)  # the test run, as the admin API gives it
    except DefinitionRefused:  # sample answers of a shape no form has
        abort(400)
    doc = {"id": "pratinjau", "form_id": form_id, "data": answers, "completed": [], "meta": {}}
    steps = [{"key": key, "title": compiled.steps_by_key[key].spec["title"],
              "status": "current" if key == step_key else "todo"} for key in state.path]
    view = step_view(doc, compiled, compiled.steps_by_key[step_key], state, errors=errors, steps=steps)
    path = run["path"]
    following = path[path.index(step_key) + 1] if step_key in path and path.index(step_key) + 1 < len(path) else None
    return {**view, "form_id": form_id, "record": record, "answers": answers, "run": run, "following": following,
            "labels": fields_of(record["definition"])}


# ---------------------------------------------------------------- publish and migrate


@bp.route("/formulir/<form_id>/versi/<int:number>/terbitkan", methods=["GET", "POST"])
def publish(form_id, number):
    """The impact first; publishing is the button under it (which acknowledges the drafts it lists)."""
    from ..versions import DefinitionRefused, VersionConflict
    record = _version(form_id, number)
    problems = _problems(form_id, record["definition"]) if record["status"] == "draft" else []
    if request.method == "POST" and not problems:
        try:
            _versions().publish(form_id, number, actor(), acknowledge_drafts=True)
        except DefinitionRefused as refused:
            problems = refused.problems
        except VersionConflict as conflict:
            problems = [Problem("", conflict.message)]
        else:
            flash(gettext("Versi {number} diterbitkan. Permohonan baru memakai versi ini.").format(number=number))
            return redirect(url_for("admin.form", form_id=form_id))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/publish.html", form_id=form_id, record=record, problems=problems,
                           impact=_versions().impact(form_id, number)), status


@bp.route("/formulir/<form_id>/pindahkan", methods=["GET", "POST"])
def migrate(form_id):
    """Drafts on older versions moved to the published one, after their impact is shown."""
    from ..versions import VersionConflict
    target = _number(request.values.get("ke"))
    record = _version(form_id, target)
    problems = []
    if request.method == "POST":
        try:
            result = _versions().migrate(form_id, target, actor())
        except VersionConflict as conflict:
            problems = [Problem("", conflict.message)]
        else:
            flash(gettext("{moved} draf dipindahkan ke versi {target}; {sent_back} di antaranya "
                          "kembali ke langkah yang perlu dilengkapi.").format(moved=result['moved'], target=target, sent_back=result['sent_back']))
            return redirect(url_for("admin.form", form_id=form_id))
    return render_template("admin/migrate.html", form_id=form_id, record=record, problems=problems,
                           impact=_versions().impact(form_id, target)), 422 if problems else 200
