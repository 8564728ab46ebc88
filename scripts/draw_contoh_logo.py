"""Draw variants/contoh/assets/logo.png: a plain example logo marked CONTOH (not any real office's emblem).

Run `python scripts/draw_contoh_logo.py` to make it again; it uses Pillow only (a dependency already).
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "variants" / "contoh" / "assets" / "logo.png"


def draw(size: int = 160) -> Image.Image:
    image = Image.new("RGB", (size, size), "white")
    pen = ImageDraw.Draw(image)
    pen.rectangle([4, 4, size - 5, size - 5], outline="#555555", width=4)
    pen.line([4, 4, size - 5, size - 5], fill="#bbbbbb", width=3)
    pen.line([4, size - 5, size - 5, 4], fill="#bbbbbb", width=3)
    font = ImageFont.load_default(size=30)
    for text, y in (("CONTOH", size // 2 - 34), ("EXAMPLE", size // 2 + 4)):
        width = pen.textlength(text, font=font)
        pen.text(((size - width) / 2, y), text, fill="#222222", font=font)
    return image


if __name__ == "__main__":
    draw().save(OUT, "PNG", optimize=True)
    print(OUT)
