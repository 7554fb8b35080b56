"""Minimal HTML pages (no inline script or style: the CSP is ``default-src 'self'``)."""

from __future__ import annotations

from html import escape

STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
pre{white-space:pre-wrap;background:#f7f7f7;padding:1rem;border:1px solid #ddd}
mark{background:#ffe066;outline:1px solid #e0b000}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:.2rem .5rem;vertical-align:top;text-align:left}code{font-size:.95em}
"""


def page(title: str, body_html: str) -> str:
    """``body_html`` must already be escaped; ``title`` is escaped here."""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="stylesheet" href="/assets/style.css"></head><body>{body_html}</body></html>')


def highlighted(text: str, start: int, end: int, context_id: str = "span") -> str:
    return (f"<pre>{escape(text[:start])}<mark id=\"{context_id}\">{escape(text[start:end])}</mark>"
            f"{escape(text[end:])}</pre>")
