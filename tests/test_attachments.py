"""Attachments: the kind is read from the bytes, not the name; a file that is not what it claims is refused;
bytes go to the store once the step is valid, and a reference is kept only when it was the submission's own."""
import base64

import pytest

from formserver import attachments
from formserver.store.sqlite import SQLiteStore

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 32


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize("name, media, data, kind", [
    ("bukti.pdf", "application/pdf", PDF, "application/pdf"), ("foto.PNG", "image/png", PNG, "image/png"),
    ("foto.jpeg", "", JPEG, "image/jpeg"), ("tanpa-nama", "", PDF, "application/pdf")])
def test_accepted_by_their_bytes(name, media, data, kind):
    pending = attachments.from_json({"name": name, "content_type": media, "data": b64(data)})
    assert pending["content_type"] == kind and pending["size"] == len(data) and base64.b64decode(pending["pending"]) == data


@pytest.mark.parametrize("name, media, data, words", [
    ("bukti.pdf", "application/pdf", PNG, "bukan PDF"),          # a picture named .pdf
    ("foto.jpg", "image/jpeg", PDF, "bukan JPEG"),               # a PDF named .jpg
    ("program.exe", "application/octet-stream", EXE, "PDF, PNG atau JPEG"),
    ("bukti.pdf", "application/pdf", EXE, "PDF, PNG atau JPEG"),  # an executable named .pdf
    ("catatan.txt", "text/plain", PDF, "bukan PDF/PNG/JPEG"),
    ("kosong.pdf", "application/pdf", b"", "kosong"),
    ("besar.pdf", "application/pdf", PDF + b"0" * attachments.MAX_BYTES, "paling besar 2 MB")])
def test_refused_with_a_reason(name, media, data, words):
    with pytest.raises(attachments.Refused) as refused:
        attachments.from_json({"name": name, "content_type": media, "data": b64(data)})
    assert words in str(refused.value.args[0])


def test_unreadable_bodies_are_refused():
    for value in ("x", {"name": "a.pdf"}, {"name": "a.pdf", "data": "!!!not base64"}, ["a"]):
        with pytest.raises(attachments.Refused):
            attachments.from_json(value)


def test_names_are_made_safe():
    assert attachments.safe_name("C:\\Users\\x\\bukti <1>.pdf") == "bukti _1_.pdf"
    assert attachments.safe_name("../../etc/passwd") == "passwd" and attachments.safe_name("") == "lampiran"


def test_keep_puts_the_bytes_in_the_store_and_checks_references(tmp_path):
    store = SQLiteStore(tmp_path / "s.sqlite3")
    pending = attachments.from_json({"name": "bukti.pdf", "content_type": "application/pdf", "data": b64(PDF)})
    kept = attachments.keep(pending, None, store, "session:a")
    assert set(kept) == {"file_id", "name", "content_type", "size", "sha256"} and "pending" not in kept
    assert store.get_file(kept["file_id"])["data"] == PDF and store.get_file(kept["file_id"])["owner"] == "session:a"
    assert attachments.keep(dict(kept), kept, store, "session:a") == kept            # the same answer again
    assert attachments.keep({**kept, "file_id": "someone-else"}, kept, store, "session:a") is None
    assert attachments.keep(dict(kept), None, store, "session:a") is None            # a reference it never had
    assert attachments.display(kept) == "bukti.pdf (PDF, 1 KB)"
    assert attachments.file_ids({"a": [kept], "b": {"file_id": "x"}}) == {kept["file_id"]}


COMPLAINT = {"nama_pelapor": "Siti Aminah", "kontak": "siti@example.test", "perihal": "NIB belum terbit",
             "uraian_pengaduan": "Sudah tiga hari menunggu."}


def _files(store) -> list[str]:
    return [f["id"] for f in store.iter_collection("files")]


def _complaint_with_file(app):
    from .conftest import Api
    api = Api(app.test_client())
    sid = api.post("/api/v1/forms/pengaduan/submissions").get_json()["id"]
    values = {**COMPLAINT, "lampiran": {"name": "bukti.pdf", "content_type": "application/pdf", "data": b64(PDF)}}
    return api, sid, values


def test_a_file_whose_step_its_action_refuses_is_not_left_in_the_store(app, monkeypatch):
    from formserver.actions import ACTIONS
    svc = app.extensions["formserver"]
    step = svc.forms.get("pengaduan").steps_by_key["isi_pengaduan"]
    monkeypatch.setitem(ACTIONS, "uji.tolak", lambda context: context.fail("perihal", "ditolak / refused"))
    monkeypatch.setitem(step.spec, "action", "uji.tolak")
    api, sid, values = _complaint_with_file(app)
    refused = api.put_step(sid, "isi_pengaduan", values)
    assert refused.status_code == 422 and "lampiran" not in svc.store.get_submission(sid)["data"]
    assert _files(svc.store) == []  # the bytes stored before the action ran are gone with its refusal
    monkeypatch.setitem(ACTIONS, "uji.tolak", lambda context: None)
    assert api.put_step(sid, "isi_pengaduan", values).status_code == 200
    assert _files(svc.store) == [svc.store.get_submission(sid)["data"]["lampiran"]["file_id"]]


def test_a_file_of_a_save_that_lost_to_another_write_is_not_left_in_the_store(app, monkeypatch):
    """A step saved without a version is redone on the fresh submission: one file, the one its answer names."""
    from formserver.store import StaleVersion
    store = app.extensions["formserver"].store
    api, sid, values = _complaint_with_file(app)
    update, lost = store.update_submission, []

    def loses_once(doc):
        if not lost:
            lost.append(doc["id"])
            raise StaleVersion(doc["id"])
        return update(doc)
    monkeypatch.setattr(store, "update_submission", loses_once)
    assert api.put_step(sid, "isi_pengaduan", values).status_code == 200 and lost
    assert _files(store) == [store.get_submission(sid)["data"]["lampiran"]["file_id"]]


def test_a_file_of_a_draft_that_lost_to_another_write_is_not_left_in_the_store(app, monkeypatch):
    from formserver.store import StaleVersion
    from formserver.submissions import Conflict
    svc = app.extensions["formserver"]
    _, sid, values = _complaint_with_file(app)
    doc = svc.store.get_submission(sid)

    def lost(doc):
        raise StaleVersion(doc["id"])
    monkeypatch.setattr(svc.store, "update_submission", lost)
    with pytest.raises(Conflict):
        svc.submissions.save_draft(doc, "isi_pengaduan", {"lampiran": values["lampiran"]}, "uji")
    assert _files(svc.store) == []
