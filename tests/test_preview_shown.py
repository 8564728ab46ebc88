"""The preview answers what a page shows (``shown``), and a field is marked "(tidak wajib)" only where
the server does not require an answer, so the browser's mirror can follow the server both ways."""
import re

from .conftest import Api


def _at_jenis_pelaku(client):
    api = Api(client)
    sid = api.post("/api/v1/forms/registrasi/submissions").get_json()["id"]
    assert api.put_step(sid, "skala", {"skala_usaha": "UMK"}).status_code == 200
    return api, sid


def test_preview_lists_the_fields_shown_for_these_answers(client):
    api, sid = _at_jenis_pelaku(client)
    url = f"/api/v1/submissions/{sid}/steps/jenis_pelaku/preview"
    before = api.post(url, {"values": {}}).get_json()
    assert "jenis_pelaku_usaha" in before["shown"] and "kewarganegaraan" not in before["shown"]
    after = api.post(url, {"values": {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN"}}).get_json()
    assert "kewarganegaraan" in after["shown"] and after["fields"]["kewarganegaraan"]["required"] is True
    assert after["shown"] == sorted(p for p, s in after["fields"].items() if s["visible"])


def test_required_fields_have_no_optional_marker_even_before_they_are_revealed(client):
    api, sid = _at_jenis_pelaku(client)
    page = client.get(f"/isian/{sid}/jenis_pelaku").get_data(as_text=True)
    # required once shown (the script asks the server when it reveals it): not labelled "(tidak wajib)"
    legend = re.search(r'data-field="kewarganegaraan".*?</legend>', page, re.S).group(0)
    assert "tidak wajib" not in legend and "data-label" in legend
    assert 'data-optional-text="(tidak wajib)"' in page  # what the script writes where a field becomes optional
    optional = client.get(f"/isian/{sid}/jenis_pelaku?lang=en")
    assert 'data-optional-text="(optional)"' in optional.get_data(as_text=True)
