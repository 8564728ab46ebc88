"""The preview answers what a page shows (``shown``), and every field carries its "(tidak wajib)" marker,
hidden where the server requires an answer, so the browser's mirror can follow the server both ways."""
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


def test_every_field_has_a_marker_hidden_when_required(client):
    api, sid = _at_jenis_pelaku(client)
    page = client.get(f"/isian/{sid}/jenis_pelaku").get_data(as_text=True)

    def marker(path):
        wrapper = re.search(rf'data-field="{path}".*?</div>\s*</fieldset>|data-field="{path}".*?</label>', page, re.S)
        return re.search(r'<span class="optional" data-optional( hidden)?>', wrapper.group(0))

    # required, though hidden until the script (or the server) reveals it: the marker is there, hidden
    assert marker("kewarganegaraan").group(1) == " hidden"
    assert marker("jenis_pelaku_usaha").group(1) == " hidden"
