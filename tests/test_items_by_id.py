"""Answers on later steps follow their activity by ``_id``: every order of activities, API and HTML alike.

Before, posted ``kegiatan_usaha.1.*`` was compacted to position 0 and continuing groups were matched
by position, so a Rendah activity listed before a Menengah Rendah one made the environmental step
impossible to finish without JavaScript, and the preview ignored ``[null, {...}]``.
"""
import pytest

from .conftest import PASSWORD, Api, make_app
from .items_scenarios import (
    MR,
    MRU,
    ORDERS,
    R,
    add_applicant,
    apply_via_api,
    apply_via_html,
    check_outcome,
    order_id,
    outcome,
)


def _api(app) -> Api:
    add_applicant(app)
    api = Api(app.test_client())
    assert api.post("/api/v1/auth/login", {"username": "budi0001", "password": PASSWORD}).status_code == 200
    return api


@pytest.mark.parametrize("order", ORDERS, ids=order_id)
def test_every_order_gives_the_same_answers_and_documents_through_api_and_html(tmp_path, smtp, whatsapp, order):
    api_app = make_app(tmp_path / "api", smtp, whatsapp)
    via_api = outcome(api_app, apply_via_api(_api(api_app), order))
    check_outcome(via_api, order)
    html_app = make_app(tmp_path / "html", smtp, whatsapp, WTF_CSRF_ENABLED=True)
    add_applicant(html_app)
    via_html = outcome(html_app, apply_via_html(html_app.test_client(), order))
    check_outcome(via_html, order)
    assert via_html == via_api


@pytest.fixture
def at_environment(app):
    """An application with a Rendah activity before a Menengah Rendah one, at the environmental step."""
    api = _api(app)
    order = [R, MRU]
    sid = api.post("/api/v1/forms/permohonan/submissions").get_json()["id"]
    steps = [("data_pelaku_usaha", {"npwp": "012345678901000", "email": "usaha@example.test"}),
             ("bidang_usaha", {"kegiatan_usaha": [{"jenis_kegiatan": "UTAMA", "kbli": a.kbli, "ruang_lingkup": "x"}
                                                  for a in order]}),
             ("detail_usaha", {"kegiatan_usaha": [a.details for a in order]}),
             ("produk", {"kegiatan_usaha": [{"produk": [a.product]} for a in order]}),
             ("ringkasan_usaha", {}),
             ("daftar_kegiatan", {"kegiatan_usaha": [{"dipilih": True}, {"dipilih": True}]})]
    for step, values in steps:
        assert api.put_step(sid, step, values).status_code == 200, (step, api.put_step(sid, step, values).get_json())
    ids = [item["_id"] for item in api.get(f"/api/v1/submissions/{sid}").get_json()["data"]["kegiatan_usaha"]]
    return api, sid, ids


def test_the_preview_reads_null_for_items_the_page_does_not_show(at_environment):
    """What the browser sends: ``[null, {...}]`` (the first activity is not asked about)."""
    api, sid, ids = at_environment
    belum = {"punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN"}
    r = api.post(f"/api/v1/submissions/{sid}/steps/persetujuan_lingkungan/preview",
                 {"values": {"kegiatan_usaha": [None, {"_id": ids[1], **belum}]}})
    assert r.status_code == 200, r.get_json()
    fields = r.get_json()["fields"]
    size = fields["kegiatan_usaha.1.luas_bangunan_m2"]
    assert size["visible"] is True and size["required"] is True and len(size["options"]) == 3
    assert fields["kegiatan_usaha.1.kapasitas_produksi"]["visible"] is True
    assert not fields.get("kegiatan_usaha.0.punya_dokumen_lingkungan", {}).get("visible")
    # without _id too: a null keeps the positions
    r = api.post(f"/api/v1/submissions/{sid}/steps/persetujuan_lingkungan/preview",
                 {"values": {"kegiatan_usaha": [None, belum]}})
    assert r.get_json()["fields"]["kegiatan_usaha.1.luas_bangunan_m2"]["visible"] is True


def test_a_save_with_null_and_ids_lands_on_the_right_activity(app, at_environment):
    api, sid, ids = at_environment
    r = api.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [None, {"_id": ids[1], **MRU.environment}]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["computed"]["kegiatan_usaha.1.kewajiban_lingkungan"] == "UKL_UPL"
    items = app.extensions["formserver"].store.get_submission(sid)["data"]["kegiatan_usaha"]
    assert [i["_id"] for i in items] == ids and items[1]["kapasitas_produksi"] == "KAPASITAS_1000_50000"
    assert "punya_dokumen_lingkungan" not in items[0]


def test_unknown_and_repeated_item_ids_are_refused(app, at_environment):
    api, sid, ids = at_environment
    before = app.extensions["formserver"].store.get_submission(sid)
    r = api.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [{"_id": "0badc0de", **MRU.environment}]})
    assert r.status_code == 422 and "kegiatan_usaha.0._id" in r.get_json()["errors"]
    r = api.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [
        {"_id": ids[1], **MRU.environment}, {"_id": ids[1], **MR.environment}]})
    assert r.status_code == 422 and "kegiatan_usaha.1" in r.get_json()["errors"]
    r = api.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [None, MRU.environment, MRU.environment]})
    assert r.status_code == 422 and "kegiatan_usaha.2" in r.get_json()["errors"]
    for bad in ([None, "x"], [None, {"_id": 7, **MRU.environment}], [None, {"_id": ["x"], **MRU.environment}], "x"):
        r = api.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": bad})
        assert r.status_code == 422, bad
    assert app.extensions["formserver"].store.get_submission(sid)["version"] == before["version"]


def test_by_position_still_works_for_clients_that_send_the_whole_list(app, at_environment):
    api, sid, _ = at_environment
    r = api.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [{}, {"_id": None, **MRU.environment}]})
    assert r.status_code == 200, r.get_json()
    # a short list by position answers the first activity, which the step does not ask about
    r = api.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [MRU.environment]})
    assert r.status_code == 422 and "kegiatan_usaha.1.punya_dokumen_lingkungan" in r.get_json()["errors"]
