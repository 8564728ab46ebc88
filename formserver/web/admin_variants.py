"""The office variant's pages under /admin/varian: its versions, a draft's identity, images, complaint channels and
field overrides, the preview with the overlay applied, and publishing (again, for a roll-back).

Thin views over formserver/variant_versions.py (storing, checking, publishing) and formserver/admin/variants.py
(reading the pages' inputs). Form administrators only, as every /admin page (web/admin.py). No JavaScript needed.
"""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for

from ..admin import variants as edit
from ..admin.preview import sample_answers
from ..admin.rules import fields_of
from ..definition.check import Problem
from ..i18n import gettext, text
from ..variant_versions import IMAGE_ROLES, NoSuchVersion, VariantRefused, VersionConflict
from . import services
from .admin import _who, form_admins_only, stored_version
from .extensions import actor
from .forms import step_view

bp = Blueprint("admin_variants", __name__, url_prefix="/admin/varian")


@bp.url_value_preprocessor
def _allow_an_image(endpoint, values):
    """An image upload may be larger than the usual body (set before the CSRF check reads it): up to twice the
    image limit, so an image somewhat over 1 MB gets its own message rather than the generic 413."""
    if endpoint == "admin_variants.upload" and request.method == "POST":
        request.max_content_length = 2 * image_limit()


bp.before_request(form_admins_only)


def office_variant() -> str:
    """The variant this server runs (FORMSERVER_VARIANT)."""
    from ..variants.variant import DEFAULT_VARIANT
    return current_app.config.get("VARIANT") or DEFAULT_VARIANT


def _variants():
    return services().variant_versions


def _version(name: str, number: int) -> dict:
    return stored_version(_variants(), name, number)


def _draft(name: str, number: int) -> dict:
    return stored_version(_variants(), name, number, draft=True)


def _save(name, number, document, assets=None) -> list[Problem]:
    """Save a draft; the problems that refused it (nothing is stored then)."""
    try:
        _variants().update_draft(name, number, document, actor(), assets=assets)
    except VariantRefused as refused:
        return refused.problems
    except VersionConflict as conflict:
        return [Problem("", conflict.message)]
    return []


# ---------------------------------------------------------------- versions


@bp.get("/")
def index():
    return redirect(url_for("admin_variants.variant", name=office_variant()))


@bp.get("/<name>")
def variant(name):
    versions = _variants().list_versions(name)
    if not versions:
        abort(404)
    return render_template("admin/variant.html", name=name, versions=versions, who=_who,
                           published=next((v["version"] for v in versions if v["status"] == "published"), None),
                           office=name == office_variant())


@bp.post("/<name>/draf")
def new_draft(name):
    number = request.form.get("dari", "")
    if not number.isdigit() or len(number) > 9:
        abort(404)
    try:
        record = _variants().copy_version(name, int(number), actor())
    except NoSuchVersion:
        abort(404)
    flash(gettext("Draf versi {number} dibuat dari versi {number_2}.").format(number=record['number'], number_2=number))
    return redirect(url_for("admin_variants.version", name=name, number=record["number"]))


# ---------------------------------------------------------------- a version: identity, channels, images


@bp.route("/<name>/versi/<int:number>", methods=["GET", "POST"])
def version(name, number):
    record = _version(name, number)
    identity = record["document"].get("identity") or {}
    if request.method == "GET":
        return render_template("admin/variant_version.html", **_version_view(name, record, identity))
    _draft(name, number)
    new, errors = edit.read_identity(request.form, identity)
    problems = [] if errors else _save(name, number, {**record["document"], "identity": new})
    if errors or problems:
        return render_template("admin/variant_version.html",
                               **_version_view(name, record, new, errors, problems, refused=True)), 422
    flash(gettext("Perubahan disimpan."))
    return redirect(url_for("admin_variants.version", name=name, number=number))


def _version_view(name, record, identity, errors=None, problems=None, refused=False) -> dict:
    if problems is None:
        problems = _variants().problems(name, record["document"], record["assets"])
    return {"name": name, "record": record, "identity": identity, "draft": record["status"] == "draft",
            "errors": errors or {}, "problems": problems, "refused": refused,
            "near": edit.near(problems, "/identity"), "lines": edit.IDENTITY_LINES, "signatory": edit.SIGNATORY,
            "kinds": edit.CHANNEL_KINDS, "channels": edit.channel_rows(identity.get("complaint_channels")),
            "forms": _forms(record), "images": IMAGE_ROLES}


def _forms(record) -> list[dict]:
    """The base forms with how many operations the variant has on each."""
    overlays = record["document"].get("forms") or {}
    return [{"id": form_id, "title": definition.get("title"), "operations": len(overlays.get(form_id) or [])}
            for form_id, definition in sorted(_variants().base_definitions().items())]


@bp.post("/<name>/versi/<int:number>/gambar")
def upload(name, number):
    """A logo or crest: checked by its content (PNG or JPEG that Pillow reads, at most 1 MB); SVG never."""
    record = _draft(name, number)
    role = request.form.get("peran")
    if role not in IMAGE_ROLES:
        abort(400)
    upload = request.files.get("berkas")
    data = upload.read(image_limit() + 1) if upload else b""
    try:
        entry = _variants().put_image(data, actor())
    except VariantRefused as refused:
        errors = {f"image.{role}": " ".join(p.message for p in refused.problems)}
        return render_template("admin/variant_version.html",
                               **_version_view(name, record, record["document"].get("identity") or {}, errors)), 422
    file_name = f"{role}.{'png' if entry['content_type'] == 'image/png' else 'jpg'}"
    identity = {**(record["document"].get("identity") or {}), role: file_name}
    assets = {k: v for k, v in record["assets"].items() if k != identity.get(role)}
    problems = _save(name, number, {**record["document"], "identity": identity}, {**assets, file_name: entry})
    if problems:
        return render_template("admin/variant_version.html",
                               **_version_view(name, record, identity, problems=problems, refused=True)), 422
    flash(gettext("Gambar disimpan."))
    return redirect(url_for("admin_variants.version", name=name, number=number) + f"#gambar-{role}")


def image_limit() -> int:
    """The largest image accepted (formserver.variants.images)."""
    from ..variants.images import MAX_IMAGE_BYTES
    return MAX_IMAGE_BYTES


@bp.get("/<name>/versi/<int:number>/gambar/<file_name>")
def image(name, number, file_name):
    try:
        found = _variants().asset(name, number, file_name)
    except NoSuchVersion:
        abort(404)
    if found is None:
        abort(404)
    return Response(found["data"], mimetype=found["content_type"],
                    headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=60"})


# ---------------------------------------------------------------- a form's fields: texts and choices


def _base(form_id: str) -> dict:
    definition = _variants().base_definitions().get(form_id)
    if definition is None:
        abort(404)
    return definition


@bp.get("/<name>/versi/<int:number>/formulir/<form_id>")
def form(name, number, form_id):
    record = _version(name, number)
    definition = _base(form_id)
    ops = (record["document"].get("forms") or {}).get(form_id) or []
    changed = {op.get("field") for op in ops if isinstance(op, dict)}
    problems = _variants().problems(name, record["document"], record["assets"])
    return render_template("admin/variant_form.html", name=name, record=record, form_id=form_id,
                           definition=definition, steps=edit.steps_and_fields(definition), changed=changed,
                           draft=record["status"] == "draft",
                           problems=[p for p in problems if p.pointer.startswith(f"/forms/{form_id}")])


def _field(definition, key):
    from ..variants.overlay import field_keys, locate
    path = field_keys(definition).get(key)
    place = locate(definition, path) if path else None
    if place is None:
        abort(404)
    return place.step["key"], path, place.field


@bp.route("/<name>/versi/<int:number>/formulir/<form_id>/isian/<key>", methods=["GET", "POST"])
def field(name, number, form_id, key):
    record = _version(name, number)
    definition = _base(form_id)
    step, path, spec = _field(definition, key)
    ops = (record["document"].get("forms") or {}).get(form_id) or []
    choices = [o.get("value") for o in spec["options"]] if isinstance(spec.get("options"), list) else None
    current = edit.field_overrides(ops, step, path)
    if request.method == "GET":
        problems = _variants().problems(name, record["document"], record["assets"])
        return render_template("admin/variant_field.html", **_field_view(
            name, record, form_id, step, path, spec, choices, current, ops, problems))
    _draft(name, number)
    texts, restrict, errors = edit.read_field(request.form, choices)
    shown = {"texts": texts, "restrict": restrict}
    new_ops = edit.with_field_overrides(ops, step, path, texts, restrict)
    forms = {**(record["document"].get("forms") or {}), form_id: new_ops}
    if not new_ops:
        forms.pop(form_id)
    problems = [] if errors else _save(name, number, {**record["document"], "forms": forms})
    if errors or problems:
        return render_template("admin/variant_field.html", **_field_view(
            name, record, form_id, step, path, spec, choices, shown, new_ops, problems, errors)), 422
    flash(gettext("Perubahan disimpan."))
    return redirect(url_for("admin_variants.form", name=name, number=number, form_id=form_id) + f"#isian-{key}")


def _field_view(name, record, form_id, step, path, spec, choices, current, ops, problems, errors=None) -> dict:
    mine = edit.op_indexes(ops, step, path)
    near: dict = {}
    elsewhere = []
    for p in problems:
        parts = p.pointer.split("/")
        if len(parts) > 3 and parts[1:3] == ["forms", form_id] and parts[3].isdigit() and int(parts[3]) in mine:
            near.setdefault(mine[int(parts[3])], []).append(p.message)
        else:
            elsewhere.append(p)
    labels = {str(o.get("value")): text(o.get("label")) for o in spec.get("options") or [] if isinstance(o, dict)}
    return {"name": name, "record": record, "form_id": form_id, "step": step, "path": path, "spec": spec,
            "choices": choices, "labels": labels, "current": current, "draft": record["status"] == "draft",
            "errors": errors or {}, "near": near, "elsewhere": elsewhere, "texts": edit.FIELD_TEXTS}


# ---------------------------------------------------------------- preview and publish


@bp.get("/<name>/versi/<int:number>/pratinjau/<form_id>/<step_key>")
def preview(name, number, form_id, step_key):
    """A step with the version's overlay applied, under the office's header: nothing is stored."""
    from ..compile import compile_form
    from ..definition.check import check
    from ..definition.load import registries
    from ..variants.overlay import apply_overlay
    from ..variants.references import ReferenceValues
    record = _version(name, number)
    svc = services()
    ops = (record["document"].get("forms") or {}).get(form_id) or []
    effective = apply_overlay(_base(form_id), ops, ReferenceValues(svc.wilayah, svc.lingkungan))
    invalid = check(effective, registries(), svc.logic.engine)
    if invalid:  # a draft made when the forms were different: its problems first, as on the version page
        view = _version_view(name, record, record["document"].get("identity") or {},
                             problems=[Problem(f"/forms/{form_id}{p.pointer}", p.text) for p in invalid])
        return render_template("admin/variant_version.html", **view), 422
    compiled = compile_form(effective, svc.logic)
    if step_key not in compiled.steps_by_key:
        abort(404)
    answers = sample_answers(compiled)
    state = svc.evaluator.evaluate(compiled, answers)
    doc = {"id": "pratinjau", "form_id": form_id, "data": answers, "completed": [], "meta": {}}
    steps = [{"key": s.key, "title": s.spec["title"], "status": "current" if s.key == step_key else "todo"}
             for s in compiled.steps]
    view = step_view(doc, compiled, compiled.steps_by_key[step_key], state, steps=steps)
    return render_template("admin/variant_preview.html", **view, name=name, record=record, form_id=form_id,
                           identity=record["document"].get("identity") or {}, labels=fields_of(effective))


@bp.route("/<name>/versi/<int:number>/terbitkan", methods=["GET", "POST"])
def publish(name, number):
    record = _version(name, number)
    problems = _variants().problems(name, record["document"], record["assets"]) if record["status"] == "draft" else []
    if request.method == "POST" and not problems:
        try:
            _variants().publish(name, number, actor())
        except VariantRefused as refused:
            problems = refused.problems
        except VersionConflict as conflict:
            problems = [Problem("", conflict.message)]
        else:
            flash(gettext("Versi {number} diterbitkan. Halaman, e-mail dan dokumen memakai identitas "
                          "ini dalam beberapa detik.").format(number=number))
            return redirect(url_for("admin_variants.variant", name=name))
    return render_template("admin/variant_publish.html", name=name, record=record, problems=problems), \
        422 if request.method == "POST" else 200
