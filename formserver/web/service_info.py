"""The service information page (/layanan): the office's service standard, its 14 components, from the running
variant's identity (variants/<name>/variant.json "layanan"), never from a template. And the office's logo (or
crest) the pages' header shows, under a content-hashed name cached for a year like the static files."""
from flask import Blueprint, abort, current_app, redirect, render_template, url_for

from . import services
from .assets import YEAR

bp = Blueprint("service_info", __name__)


@bp.get("/layanan")
def service_standard():
    variant = services().variant
    return render_template("layanan.html", standard=variant.service_standard(), office=variant.office())


@bp.app_template_global()
def office_image_url() -> str:
    """The header image's URL (its name carries its content's digest), "" when the office has no logo or crest."""
    image = services().variant.variant.header_image
    return url_for("service_info.office_image", filename=image.filename) if image else ""


@bp.get("/kantor/<filename>")
def office_image(filename):
    image = services().variant.variant.header_image
    if image is None or filename.split(".", 1)[0] != image.role:
        abort(404)
    if filename != image.filename:  # an older logo's name: the current one
        return redirect(url_for("service_info.office_image", filename=image.filename), 302)
    response = current_app.response_class(image.data, mimetype=image.media_type)
    response.cache_control.public, response.cache_control.max_age, response.cache_control.immutable = True, YEAR, True
    return response
