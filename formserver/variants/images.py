"""The office's logo and crest images: PNG or JPEG, at most 1 MB, checked from their content (shared with the
admin pages' upload)."""
import io

from ..i18n import gettext

MAX_IMAGE_BYTES = 1024 * 1024
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}  # never SVG: it can carry script


def image_problems(data: bytes) -> list[str]:
    """Why ``data`` cannot be an office image (empty when it can): not PNG/JPEG, unreadable, or over 1 MB."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        return [gettext("Berkas gambar kosong.")]
    if len(data) > MAX_IMAGE_BYTES:
        return [gettext("Gambar terlalu besar ({len:,} bita); paling besar 1 MB.").format(len=len(data))]
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return [gettext("Berkas ini bukan gambar PNG atau JPEG yang dapat dibaca.")]
    if kind not in IMAGE_FORMATS:
        return [gettext("Gambar {kind} tidak diterima; gunakan PNG atau JPEG.").format(kind=kind)]
    return []


def image_type(data: bytes) -> str | None:
    """The media type of a checked image (image/png or image/jpeg), None when it is not one."""
    if image_problems(data):
        return None
    from PIL import Image
    with Image.open(io.BytesIO(data)) as image:
        return IMAGE_FORMATS[image.format]
