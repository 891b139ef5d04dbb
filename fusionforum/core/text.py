"""Organiser-written Markdown, rendered and then sanitised: nothing executable survives."""

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(source: str) -> str:
    html = _markdown.render(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


# Characters that have no place in a name or an answer: control characters (NUL included),
# bidirectional overrides that make text read differently from what it is, and invisible
# zero-width characters that make two names look the same.
_FORBIDDEN = {chr(c) for c in range(0x20) if chr(c) not in "\n\t"} | {"\x7f"}
_FORBIDDEN |= {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_FORBIDDEN |= {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e"}


def forbidden_characters(value: str, *, multiline: bool = False) -> list[str]:
    found = {ch for ch in value if ch in _FORBIDDEN}
    if not multiline and "\n" in value:
        found.add("\n")
    return sorted(found)


def validate_plain_text(value: str, *, multiline: bool = False) -> None:
    from django.core.exceptions import ValidationError

    found = forbidden_characters(value or "", multiline=multiline)
    if found:
        names = ", ".join(f"U+{ord(ch):04X}" for ch in found)
        raise ValidationError(
            f"Remove the invisible or control characters ({names}).", code="forbidden_chars"
        )


def validate_single_line(value: str) -> None:
    validate_plain_text(value, multiline=False)


def validate_multiline(value: str) -> None:
    validate_plain_text(value, multiline=True)
