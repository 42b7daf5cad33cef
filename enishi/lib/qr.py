"""QR codes as inline SVG (segno: pure Python, no image files, nothing to serve)."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, scale: int = 4, title: str = "") -> SafeString:
    """An <svg> element drawing `data` as a QR code (error correction M: survives a crease on a flyer)."""
    code = segno.make(data, error="m")
    svg = code.svg_inline(scale=scale, title=title or None, border=2, svgclass="qr", lineclass=None)
    return mark_safe(svg)  # segno's own markup; `data` and `title` are escaped by segno
