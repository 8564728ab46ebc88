"""Sign an issued PDF with the office certificate (PAdES baseline B-B, via pyHanko)."""
import asyncio
import functools
import hashlib
import io
import os

from asn1crypto import cms
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from .signing import OfficeKeys

DEFAULT_REASON = "Dokumen Perizinan Berusaha diterbitkan secara elektronik"


# signed attributes that do not depend on the document: content type, the signing certificate's hash (the digest is
# put in for each document)
_CONSTANT_ATTRIBUTES = frozenset({"content_type", "message_digest", "signing_certificate_v2"})
_DETACHED = {"content_type": "data"}  # what a PDF signature encapsulates: no content, the PDF's bytes are outside


class _LoadedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that keeps its private key loaded.

    SimpleSigner parses the key again for every signature, and loading an RSA key checks it:
    about 40 ms for RSA-2048 and 250 ms for RSA-4096, more than the rest of the signing.
    """

    def __init__(self, key_pem: bytes, **kwargs):
        super().__init__(**kwargs)
        self._loaded_key = serialization.load_pem_private_key(key_pem, password=None)
        self._attr_templates: dict[tuple, tuple] = {}
        self._cms_templates: dict[tuple, bytes] = {}

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """The raw signature of ``data``: RSA PKCS#1 v1.5 and ECDSA here, others by pyHanko."""
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15":
            return self._loaded_key.sign(data, PKCS1v15(), hash_algo)
        if mechanism == "ecdsa":
            return self._loaded_key.sign(data, ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)

    # Building the CMS with asn1crypto was most of a signature's time (about 8 of 12 ms with P-256): the signed
    # attributes (content type, the document's digest, the signing certificate's hash) and the SignedData
    # around them (certificates, signer identifier, algorithms) are the same for every document but the
    # digest and the raw signature. Both are built once by pyHanko itself and then reused with those two
    # values put in; anything else asked of the signer (a timestamp, revocation info, other attributes) is
    # built by pyHanko as before.

    async def signed_attrs(self, data_digest: bytes, digest_algorithm: str, attr_settings=None, content_type="data",
                           use_pades=False, timestamper=None, dry_run=False, is_pdf_sig=True):
        plain = timestamper is None and not dry_run and (
            attr_settings is None or (attr_settings.adobe_revinfo_attr is None
                                      and attr_settings.cades_signed_attrs is None))
        key = (digest_algorithm, str(content_type), use_pades, is_pdf_sig, len(data_digest))
        template = self._attr_templates.get(key) if plain else None
        if plain and template is None:
            marker = os.urandom(len(data_digest))  # a value found nowhere else in the attributes
            built = await super().signed_attrs(marker, digest_algorithm, attr_settings, content_type, use_pades,
                                               timestamper, dry_run, is_pdf_sig)
            der = built.dump()
            same_for_all = {attr["type"].native for attr in built} <= _CONSTANT_ATTRIBUTES
            template = self._attr_templates[key] = (der, marker) if same_for_all and der.count(marker) == 1 else ()
        if not template:
            return await super().signed_attrs(data_digest, digest_algorithm, attr_settings, content_type, use_pades,
                                              timestamper, dry_run, is_pdf_sig)
        der, marker = template
        return cms.CMSAttributes.load(der.replace(marker, data_digest))

    def _package_signature(self, *, digest_algorithm, cms_version, signed_attrs, signature, unsigned_attrs,
                           encap_content_info):
        if unsigned_attrs is not None or encap_content_info not in (None, _DETACHED):
            return super()._package_signature(
                digest_algorithm=digest_algorithm, cms_version=cms_version, signed_attrs=signed_attrs,
                signature=signature, unsigned_attrs=unsigned_attrs, encap_content_info=encap_content_info)
        key = (digest_algorithm, str(cms_version))
        template = self._cms_templates.get(key)
        if template is None:
            template = self._cms_templates[key] = super()._package_signature(
                digest_algorithm=digest_algorithm, cms_version=cms_version, signed_attrs=signed_attrs,
                signature=signature, unsigned_attrs=None, encap_content_info=_DETACHED).dump()
        packaged = cms.ContentInfo.load(template)
        info = packaged["content"]["signer_infos"][0]
        info["signed_attrs"] = signed_attrs
        info["signature"] = signature
        return packaged


@functools.lru_cache(maxsize=4)
def _signer(cert_pem: bytes, key_pem: bytes) -> tuple[_LoadedKeySigner, int]:
    """A pyHanko signer for a certificate (with its chain) and key, and the room its CMS needs."""
    certs = list(load_certs_from_pemder_data(cert_pem))
    key = load_private_key_from_pemder_data(key_pem, passphrase=None)
    signer = _LoadedKeySigner(key_pem, signing_cert=certs[0], signing_key=key,
                              cert_registry=SimpleCertificateStore.from_certs(certs))
    # pyHanko sizes /Contents with a dummy signature before every real one (a third of the
    # signing time); without a timestamp the size does not change, so measure it once here.
    dummy = asyncio.run(signer.async_sign(hashlib.sha256().digest(), "sha256", use_pades=True, dry_run=True))
    hex_digits = 2 * len(dummy.dump())
    return signer, hex_digits + 2 * (hex_digits // 4)  # pyHanko's own margin: +50 %, kept even


# the /Info entry that names the issued document a PDF is (its verification code: id and data signature);
# written in the revision the PAdES signature covers, so it cannot be changed without breaking it
VERIFICATION_ENTRY = "/FormserverVerification"


def sign_pdf(pdf: bytes, keys: OfficeKeys, reason: str = DEFAULT_REASON, location: str = "Bangkinang",
             verification_code: str | None = None) -> bytes:
    """``pdf`` with an invisible PAdES signature in field ``Signature1``, appended incrementally.

    ``verification_code`` is recorded in the document information of the signed revision.
    """
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    signer, reserve = _signer(keys.cert_pem, keys.cert_key_pem)
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    if verification_code:
        info = writer.trailer_view.get("/Info")
        entries = generic.DictionaryObject(dict(info.get_object()) if info is not None else {})
        entries[generic.NameObject(VERIFICATION_ENTRY)] = generic.TextStringObject(verification_code)
        writer.set_info(entries)
    signers.sign_pdf(writer, meta, signer=signer, bytes_reserved=reserve, output=out)
    return out.getvalue()
