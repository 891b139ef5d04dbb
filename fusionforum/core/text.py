"""Text people type: the one input policy (line breaks, characters refused and allowed), and
organiser-written Markdown, rendered and then sanitised so that nothing executable survives."""

import unicodedata

import nh3
from django.utils.translation import gettext
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



# ---------------------------------------------------------------------------------------------
# The input policy. Every text a person types goes through it: web forms (the middleware
# `core.middleware.normalise_line_breaks` rewrites the POST body before any form or validator
# sees it), services and imports (`clean_single_line` / `clean_multiline`, and the validators,
# which read CR like the line break it stands for), and storage (`core.signals` turns CR LF
# into LF in every text column of the project's models on save).
#
# Line breaks: browsers send a textarea's line breaks as CR LF (the HTML form submission
# algorithm does so), other sources may send a lone CR or U+2028/U+2029; all of them mean LF,
# and LF is what is stored. A single-line field refuses every line break.
#
# Refused everywhere: NUL and the other C0 controls (tab and line breaks aside), DEL and the C1
# controls (they are not text; CR LF in a name would become a header line of an e-mail), the
# bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069: they make
# text read differently from what it is, "Evil<RLO>gnp.exe"), the byte order mark inside text
# and the invisible mathematical operators.
#
# Invisible characters (zero-width space and joiners, word joiner, U+180E, direction marks,
# Hangul fillers) are refused at the start or end of a value, where they only make two values
# look the same. Inside a value they are allowed where a script or an emoji sequence needs them
# and refused elsewhere: ZWJ/ZWNJ next to a letter of a script that shapes or joins (Arabic,
# Persian, Syriac, Thaana, N'Ko, the Indic scripts, Tibetan, Myanmar, Khmer, Mongolian) or
# between two emoji ("می‌خواهم", "क्‍ष", "👩‍🔬"); the zero-width space and word joiner next to a
# script written without spaces (Thai, Lao, Khmer, Myanmar, Tibetan, Chinese, Japanese);
# U+180E between Mongolian letters. "Joiner<ZWJ>Co" (Latin) is refused: it only looks like
# "JoinerCo".
# ---------------------------------------------------------------------------------------------

LINE_BREAKS = ("\r\n", "\r", "\u2028", "\u2029")

_CONTROLS = (
    {chr(c) for c in range(0x20) if chr(c) not in "\n\t"}
    | {chr(c) for c in range(0x7F, 0xA0)}
    | {chr(c) for c in range(0xD800, 0xE000)}  # unpaired surrogates (JSON's "\\ud800")
)
_DIRECTION_OVERRIDES = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_ALWAYS_INVISIBLE = {"\ufeff", "\u2061", "\u2062", "\u2063", "\u2064"}
_JOINERS = {"\u200c", "\u200d"}
_SPACE_HINTS = {"\u200b", "\u2060"}
_MONGOLIAN_SEPARATOR = "\u180e"
_MARKS = {"\u200e", "\u200f", "\u061c"}
_FILLERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}
INVISIBLE = _JOINERS | _SPACE_HINTS | _MARKS | _FILLERS | {_MONGOLIAN_SEPARATOR}
# Refused wherever they are; built once (the union of ~2,200 characters is costly per character).
_REFUSED = frozenset(_CONTROLS | _DIRECTION_OVERRIDES | _ALWAYS_INVISIBLE)

_JOINING_SCRIPTS = (
    (0x0600, 0x08FF),  # Arabic (Persian, Urdu…), Syriac, Thaana, N'Ko, Arabic supplements
    (0x0900, 0x0DFF),  # Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu,
                       # Kannada, Malayalam, Sinhala
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x18AF),  # Khmer, Mongolian
    (0xA8E0, 0xA8FF),  # Devanagari extended
    (0xFB50, 0xFDFF), (0xFE70, 0xFEFE),  # Arabic presentation forms
)
_UNSPACED_SCRIPTS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x9FFF),  # CJK radicals, punctuation, kana, ideographs
    (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF),
)

_NAMES = {
    "\x00": "NULL", "\x07": "BELL", "\x08": "BACKSPACE", "\x0b": "LINE TABULATION",
    "\x0c": "FORM FEED", "\x1b": "ESCAPE", "\x7f": "DELETE", "\x85": "NEXT LINE",
    "\ufeff": "BYTE ORDER MARK (ZERO WIDTH NO-BREAK SPACE)",
}


def normalise_newlines(value):
    """CR LF, a lone CR and the Unicode line and paragraph separators become LF."""
    if not isinstance(value, str) or not any(b in value for b in LINE_BREAKS):
        return value
    return (value.replace("\r\n", "\n").replace("\r", "\n")
            .replace("\u2028", "\n").replace("\u2029", "\n"))


def _in(ch: str, ranges) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in ranges)


def _letter_or_mark(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def _emoji(ch: str) -> bool:
    code = ord(ch)
    return (unicodedata.category(ch) == "So" or ch == "\ufe0f" or 0x1F3FB <= code <= 0x1F3FF
            or 0xE0020 <= code <= 0xE007F or ch == "\u20e3")


def _allowed_inside(value: str, i: int) -> bool:
    """Whether the invisible character at ``value[i]`` (not first, not last) does a job there."""
    ch, before, after = value[i], value[i - 1], value[i + 1]
    if ch in _JOINERS:
        if _emoji(before) and _emoji(after) and ch == "\u200d":
            return True
        scripted = ((_letter_or_mark(before) and _in(before, _JOINING_SCRIPTS))
                    or (_letter_or_mark(after) and _in(after, _JOINING_SCRIPTS)))
        return scripted and not before.isspace() and before not in INVISIBLE
    if ch in _SPACE_HINTS:
        return (not before.isspace() and not after.isspace()
                and (_in(before, _UNSPACED_SCRIPTS) or _in(after, _UNSPACED_SCRIPTS)))
    if ch == _MONGOLIAN_SEPARATOR:
        return _in(before, ((0x1800, 0x18AF),)) and _in(after, ((0x1800, 0x18AF),))
    return True  # direction marks and fillers inside a value


def describe(ch: str) -> str:
    """``U+200D ZERO WIDTH JOINER``: the code point and its name, for messages."""
    name = _NAMES.get(ch) or unicodedata.name(ch, "")
    if not name and unicodedata.category(ch) == "Cc":
        name = gettext("control character")
    elif not name and unicodedata.category(ch) == "Cs":
        name = gettext("unpaired surrogate")
    return f"U+{ord(ch):04X} {name}".rstrip()


def _listed(chars) -> str:
    return ", ".join(describe(ch) for ch in sorted(set(chars)))


def text_problems(value: str, *, multiline: bool = False) -> list[str]:
    """What is wrong with ``value`` under the policy, in words a person understands; empty
    when nothing is. Line breaks of any kind count as LF."""
    value = normalise_newlines(value or "")
    problems = []
    if not multiline and "\n" in value:
        problems.append(gettext("This must fit on one line: remove the line breaks."))
    controls = [ch for ch in value if ch in _CONTROLS]
    if controls:
        problems.append(gettext(
            "Remove the control characters (%(characters)s): they are not text, cannot be seen "
            "and can change what the text does where it is used.")
            % {"characters": _listed(controls)})
    overrides = [ch for ch in value if ch in _DIRECTION_OVERRIDES]
    if overrides:
        problems.append(gettext(
            "Remove the text-direction controls (%(characters)s): they make the text read "
            "differently from what it is.") % {"characters": _listed(overrides)})
    hidden = [ch for ch in value if ch in _ALWAYS_INVISIBLE]
    if hidden:
        problems.append(gettext("Remove the invisible characters (%(characters)s).")
                        % {"characters": _listed(hidden)})
    stripped = value.strip()
    edges = {ch for ch in (stripped[:1], stripped[-1:]) if ch in INVISIBLE}
    for line in value.split("\n"):
        line = line.strip()
        edges |= {ch for ch in (line[:1], line[-1:]) if ch in INVISIBLE}
    if edges:
        problems.append(gettext(
            "Remove the invisible characters at the start or end (%(characters)s): they only "
            "make the text look like another.") % {"characters": _listed(edges)})
    stray = {ch for i, ch in enumerate(value)
             if ch in INVISIBLE and 0 < i < len(value) - 1 and ch not in edges
             and not _allowed_inside(value, i)}
    if stray:
        problems.append(gettext(
            "Remove the invisible characters that join or separate nothing here "
            "(%(characters)s): they only make the text look like another. They are kept where "
            "a script or an emoji needs them.") % {"characters": _listed(stray)})
    return problems


def forbidden_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The characters of ``value`` the policy refuses where they are (line breaks as LF)."""
    value = normalise_newlines(value or "")
    found = {ch for ch in value if ch in _REFUSED}
    if not multiline and "\n" in value:
        found.add("\n")
    for i, ch in enumerate(value):
        if ch in INVISIBLE and (i in (0, len(value) - 1) or not _allowed_inside(value, i)):
            found.add(ch)
    return sorted(found)


def strip_refused(value: str, *, multiline: bool = False) -> str:
    """``value`` without what the policy refuses, for lenient imports of other systems' files:
    line breaks become LF (a space on one line), refused characters are dropped, invisible
    characters are kept only where a script or an emoji needs them."""
    value = normalise_newlines(value or "")
    if not multiline:
        value = value.replace("\n", " ")
    value = "".join(ch for ch in value
                    if ch not in _REFUSED)
    while True:
        kept = "".join(ch for i, ch in enumerate(value)
                       if ch not in INVISIBLE
                       or (0 < i < len(value) - 1 and _allowed_inside(value, i)))
        if kept == value:
            return value.strip() if not multiline else value
        value = kept


def validate_plain_text(value: str, *, multiline: bool = False) -> None:
    from django.core.exceptions import ValidationError

    problems = text_problems(value, multiline=multiline)
    if problems:
        raise ValidationError(problems, code="forbidden_chars")


def validate_single_line(value: str) -> None:
    validate_plain_text(value, multiline=False)


def validate_multiline(value: str) -> None:
    validate_plain_text(value, multiline=True)


POLICY_VALIDATORS = (validate_single_line, validate_multiline, validate_plain_text)


def clean_single_line(value: str) -> str:
    """``value`` checked under the policy for one line (services, imports)."""
    validate_single_line(value)
    return value or ""


def clean_multiline(value: str) -> str:
    """``value`` with LF line ends, checked under the policy (services, imports)."""
    value = normalise_newlines(value or "")
    validate_multiline(value)
    return value
