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
