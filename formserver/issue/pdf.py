"""HTML to PDF: the only module that imports the PDF library (xhtml2pdf)."""
import io
import logging

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus.tables import CellStyle
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from .render import FONT_DIR, FONT_FILES, FONTS, TEMPLATE_DIR, FontsMissing, check_fonts

log = logging.getLogger(__name__)

# ReportLab sets a font before any text, on every page and in every table cell (Helvetica by default): a
# base-14 font that the PDF names without embedding it, and that prints differently on every reader. Both
# start with the documents' own regular face instead, registered under the name xhtml2pdf gives the regular
# face of the family DocSans (family, bold flag, italic flag), so that xhtml2pdf takes it as it is and the
# PDF holds one font, not two. tests/test_letterhead.py checks that no base-14 font is left.
INITIAL_FONT = "docsans_00"
# Streams are written as binary, not ASCII85 text: ReportLab's ASCII85 encoder runs in pure Python over every
# image (the QR code, the crest and its transparency mask) and makes them a quarter larger (docs/DECISIONS.md)
rl_config.useA85 = 0
if FONT_DIR:
    pdfmetrics.registerFont(TTFont(INITIAL_FONT, str(FONT_FILES[FONTS["regular"]])))
    rl_config.canvas_basefontname = INITIAL_FONT
    CellStyle.fontname = INITIAL_FONT  # read from rl_config when ReportLab was imported, hence set here too

# Rendered HTML carries applicants' text, so the document may read nothing but the font files
# and the templates' own directory, and may reach no network; the server limits (size, depth,
# time) stay on. Built once: a policy is immutable.
POLICY = ResourceAccessPolicy.server(base_dir=None, extra_roots=tuple(r for r in (FONT_DIR, TEMPLATE_DIR) if r),
                                     allow_remote=False)


def _font_file(uri, _relative):
    """The file of a font a template names (``DocSans-Regular.ttf``); anything else as written."""
    path = FONT_FILES.get(str(uri))
    return str(path) if path else None


class PdfError(Exception):
    """The HTML could not be turned into a PDF."""


def html_to_pdf(html: str) -> bytes:
    """The PDF of a rendered document (UTF-8 HTML); PdfError when xhtml2pdf fails."""
    try:
        check_fonts()  # without the embedded font xhtml2pdf would quietly print Helvetica
    except FontsMissing as missing:
        raise PdfError(str(missing)) from missing
    out = io.BytesIO()
    try:
        # xhtml2pdf registers each @font-face file with ReportLab once per process and reads
        # local files and data: URIs in memory, so a render writes no temporary files
        result = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=POLICY, link_callback=_font_file)
    except Exception as exc:
        raise PdfError(f"xhtml2pdf failed: {exc}") from exc
    if result.err:
        messages = "; ".join(entry[2] for entry in result.log if entry[0] == "error") or "unknown error"
        raise PdfError(f"xhtml2pdf reported {result.err} error(s): {messages}")
    return out.getvalue()
