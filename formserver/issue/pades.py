"""Sign an issued PDF with the office certificate (PAdES baseline B-B, via pyHanko)."""
import functools
import io

from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .signing import OfficeKeys

DEFAULT_REASON = "Dokumen Perizinan Berusaha diterbitkan secara elektronik"


@functools.lru_cache(maxsize=4)
def _signer(cert_pem: bytes, key_pem: bytes) -> signers.SimpleSigner:
    """A pyHanko signer for a certificate (with its chain) and key; parsed once per key set."""
    certs = list(load_certs_from_pemder_data(cert_pem))
    key = load_private_key_from_pemder_data(key_pem, passphrase=None)
    return signers.SimpleSigner(signing_cert=certs[0], signing_key=key,
                                cert_registry=SimpleCertificateStore.from_certs(certs))


def sign_pdf(pdf: bytes, keys: OfficeKeys, reason: str = DEFAULT_REASON, location: str = "Bangkinang") -> bytes:
    """``pdf`` with an invisible PAdES signature in field ``Signature1``, appended incrementally."""
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta,
                     signer=_signer(keys.cert_pem, keys.cert_key_pem), output=out)
    return out.getvalue()
