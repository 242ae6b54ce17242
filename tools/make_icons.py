"""Draw Kring's app icons once (they are committed under static/icons/): `.venv/bin/python tools/make_icons.py`.

The mark is the favicon's: a circle ("kring" is Dutch for circle) in the light theme's accent colour, #0b5f5a
(static/css/theme.css). Each icon is drawn four times larger and scaled down, for smooth edges.

- icon-192/512: a teal disc with a white ring, on transparency ("any": the launcher shows it as it is);
- maskable-192/512: full-bleed teal with the ring inside the central safe zone (a circle of 40 % radius), so any
  mask shape the launcher cuts keeps the whole ring;
- apple-touch-icon (180): the maskable drawing (iOS fills transparency with black and rounds the corners itself);
- badge-96: the ring alone in white on transparency (Android draws a notification badge from its alpha only).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

TEAL = (11, 95, 90, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
SCALE = 4
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def _ring(draw: ImageDraw.ImageDraw, size: int, radius: float, width: float, colour: tuple) -> None:
    centre = size / 2
    r = radius * size
    draw.ellipse((centre - r, centre - r, centre + r, centre + r), outline=colour, width=round(width * size))


def draw(kind: str, size: int) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), TEAL if kind == "maskable" else CLEAR)
    canvas = ImageDraw.Draw(image)
    if kind == "any":
        inset = 0.02 * big
        canvas.ellipse((inset, inset, big - inset, big - inset), fill=TEAL)
        _ring(canvas, big, 0.3, 0.1, WHITE)
    elif kind == "maskable":
        _ring(canvas, big, 0.25, 0.08, WHITE)
    else:  # badge
        _ring(canvas, big, 0.38, 0.14, WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, kind, size in (
        ("icon-192.png", "any", 192),
        ("icon-512.png", "any", 512),
        ("maskable-192.png", "maskable", 192),
        ("maskable-512.png", "maskable", 512),
        ("apple-touch-icon.png", "maskable", 180),
        ("badge-96.png", "badge", 96),
    ):
        draw(kind, size).save(OUT / name, optimize=True)


if __name__ == "__main__":
    main()
