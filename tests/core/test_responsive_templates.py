"""Every table of every template sits in a labelled scrolling region, so on a phone a wide
table scrolls inside it (by keyboard too) and never the page. The browser sweep
(tests/browser/test_every_page_browser.py) checks the pages the demo reaches; this checks the
templates, including states the demo does not show."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "fusionforum" / "templates"
# The label may be a translated string: {% translate "…" %} inside the attribute.
REGION = re.compile(r'<div class="(?:table|grid)-scroll[^"]*" role="region" '
                    r'aria-(?:label|labelledby)="(?:[^"{]|\{%[^%]*%\}|\{\{[^}]*\}\})+" '
                    r'tabindex="0">$')


def test_every_table_sits_in_a_labelled_scrolling_region():
    bare = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text()
        for table in re.finditer(r"<table\b", text):
            before = text[:table.start()].rstrip()
            if not REGION.search(before[before.rfind("<div"):]):
                line = text.count("\n", 0, table.start()) + 1
                bare.append(f"{template.relative_to(TEMPLATES)}:{line}")
    assert bare == [], (
        'tables outside <div class="table-scroll" role="region" aria-label="…" tabindex="0">: '
        + ", ".join(bare))
