"""The key ring: the public key of every data-signing key that signed documents in this store, by key id.

The ring also keeps every PDF-signing certificate the office used (``"algorithm": "X.509"``): PDFs are
signed when downloaded, so a PDF downloaded before the certificate changed, or before the data moved,
carries an earlier certificate; :func:`office_certificates` lists them for a check of such a file.

A document records the id of the key that signed it (``doc["key_id"]``) and is verified with that key's
public half from the ring, so a genuine document stays valid when the office rotates its key, and when the
data moves to a server with another key (the ring is a store collection: ``formserver export`` carries it,
``formserver import`` restores it). The ring holds public keys only.

Migration: documents signed before key ids existed name no key. The first time a store's ring is used,
the key current then is added and recorded on every such document as an assumption ("treat them as
signed by the key current at the time": ``key_id_assumed``). A document whose key is assumed, or that
still names none (imported later from an old export), is checked against its key first and then the
current key and every key of the ring: all of them are the office's. A document that names its key
for certain is checked with that key only.
"""
import base64
import binascii
import hashlib
import logging
import threading

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .. import audit
from ..i18n import gettext
from .signing import (
    OfficeKeys,
    configured_data_key,
    data_key_path,
    decrypt_private_pem,
    encrypted_private_pem,
    key_id,
    raw_public_key,
    verify_with,
    write_private_key,
)

log = logging.getLogger(__name__)

ALGORITHM = "Ed25519"


def ring_entry(public_key: bytes) -> dict:
    """The store record of a public key: ``{"id", "algorithm", "public_key", "added_at"}``."""
    return {"id": key_id(public_key), "algorithm": ALGORITHM,
            "public_key": base64.urlsafe_b64encode(public_key).rstrip(b"=").decode("ascii"), "added_at": audit.now_iso()}


def public_key_of(entry: dict) -> Ed25519PublicKey | None:
    """The public key of a ring record, or None for a record that is not a well-formed Ed25519 key of its id."""
    if not isinstance(entry, dict) or entry.get("algorithm") != ALGORITHM or not isinstance(entry.get("public_key"), str):
        return None
    try:
        raw = base64.urlsafe_b64decode(entry["public_key"] + "=" * (-len(entry["public_key"]) % 4))
        key = Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        return None
    # an id that is not its key's would let one record stand in for another key
    return key if key_id(raw) == entry.get("id") else None


CERTIFICATE = "X.509"


def certificate_entry(cert_pem: bytes) -> dict:
    """The store record of a PDF-signing certificate (the first of ``cert_pem``; a chain's signer comes first)."""
    cert = x509.load_pem_x509_certificates(cert_pem)[0]
    der = cert.public_bytes(serialization.Encoding.DER)
    return {"id": "x509-" + hashlib.sha256(der).hexdigest()[:16], "algorithm": CERTIFICATE,
            "certificate": cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            "subject": cert.subject.rfc4514_string(), "not_after": cert.not_valid_after_utc.isoformat(),
            "added_at": audit.now_iso()}


def register_certificate(store, cert_pem: bytes) -> bool:
    """Add the PDF-signing certificate to the store's ring unless it is there; True when added."""
    entry = certificate_entry(cert_pem)
    if any(known.get("id") == entry["id"] for known in store.signing_keys()):
        return False
    added = store.add_signing_key(entry)
    if added:
        audit.record(store, f"signing_key:{entry['id']}", "signing_key.added", "system", algorithm=CERTIFICATE)
    return added


def office_certificates(store) -> list[bytes]:
    """Every PDF-signing certificate of the ring (PEM), oldest first: what a check of a downloaded PDF trusts."""
    return [entry["certificate"].encode("ascii") for entry in store.signing_keys()
            if entry.get("algorithm") == CERTIFICATE and isinstance(entry.get("certificate"), str)]


def register(store, public_key: bytes, migrate: bool = True) -> bool:
    """Add a key to the store's ring; the first key of a ring (``migrate``: the key in use) also becomes the
    assumed key of every document naming none.

    Safe to run concurrently and again after a crash: the documents are migrated before the key is added,
    so a ring without a data-signing key always means "not migrated yet". True when the key was added.
    """
    entry = ring_entry(public_key)
    ring = store.signing_keys()
    if any(known.get("id") == entry["id"] for known in ring):
        return False
    if migrate and not any(known.get("algorithm") == ALGORITHM for known in ring):
        migrated = store.set_missing_key_ids(entry["id"])
        if migrated:
            log.info("%d documents signed before key ids existed recorded as signed by key %s", migrated, entry["id"])
    added = store.add_signing_key(entry)
    if added:
        audit.record(store, f"signing_key:{entry['id']}", "signing_key.added", "system", algorithm=ALGORITHM)
    return added


class KeyRing:
    """Signs with the office's current key and verifies with whichever key of the ring a document names."""

    def __init__(self, store, keys: OfficeKeys):
        self.store = store
        self.keys = keys
        self._registered = False
        self._known: dict[str, Ed25519PublicKey] = {}
        self._lock = threading.Lock()

    @property
    def current_id(self) -> str:
        return self.keys.key_id

    def ensure_registered(self) -> None:
        """Put the current key and PDF certificate in the ring (once per process; cheap afterwards)."""
        if not self._registered:
            register(self.store, self.keys.public_key)
            register_certificate(self.store, self.keys.cert_pem)
            self._registered = True

    def sign(self, payload: dict) -> tuple[str, str]:
        """``(key id, signature)`` of ``payload`` by the current key, which is in the ring first."""
        self.ensure_registered()
        return self.current_id, self.keys.sign(payload)

    def public_key(self, wanted: str) -> Ed25519PublicKey | None:
        """The ring's public key with id ``wanted`` (read again from the store when not known yet)."""
        if wanted == self.current_id:
            return self.keys.data_key.public_key()
        with self._lock:
            if wanted not in self._known:
                self._known = {entry["id"]: key for entry in self.store.signing_keys()
                               if (key := public_key_of(entry)) is not None}
            return self._known.get(wanted)

    def verify(self, payload: dict, signature: str, signer: str | None, assumed: bool = False) -> bool:
        """Whether ``signature`` over ``payload`` is by the key ``signer`` names; never raises.

        A document that names no key, or whose key is only ``assumed`` (see the migration above), is also
        checked against the current key and every key of the ring.
        """
        candidates = [signer]
        if signer is None or assumed:
            candidates += [self.current_id, *(entry.get("id") for entry in self.store.signing_keys())]
        for candidate in dict.fromkeys(c for c in candidates if isinstance(c, str)):
            public = self.public_key(candidate)
            if public is not None and verify_with(public, payload, signature):
                return True
        return False


# private keys in an export: only when asked for, encrypted with a passphrase

MIN_PASSPHRASE_CHARS = 12


def private_key_entries(key: Ed25519PrivateKey, passphrase: str) -> list[dict]:
    """The export header's ``private_keys``: the data-signing key, encrypted PKCS#8 PEM under ``passphrase``."""
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise ValueError(gettext("frasa sandi harus paling sedikit {count} karakter").format(count=MIN_PASSPHRASE_CHARS))
    return [{"id": key_id(raw_public_key(key)), "algorithm": ALGORITHM, "pem": encrypted_private_pem(key, passphrase)}]


def install_private_key(entries: list, passphrase: str, config, store) -> tuple[str, bool]:
    """Make the exported private key this server's data-signing key: ``(key id, whether a file was written)``.

    The key goes where the configuration looks for it (SIGNING_KEY_FILE, else the development key file of
    DATA_DIR), never over another key: ValueError when that file holds a different key, or when the
    passphrase is wrong. Its public key joins the ring.
    """
    if not isinstance(entries, list) or len(entries) != 1 or not isinstance(entries[0], dict) \
            or entries[0].get("algorithm") != ALGORITHM or not isinstance(entries[0].get("pem"), str):
        raise ValueError(gettext("catatan kunci privat dalam ekspor bukan satu kunci Ed25519"))
    key = decrypt_private_pem(entries[0]["pem"], passphrase)
    wanted = key_id(raw_public_key(key))
    if wanted != entries[0].get("id"):
        raise ValueError(gettext("kunci privat dalam ekspor tidak cocok dengan id kuncinya"))
    path = data_key_path(config)
    existing = configured_data_key(config)
    written = False
    if existing is not None and key_id(raw_public_key(existing)) != wanted:
        raise ValueError(gettext(
            "server ini sudah menandatangani dengan kunci lain (id {key}, {file}); pindahkan dulu berkas itu bila kunci "
            "yang diimpor akan menggantikannya (dokumen yang ditandatanganinya tetap dapat diverifikasi: kunci "
            "publiknya ada di daftar kunci)").format(key=key_id(raw_public_key(existing)), file=path.name))
    if existing is None:
        write_private_key(path, key)
        written = True
    register(store, raw_public_key(key))
    return wanted, written
