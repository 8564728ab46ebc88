"""Fill a document template (``documents/*.html``) with an issued document's data, as HTML.

Templates run in a sandboxed Jinja environment with autoescaping: offices edit them, and every
value in the context was typed by an applicant or an officer. The context of every document type:

    {
      "document": {"id", "type", "number", "issued_at": ISO 8601 datetime, "status",
                   "revoked": {"at", "by", "reason"} | None,
                   "superseded": {"at", "by_document", "by_number"} | None},
      "office": {"name": "DPMPTSP Kabupaten Kampar", "address", "city": "Bangkinang",
                 "province": "Riau", "signatory_name", "signatory_title", "motto"},
      "holder": {"nama", "nik", "alamat", "email", "nomor_telepon", "npwp",
                 "kewarganegaraan", "nomor_paspor"},        # the last two for a foreign national only
      "nib": "1234567890123",
      "activities": [{"kbli", "judul", "skala", "tingkat_risiko", "nama_usaha",
                      "alamat_usaha", "modal_usaha",
                      "produk": [{"jenis_produk", "nomor_sni"?, "sni_berlaku_sampai"?,
                                  "nomor_halal"?, "halal_terbit"?, "halal_berakhir"?}]}],
      "activity": {... one of activities ...},   # Sertifikat Standar: one per activity
      "statements": [str],                        # Pernyataan Mandiri: the ticked declarations
      "approval": {"jenis", "nomor", "tanggal", "penerbit"} | None,  # PKPLH: the environmental approval recorded
      "qr_png_data_uri": "data:image/png;base64,...",
      "verify_url": "https://.../verifikasi/<code>",
    }

``fonts`` (the names of the TrueType files embedded in the PDF, resolved by pdf.py) is added
here. ``status`` ``DRAF`` prints a draft banner (the preview before issuance);
``MENUNGGU_PERSETUJUAN_LINGKUNGAN``, ``REVOKED`` and ``SUPERSEDED`` print a mark on every page.
Keys may be missing where the document type does not use them; a missing key a template does
use is an error, not a blank.
"""
import functools
import importlib.util
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from .. import labels
from ..config import PROJECT_ROOT
from ..dates import format_date

TEMPLATE_DIR = PROJECT_ROOT / "documents"
# documents are official papers in Bahasa Indonesia, whatever language the page that asked for them speaks
DOCUMENT_LOCALE = "id"

# the document type -> its template; the issuance service and the tests iterate over it
DOCUMENT_TYPES = {
    "NIB": "nib.html",
    "SERTIFIKAT_STANDAR": "sertifikat_standar.html",
    "PERNYATAAN_MANDIRI": "pernyataan_mandiri.html",
    "SPPL": "sppl.html",
    "PKPLH": "pkplh.html",
}

# ReportLab ships the Bitstream Vera faces; found without importing it (only pdf.py does)
FONT_DIR = Path(importlib.util.find_spec("reportlab").origin).parent / "fonts"
# Templates name the fonts by these file names only, never by their place on disk: the HTML may
# be shown to people, and a path inside the server's virtual environment is nobody's business.
# pdf.py resolves a name to its file when it embeds the font.
FONT_FILES = {
    "DocSans-Regular.ttf": FONT_DIR / "Vera.ttf",
    "DocSans-Bold.ttf": FONT_DIR / "VeraBd.ttf",
    "DocSans-Italic.ttf": FONT_DIR / "VeraIt.ttf",
}
FONTS = {"regular": "DocSans-Regular.ttf", "bold": "DocSans-Bold.ttf", "italic": "DocSans-Italic.ttf"}



def tanggal(value) -> str:
    """A date as the documents print it, e.g. ``26 November 2026`` (WIB)."""
    return format_date(value, locale=DOCUMENT_LOCALE)


def tanggal_waktu(value) -> str:
    """A date and time as the documents print it, e.g. ``26 November 2026 14.30 WIB``."""
    return format_date(value, with_time=True, locale=DOCUMENT_LOCALE)


def rupiah(value) -> str:
    """An amount of rupiah with Indonesian digit grouping, e.g. ``Rp1.500.000``."""
    if value is None or value == "":
        return ""
    return "Rp" + f"{int(value):,}".replace(",", ".")


def label(code) -> str:
    """A code such as ``MENENGAH_RENDAH`` in the documents' words (``Menengah Rendah``), from the shared table."""
    return labels.label(code, locale=DOCUMENT_LOCALE)


@functools.cache
def environment(template_dirs: tuple = ()) -> SandboxedEnvironment:
    """The sandboxed environment reading a regional variant's templates first (``template_dirs``), then
    ``documents/``: a variant replaces a template by giving a file of the same name."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader([*template_dirs, TEMPLATE_DIR]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(tanggal=tanggal, tanggal_waktu=tanggal_waktu, rupiah=rupiah, label=label)
    return env


def check_templates(template_dirs: tuple = ()) -> None:
    """Parse every registered template: a missing file or a syntax error fails at start-up."""
    for name in DOCUMENT_TYPES.values():
        environment(template_dirs).get_template(name)


def render_html(doc_type: str, context: dict, template_dirs: tuple = ()) -> str:
    """The HTML of a document of ``doc_type`` (a key of DOCUMENT_TYPES, else KeyError), from the variant's
    template of that name when ``template_dirs`` has one."""
    template = environment(tuple(template_dirs)).get_template(DOCUMENT_TYPES[doc_type])
    return template.render({"images": {"logo": "", "crest": ""}, **context, "fonts": FONTS})
