import datetime as dt
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fusionforum.core import clock
from fusionforum.core.text import ALLOWED_TAGS, render_markdown
from tests.conftest import paris


def test_clock_can_be_frozen_and_advanced():
    moment = paris(2027, 1, 1, 8)
    with clock.frozen(moment):
        assert clock.now() == moment
        clock.advance(dt.timedelta(minutes=5))
        assert clock.now() == moment + dt.timedelta(minutes=5)
    assert abs((clock.now() - dt.datetime.now(dt.UTC)).total_seconds()) < 5


def test_clock_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        clock.set_now(dt.datetime(2027, 1, 1))


def test_markdown_keeps_formatting_and_drops_scripts():
    html = render_markdown(
        "**bold** [site](https://example.org)\n\n<script>alert(1)</script>\n\n"
        "[x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    # Raw HTML is shown as text, never as markup.
    assert "<script" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<img" not in html


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@given(st.text(max_size=300))
def test_markdown_never_emits_executable_html(source):
    html = render_markdown(source + "<script>x</script><a href='javascript:y'>z</a>")
    collector = _TagCollector()
    collector.feed(html)
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") for name in attrs)
        href = (attrs.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:"))
