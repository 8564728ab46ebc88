"""Key ids and the key ring: documents stay verifiable when the data moves or the signing key changes."""
import json
import sqlite3
import stat

import pytest

from formserver import transfer
from formserver.issue.keyring import KeyRing, office_certificates, public_key_of, register, register_certificate, ring_entry
from formserver.issue.signing import OfficeKeys
from formserver.store.sqlite import SQLiteStore

from .conftest import PASSWORD, PASSWORD_HASH, Api, make_app
from .test_permohonan import PROFILE, _issue_now, _to_pernyataan, start

PASSPHRASE = "kunci rahasia kantor 2026"


def _applicant(app, number: int) -> Api:
    """A logged-in applicant with an account of its own on ``app``."""
    app.extensions["formserver"].store.insert_account({
        "id": f"acc{number}", "username": f"budi{number:04d}", "email": f"budi{number}@example.test",
        "status": "active", "password_hash": PASSWORD_HASH,
        "profile": {**PROFILE, "nik": f"140101170890000{number}", "email": f"budi{number}@example.test"}})
    api = Api(app.test_client())
    r = api.post("/api/v1/auth/login", {"username": f"budi{number:04d}", "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    return api


def _issue_application(app, number: int) -> list[dict]:
    api = _applicant(app, number)
    sid = start(api)
    _to_pernyataan(api, sid)
    return _issue_now(api, sid)["documents"]


def _verify(app, document: dict) -> dict:
    code = document["verify_url"].rsplit("/verifikasi/", 1)[1]
    return app.test_client().get(f"/api/v1/verify/{code}").get_json()


def _run(monkeypatch, data_dir, *argv) -> int:
    monkeypatch.setenv("FORMSERVER_DATA_DIR", str(data_dir))
    return transfer.main(list(argv))


def _header(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.loads(handle.readline())


def _forget_key_ids(data_dir) -> None:
    """Make the store look as it did before key ids: documents name no key, the ring is empty."""
    db = sqlite3.connect(data_dir / "formserver.sqlite3")
    with db:
        db.execute("UPDATE documents SET body = json_remove(body, '$.key_id')")
        db.execute("DELETE FROM signing_keys")
    db.close()


@pytest.mark.parametrize("before_key_ids", [False, True], ids=["keyed", "made-before-key-ids"])
def test_moved_data_keeps_documents_verifiable(tmp_path, smtp, whatsapp, monkeypatch, capsys, before_key_ids):
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old = make_app(old_dir, smtp, whatsapp)
    old_documents = _issue_application(old, 1)
    old_key = old.extensions["formserver"].issuer.keys.key_id
    old_pdf = old.extensions["formserver"].issuer.pdf(old.extensions["formserver"].store.get_document(old_documents[0]["id"]))
    stored = [old.extensions["formserver"].store.get_document(d["id"]) for d in old_documents]
    assert {d["key_id"] for d in stored} == {old_key}  # every document names the key that signed it
    if before_key_ids:
        _forget_key_ids(old_dir)
        assert all(_verify(old, d)["status"] == "VALID" for d in old_documents)  # checked with the current key
    export_file = tmp_path / "export.jsonl"
    assert _run(monkeypatch, old_dir, "export", "--out", str(export_file)) == 0
    text = export_file.read_text(encoding="utf-8")
    assert "PRIVATE KEY" not in text and "private_keys" not in _header(export_file)
    ring = [json.loads(line)["r"] for line in text.splitlines() if '"c":"signing_keys"' in line]
    assert [entry["id"] for entry in ring if entry["algorithm"] == "Ed25519"] == [old_key]
    assert public_key_of(ring[0]) is not None
    old_certificate = old.extensions["formserver"].issuer.keys.cert_pem
    assert [entry["algorithm"] for entry in ring] == ["Ed25519", "X.509"]  # the PDF certificate too

    new = make_app(new_dir, smtp, whatsapp)  # a new data directory: a new key
    new_key = new.extensions["formserver"].issuer.keys.key_id
    assert new_key != old_key
    assert _verify(new, old_documents[0])["status"] == "UNKNOWN"  # nothing imported yet
    assert _run(monkeypatch, new_dir, "import", str(export_file)) == 0
    for document in old_documents:
        body = _verify(new, document)
        assert body["valid"] is True and body["status"] == "VALID", body
        assert new.extensions["formserver"].store.get_document(document["id"])["key_id"] == old_key

    new_documents = _issue_application(new, 2)
    assert {new.extensions["formserver"].store.get_document(d["id"])["key_id"] for d in new_documents} == {new_key}
    assert all(_verify(new, d)["status"] == "VALID" for d in new_documents)
    assert [entry["id"] for entry in new.extensions["formserver"].store.signing_keys()
            if entry["algorithm"] == "Ed25519"] == [old_key, new_key]
    # a PDF downloaded from the old server still checks out against the certificates the new one keeps
    certificates = office_certificates(new.extensions["formserver"].store)
    assert len(certificates) == 2 and certificates[0].strip() in old_certificate
    assert _pdf_signature_trusted(old_pdf, certificates) and not _pdf_signature_trusted(old_pdf, certificates[1:])
    # a document altered behind its signature is still found out, whichever key signed it
    store = new.extensions["formserver"].store
    doc = store.get_document(old_documents[0]["id"])
    store.update_document({**doc, "content": {**doc["content"], "nib": "9100000000000"}})
    assert _verify(new, old_documents[0])["status"] == "ALTERED"
    # a document that claims another key of the ring is not valid under it
    doc = store.get_document(new_documents[0]["id"])
    store.update_document({**doc, "key_id": old_key})
    assert _verify(new, new_documents[0])["status"] == "ALTERED"
    capsys.readouterr()


def _pdf_signature_trusted(pdf: bytes, certificates: list[bytes]) -> bool:
    import io

    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    roots = [cert for pem in certificates for cert in load_certs_from_pemder_data(pem)]
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0],
                                    ValidationContext(trust_roots=roots))
    return status.intact and status.valid and status.trusted


def test_the_first_key_of_a_ring_is_the_key_of_older_documents(tmp_path):
    store = SQLiteStore(tmp_path / "s.sqlite3")
    for n in range(3):
        store.insert_document({"id": f"d{n}", "number": f"N{n}", "application_id": "a", "type": "NIB",
                               "activity": str(n), "status": "VALID", "content": {}})
    first, second = (OfficeKeys.load({"DATA_DIR": str(tmp_path / name)}) for name in ("one", "two"))
    assert register_certificate(store, second.cert_pem)  # a certificate first: documents are still unclaimed
    assert register(store, first.public_key) and not register(store, first.public_key)
    assert {store.get_document(f"d{n}")["key_id"] for n in range(3)} == {first.key_id}
    store.insert_document({"id": "late", "number": "L", "application_id": "b", "type": "NIB", "activity": "",
                           "status": "VALID", "content": {}})
    assert register(store, second.public_key)  # a later key does not claim documents it did not sign
    assert "key_id" not in store.get_document("late")
    assert [e["id"] for e in store.signing_keys() if e["algorithm"] == "Ed25519"] == [first.key_id, second.key_id]
    assert [e["type"] for e in store.events(f"signing_key:{first.key_id}")] == ["signing_key.added"]


def test_a_document_naming_no_key_is_checked_against_every_office_key(tmp_path):
    store = SQLiteStore(tmp_path / "s.sqlite3")
    old, current, stranger = (OfficeKeys.load({"DATA_DIR": str(tmp_path / n)}) for n in ("old", "cur", "x"))
    payload = {"id": "d1", "number": "N1"}
    ring = KeyRing(store, current)
    assert not ring.verify(payload, old.sign(payload), None)  # an old key nobody told this server about
    store.add_signing_key(ring_entry(old.public_key))
    assert ring.verify(payload, old.sign(payload), None) and ring.verify(payload, current.sign(payload), None)
    assert not ring.verify(payload, stranger.sign(payload), None)
    assert ring.verify(payload, old.sign(payload), old.key_id) and not ring.verify(payload, old.sign(payload), current.key_id)
    assert not ring.verify(payload, old.sign(payload), "ffffffffffffffff") and not ring.verify(payload, "x", old.key_id)
    assert not ring.verify(payload, old.sign(payload), ["not", "an", "id"])


def test_a_ring_record_whose_id_is_not_its_key_is_ignored(tmp_path):
    one, two = (OfficeKeys.load({"DATA_DIR": str(tmp_path / n)}) for n in ("one", "two"))
    forged = {**ring_entry(two.public_key), "id": one.key_id}
    assert public_key_of(forged) is None and public_key_of(ring_entry(two.public_key)) is not None
    for broken in ({}, None, {**ring_entry(two.public_key), "public_key": "%%%"},
                   {**ring_entry(two.public_key), "algorithm": "RSA"}, {**ring_entry(two.public_key), "public_key": "AAAA"}):
        assert public_key_of(broken) is None


def test_private_key_is_exported_only_with_the_flag_and_a_passphrase(tmp_path, monkeypatch, capsys):
    source = tmp_path / "source"
    keys = OfficeKeys.load({"DATA_DIR": str(source)})
    SQLiteStore(source / "formserver.sqlite3").close()
    passphrase_file, short_file = tmp_path / "pass.txt", tmp_path / "short.txt"
    passphrase_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
    short_file.write_text("pendek\n", encoding="utf-8")
    plain, secret = tmp_path / "plain.jsonl", tmp_path / "secret.jsonl"

    assert _run(monkeypatch, source, "export", "--out", str(plain)) == 0
    assert "PRIVATE KEY" not in plain.read_text(encoding="utf-8")
    assert _run(monkeypatch, source, "export", "--out", str(secret), "--passphrase-file", str(passphrase_file)) == 1
    assert "--include-private-key" in capsys.readouterr().err and not secret.exists()
    assert _run(monkeypatch, source, "export", "--out", str(secret), "--include-private-key",
                "--passphrase-file", str(short_file)) == 1
    assert "12 karakter" in capsys.readouterr().err and not secret.exists()
    assert _run(monkeypatch, source, "export", "--out", str(secret), "--include-private-key",
                "--passphrase-file", str(passphrase_file)) == 0
    capsys.readouterr()
    [entry] = _header(secret)["private_keys"]
    assert entry["id"] == keys.key_id and entry["pem"].startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert "BEGIN PRIVATE KEY" not in secret.read_text(encoding="utf-8")

    # without --private-key: the records and the ring come in, the private key does not
    plain_target = tmp_path / "plain-target"
    assert _run(monkeypatch, plain_target, "import", str(secret)) == 0
    assert "--private-key" in capsys.readouterr().err
    assert not (plain_target / "keys").exists()
    assert [e["id"] for e in SQLiteStore(plain_target / "formserver.sqlite3").signing_keys()][0] == keys.key_id

    # a wrong passphrase, or a file without a private key: nothing is imported
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase at all\n", encoding="utf-8")
    target = tmp_path / "target"
    assert _run(monkeypatch, target, "import", str(secret), "--private-key", "--passphrase-file", str(wrong)) == 1
    assert "frasa sandi salah" in capsys.readouterr().err
    monkeypatch.setenv("FORMSERVER_LOCALE", "en")  # the same refusal from the English catalog
    assert _run(monkeypatch, target, "import", str(secret), "--private-key", "--passphrase-file", str(wrong)) == 1
    assert "the passphrase is wrong or the key is damaged; nothing was imported" in capsys.readouterr().err
    monkeypatch.setenv("FORMSERVER_LOCALE", "id")
    assert _run(monkeypatch, target, "import", str(plain), "--private-key", "--passphrase-file", str(passphrase_file)) == 1
    assert "berkas tidak memuat kunci privat" in capsys.readouterr().err
    assert SQLiteStore(target / "formserver.sqlite3").signing_keys() == [] and not (target / "keys").exists()

    assert _run(monkeypatch, target, "import", str(secret), "--private-key", "--passphrase-file", str(passphrase_file)) == 0
    assert f"kunci penandatanganan {keys.key_id} dipasang" in capsys.readouterr().err
    key_file = target / "keys" / "data-signing-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    moved = OfficeKeys.load({"DATA_DIR": str(target)})
    assert moved.key_id == keys.key_id and moved.data_key.private_bytes_raw() == keys.data_key.private_bytes_raw()

    # a server that signs with another key keeps it: the import refuses before anything is imported
    other = tmp_path / "other"
    OfficeKeys.load({"DATA_DIR": str(other)})
    assert _run(monkeypatch, other, "import", str(secret), "--private-key", "--passphrase-file", str(passphrase_file)) == 1
    assert "sudah menandatangani dengan kunci lain" in capsys.readouterr().err
    assert SQLiteStore(other / "formserver.sqlite3").signing_keys() == []


def test_keys_commands_list_the_ring_and_add_an_old_public_key(tmp_path, monkeypatch, capsys):
    from cryptography.hazmat.primitives import serialization

    from formserver import cli
    data = tmp_path / "data"
    monkeypatch.setenv("FORMSERVER_DATA_DIR", str(data))
    assert cli.main(["keys", "list"]) == 0
    assert "belum mempunyai kunci penandatanganan data" in capsys.readouterr().err and not (data / "keys").exists()
    current = OfficeKeys.load({"DATA_DIR": str(data)})
    old = OfficeKeys.load({"DATA_DIR": str(tmp_path / "backup")})
    public_pem = tmp_path / "old-public.pem"
    public_pem.write_bytes(old.data_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    assert cli.main(["keys", "add-public", str(public_pem)]) == 0
    assert f"kunci {old.key_id} ditambahkan" in capsys.readouterr().out
    assert cli.main(["keys", "add-public", str(tmp_path / "backup" / "keys" / "data-signing-key.pem")]) == 0
    assert "sudah ada di daftar kunci" in capsys.readouterr().out
    not_a_key = tmp_path / "x.pem"
    not_a_key.write_text("hello", encoding="utf-8")
    assert cli.main(["keys", "add-public", str(not_a_key)]) == 1
    assert "tidak memuat kunci Ed25519" in capsys.readouterr().err
    assert cli.main(["keys", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines][:2] == [old.key_id, current.key_id]
    assert not lines[0].endswith("(kunci sekarang)") and lines[1].endswith("(kunci sekarang)")
    assert len(lines) == 3 and lines[2].startswith("x509-") and "DPMPTSP" in lines[2] and lines[2].endswith("(kunci sekarang)")
    monkeypatch.setenv("FORMSERVER_LOCALE", "en")
    assert cli.main(["keys", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert " added 20" in lines[1] and lines[1].endswith("(current)") and "ditambahkan" not in lines[1]


def test_an_assumed_key_is_not_the_last_word(tmp_path):
    """A document from an old export (no key id) pinned by the migration to this server's key still verifies
    once the key that really signed it joins the ring; a document naming its key for certain does not."""
    store = SQLiteStore(tmp_path / "s.sqlite3")
    elsewhere, here = (OfficeKeys.load({"DATA_DIR": str(tmp_path / n)}) for n in ("elsewhere", "here"))
    payload = {"id": "d1", "number": "N1"}
    store.insert_document({"id": "d1", "number": "N1", "application_id": "a", "type": "NIB", "activity": "",
                           "status": "VALID", "signature": elsewhere.sign(payload)})
    register(store, here.public_key)  # the migration: assumed to be this server's key
    doc = store.get_document("d1")
    assert doc["key_id"] == here.key_id and doc["key_id_assumed"] is True
    ring = KeyRing(store, here)
    assert not ring.verify(payload, doc["signature"], doc["key_id"], assumed=True)
    register(store, elsewhere.public_key, migrate=False)  # e.g. formserver keys add-public
    assert ring.verify(payload, doc["signature"], doc["key_id"], assumed=True)
    assert not ring.verify(payload, doc["signature"], doc["key_id"], assumed=False)


def test_a_new_pdf_certificate_joins_the_ring_with_its_first_pdf(tmp_path, smtp, whatsapp):
    first = make_app(tmp_path / "data", smtp, whatsapp)
    documents = _issue_application(first, 1)
    assert len(office_certificates(first.extensions["formserver"].store)) == 1
    replacement = OfficeKeys.load({"DATA_DIR": str(tmp_path / "replacement")})
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "cert-key.pem"
    cert_file.write_bytes(replacement.cert_pem)
    key_file.write_bytes(replacement.cert_key_pem)
    # the office changes its PDF certificate; the restarted server downloads a PDF before it issues anything
    second = make_app(tmp_path / "data", smtp, whatsapp, SIGNING_CERT_FILE=str(cert_file),
                      SIGNING_CERT_KEY_FILE=str(key_file))
    svc = second.extensions["formserver"]
    pdf = svc.issuer.pdf(svc.store.get_document(documents[0]["id"]))
    certificates = office_certificates(svc.store)
    assert len(certificates) == 2 and certificates[1].strip() in replacement.cert_pem
    assert _pdf_signature_trusted(pdf, certificates[1:])
