"""The satisfaction survey on the web: an applicant starts it for an issued application; supervisors read the
IKM report (page, CSV, API); anyone reads the published summary per semester. Thin views over survey.py."""
import csv
import datetime as dt
import io

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for

from .. import charts, roles, survey
from ..i18n import gettext
from ..logic import today
from . import schemas as s
from . import services
from .contract import load_query, operation
from .errors import error_response
from .extensions import actor, limiter
from .openapi import SESSION, ok
from .views_common import current_account, owned_submission

bp = Blueprint("survey", __name__)
TREND = 6  # semesters on a report's trend


@bp.get("/skm/<application_id>")
def start(application_id):
    """The survey of one issued application of the caller: resumed when started, refused when sent already."""
    if current_account() is None:
        return redirect(url_for("pages.login", lanjut=request.path))
    application = owned_submission(application_id)
    svc = services()
    if not survey.issued(application) or survey.FORM not in svc.forms:
        abort(404)
    if svc.store.claimed(f"skm:{application_id}"):
        done = svc.store.get_submission(svc.store.claimed(f"skm:{application_id}"))
        if done and done["status"] == "completed":
            flash(gettext("Survei untuk permohonan ini sudah diisi. Terima kasih."))
            return redirect(url_for("pages.dashboard"))
    doc = survey.draft_for(svc, actor(), application_id) or svc.submissions.create(
        svc.forms.get(survey.FORM), actor(), current_account(), meta={"application_id": application_id})
    return redirect(url_for("pages.resume", submission_id=doc["id"]))


def _period(query: dict) -> survey.Period:
    """The report's period: from/to (both), else a semester (``2026-1``), else the current semester."""
    since, until = query.get("from_"), query.get("to")
    if since and until:
        return survey.Period(since, until + dt.timedelta(days=1), f"{since.isoformat()} – {until.isoformat()}")
    if query.get("semester"):
        return survey.parse_semester(query["semester"])
    return survey.semester_of(today())


def _checked(query: dict) -> dict:
    """400 for half a range or a reversed one."""
    if bool(query.get("from_")) != bool(query.get("to")):
        abort(error_response(400, gettext("Isi tanggal awal (from) dan akhir (to) bersama-sama.")))
    if any(query.get(key) and not survey.in_span(query[key]) for key in ("from_", "to")):
        abort(error_response(400, gettext("Laporan mencakup tahun {first_year} sampai {last_year}.").format(
                                      first_year=survey.FIRST_YEAR, last_year=survey.LAST_YEAR)))
    if query.get("semester") and survey.parse_semester(query["semester"]) is None:
        abort(error_response(400, gettext("Semester ditulis TAHUN-1 atau TAHUN-2, tahun "
                                          "{first_year}–{last_year}.").format(first_year=survey.FIRST_YEAR, last_year=survey.LAST_YEAR)))
    if query.get("from_") and query["from_"] > query["to"]:
        abort(error_response(400, gettext("Tanggal akhir (to) tidak boleh sebelum tanggal awal (from).")))
    return query


def _decimal(value: float) -> str:
    return f"{value:.3f}".replace(".", ",")


def _charts(result: survey.Report, trend: list[survey.Report]) -> dict:
    """The report's two charts (drawn on the server, each with its numbers as a table)."""
    elements = charts.bar_chart(gettext("Nilai rata-rata (NRR) per unsur, 1–4"),
                                [(e["label"], float(e["nrr"])) for e in result.elements if e["nrr"] is not None],
                                gettext("Unsur"), "NRR", fmt=_decimal)
    semesters = charts.line_chart(gettext("IKM per semester"),
                                  [(r.period.name, float(r.index)) for r in trend if r.index is not None],
                                  gettext("Semester"), "IKM")
    return {"element_chart": elements, "trend_chart": semesters}


@bp.get("/petugas/skm")
@roles.require(roles.SUPERVISOR)
def report_page():
    query = _checked(load_query(s.IkmPageQuery, request.args))
    period = _period(query)
    result = survey.report(services(), period)
    trend = survey.trend(services(), period.last_day, TREND)
    return render_template("ikm_report.html", report=result, trend=trend, query=request.args, public=False,
                           **_charts(result, trend))


@bp.get("/petugas/skm/ikm.csv")
@roles.require(roles.SUPERVISOR)
def report_csv():
    query = _checked(load_query(s.IkmPageQuery, request.args))
    result = survey.report(services(), _period(query))
    out = io.StringIO()
    csv.writer(out).writerows(survey.csv_rows(result))
    name = f"ikm_{result.period.since.isoformat()}_{result.period.last_day.isoformat()}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/api/v1/skm/ikm")
@limiter.limit("60 per minute")
@roles.require(roles.SUPERVISOR)
@operation("The satisfaction index (IKM) of a period",
           {"200": ok("Per element (NRR) and overall, with the grade (mutu).", s.Ikm),
            "403": ok("Not logged in as a supervisor.", s.Error)},
           errors=(400, 429), query=s.IkmQuery, security=SESSION, tag="survey",
           description="Supervisors only. Surveys counted by the day they were sent (WIB), `from` and `to` included. "
                       "IKM = mean of the nine elements' NRR × 25 (PermenPANRB 14/2017).")
def ikm_api(query):
    query = _checked(query)
    return jsonify(survey.report(services(), _period(query)).as_json())


@bp.get("/ikm")
def public_summary():
    """The published summary of one semester (the current one unless ``?semester=2026-1``), with its trend."""
    raw = request.args.get("semester", "")
    period = survey.parse_semester(raw) if raw else survey.semester_of(today())
    if period is None:
        return error_response(400, gettext("Semester ditulis TAHUN-1 atau TAHUN-2, misalnya 2026-1 "
                                           "(tahun {first_year}–{last_year}).").format(first_year=survey.FIRST_YEAR, last_year=survey.LAST_YEAR))
    result = survey.report(services(), period)
    trend = survey.trend(services(), period.last_day, TREND)
    return render_template("ikm_report.html", report=result, trend=trend, query=request.args, public=True,
                           **_charts(result, trend))
