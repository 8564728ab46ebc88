"""The issuing office's keys: Ed25519 signatures over document data, and the PDF signing certificate.

Production keys come from files named in the configuration:

    SIGNING_KEY_FILE        Ed25519 private key (PEM, PKCS#8): signs the data behind the QR code
    SIGNING_CERT_FILE       X.509 certificate (PEM; the signer first, then its chain)
    SIGNING_CERT_KEY_FILE   the certificate's private key (PEM): signs the PDF (PAdES)

Whatever is not configured is replaced by a development key set, generated once into
``<DATA_DIR>/keys/`` and shared by every worker process.

Every data-signing key has a key id (:func:`key_id`, from its public key); a document records the id
of the key that signed it, and :mod:`formserver.issue.keyring` keeps the public keys by id in the
store, so documents stay verifiable after the key changes or the data moves.
"""
import base64
import binascii
import datetime
import hashlib
import json
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

log = logging.getLogger(__name__)

DEV_KEY_DIR = "keys"
DEV_DATA_KEY = "data-signing-key.pem"
# the certificate and its key share one file, so that two workers racing to create them cannot
# end up with one worker's certificate beside the other worker's key
DEV_PDF_SIGNER = "pdf-signer.pem"
DEV_COMMON_NAME = "DPMPTSP (development key)"
DEV_VALIDITY = datetime.timedelta(days=5 * 365 + 1)

SIGNATURE_CHARS = 86  # an Ed25519 signature (64 bytes) in base64url without padding
DOCUMENT_ID = r"[A-Za-z0-9_-]{1,64}"
CODE_RE = re.compile(rf"({DOCUMENT_ID})\.([A-Za-z0-9_-]{{{SIGNATURE_CHARS}}})")
MAX_CODE_CHARS = 64 + 1 + SIGNATURE_CHARS
PEM_RE = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n.*?-----END \1-----\r?\n?", re.DOTALL)


def canonical(payload: dict) -> bytes:
    """The bytes a signature covers: JSON with sorted keys and no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode_signature(text) -> bytes | None:
    """The 64 bytes of a signature, or None unless ``text`` is its one canonical spelling."""
    if not isinstance(text, str) or not re.fullmatch(rf"[A-Za-z0-9_-]{{{SIGNATURE_CHARS}}}", text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "==")
    except (binascii.Error, ValueError):
        return None
    # the last character carries 4 unused bits: accept only the spelling sign() produces
    return raw if _b64encode(raw) == text else None


def key_id(public_key: bytes) -> str:
    """The id of a data-signing key: 16 hex digits of the SHA-256 of its raw 32-byte public key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def raw_public_key(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The raw 32 bytes of an Ed25519 public key (of a private key's public half)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verify_with(public_key: Ed25519PublicKey, payload: dict, signature: str) -> bool:
    """Whether ``signature`` is ``public_key``'s signature of ``canonical(payload)``; never raises."""
    raw = _b64decode_signature(signature)
    if raw is None:
        return False
    try:
        public_key.verify(raw, canonical(payload))
    except (InvalidSignature, TypeError, ValueError):
        return False
    return True


def configured_data_key(config) -> Ed25519PrivateKey | None:
    """The data-signing key in use (SIGNING_KEY_FILE, else the development key), or None if there is none yet.

    Unlike :meth:`OfficeKeys.load`, this never creates a key (for commands that only read, like export).
    """
    path = data_key_path(config)
    return _load_data_key(path.read_bytes()) if path.exists() else None


def configured_certificate(config) -> bytes | None:
    """The PDF-signing certificate in use (PEM, the signer first), or None if there is none yet; never creates one."""
    cert_file = config.get("SIGNING_CERT_FILE")
    if cert_file:
        return Path(cert_file).read_bytes()
    bundle = Path(config["DATA_DIR"]) / DEV_KEY_DIR / DEV_PDF_SIGNER
    return _pem_blocks(bundle.read_bytes(), b"CERTIFICATE") if bundle.exists() else None


def data_key_path(config) -> Path:
    """Where the data-signing key is read from: SIGNING_KEY_FILE, else the development key of DATA_DIR."""
    key_file = config.get("SIGNING_KEY_FILE")
    return Path(key_file) if key_file else Path(config["DATA_DIR"]) / DEV_KEY_DIR / DEV_DATA_KEY


def encrypted_private_pem(key: Ed25519PrivateKey, passphrase: str) -> str:
    """The private key as encrypted PKCS#8 PEM (the best encryption the cryptography library offers)."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.BestAvailableEncryption(passphrase.encode("utf-8"))).decode("ascii")


def decrypt_private_pem(pem: str, passphrase: str) -> Ed25519PrivateKey:
    """The key of :func:`encrypted_private_pem`; ValueError for a wrong passphrase or anything not such a key."""
    from ..i18n import gettext  # the refusal is read by the one importing an export
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=passphrase.encode("utf-8"))
    except (TypeError, ValueError, UnicodeError) as error:
        raise ValueError(gettext("frasa sandi salah atau kuncinya rusak")) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(gettext("bukan kunci privat Ed25519"))
    return key


def write_private_key(path: Path, key: Ed25519PrivateKey) -> None:
    """Write ``key`` (unencrypted PKCS#8 PEM, 0600) at ``path``, which must not exist yet."""
    pem = _private_pem(key)
    written = _create_once(path, lambda: pem)
    if written != pem:
        raise FileExistsError(f"{path.name} already holds another key")


@dataclass(frozen=True)
class OfficeKeys:
    """The office's data-signing key and PDF-signing certificate (PEM) with its key (PEM)."""

    data_key: Ed25519PrivateKey
    cert_pem: bytes
    cert_key_pem: bytes
    development: bool = False

    @classmethod
    def load(cls, config) -> "OfficeKeys":
        """The configured keys, or the development keys of DATA_DIR where none are configured."""
        key_file = config.get("SIGNING_KEY_FILE")
        cert_file, cert_key_file = config.get("SIGNING_CERT_FILE"), config.get("SIGNING_CERT_KEY_FILE")
        if bool(cert_file) != bool(cert_key_file):
            raise ValueError("SIGNING_CERT_FILE and SIGNING_CERT_KEY_FILE must be set together")
        dev_dir = None if key_file and cert_file else Path(config["DATA_DIR"]) / DEV_KEY_DIR
        if dev_dir is not None:
            log.warning("Signing with development keys from %s: not for production", dev_dir)
        data_pem = Path(key_file).read_bytes() if key_file else _create_once(dev_dir / DEV_DATA_KEY, _new_data_key)
        if cert_file:
            cert_pem, cert_key_pem = Path(cert_file).read_bytes(), Path(cert_key_file).read_bytes()
        else:
            bundle = _create_once(dev_dir / DEV_PDF_SIGNER, _new_pdf_signer)
            cert_pem, cert_key_pem = _pem_blocks(bundle, b"CERTIFICATE"), _pem_blocks(bundle, b"PRIVATE KEY")
        keys = cls(_load_data_key(data_pem), cert_pem, cert_key_pem, development=dev_dir is not None)
        keys.check()
        return keys

    def check(self) -> None:
        """Raise ValueError unless the certificate and its key belong together."""
        cert = x509.load_pem_x509_certificates(self.cert_pem)[0]
        key = serialization.load_pem_private_key(self.cert_key_pem, password=None)
        if cert.public_key().public_bytes(*_SPKI) != key.public_key().public_bytes(*_SPKI):
            raise ValueError("the signing certificate does not match its private key")

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key (for publishing and comparison)."""
        return raw_public_key(self.data_key)

    @property
    def key_id(self) -> str:
        """The id of the data-signing key, recorded on every document it signs."""
        return key_id(self.public_key)

    def sign(self, payload: dict) -> str:
        """The Ed25519 signature of ``canonical(payload)``, base64url without padding."""
        return _b64encode(self.data_key.sign(canonical(payload)))

    def verify(self, payload: dict, signature: str) -> bool:
        """Whether ``signature`` is the current key's signature of ``payload``; never raises.

        Documents signed by earlier keys are verified through :class:`formserver.issue.keyring.KeyRing`.
        """
        return verify_with(self.data_key.public_key(), payload, signature)


_SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def verification_code(document_id: str, signature: str) -> str:
    """The code of the public verification URL ``/verifikasi/{code}``: ``<id>.<signature>``."""
    if not re.fullmatch(DOCUMENT_ID, document_id or "") or _b64decode_signature(signature) is None:
        raise ValueError("a document id is 1-64 of A-Z a-z 0-9 _ -, a signature is base64url Ed25519")
    return f"{document_id}.{signature}"


def parse_verification_code(code: str) -> tuple[str, str] | None:
    """``(document_id, signature)`` of a verification code, or None for anything malformed."""
    if not isinstance(code, str) or len(code) > MAX_CODE_CHARS:
        return None
    match = CODE_RE.fullmatch(code)
    if match is None or _b64decode_signature(match[2]) is None:
        return None
    return match[1], match[2]


def _load_data_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("SIGNING_KEY_FILE must hold an Ed25519 private key")
    return key


def _pem_blocks(data: bytes, label: bytes) -> bytes:
    """The PEM blocks of one kind (``CERTIFICATE``, ``PRIVATE KEY``) in a file, in order."""
    blocks = [m[0] for m in PEM_RE.finditer(data) if m[1] == label]
    if not blocks:
        raise ValueError(f"no {label.decode()} in the key file")
    return b"".join(block if block.endswith(b"\n") else block + b"\n" for block in blocks)


def _create_once(path: Path, make) -> bytes:
    """The file at ``path``, first created with ``make()`` (0600) by whichever process gets there first."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        # created 0600 rather than chmod-ed afterwards: a key is never readable by others, even briefly
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            with os.fdopen(fd, "wb") as handle:
                handle.write(make())
                handle.flush()
                os.fsync(handle.fileno())
            # link() fails if another process won the race, so every process ends with the same key
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_bytes()


def _private_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _new_data_key() -> bytes:
    return _private_pem(Ed25519PrivateKey.generate())


def _new_pdf_signer() -> bytes:
    """A P-256 key and its self-signed certificate (5 years, for signing documents), as PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "formserver"),
        x509.NameAttribute(NameOID.COMMON_NAME, DEV_COMMON_NAME),
    ])
    # a few minutes back so that a signature made right away is not "before validity" elsewhere
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False,
                          crl_sign=False, encipher_only=False, decipher_only=False)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + DEV_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _private_pem(key) + cert.public_bytes(serialization.Encoding.PEM)
