"""QR codes for the verification link printed on every document."""
import math

import segno

# the printed size (the templates draw the image 3 cm wide) and the resolution behind it
# the mask: fixed instead of searched (see benchmarks/qr_masks.py for the choice); a valid symbol whichever it is
MASK = 2
PRINT_CM = 3.0
DPI = 300


def qr_png_data_uri(text: str) -> str:
    """A QR code of ``text`` (error correction M) as a PNG ``data:`` URI, 3 cm at 300 dpi."""
    code = segno.make_qr(text, error="m", boost_error=False, mask=MASK)
    # quiet zone of 4 modules included: the whole image, not just the symbol, is PRINT_CM wide
    modules = code.symbol_size(scale=1, border=4)[0]
    target_px = PRINT_CM / 2.54 * DPI
    scale = max(1, math.ceil(target_px / modules))
    return code.png_data_uri(scale=scale, border=4, dpi=DPI)
