"""The authenticator set-up QR code, drawn on the server as inline SVG (no script, no image request).

It encodes the staff member's TOTP secret: it is rendered into the set-up page only (no-store, like every
response), never cached, stored or logged.
"""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(data: str, title: str) -> Markup:
    """An SVG QR code of `data`, black on white with its quiet zone, named by `title` for screen readers."""
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(scale=5, border=4, dark="#000", light="#fff", title=title, svgclass="qr", omitsize=True,
                          lineclass=None)
    # segno escapes the title; the SVG uses presentation attributes only (no style attribute: the CSP holds).
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704  # nosec B704 - segno output: geometry only, title escaped
