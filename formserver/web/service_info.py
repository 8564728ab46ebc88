"""The service information page (/layanan): the office's service standard, its 14 components, from the running
variant's identity (variants/<name>/variant.json "layanan"), never from a template."""
from flask import Blueprint, render_template

from . import services

bp = Blueprint("service_info", __name__)


@bp.get("/layanan")
def service_standard():
    variant = services().variant
    return render_template("layanan.html", standard=variant.service_standard(), office=variant.office())
