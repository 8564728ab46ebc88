"""The office as the documents print it: the letterhead (kop surat) and the signatory block.

A document keeps the office identity it was issued with (``content["office"]``, see
``formserver/variants/identity.py``). Documents issued before the variants' identity had a parent-government
line, a phone or a signatory's NIP carry only the flat keys (``signatory_name``, ``signatory_title``);
``document_office`` gives the templates one complete shape for both, so that a template never meets a
missing key. The crest and logo reach the templates separately, as ``data:`` URIs (``images``), scaled to
the size they print at.
"""
import base64
import functools
import io

TEXT_KEYS = ("name", "parent_line", "address", "city", "province", "phone", "email", "website", "motto")


def _lines(value) -> list[str]:
    """A text an admin may have written on several lines (a title, a parent line) as its non-empty lines."""
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def document_office(office: dict) -> dict:
    """Every key the document templates print, from the office identity stored with a document: the stored
    keys as they are (a variant's own template may read any of them), every text key present (empty when the
    document has none), and the lines the letterhead and the signatory block print."""
    signatory = office.get("signatory") or {}
    name = str(signatory.get("name") or office.get("signatory_name") or "").strip()
    title = str(signatory.get("title") or office.get("signatory_title") or "").strip()
    texts = {key: str(office.get(key) or "").strip() for key in TEXT_KEYS}
    return {
        **office, **texts,
        "parent_lines": _lines(texts["parent_line"]),
        # the seed's documents say where they were issued ("Bangkinang"): the city unless the office says otherwise
        "place_of_issue": str(office.get("place_of_issue") or "").strip() or texts["city"],
        "signatory": {**signatory, "name": name, "title": title, "title_lines": _lines(title),
                      "nip": str(signatory.get("nip") or "").strip()},
        "signatory_name": name, "signatory_title": title,
        "example": bool(office.get("example")),
    }


# 2.3 cm, the crest's height on the page, at 330 dpi: sharp on any office printer. The PDF library decodes and
# compresses an image again for every document, at a cost that grows with its pixels (docs/DECISIONS.md).
PRINT_HEIGHT_PX = 300


@functools.lru_cache(maxsize=8)
def print_image(data_uri: str) -> str:
    """An office image (a ``data:`` URI) no taller than the letterhead prints it; anything but a data: URI of an
    image gives "" — the PDF library is never handed a path or an address to fetch."""
    if not data_uri.startswith("data:image/") or "," not in data_uri:
        return ""
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(base64.b64decode(data_uri.partition(",")[2], validate=True))) as image:
            if image.height <= PRINT_HEIGHT_PX:
                return data_uri
            image = image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
            image.thumbnail((max(1, image.width * PRINT_HEIGHT_PX // image.height), PRINT_HEIGHT_PX))
            out = io.BytesIO()
            image.save(out, "PNG")
    except (UnidentifiedImageError, OSError, ValueError):
        return ""
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")
