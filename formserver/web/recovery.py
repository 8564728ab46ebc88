"""Password recovery and change: the pages (/lupa-sandi, /akun/kata-sandi, without JavaScript) and the JSON API
(/api/v1/auth/recovery, /api/v1/auth/password).

Thin views over accounts.recovery; a recovery ticket lives in the server-side session of whoever asked.
"""
import time

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address

from ..accounts import recovery
from ..i18n import gettext, lazy_gettext
from . import schemas as sc
from . import services
from .api import bp as api_bp
from .api import start_session
from .contract import operation
from .errors import error_response
from .extensions import actor, limiter
from .openapi import SESSION, ok
from .views_common import current_account

bp = Blueprint("recovery", __name__)
SENT = lazy_gettext("Jika nama pengguna atau e-mail itu terdaftar, kode telah dikirim ke kontak akun tersebut. Kode berlaku "
          "10 menit.")


def _channel(raw) -> str:
    return raw if raw in recovery.CHANNELS else "email"


def _start(identifier: str, channel: str) -> None:
    ticket = recovery.request_code(services(), identifier[:254], _channel(channel), actor(),
                                   client=get_remote_address() or "")
    session["recovery"] = ticket


def _ticket() -> dict | None:
    ticket = session.get("recovery")
    if not isinstance(ticket, dict) or time.time() > ticket.get("expires_at", 0):
        return None
    return ticket


def _reset(ticket: dict, code, password, confirmation):
    result = recovery.reset(services(), ticket, str(code or "").strip()[:12], str(password or "")[:200],
                            str(confirmation or "")[:200], actor())
    if result.ok:
        session.pop("recovery", None)
    return result


# -- pages ----------------------------------------------------------------------------------------

@bp.route("/lupa-sandi", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def ask():
    identifier = request.form.get("username", "").strip()
    channel = _channel(request.form.get("channel"))
    if request.method == "POST":
        if identifier:
            _start(identifier, channel)
            flash(str(SENT))
            return redirect(url_for("recovery.reset_page"))
        errors = {"username": [gettext("Masukkan nama pengguna atau e-mail")]}
        return render_template("recovery_ask.html", errors=errors, username="", channel=channel), 422
    return render_template("recovery_ask.html", errors={}, username="", channel=channel)


@bp.route("/lupa-sandi/kode", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_page():
    ticket = _ticket()
    if ticket is None:
        flash(gettext("Minta kode terlebih dahulu; kode berlaku 10 menit."))
        return redirect(url_for("recovery.ask"))
    if request.method == "GET":
        return render_template("recovery_reset.html", errors={})
    form = request.form
    result = _reset(ticket, form.get("kode"), form.get("password"), form.get("password_konfirmasi"))
    if not result.ok:
        return render_template("recovery_reset.html", errors=result.errors), 422
    flash(gettext("Kata sandi sudah diganti dan semua sesi akun diakhiri. Silakan masuk dengan kata sandi baru."))
    return redirect(url_for("pages.login"))


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def change_page():
    account = current_account()
    if account is None:
        return redirect(url_for("pages.login", lanjut=url_for("recovery.change_page")))
    if request.method == "GET":
        return render_template("password_change.html", errors={})
    form = request.form
    result = _change(account, form.get("password_lama"), form.get("password"), form.get("password_konfirmasi"))
    if not result.ok:
        return render_template("password_change.html", errors=result.errors), 422
    flash(gettext("Kata sandi sudah diganti. Sesi lain akun ini telah diakhiri."))
    return redirect(url_for("pages.dashboard"))


def _change(account: dict, current, password, confirmation):
    result = recovery.change(services(), account, str(current or "")[:128], str(password or "")[:200],
                             str(confirmation or "")[:200], actor(), client=get_remote_address())
    if result.ok:
        start_session(account)  # every session ended, this one too: the person who changed it goes on anew
    return result


# -- API --------------------------------------------------------------------------------------------

@api_bp.post("/auth/recovery")
@limiter.limit("5 per minute")
@operation("Forgotten password: send a recovery code",
           {"202": ok("Accepted. If the account exists, a code went to its own e-mail or WhatsApp; the answer "
                      "never says whether it exists.", sc.RecoveryRequested),
            "422": ok("`username` missing or `channel` unknown.", sc.ValidationErrors)},
           errors=(400, 429), body=sc.RecoveryRequest, security=SESSION, tag="auth",
           description="The request is remembered in this session for 10 minutes. 5 per minute per address; at "
                       "most 3 codes per account in 10 minutes, whoever asks.")
def api_request(body):
    _start(body["username"].strip(), body["channel"])
    return jsonify({"requested": True, "message": str(SENT)}), 202


@api_bp.post("/auth/recovery/reset")
@limiter.limit("10 per minute")
@operation("Forgotten password: set a new one with the code",
           {"200": ok("The password is changed and every session of the account has ended.", sc.RecoveryDone),
            "409": ok("No recovery was asked for in this session, or it expired.", sc.Error),
            "422": ok("The code is wrong, expired or spent, or the new password breaks the policy, or the two "
                      "passwords differ. A password the policy refuses does not spend a try of the code.",
                      sc.ValidationErrors)},
           errors=(400, 429), body=sc.RecoveryReset, security=SESSION, tag="auth")
def api_reset(body):
    ticket = _ticket()
    if ticket is None:
        return error_response(409, gettext("Minta kode terlebih dahulu (POST /api/v1/auth/recovery); kode berlaku 10 menit."))
    result = _reset(ticket, body["code"], body["password"], body["password_confirmation"])
    if not result.ok:
        names = {"kode": "code", "password_konfirmasi": "password_confirmation"}
        return jsonify({"errors": {names.get(k, k): v for k, v in result.errors.items()}}), 422
    return jsonify({"reset": True})


@api_bp.post("/auth/password")
@limiter.limit("10 per minute")
@operation("Change the password",
           {"200": ok("Changed. Every session of the account has ended; the response sets a new session cookie "
                      "for this client.", sc.PasswordChanged),
            "401": ok("Not logged in.", sc.Error),
            "422": ok("The current password is wrong (it counts toward the lock-out), or the new one breaks the "
                      "policy, or the two differ.", sc.ValidationErrors)},
           errors=(400, 429), body=sc.PasswordChange, security=SESSION, tag="auth")
def api_change(body):
    account = current_account()
    if account is None:
        return error_response(401, gettext("Masuk terlebih dahulu."))
    result = _change(account, body["current_password"], body["password"], body["password_confirmation"])
    if not result.ok:
        names = {"password_lama": "current_password", "password_konfirmasi": "password_confirmation"}
        return jsonify({"errors": {names.get(k, k): v for k, v in result.errors.items()}}), 422
    return jsonify({"changed": True})
