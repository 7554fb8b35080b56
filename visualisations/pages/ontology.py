"""/ontology for browsers: pyLODE's page with its inline ``<style>`` moved to a file the CSP allows,
its ``data:`` icons (which the CSP refuses) dropped, and the site's layout fixes for narrow screens."""

from __future__ import annotations

import functools
import re

from vawg_kg.ontology.docs import render_html

_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)
_DATA_ICON = re.compile(r"<link[^>]*href=\"data:[^\"]*\"[^>]*>", re.I)
EXTRA = """
html{font-family:system-ui,sans-serif;color:#1b1b1b}body{max-width:100%;overflow-wrap:anywhere}
a{color:#0b4f8a}table{max-width:100%}pre{white-space:pre-wrap}
/* pyLODE's type marks in colours that pass AA (orange and light blue on white did not) */
.sup-c,.sup-con{color:#8a4b00}.sup-fp{color:#005a8c}.sup-dp{color:#1d6b2f}.sup-ap,.sup-col{color:#8b1a1a}
.sup-op{color:#14365d}.sup-ni{color:#7a3b1c}
#pylode,#pylode p{color:#4a4a4a}#pylode a,#pylode #p,#pylode #y,#pylode #l,#pylode #o,#pylode #d,#pylode #e{color:#14365d}
/* the contents' links at least 24 px high (WCAG 2.2 target size) */
#toc a{display:inline-block;min-height:24px;padding:2px 0}#toc li{margin:2px 0}
@media (max-width:800px){#pylode{display:none}body,#content,#toc{position:static;width:auto;margin:0;padding:.5rem}
table,tbody,tr,td,th{display:block;width:auto}}
"""


@functools.lru_cache(maxsize=1)
def page_and_css() -> tuple[str, str]:
    html = render_html()
    css = "\n".join(m.group(1) for m in _STYLE.finditer(html)) + EXTRA
    html = _DATA_ICON.sub("", _STYLE.sub("", html, count=0))
    head = ('<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="stylesheet" href="/pages/static/ontology.css">')
    html = html.replace("<head>", "<head>" + head, 1).replace("<html>", '<html lang="en">', 1)
    return html, css
