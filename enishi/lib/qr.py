"""QR codes as inline SVG (segno: pure Python, no image files, nothing to serve)."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, title: str = "") -> SafeString:
    """An <svg> drawing `data` as a QR code that scales with CSS (a viewBox, no fixed size).

    Error correction M, so that a crease or a coffee ring on a flyer does not stop a phone from
    reading it; a quiet zone of 4 modules, as the standard asks.
    """
    code = segno.make(data, error="m")
    svg = code.svg_inline(scale=1, border=4, omitsize=True, title=title or None, svgclass="qr", lineclass=None)
    return mark_safe(svg)  # segno's own markup; `data` and `title` are escaped by segno
