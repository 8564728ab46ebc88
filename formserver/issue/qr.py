"""QR codes for the verification link printed on every document."""
import base64
import io
import math

import segno
from PIL import Image

# the printed size (the templates draw the image 3 cm wide) and the resolution behind it
PRINT_CM = 3.0
DPI = 300
BORDER = 4  # the quiet zone, in modules
# the mask: fixed instead of searched (see benchmarks/qr_masks.py for the choice); a valid symbol whichever it is
MASK = 2


def qr_png_data_uri(text: str) -> str:
    """A QR code of ``text`` (error correction M) as a PNG ``data:`` URI, 3 cm at 300 dpi.

    segno makes the symbol; Pillow (C) draws and packs the 1-bit image, which segno's pure-Python PNG
    writer took longer to do than making the symbol."""
    code = segno.make_qr(text, error="m", boost_error=False, mask=MASK)
    # quiet zone included: the whole image, not just the symbol, is PRINT_CM wide
    size = len(code.matrix) + 2 * BORDER
    scale = max(1, math.ceil(PRINT_CM / 2.54 * DPI / size))
    light = b"\xff" * size
    rows = [light] * BORDER
    rows += [b"\xff" * BORDER + bytes(0 if dark else 255 for dark in row) + b"\xff" * BORDER for row in code.matrix]
    rows += [light] * BORDER
    image = Image.frombytes("L", (size, size), b"".join(rows)).convert("1")
    image = image.resize((size * scale, size * scale), Image.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(DPI, DPI))
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
