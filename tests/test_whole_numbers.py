"""Whole-number fields (``integer``, ``rupiah``): a fraction is refused with a message, never truncated."""
import pytest

from formserver.compile.fields import FIELD_TYPES
from formserver.compile.fields import ValidationError as FieldError

from .test_html_flow import Browser
from .test_permohonan import LOCATION, activities, applicant, ok, start  # noqa: F401 (fixture)


def _convert(kind, value):
    return FIELD_TYPES[kind].make({}).deserialize(value, "x", {})


@pytest.mark.parametrize("kind", ["integer", "rupiah"])
@pytest.mark.parametrize("value", [1.9, -0.5, "1.9", "1,9", ",5", "1.95"])
def test_a_fraction_is_refused_with_its_own_message(kind, value):
    with pytest.raises(FieldError) as refused:
        _convert(kind, value)
    assert refused.value.messages[0].id.startswith("Masukkan bilangan bulat tanpa pecahan")
    assert refused.value.messages[0].en.startswith("Enter a whole number without a fraction")


@pytest.mark.parametrize("kind", ["integer", "rupiah"])
@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e300, 10**16, True])
def test_numbers_that_are_not_whole_or_too_large_are_refused_in_both_languages(kind, value):
    with pytest.raises(FieldError) as refused:
        _convert(kind, value)
    message = refused.value.messages[0]
    assert message.id and message.en and message.id != message.en


@pytest.mark.parametrize(("kind", "value"), [
    ("integer", "\u0661\u0662"), ("integer", "\uff11\uff12"), ("rupiah", "\u0661\u0662.\u0660\u0660\u0660"),
    ("rupiah", "Rp \u0967\u0968"), ("date", "\u0661\u0667-08-2025"), ("date", "2025-08-\u0661\u0667")])
def test_digits_of_other_scripts_are_refused_as_the_browser_refuses_them(kind, value):
    # Python's \d and int() read Arabic-Indic, full-width or Devanagari digits; the browser's mirror does not, so the
    # server took an answer (and ran rules on it) that the page had said was no number
    with pytest.raises(FieldError):
        _convert(kind, value)


@pytest.mark.parametrize("kind,value,expected", [
    ("integer", 2.0, 2), ("integer", "12", 12), ("integer", -3, -3), ("integer", 10**16 - 1, 10**16 - 1),
    ("rupiah", 2.0, 2), ("rupiah", "Rp 15.000.000", 15_000_000), ("rupiah", "1.950", 1950), ("rupiah", 15_000_000, 15_000_000),
])
def test_whole_numbers_still_convert(kind, value, expected):
    assert _convert(kind, value) == expected


def test_api_refuses_a_fraction_and_stores_nothing(app, applicant):  # noqa: F811 (fixture)
    sid = start(applicant)
    activities(applicant, sid, "47191")
    for key, value in (("luas_lahan_m2", 1.9), ("modal_usaha", 50_000_000.5)):
        item = {**LOCATION, "modal_usaha": 50_000_000, key: value}
        r = applicant.put_step(sid, "detail_usaha", {"kegiatan_usaha": [item]})
        assert r.status_code == 422, r.get_json()
        assert "pecahan" in r.get_json()["errors"][f"kegiatan_usaha.0.{key}"][0]
        stored = app.extensions["formserver"].store.get_submission(sid)["data"]["kegiatan_usaha"][0]
        assert "luas_lahan_m2" not in stored and "modal_usaha" not in stored
    r = applicant.client.put(f"/api/v1/submissions/{sid}/steps/detail_usaha?lang=en", json={"values": {
        "kegiatan_usaha": [{**LOCATION, "modal_usaha": 50_000_000, "luas_lahan_m2": 1.9}]}})
    assert r.status_code == 422
    assert r.get_json()["errors"]["kegiatan_usaha.0.luas_lahan_m2"] == [
        "Enter a whole number without a fraction or decimal point, for example 12"]
    ok(applicant.put_step(sid, "detail_usaha", {"kegiatan_usaha": [{**LOCATION, "modal_usaha": 50_000_000,
                                                                    "luas_lahan_m2": 2.0}]}))
    assert app.extensions["formserver"].store.get_submission(sid)["data"]["kegiatan_usaha"][0]["luas_lahan_m2"] == 2


def test_html_shows_the_fraction_error_on_the_field(app, applicant):  # noqa: F811 (fixture)
    sid = start(applicant)
    activities(applicant, sid, "47191")
    browser = Browser(applicant.client)
    browser.get(f"/isian/{sid}/detail_usaha")
    item = {f"kegiatan_usaha.0.{k}": str(v) for k, v in {**LOCATION, "modal_usaha": "50.000.000"}.items()}
    page = browser.submit({**item, "kegiatan_usaha.0.luas_lahan_m2": "1,9"})
    assert page.status_code == 422
    assert 'href="#field-kegiatan_usaha.0.luas_lahan_m2"' in browser.text
    assert 'id="error-kegiatan_usaha.0.luas_lahan_m2"' in browser.text and "tanpa pecahan" in browser.text
    assert "luas_lahan_m2" not in app.extensions["formserver"].store.get_submission(sid)["data"]["kegiatan_usaha"][0]
