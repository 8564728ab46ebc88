"""The admin JSON API, /api/v1/admin: form definitions, their versions, publication and drafts' migration.

Form administrators only (roles.FORM_ADMIN): everyone else gets 403 and the attempt is an audit event.
Thin views over formserver/versions.py, which the /admin pages call too.
"""
from flask import Blueprint, jsonify

from .. import roles
from ..versions import DefinitionRefused, NoSuchVersion, VersionConflict
from . import schemas as s
from . import services
from .contract import operation
from .errors import error_response
from .extensions import actor
from .openapi import ok

bp = Blueprint("admin_api", __name__, url_prefix="/api/v1/admin")

VERSION = {"version": {"description": "A version number of the form.", "schema": {"type": "integer", "minimum": 0}}}
REFUSED = ok("Not logged in as a form administrator (the attempt is recorded), or a write from another site.", s.Error)
NOT_FOUND = ok("No such form or version.", s.Error)
PROBLEMS = ok("The definition has problems (`problems`, each naming its place as a JSON pointer), or the body does "
              "not fit (`errors`). Nothing was stored.", s.Problems)


def _admin(summary: str, responses: dict, **options):
    """operation() for an admin view: tagged, and 403 documented as the role check's."""
    return operation(summary, {"403": REFUSED, **responses}, tag="admin", **options)


def _versions():
    return services().versions


def _problems(refused: DefinitionRefused):
    return jsonify({"problems": [{"pointer": p.pointer, "message": p.message} for p in refused.problems]}), 422


def _call(work):
    """Run a versions-service call, its refusals as answers: 404, 409, 422."""
    try:
        return work()
    except NoSuchVersion:
        return error_response(404)
    except DefinitionRefused as refused:
        return _problems(refused)
    except VersionConflict as conflict:
        return error_response(409, str(conflict.message), **conflict.details)


@bp.get("/forms")
@roles.require(roles.FORM_ADMIN)
@_admin("Every form with its versions", {"200": ok("The forms.", s.AdminFormList)})
def list_forms():
    return jsonify({"forms": _versions().list_forms()})


@bp.post("/forms")
@roles.require(roles.FORM_ADMIN)
@_admin("Create a form (its first version, a draft)",
        {"201": ok("The draft.", s.VersionCreated), "409": ok("A form with that key exists.", s.Error),
         "422": PROBLEMS}, body=s.DefinitionBody, errors=(400,))
def create_form(body):
    def work():
        record = _versions().create_form(body["definition"], actor())
        return jsonify({"version": record["number"], "status": "draft"}), 201
    return _call(work)


@bp.get("/forms/<form_id>/versions/<int:version>")
@roles.require(roles.FORM_ADMIN)
@_admin("One version of a form", {"200": ok("The version.", s.AdminVersion), "404": NOT_FOUND}, path=VERSION)
def get_version(form_id, version):
    return _call(lambda: jsonify(_versions().get(form_id, version)))


@bp.post("/forms/<form_id>/versions")
@roles.require(roles.FORM_ADMIN)
@_admin("Create a draft version", {"201": ok("The draft.", s.VersionCreated), "404": NOT_FOUND, "422": PROBLEMS},
        body=s.DefinitionBody, errors=(400,))
def create_version(form_id, body):
    def work():
        record = _versions().create_draft(form_id, body["definition"], actor())
        return jsonify({"version": record["number"], "status": "draft"}), 201
    return _call(work)


@bp.put("/forms/<form_id>/versions/<int:version>")
@roles.require(roles.FORM_ADMIN)
@_admin("Change a draft version", {"200": ok("The draft.", s.VersionCreated), "404": NOT_FOUND,
                                   "409": ok("The version has been published (it never changes), or someone else "
                                             "changed the draft meanwhile.", s.Error), "422": PROBLEMS},
        body=s.DefinitionBody, path=VERSION, errors=(400,))
def update_version(form_id, version, body):
    def work():
        record = _versions().update_draft(form_id, version, body["definition"], actor())
        return jsonify({"version": record["number"], "status": "draft"})
    return _call(work)


@bp.post("/forms/<form_id>/versions/<int:version>/preview")
@roles.require(roles.FORM_ADMIN)
@_admin("What an applicant would see for sample answers (nothing is stored)",
        {"200": ok("The path, each step's fields and the computed values.", s.AdminPreview), "404": NOT_FOUND,
         "422": PROBLEMS},
        body=s.AdminPreviewRequest, body_required=False, path=VERSION, errors=(400,))
def preview(form_id, version, body):
    return _call(lambda: jsonify(_versions().preview(form_id, version, body.get("answers") or {})))


@bp.get("/forms/<form_id>/versions/<int:version>/impact")
@roles.require(roles.FORM_ADMIN)
@_admin("Drafts on other versions, and those this version would send back", {"200": ok("The impact.", s.Impact),
                                                                             "404": NOT_FOUND}, path=VERSION)
def impact(form_id, version):
    return _call(lambda: jsonify(_versions().impact(form_id, version)))


@bp.post("/forms/<form_id>/versions/<int:version>/publish")
@roles.require(roles.FORM_ADMIN)
@_admin("Publish a version (an earlier one again: a roll-back)",
        {"200": ok("Published; every server serves it within seconds.", s.Published), "404": NOT_FOUND,
         "409": ok("Drafts are on other versions and `acknowledge_drafts` was not true (`drafts` lists them), or "
                   "someone else published or changed the version meanwhile.", s.PublishRefused),
         "422": PROBLEMS}, body=s.PublishRequest, body_required=False, path=VERSION, errors=(400,))
def publish(form_id, version, body):
    return _call(lambda: jsonify(_versions().publish(form_id, version, actor(), body.get("acknowledge_drafts", False))))


@bp.post("/forms/<form_id>/migrate")
@roles.require(roles.FORM_ADMIN)
@_admin("Move drafts on other versions to the published version",
        {"200": ok("How many moved, and how many were sent back to an earlier step.", s.Migrated),
         "404": NOT_FOUND, "409": ok("`to` is not the published version.", s.Error),
         "422": ok("The body is not `{\"to\": version}`.", s.ValidationErrors)},
        body=s.MigrateRequest, errors=(400,))
def migrate(form_id, body):
    return _call(lambda: jsonify(_versions().migrate(form_id, body["to"], actor())))


@bp.get("/forms/<form_id>/diff")
@roles.require(roles.FORM_ADMIN)
@_admin("What changed between two versions", {"200": ok("The changes.", s.Diff), "404": NOT_FOUND},
        query=s.DiffQuery, errors=(400,))
def diff(form_id, query):
    return _call(lambda: jsonify(_versions().diff(form_id, query["from_"], query["to"])))


# ---------------------------------------------------------------- office variants (formserver/variant_versions.py)

VARIANT = {"name": {"description": "The variant's name (FORMSERVER_VARIANT, variants/<name>/).", "schema": {"type": "string"}}}
VARIANT_VERSION = {**VARIANT, **VERSION}
NO_VARIANT = ok("No such variant or version.", s.Error)
VARIANT_PROBLEMS = ok("The variant has problems (`problems`, each naming its place in the document as a JSON "
                      "pointer), or the body does not fit (`errors`). Nothing was stored.", s.Problems)


def _variants():
    return services().variant_versions


def _variant_call(work):
    """Run a variant-versions call, its refusals as answers: 404, 409, 422."""
    from ..variant_versions import VariantRefused
    try:
        return work()
    except NoSuchVersion:
        return error_response(404)
    except VariantRefused as refused:
        return _problems(refused)
    except VersionConflict as conflict:
        return error_response(409, str(conflict.message), **conflict.details)


def _public(record: dict) -> dict:
    """A version as the API gives it: its images without the store's file ids."""
    return {**{k: v for k, v in record.items() if k != "assets"},
            "assets": {name: {k: a[k] for k in ("content_type", "size", "sha256")} for name, a in record["assets"].items()}}


@bp.get("/variants/<name>")
@roles.require(roles.FORM_ADMIN)
@_admin("A variant's versions", {"200": ok("The versions.", s.VariantVersions), "404": NO_VARIANT}, path=VARIANT)
def variant_versions(name):
    versions = _variants().list_versions(name)
    if not versions:
        return error_response(404)
    published = next((v["version"] for v in versions if v["status"] == "published"), None)
    return jsonify({"variant": name, "published_version": published, "versions": versions})


@bp.get("/variants/<name>/versions/<int:version>")
@roles.require(roles.FORM_ADMIN)
@_admin("One version of a variant", {"200": ok("The version.", s.VariantVersion), "404": NO_VARIANT},
        path=VARIANT_VERSION)
def variant_version(name, version):
    return _variant_call(lambda: jsonify(_public(_variants().get(name, version))))


@bp.post("/variants/<name>/versions")
@roles.require(roles.FORM_ADMIN)
@_admin("Create a draft version of a variant (with the published version's images)",
        {"201": ok("The draft.", s.VersionCreated), "404": NO_VARIANT, "422": VARIANT_PROBLEMS},
        body=s.VariantBody, path=VARIANT, errors=(400,))
def create_variant_version(name, body):
    def work():
        record = _variants().create_draft(name, body["document"], actor(), assets=_variants().published_assets(name))
        return jsonify({"version": record["number"], "status": "draft"}), 201
    return _variant_call(work)


@bp.put("/variants/<name>/versions/<int:version>")
@roles.require(roles.FORM_ADMIN)
@_admin("Change a draft version of a variant",
        {"200": ok("The draft.", s.VersionCreated), "404": NO_VARIANT,
         "409": ok("The version has been published (it never changes), or someone else changed the draft "
                   "meanwhile.", s.Error), "422": VARIANT_PROBLEMS},
        body=s.VariantBody, path=VARIANT_VERSION, errors=(400,))
def update_variant_version(name, version, body):
    def work():
        record = _variants().update_draft(name, version, body["document"], actor())
        return jsonify({"version": record["number"], "status": "draft"})
    return _variant_call(work)


@bp.post("/variants/<name>/versions/<int:version>/publish")
@roles.require(roles.FORM_ADMIN)
@_admin("Publish a version of a variant (an earlier one again: a roll-back)",
        {"200": ok("Published; every server serves it within seconds.", s.VariantPublished), "404": NO_VARIANT,
         "409": ok("Someone else published or changed the version meanwhile.", s.Error), "422": VARIANT_PROBLEMS},
        path=VARIANT_VERSION)
def publish_variant_version(name, version):
    return _variant_call(lambda: jsonify(_variants().publish(name, version, actor())))


@bp.post("/variants/<name>/versions/<int:version>/preview")
@roles.require(roles.FORM_ADMIN)
@_admin("A form as the variant's version shows it, and its office identity (nothing is stored)",
        {"200": ok("The effective definition, the office and the version's problems.", s.VariantPreview),
         "404": ok("No such variant, version or form.", s.Error),
         "422": ok("The body is not `{\"form\": id}`.", s.ValidationErrors)},
        body=s.VariantPreviewRequest, path=VARIANT_VERSION, errors=(400,))
def preview_variant_version(name, version, body):
    return _variant_call(lambda: jsonify(_variants().preview(name, version, body["form"])))
