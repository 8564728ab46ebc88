"""The engine: conditions, computed values, validation, branching and hidden-field stripping."""
import pytest

from formserver.submissions import StepNotReachable


@pytest.fixture
def svc(branching_app):
    return branching_app.extensions["formserver"]


@pytest.fixture
def form(svc):
    return svc.forms.get("cabang")


def validate(svc, form, step, posted, answers=None):
    return svc.validator.validate(form, form.steps_by_key[step], posted, answers or {})


def test_visible_if_and_required_if(svc, form):
    result = validate(svc, form, "awal", {"jenis": "A"})
    assert result.errors == {"catatan": ["Catatan wajib diisi"]}
    assert validate(svc, form, "awal", {"jenis": "B"}).ok


def test_hidden_field_is_neither_validated_nor_stored(svc, form):
    result = validate(svc, form, "awal", {"jenis": "B", "catatan": "x" * 10_000})
    assert result.ok
    assert "catatan" not in result.values


def test_option_shown_only_when_its_rule_holds(svc, form):
    state = svc.evaluator.evaluate(form, {"jenis": "A"})
    assert [v for v, _ in state.fields["jenis"].options] == ["A", "B"]
    assert validate(svc, form, "awal", {"jenis": "X"}).errors["jenis"]


def test_computed_value_comes_from_the_server(svc, form):
    result = validate(svc, form, "awal", {"jenis": "B", "modal": "Rp 15.000.000", "modal_juta": 999})
    assert result.values["modal"] == 15_000_000
    assert result.state.computed["modal_juta"] == 15


def test_type_and_range_errors(svc, form):
    errors = validate(svc, form, "awal", {"jenis": "B", "modal": "banyak"}).errors
    assert "modal" in errors
    assert "modal" in validate(svc, form, "awal", {"jenis": "B", "modal": 0}).errors


def test_unknown_field_is_an_error(svc, form):
    assert "bukan_isian" in validate(svc, form, "awal", {"jenis": "B", "bukan_isian": 1}).errors


def test_branching_path(svc, form):
    assert svc.evaluator.evaluate(form, {"jenis": "A"}).path == ["awal", "khusus_a", "khusus_b", "detail_b", "akhir"]
    assert svc.evaluator.evaluate(form, {"jenis": "B"}).path == ["awal", "khusus_b", "detail_b", "akhir"]


def test_cross_field_check_with_its_own_message(svc, form):
    answers = {"jenis": "A", "catatan": "ok"}
    errors = validate(svc, form, "khusus_a", {"tanggal_mulai": "2025-05-01", "tanggal_akhir": "01-04-2025"}, answers).errors
    assert errors == {"tanggal_akhir": ["Tanggal akhir harus sesudah tanggal mulai"]}


def test_repeating_group_items_validate_with_their_own_conditions(svc, form):
    answers = {"jenis": "B"}
    result = validate(svc, form, "khusus_b", {"produk": [
        {"nama_produk": "Keripik", "kapasitas": "100"},
        {"nama_produk": "Sambal", "kapasitas": 0, "punya_sni": True},
    ]}, answers)
    assert result.errors == {"produk.1.kapasitas": ["Paling kecil 1"], "produk.1.nomor_sni": ["Nomor SNI wajib diisi"]}
    result = validate(svc, form, "khusus_b", {"produk": [{"nama_produk": "Keripik", "kapasitas": 5, "nomor_sni": "SNI 1"}]}, answers)
    assert result.ok and [{k: v for k, v in item.items() if k != "_id"} for item in result.values["produk"]] == \
        [{"nama_produk": "Keripik", "kapasitas": 5}]
    assert validate(svc, form, "khusus_b", {"produk": []}, answers).errors["produk"]


def test_changing_a_branch_drops_the_answers_of_skipped_steps(svc, form):
    subs = svc.submissions
    doc = subs.create(form, "session:t")
    doc = subs.save_step(doc, "awal", {"jenis": "A", "catatan": "n"}, "session:t").submission
    doc = subs.save_step(doc, "khusus_a", {"tanggal_mulai": "2025-01-01", "tanggal_akhir": "2025-02-01"}, "session:t").submission
    assert doc["data"]["tanggal_mulai"] == "2025-01-01"
    doc = subs.save_step(doc, "awal", {"jenis": "B"}, "session:t").submission
    assert "tanggal_mulai" not in doc["data"] and "catatan" not in doc["data"]
    assert doc["completed"] == ["awal"] and doc["current_step"] == "khusus_b"


def test_a_step_off_the_path_or_ahead_is_refused(svc, form):
    subs = svc.submissions
    doc = subs.create(form, "session:t")
    with pytest.raises(StepNotReachable):
        subs.save_step(doc, "khusus_b", {"produk": [{"nama_produk": "x", "kapasitas": 1}]}, "session:t")
    doc = subs.save_step(doc, "awal", {"jenis": "B"}, "session:t").submission
    with pytest.raises(StepNotReachable):
        subs.save_step(doc, "khusus_a", {"tanggal_mulai": "2025-01-01", "tanggal_akhir": "2025-02-01"}, "session:t")


def test_errors_change_nothing_stored(svc, form):
    subs = svc.submissions
    doc = subs.save_step(subs.create(form, "session:t"), "awal", {"jenis": "B"}, "session:t").submission
    result = subs.save_step(doc, "awal", {"jenis": "nope"}, "session:t")
    assert not result.ok
    assert svc.store.get_submission(doc["id"]) == doc


def test_messages_follow_the_locale(svc, form):
    from formserver.i18n import current_locale
    token = current_locale.set("en")
    try:
        assert validate(svc, form, "awal", {"jenis": "A"}).errors == {"catatan": ["Enter note"]}
    finally:
        current_locale.reset(token)


def test_a_draft_finishes_on_its_version_when_a_new_one_ships(tmp_path, smtp, whatsapp, test_forms):
    """Pinned: a changed shipped file is a new published version; a draft started before stays on its own."""
    import json

    from .conftest import make_app
    app = make_app(tmp_path / "data", smtp, whatsapp, forms_dir=test_forms)
    subs = app.extensions["formserver"].submissions
    doc = subs.create(app.extensions["formserver"].forms.get("cabang"), "session:t")
    doc = subs.save_step(doc, "awal", {"jenis": "A", "catatan": "lama", "modal": 5}, "session:t").submission
    assert doc["form_version"] == 3
    # the office ships a new file: the note question is gone, the rest keeps its keys
    spec = json.loads((test_forms / "cabang.json").read_text())
    spec["steps"][0]["fields"] = [f for f in spec["steps"][0]["fields"] if f["key"] != "catatan"]
    (test_forms / "cabang.json").write_text(json.dumps(spec))
    app = make_app(tmp_path / "data", smtp, whatsapp, forms_dir=test_forms)
    svc = app.extensions["formserver"]
    assert svc.forms.get("cabang").version == 4 and "catatan" not in svc.forms.get("cabang").fields_by_key
    subs = svc.submissions
    doc = subs.get(doc["id"], "session:t")
    state = subs.state(doc)
    assert subs.first_open_step(doc, state) == "khusus_a" and state.data["catatan"] == "lama"
    doc = subs.save_step(doc, "khusus_a", {"tanggal_mulai": "2025-01-01", "tanggal_akhir": "2025-02-01"}, "session:t").submission
    assert doc["form_version"] == 3 and doc["data"]["catatan"] == "lama"
    assert subs.create(svc.forms.get("cabang"), "session:u")["form_version"] == 4
    # the same files again: nothing new is imported
    app = make_app(tmp_path / "data", smtp, whatsapp, forms_dir=test_forms)
    assert [v["number"] for v in app.extensions["formserver"].store.form_versions("cabang")] == [3, 4]


def test_a_later_step_continues_the_items_of_a_repeating_group(svc, form):
    subs = svc.submissions
    doc = subs.save_step(subs.create(form, "session:t"), "awal", {"jenis": "B"}, "session:t").submission
    doc = subs.save_step(doc, "khusus_b", {"produk": [
        {"nama_produk": "Keripik", "kapasitas": 5}, {"nama_produk": "Sambal", "kapasitas": 9, "punya_sni": True,
                                                     "nomor_sni": "SNI 01"}]}, "session:t").submission
    ids = [item["_id"] for item in doc["data"]["produk"]]
    result = subs.save_step(doc, "detail_b", {"produk": [{"harga": "Rp 10.000"}, {"harga": 0, "bahan": [{}]}]}, "session:t")
    assert result.errors == {"produk.1.harga": ["Paling kecil 1"], "produk.1.bahan.0.nama_bahan": ["Nama bahan wajib diisi"]}
    result = subs.save_step(doc, "detail_b", {"produk": [
        {"harga": "10000", "nomor_sni_ulang": "hidden for this item"},
        {"harga": 25000, "bahan": [{"nama_bahan": "Cabai"}], "nomor_sni_ulang": "SNI 01"}]}, "session:t")
    assert result.ok, result.errors
    items = result.submission["data"]["produk"]
    assert items[0]["harga"] == 10000 and "nomor_sni_ulang" not in items[0]
    assert items[1]["bahan"][0]["nama_bahan"] == "Cabai" and items[1]["nama_produk"] == "Sambal"
    assert result.state.item_labels == {("rincian_produk", "produk.0"): "Produk Keripik",
                                        ("rincian_produk", "produk.1"): "Produk Sambal"}
    # changing the first step's items keeps the later answers with their item (matched by _id)
    doc = subs.save_step(result.submission, "khusus_b", {"produk": [
        {"_id": ids[1], "nama_produk": "Sambal Ijo", "kapasitas": 9, "punya_sni": True, "nomor_sni": "SNI 01"}]},
        "session:t").submission
    assert doc["data"]["produk"] == [{"_id": ids[1], "nama_produk": "Sambal Ijo", "kapasitas": 9, "punya_sni": True,
                                      "nomor_sni": "SNI 01", "harga": 25000, "bahan": [{"nama_bahan": "Cabai"}],
                                      "nomor_sni_ulang": "SNI 01"}]
