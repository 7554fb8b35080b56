"""The format readers (``loaders/readers``) on their own: what each structure of a page becomes."""

from __future__ import annotations

from pathlib import Path

import pytest

from vawg_kg.errors import SourceError
from vawg_kg.loaders.readers import format_of, pages_of, read_document


def _html(tmp_path: Path, body: str) -> str:
    path = tmp_path / "page.html"
    path.write_text(f"<html><head><title>T</title><style>p {{color: red}}</style></head><body>{body}</body></html>",
                    encoding="utf-8")
    return read_document(path).text


def test_html_lists_nested_lettered_and_skipped_elements(tmp_path: Path) -> None:
    text = _html(tmp_path, """
        <nav>Menu will be here</nav><script>var x = "We will:";</script>
        <h2>Aims &amp; actions</h2>
        <p>We <b>will</b>:</p>
        <ul><li>Fund refuges<ul><li>in rural areas</li></ul></li><li>Train staff</li></ul>
        <ol type="a"><li>Review data</li><li>Publish it</li></ol>
        <ol start="3"><li>Third</li></ol>
        <table><tr><th>Action</th><th>Lead</th></tr><tr><td>Cut <br>delays</td><td>CPS</td></tr></table>""")
    assert text == ("## Aims & actions\n\nWe will:\n\n- Fund refuges\n- in rural areas\n- Train staff\n\n"
                    "(a) Review data\n(b) Publish it\n\n3. Third\n\nAction\tLead\nCut delays\tCPS\n")


def test_html_with_no_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><head><script>We will</script></head><body> </body></html>", encoding="utf-8")
    with pytest.raises(SourceError, match="empty.html: the HTML page has no text"):
        read_document(path)


def test_docx_tables_and_numbering(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Plan", style="Title")
    document.add_paragraph("Actions:")
    document.add_paragraph("First", style="List Number")
    document.add_paragraph("Second", style="List Number")
    document.add_paragraph("A bullet", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for cell, value in zip([c for row in table.rows for c in row.cells], ["Action", "Date", "Do\tit", "2025"]):
        cell.text = value
    path = tmp_path / "plan.docx"
    document.save(str(path))
    got = read_document(path)
    assert got.format == "docx"
    assert got.text == "# Plan\n\nActions:\n\n1. First\n2. Second\n- A bullet\n\nAction\tDate\nDo it\t2025\n"


def test_formats_by_suffix_and_legacy_doc_refused(tmp_path: Path) -> None:
    assert [format_of(Path(n)) for n in ("a.PDF", "a.docx", "a.htm", "a.md", "a.tsv", "a")] == [
        "pdf", "docx", "html", "markdown", "text", "text"]
    with pytest.raises(SourceError, match="legacy Word .doc"):
        format_of(Path("old.doc"))


def test_pages_of_spans() -> None:
    starts = (0, 100, 250)
    assert pages_of(starts, ((10, 20),)) == (1,)
    assert pages_of(starts, ((90, 120),)) == (1, 2)
    assert pages_of(starts, ((99, 100),)) == (1,)
    assert pages_of(starts, ((100, 101), (300, 310))) == (2, 3)
    assert pages_of((), ((0, 5),)) == ()
