"""The service information page (/layanan): the office's service standard, its 14 components, from the office's
data (documents/office.json), never from a template."""
from flask import Blueprint, current_app, render_template

from ..issue.issuance import load_office, load_service_standard

bp = Blueprint("service_info", __name__)


@bp.get("/layanan")
def service_standard():
    return render_template("layanan.html", standard=load_service_standard(current_app.config),
                           office=load_office(current_app.config))
