"""The office's logo and crest images: PNG or JPEG, at most 1 MB, checked from their content (shared with the
admin pages' upload)."""
import io

from ..i18n import bi

MAX_IMAGE_BYTES = 1024 * 1024
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}  # never SVG: it can carry script


def image_problems(data: bytes) -> list[str]:
    """Why ``data`` cannot be an office image (empty when it can): not PNG/JPEG, unreadable, or over 1 MB."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        return [bi("Berkas gambar kosong.", "The image file is empty.")]
    if len(data) > MAX_IMAGE_BYTES:
        return [bi(f"Gambar terlalu besar ({len(data):,} bita); paling besar 1 MB.",
                   f"The image is too large ({len(data):,} bytes); 1 MB at most.")]
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return [bi("Berkas ini bukan gambar PNG atau JPEG yang dapat dibaca.",
                   "This file is not a readable PNG or JPEG image.")]
    if kind not in IMAGE_FORMATS:
        return [bi(f"Gambar {kind} tidak diterima; gunakan PNG atau JPEG.",
                   f"A {kind} image is not accepted; use PNG or JPEG.")]
    return []


def image_type(data: bytes) -> str | None:
    """The media type of a checked image (image/png or image/jpeg), None when it is not one."""
    if image_problems(data):
        return None
    from PIL import Image
    with Image.open(io.BytesIO(data)) as image:
        return IMAGE_FORMATS[image.format]
