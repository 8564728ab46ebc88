"""Check an uploaded PDF: is it a document this office signed, unchanged since, and is it in force now?

A QR code can be copied onto any look-alike, so the verification page alone cannot tell a reader
whether the paper in front of them says what the office issued. This check answers for a file:

1. **The office's PAdES signature** (pyHanko): the signature must be intact and cryptographically
   valid, by an office certificate (the trust roots: the one in use and every earlier one the key
   ring keeps), so the signed bytes are bytes this
   server produced: it signs every PDF it renders from the stored, data-signed content, and
   nothing else. A look-alike re-rendered with another name has no such signature.
2. **Nothing changed after signing**: the signature must cover the whole file. A later incremental
   update (an annotation, a form field, a second signature, new text) is reported with pyHanko's
   modification level; PDF readers show such changes as if they were part of the document.
3. **Which document it is**: the signed revision names its document in its information dictionary
   (``/FormserverVerification``: the document id and data signature, as in the QR code); PDFs
   signed before that entry existed are recognised by the verification address printed in their
   signed text. The code must belong to a stored document whose data signature is still valid
   (``Issuer.verify``), which also gives its status now (valid, revoked, superseded, waiting).
4. **The signed text matches that document**: its number, NIB and business names must be in the
   text of the signed revision, so a file signed for one document cannot pass for another.
"""
import io
import logging
import re
from dataclasses import dataclass, field

from ..i18n import lazy_gettext
from . import signing
from .keyring import office_certificates

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024  # our documents are about 100 KB; a scan of one is still far below this
CODE_IN_TEXT = re.compile(rf"/verifikasi/([A-Za-z0-9_-]{{1,64}}\.[A-Za-z0-9_-]{{{signing.SIGNATURE_CHARS}}})")

REASONS = {
    "UNSIGNED": lazy_gettext("Berkas ini tidak memiliki tanda tangan elektronik. Setiap dokumen asli dari layanan ini "
                   "ditandatangani secara elektronik; berkas ini kemungkinan tiruan."),
    "SIGNATURE_BROKEN": lazy_gettext("Tanda tangan elektronik berkas ini rusak: isi yang ditandatangani telah diubah."),
    "UNTRUSTED": lazy_gettext("Berkas ini ditandatangani, tetapi bukan dengan sertifikat elektronik kantor penerbit."),
    "MODIFIED": lazy_gettext("Berkas ini diubah setelah ditandatangani (misalnya ditambah anotasi, komentar, isian atau "
                   "teks). Yang tampil di layar mungkin bukan isi dokumen yang diterbitkan."),
    "UNKNOWN": lazy_gettext("Berkas ini tidak menunjuk dokumen yang diterbitkan oleh layanan ini."),
    "MISMATCH": lazy_gettext("Isi berkas yang ditandatangani tidak sama dengan dokumen yang diterbitkan dengan nomor ini."),
    "ALTERED": lazy_gettext("Data dokumen di server tidak cocok dengan tanda tangannya. Hubungi DPMPTSP."),
    "REVOKED": lazy_gettext("Dokumen ini asli, tetapi telah dicabut dan tidak berlaku."),
    "SUPERSEDED": lazy_gettext("Dokumen ini asli, tetapi telah digantikan oleh dokumen yang lebih baru dan tidak berlaku."),
    "MENUNGGU_PERSETUJUAN_LINGKUNGAN": lazy_gettext("Dokumen ini asli, tetapi belum berlaku: menunggu persetujuan lingkungan."),
    "VALID": lazy_gettext("Berkas ini adalah dokumen asli yang ditandatangani kantor penerbit, tidak diubah sejak "
                "ditandatangani, dan dokumennya berlaku."),
}
# the order in which failed checks decide the one status reported
FAILURES = ("UNSIGNED", "SIGNATURE_BROKEN", "UNTRUSTED", "MODIFIED", "UNKNOWN", "MISMATCH")


class NotAPdf(ValueError):
    """The upload is not a PDF that can be read."""


@dataclass
class PdfCheck:
    valid: bool
    status: str
    number: str | None = None
    reasons: list = field(default_factory=list)    # LazyText texts, the deciding one first
    document: dict | None = None


def _reader(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader
    if b"%PDF-" not in data[:1024]:
        raise NotAPdf("no PDF header")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        reader.root  # noqa: B018  (parses the catalog: a broken file fails here, not later)
    except Exception as error:  # pyHanko raises many kinds on a damaged file
        raise NotAPdf(str(error)) from error
    if reader.encrypted:
        raise NotAPdf("encrypted")
    return reader


def _text(data: bytes) -> str:
    """The text of a PDF (every page), without any whitespace, so line breaks do not matter."""
    from pypdf import PdfReader
    try:
        pages = PdfReader(io.BytesIO(data)).pages
        return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in pages))
    except Exception:  # a damaged text layer: nothing to compare, the caller reports what it needs
        log.info("no text could be read from an uploaded PDF", exc_info=True)
        return ""


def _signed_revision_code(reader, revision: int) -> str | None:
    try:
        info = reader.get_historical_resolver(revision).trailer_view.get("/Info")
        value = info.get_object().get("/FormserverVerification") if info is not None else None
    except Exception:  # an /Info that is not a dictionary
        return None
    return str(value) if value is not None else None


def _claimed_code(text: str) -> str | None:
    match = CODE_IN_TEXT.search(text)
    return match.group(1) if match else None


def _matches(text: str, doc: dict) -> bool:
    """Whether the signed text carries the document's number, NIB and business names."""
    content = doc["content"]
    wanted = [doc["number"], content.get("nib", ""),
              *(a.get("nama_usaha") or "" for a in content.get("activities") or [])]
    return all(re.sub(r"\s+", "", str(w)) in text for w in wanted if w)


def _signature_findings(sig, trust_pem: bytes) -> list[str]:
    """The failed checks of the office signature: broken, untrusted, changed after signing."""
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(trust_roots=list(load_certs_from_pemder_data(trust_pem)), allow_fetching=False)
    try:
        status = validate_pdf_signature(sig, context)
    except Exception:  # a signature pyHanko cannot even evaluate is not one of ours
        log.info("an uploaded PDF's signature could not be validated", exc_info=True)
        return ["SIGNATURE_BROKEN"]
    findings = []
    if not (status.intact and status.valid):
        findings.append("SIGNATURE_BROKEN")
    if not status.trusted:
        findings.append("UNTRUSTED")
    level = status.modification_level
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or level is None or level > ModificationLevel.NONE \
            or not status.docmdp_ok:
        findings.append("MODIFIED")
    return findings


def check_pdf(data: bytes, issuer) -> PdfCheck:
    """What an uploaded PDF is; NotAPdf when it is not a readable PDF."""
    reader = _reader(data)
    signatures = reader.embedded_signatures
    if not signatures:
        code = _claimed_code(_text(data))
        claimed = issuer.verify(code).document if code else None
        return PdfCheck(False, "UNSIGNED", claimed["number"] if claimed else None, [REASONS["UNSIGNED"]])
    sig = signatures[0]  # ours is the first; any later one is a change after signing
    # the certificate in use and every one the office signed PDFs with before (kept in the key ring)
    trusted = b"\n".join([issuer.keys.cert_pem, *office_certificates(issuer.store)])
    findings = _signature_findings(sig, trusted)
    start, length = sig.byte_range[2], sig.byte_range[3]
    signed = data[:start + length]
    signed_text = _text(signed)
    code = _signed_revision_code(reader, sig.signed_revision) or _claimed_code(signed_text)
    verification = issuer.verify(code) if code else None
    doc = verification.document if verification else None
    if verification is None or verification.status == "UNKNOWN":
        findings.append("UNKNOWN")
    elif verification.status != "ALTERED" and not _matches(signed_text, doc):
        findings.append("MISMATCH")
    failures = [f for f in FAILURES if f in findings]
    number = doc["number"] if doc else None
    if failures:
        return PdfCheck(False, failures[0], number, [REASONS[f] for f in failures], doc)
    state = verification.status if verification.status in REASONS else "UNKNOWN"
    return PdfCheck(verification.valid, state, number, [REASONS[state]], doc)
