"""Roles: the one guard (formserver/roles.py) and the staff accounts the command line makes."""
import subprocess
import sys

import pytest
from flask import Blueprint, jsonify

from formserver import roles
from formserver.officers import create_form_admin, create_officer, create_staff

from .conftest import ROOT, Api

PASSWORD = "Admin#2025rahasia"


def _guarded_app(app):
    bp = Blueprint("guarded_test", __name__)

    @bp.get("/api/v1/uji-admin")
    @roles.require(roles.FORM_ADMIN)
    def api_view():
        return jsonify({"ok": True})

    @bp.get("/uji-admin")
    @roles.require(roles.FORM_ADMIN)
    def page_view():
        return "<p>admin</p>"

    @bp.get("/uji-petugas")
    @roles.require(*roles.OFFICERS)
    def officer_view():
        return "<p>petugas</p>"

    app.register_blueprint(bp)
    return app


def _login(app, username):
    api = Api(app.test_client())
    assert api.post("/api/v1/auth/login", {"username": username, "password": PASSWORD}).status_code == 200
    return api.client


def test_roles_read_legacy_officer_as_petugas():
    assert roles.role_of({"role": "officer"}) == roles.PETUGAS
    assert roles.role_of({}) == roles.APPLICANT
    assert roles.role_of(None) is None
    assert roles.is_officer({"role": "officer"}) and roles.is_officer({"role": "supervisor"})
    assert not roles.is_officer({"role": "form_admin"}) and not roles.is_officer({})


def test_require_refuses_unknown_role_names():
    with pytest.raises(ValueError):
        roles.require("admin")


def test_guard_lets_form_admins_in_and_refuses_others_with_403_and_an_audit_event(app):
    _guarded_app(app)
    store = app.extensions["formserver"].store
    create_form_admin(store, "admin1", "a1@kampar.go.id", "Adi", PASSWORD)
    officer = create_officer(store, "petugas1", "p1@kampar.go.id", "Siti", PASSWORD)
    legacy = create_staff(store, "petugas2", "p2@kampar.go.id", "Lama", PASSWORD, roles.PETUGAS)
    store.update_account({**legacy, "role": "officer"})  # made before roles had today's names

    admin = _login(app, "admin1")
    assert admin.get("/api/v1/uji-admin").get_json() == {"ok": True}
    assert admin.get("/uji-admin").status_code == 200

    assert admin.get("/uji-petugas").status_code == 403
    assert _login(app, "petugas2").get("/uji-petugas").status_code == 200

    anonymous = app.test_client()
    for client, who in ((_login(app, "petugas1"), f"account:{officer['id']}"), (anonymous, None)):
        refused = client.get("/api/v1/uji-admin")
        assert refused.status_code == 403 and "admin formulir" in refused.get_json()["error"]
        page = client.get("/uji-admin")
        assert page.status_code == 403 and page.mimetype == "text/html" and "admin formulir" in page.get_data(as_text=True)
        if who:
            events = [e for e in store.events(who) if e["type"] == roles.REFUSED_EVENT]
            assert [(e["path"], e["role"]) for e in events] == [("/api/v1/uji-admin", "petugas"), ("/uji-admin", "petugas")]
            assert events[0]["required"] == ["form_admin"] and events[0]["actor"] == who


def test_cli_admin_add_creates_a_form_admin(tmp_path):
    import os
    env = {**os.environ, "FORMSERVER_DATA_DIR": str(tmp_path)}
    add = subprocess.run([sys.executable, "-m", "formserver.cli", "admin", "add", "admin1", "a1@kampar.go.id",
                          "--name", "Adi Admin", "--password-stdin"], input=PASSWORD + "\n",
                         capture_output=True, text=True, cwd=ROOT, env=env)
    assert add.returncode == 0, add.stderr
    again = subprocess.run([sys.executable, "-m", "formserver.cli", "admin", "add", "admin1", "a2@kampar.go.id",
                            "--name", "X", "--password-stdin"], input=PASSWORD + "\n",
                           capture_output=True, text=True, cwd=ROOT, env=env)
    assert again.returncode == 1 and "username itu sudah dipakai" in again.stderr
    from formserver.store.sqlite import SQLiteStore
    store = SQLiteStore(tmp_path / "formserver.sqlite3")
    account = store.find_account(username="admin1")
    assert account["role"] == "form_admin" and account["profile"]["nama_lengkap"] == "Adi Admin"
    assert [e["type"] for e in store.events(f"account:{account['id']}")] == ["account.created"]
