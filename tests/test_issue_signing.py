"""Issue stage: office keys, data signatures, verification codes, PAdES signatures on PDFs."""
import base64
import io
import multiprocessing
import re
import stat

import pytest
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from formserver.issue import signing
from formserver.issue.pades import sign_pdf
from formserver.issue.pdf import html_to_pdf
from formserver.issue.signing import OfficeKeys, canonical, parse_verification_code, verification_code

PAYLOAD = {"document_id": "01JDX3K7Q9ZC4W8N2M5T6R1B0A", "number": "1234567890123", "nama": "Budi Śantoso",
           "kbli": ["10792", "47111"], "issued_at": "2026-11-26T20:00:00+00:00"}
TITLE = b"Dokumen Uji Tanda Tangan"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return OfficeKeys.load({"DATA_DIR": str(tmp_path_factory.mktemp("data"))})


@pytest.fixture(scope="module")
def signed_pdf(keys):
    pdf = html_to_pdf(f"<html><head><title>{TITLE.decode()}</title></head><body><p>Isi dokumen.</p></body></html>")
    return sign_pdf(pdf, keys)


def _trusted(keys) -> ValidationContext:
    cert = next(iter(load_certs_from_pemder_data(keys.cert_pem)))
    return ValidationContext(trust_roots=[cert])


def _status(pdf: bytes, keys):
    reader = PdfFileReader(io.BytesIO(pdf))
    return validate_pdf_signature(reader.embedded_signatures[0], _trusted(keys))


def test_dev_keys_are_created_once_and_reused(tmp_path):
    first = OfficeKeys.load({"DATA_DIR": str(tmp_path)})
    second = OfficeKeys.load({"DATA_DIR": str(tmp_path)})
    assert first.development
    assert first.public_key == second.public_key
    assert first.cert_pem == second.cert_pem and first.cert_key_pem == second.cert_key_pem
    key_dir = tmp_path / "keys"
    files = sorted(p.name for p in key_dir.iterdir())
    assert files == [signing.DEV_DATA_KEY, signing.DEV_PDF_SIGNER]  # no temp files left
    for name in files:
        assert stat.S_IMODE((key_dir / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700


def test_dev_certificate(keys):
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(keys.cert_pem)
    assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "DPMPTSP (development key)"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    years = (cert.not_valid_after_utc - cert.not_valid_before_utc).days / 365
    assert 5 <= years < 5.1


def _load_after_barrier(data_dir, barrier, results):
    barrier.wait()  # all four start creating at once
    keys = OfficeKeys.load({"DATA_DIR": data_dir})
    results.put((keys.public_key, keys.cert_pem))


def test_concurrent_creation_yields_one_key_set(tmp_path):
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    workers = [ctx.Process(target=_load_after_barrier, args=(str(tmp_path), barrier, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    seen = [results.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert len(set(seen)) == 1
    assert seen[0] == (OfficeKeys.load({"DATA_DIR": str(tmp_path)}).public_key, seen[0][1])


def test_configured_keys_are_used(tmp_path, keys):
    (tmp_path / "data.pem").write_bytes(signing._new_data_key())
    bundle = signing._new_pdf_signer()
    (tmp_path / "cert.pem").write_bytes(signing._pem_blocks(bundle, b"CERTIFICATE"))
    (tmp_path / "cert-key.pem").write_bytes(signing._pem_blocks(bundle, b"PRIVATE KEY"))
    config = {"DATA_DIR": str(tmp_path / "data"), "SIGNING_KEY_FILE": str(tmp_path / "data.pem"),
              "SIGNING_CERT_FILE": str(tmp_path / "cert.pem"), "SIGNING_CERT_KEY_FILE": str(tmp_path / "cert-key.pem")}
    loaded = OfficeKeys.load(config)
    assert not loaded.development
    assert loaded.public_key != keys.public_key
    assert not (tmp_path / "data").exists()  # no development keys were made


def test_misconfigured_keys_are_refused(tmp_path, keys):
    (tmp_path / "cert.pem").write_bytes(keys.cert_pem)
    (tmp_path / "other-key.pem").write_bytes(signing._pem_blocks(signing._new_pdf_signer(), b"PRIVATE KEY"))
    with pytest.raises(ValueError, match="together"):
        OfficeKeys.load({"DATA_DIR": str(tmp_path), "SIGNING_CERT_FILE": str(tmp_path / "cert.pem")})
    with pytest.raises(ValueError, match="does not match"):
        OfficeKeys.load({"DATA_DIR": str(tmp_path), "SIGNING_CERT_FILE": str(tmp_path / "cert.pem"),
                         "SIGNING_CERT_KEY_FILE": str(tmp_path / "other-key.pem")})
    with pytest.raises(ValueError, match="Ed25519"):
        OfficeKeys.load({"DATA_DIR": str(tmp_path), "SIGNING_KEY_FILE": str(tmp_path / "other-key.pem")})


def test_canonical_form():
    assert canonical({"b": 1, "a": ["x", "é"]}) == '{"a":["x","é"],"b":1}'.encode()
    assert canonical({"b": 1, "a": 2}) == canonical({"a": 2, "b": 1})


def test_sign_verify_round_trip(keys):
    signature = keys.sign(PAYLOAD)
    assert re.fullmatch(r"[A-Za-z0-9_-]{86}", signature)
    assert keys.verify(PAYLOAD, signature)
    assert keys.verify(dict(reversed(list(PAYLOAD.items()))), signature)  # key order does not matter


def test_changed_payload_fails(keys):
    signature = keys.sign(PAYLOAD)
    assert not keys.verify({**PAYLOAD, "number": "1234567890124"}, signature)
    assert not keys.verify({**PAYLOAD, "extra": None}, signature)


@pytest.mark.parametrize("garbage", [
    "", "abc", "!" * 86, "A" * 85, "A" * 87, "A" * 86, None, 42, b"A" * 86, "A" * 10_000, "é" * 86,
])
def test_garbage_signature_fails(keys, garbage):
    assert keys.verify(PAYLOAD, garbage) is False


def test_non_canonical_signature_spelling_fails(keys):
    signature = keys.sign(PAYLOAD)
    # the last character carries 4 unused bits: setting one spells the same bytes differently
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = signature[:-1] + alphabet[alphabet.index(signature[-1]) + 1]
    assert base64.urlsafe_b64decode(twin + "==") == base64.urlsafe_b64decode(signature + "==")
    assert not keys.verify(PAYLOAD, twin)
    assert parse_verification_code("doc." + twin) is None


def test_unserialisable_payload_fails(keys):
    assert keys.verify({"x": object()}, keys.sign(PAYLOAD)) is False
    assert keys.verify({"x": float("nan")}, keys.sign(PAYLOAD)) is False


def test_verification_code_round_trip(keys):
    signature = keys.sign(PAYLOAD)
    code = verification_code(PAYLOAD["document_id"], signature)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", code)  # URL-safe as it is
    assert parse_verification_code(code) == (PAYLOAD["document_id"], signature)


@pytest.mark.parametrize("code", [
    "", "abc", ".", "doc.", "." + "A" * 86, "doc" + "A" * 86, "doc/x." + "A" * 86, "doc." + "A" * 85,
    "doc." + "A" * 87, "doc." + "A" * 85 + "=", "d" * 65 + "." + "A" * 86, "x" * 100_000, "../etc." + "A" * 86,
    "doc..%s" % ("A" * 86), "doc.%s\n" % ("A" * 86), None, 42,
])
def test_malformed_verification_codes_are_rejected(code):
    assert parse_verification_code(code) is None


def test_verification_code_refuses_bad_parts(keys):
    signature = keys.sign(PAYLOAD)
    for document_id in ("", "a/b", "a.b", "x" * 65):
        with pytest.raises(ValueError):
            verification_code(document_id, signature)
    with pytest.raises(ValueError):
        verification_code("doc", "not-a-signature")


def test_signed_pdf_validates(signed_pdf, keys):
    assert b"/Signature1" in signed_pdf or b"(Signature1)" in signed_pdf
    assert b"/ETSI.CAdES.detached" in signed_pdf  # PAdES
    status = _status(signed_pdf, keys)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line


def test_every_signature_by_one_signer_covers_its_own_document(signed_pdf, keys):
    """The signer reuses the parts of the CMS that are the same for every document (sign_pdf's templates): each
    later signature must still carry its own document's digest, a signature of its own and the PAdES attributes."""
    others = [sign_pdf(html_to_pdf(f"<html><body><p>Dokumen {n}.</p></body></html>"), keys) for n in range(3)]
    digests, signatures = set(), set()
    for pdf in [signed_pdf, *others]:
        status = _status(pdf, keys)
        assert status.intact and status.valid and status.trusted and status.bottom_line
        signer_info = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0].signer_info
        attributes = {attr["type"].native: attr["values"][0] for attr in signer_info["signed_attrs"]}
        assert set(attributes) == {"content_type", "message_digest", "signing_certificate_v2"}
        digests.add(attributes["message_digest"].native)
        signatures.add(signer_info["signature"].native)
    assert len(digests) == len(signatures) == 4


def test_pdf_altered_after_signing_is_not_intact(signed_pdf, keys):
    reader = PdfFileReader(io.BytesIO(signed_pdf))
    start, length = list(reader.embedded_signatures[0].sig_object["/ByteRange"])[:2]
    at = signed_pdf.index(TITLE)
    assert start <= at < start + length  # the title lies in the signed range
    altered = signed_pdf[:at] + b"X" + signed_pdf[at + 1:]
    status = _status(altered, keys)
    assert not status.intact
    assert not status.bottom_line


def test_signature_by_another_certificate_is_not_trusted(signed_pdf, tmp_path):
    stranger = OfficeKeys.load({"DATA_DIR": str(tmp_path)})
    assert not _status(signed_pdf, stranger).trusted


def test_rsa_certificate_signs_too(keys, tmp_path):
    """Office certificates are often RSA; the development one is EC."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "DPMPTSP Kabupaten Kampar")])
    now = datetime.datetime.now(datetime.UTC)
    usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1)).add_extension(usage, critical=True)
            .sign(key, hashes.SHA256()))
    rsa_keys = OfficeKeys(keys.data_key, cert.public_bytes(serialization.Encoding.PEM), signing._private_pem(key))
    signed = sign_pdf(html_to_pdf("<p>RSA</p>"), rsa_keys)
    status = _status(signed, rsa_keys)
    assert status.intact and status.valid and status.trusted
