"""HTML to PDF: the only module that imports the PDF library (xhtml2pdf)."""
import io
import logging

from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from .render import FONT_DIR, FONT_FILES, TEMPLATE_DIR

log = logging.getLogger(__name__)

# Rendered HTML carries applicants' text, so the document may read nothing but the font files
# and the templates' own directory, and may reach no network; the server limits (size, depth,
# time) stay on. Built once: a policy is immutable.
POLICY = ResourceAccessPolicy.server(base_dir=None, extra_roots=(FONT_DIR, TEMPLATE_DIR), allow_remote=False)


def _font_file(uri, _relative):
    """The file of a font a template names (``DocSans-Regular.ttf``); anything else as written."""
    path = FONT_FILES.get(str(uri))
    return str(path) if path else None


class PdfError(Exception):
    """The HTML could not be turned into a PDF."""


def html_to_pdf(html: str) -> bytes:
    """The PDF of a rendered document (UTF-8 HTML); PdfError when xhtml2pdf fails."""
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
