"""One short local VAWG plan written out in every format an added document can come in.

``write_plan(fmt, folder)`` makes a real file: markdown with a pipe table, an HTML
page, a Word .docx written by python-docx, and a PDF printed from the HTML page by
Debian's headless Chromium (``/usr/bin/chromium``; missing → a test failure in CI,
a skip elsewhere, through ``tests.conftest.missing_service``). ``scanned_pdf``
makes a PDF of one page image and no text layer (Pillow, which pdfplumber brings).

Each file holds the same plan, so every format must give the same commitments.
``EXPECTED`` is what the plan says, written down from its text (not from a build):
text, leads, deadline (ISO, last day of the period; "within six months" counts
from ``PUBLISHED``) and confidence. The HTML starts a new page before "Reporting",
so the PDF's last commitment is on page 2 (``PDF_PAGES``).
"""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

from tests.conftest import missing_service

CHROMIUM = Path("/usr/bin/chromium")
TITLE = "British Transport Police VAWG Delivery Plan 2024"
PUBLISHER = "BTP"  # an acronym of the vocabulary's British Transport Police
PUBLISHED = "2024-03-15"
INTRO = "This plan sets out how the force will keep women and girls safe on the railway."
LEAD_IN = "We will:"
BULLETS = ("Train every frontline officer in trauma-informed practice by March 2025.",
           "Publish a railway sexual harassment reporting guide with Network Rail.")
NUMBERED = ("Launch a text reporting campaign within six months.",
            "Review the handling of stalking cases with the CPS by December 2024.")
HEADER = ("Action", "Lead", "Partners", "Date")
ROWS = (("Fund specialist ISVA posts at major stations", "Home Office", "Network Rail", "2025/26"),
        ("Run joint patrols on late-night services", "", "", "Summer 2024"))
CLOSING = "We commit to publishing an annual progress report."

BTP, HO = "British Transport Police", "Home Office"
# (text, leads, deadline, confidence), in document order
EXPECTED = [
    (BULLETS[0], [BTP], "2025-03-31", "high"),
    (BULLETS[1], [BTP], None, "high"),
    (NUMBERED[0], [BTP], "2024-09-15", "high"),
    (NUMBERED[1], [BTP], "2024-12-31", "high"),
    (ROWS[0][0], [HO], "2026-03-31", "high"),
    (ROWS[1][0], [BTP], "2024-08-31", "high"),
    (CLOSING, [BTP], None, "low"),
]
FORMATS = ("markdown", "html", "docx", "pdf")
PDF_PAGES = [[1], [1], [1], [1], [1], [1], [2]]


def markdown() -> str:
    rows = "\n".join("| " + " | ".join(r) + " |" for r in ROWS)
    return (f"# {TITLE}\n\n## Our approach\n\n{INTRO}\n\n## Safer journeys\n\n{LEAD_IN}\n\n"
            + "".join(f"- {b}\n" for b in BULLETS)
            + "\n## Numbered actions\n\n" + "".join(f"{i}. {n}\n" for i, n in enumerate(NUMBERED, 1))
            + "\n## Action table\n\n| " + " | ".join(HEADER) + " |\n|---|---|---|---|\n" + rows
            + f"\n\n## Reporting\n\n{CLOSING}\n")


def html_page() -> str:
    e = html.escape
    cells = "".join(f"<tr>{''.join(f'<td>{e(c)}</td>' for c in row)}</tr>\n" for row in ROWS)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(TITLE)}</title>
<style>body{{font-family:sans-serif;font-size:12pt}} table{{border-collapse:collapse}}
td,th{{border:1px solid #000;padding:4px}}</style>
<script>var ignored = "We will ignore scripts";</script></head>
<body>
<nav><a href="/">Home</a></nav>
<h1>{e(TITLE)}</h1>
<h2>Our approach</h2>
<p>{e(INTRO)}</p>
<h2>Safer journeys</h2>
<p>{e(LEAD_IN)}</p>
<ul>{''.join(f'<li>{e(b)}</li>' for b in BULLETS)}</ul>
<h2>Numbered actions</h2>
<ol>{''.join(f'<li>{e(n)}</li>' for n in NUMBERED)}</ol>
<h2>Action table</h2>
<table>
<tr>{''.join(f'<th>{e(h)}</th>' for h in HEADER)}</tr>
{cells}</table>
<h2 style="break-before: page">Reporting</h2>
<p>{e(CLOSING)}</p>
</body></html>
"""


def write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading(TITLE, level=1)
    document.add_heading("Our approach", level=2)
    document.add_paragraph(INTRO)
    document.add_heading("Safer journeys", level=2)
    document.add_paragraph(LEAD_IN)
    for b in BULLETS:
        document.add_paragraph(b, style="List Bullet")
    document.add_heading("Numbered actions", level=2)
    for n in NUMBERED:
        document.add_paragraph(n, style="List Number")
    document.add_heading("Action table", level=2)
    table = document.add_table(rows=1, cols=len(HEADER))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADER):
        cell.text = text
    for row in ROWS:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    document.add_heading("Reporting", level=2)
    document.add_paragraph(CLOSING)
    document.save(str(path))


def print_pdf(html_path: Path, pdf_path: Path) -> None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium, as a user's browser would."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        missing_service("Chromium (/usr/bin/chromium, `make browser`)")
    profile = pdf_path.parent / "chromium-profile"
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--user-data-dir={profile}", f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)
    shutil.rmtree(profile, ignore_errors=True)
    assert done.returncode == 0 and pdf_path.exists(), done.stderr[-2000:]


def write_plan(fmt: str, folder: Path, stem: str = "plan") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "markdown":
        path = folder / f"{stem}.md"
        path.write_text(markdown(), encoding="utf-8")
    elif fmt == "html":
        path = folder / f"{stem}.html"
        path.write_text(html_page(), encoding="utf-8")
    elif fmt == "docx":
        path = folder / f"{stem}.docx"
        write_docx(path)
    elif fmt == "pdf":
        page = folder / f"{stem}-for-print.html"
        page.write_text(html_page(), encoding="utf-8")
        path = folder / f"{stem}.pdf"
        print_pdf(page, path)
    else:
        raise ValueError(fmt)
    return path


def scanned_pdf(path: Path) -> Path:
    """A one-page PDF that is only an image of a page (as a scanner makes): no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 40), "We will train every officer by March 2025.", fill="black")
    draw.rectangle((40, 80, 560, 90), fill="black")
    image.save(str(path), format="PDF")
    return path
