"""What applicants see of their documents: the draft preview, marks on PDFs, the dashboard and documents page."""
import io

from pypdf import PdfReader

from formserver.config import PROJECT_ROOT
from formserver.issue.render import FONT_DIR

from .test_permohonan import _to_pernyataan, applicant, ok, start  # noqa: F401  (fixture)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_draft_nib_preview_is_the_pdf_of_the_same_template_with_page_numbers_and_no_paths(applicant):
    sid = start(applicant)
    _to_pernyataan(applicant, sid)
    ok(applicant.put_step(sid, "pernyataan_mandiri", {"pernyataan_k3l": True}))
    review = applicant.client.get(f"/isian/{sid}/periksa").get_data(as_text=True)
    link = review[review.index(f'href="/isian/{sid}/draf/nib"') - 3:]
    link = link[:link.index("</a>")]
    assert 'target="_blank"' in link and "tab baru" in link
    r = applicant.client.get(f"/isian/{sid}/draf/nib")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Cache-Control"] == "private, no-store"
    text = pdf_text(r.data)
    assert "NOMOR INDUK BERUSAHA" in text and "Budi Santoso" in text and "47191" in text
    assert "BUKAN DOKUMEN RESMI" in text
    assert "Halaman 1" in text
    for secret in (str(FONT_DIR), "site-packages", str(PROJECT_ROOT)):
        assert secret not in text and secret.encode() not in r.data
    assert b"/FontFile2" in r.data  # the document's own fonts, as in the issued PDF


def test_draft_preview_is_the_owners_only(app, applicant):
    sid = start(applicant)
    assert app.test_client().get(f"/isian/{sid}/draf/nib").status_code == 404
