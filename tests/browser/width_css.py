"""What the project's stylesheets change between the two window sizes the page sweep uses.

The sweep (``test_every_page_browser.py``) runs every axe rule at phone size and every rule but
``color-contrast`` (three quarters of axe's time) at desktop size. That is only as thorough as
running contrast at both sizes if the contrast verdict of a piece of text cannot depend on the
window's width. axe's verdict reads the text's colours (its own, its backgrounds', opacity,
filters, blend modes, shadows), its size and weight (large text needs 3:1 instead of 4.5:1)
and whether it is rendered at all. This module parses every stylesheet under
``fusionforum/static`` (tinycss2, the CSS parser WeasyPrint already brings) and reports each
declaration that makes one of those depend on the width:

* a colour property under a width condition (an ``@media`` query that holds at one size and not
  the other, or an ``@container`` query): never allowed;
* a font size or weight under a width condition, or sized with viewport units, unless the size
  at the phone is the stricter one (normal text there, or large text at the desktop only);
* a rule under a width condition that renders at the desktop what the phone does not show
  (``display``, ``visibility``, ``content-visibility``, ``clip``, ``clip-path``): it must be in
  ``CONTRAST_AT_DESKTOP``, whose selectors the desktop sweep checks for contrast.

``test_width_css.py`` fails on each of them, so the sweep's shortcut stays sound as the
stylesheets change.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import tinycss2
import tinycss2.color4

STATIC = Path(__file__).resolve().parents[2] / "fusionforum" / "static"
PHONE_WIDTH = 390
DESKTOP_WIDTH = 1366
HEIGHTS = {PHONE_WIDTH: 844, DESKTOP_WIDTH: 900}
ROOT_FONT_PX = 16  # site.css: html { font-size: 100% } on screen
LARGE_BOLD_PX = 14 * 4 / 3  # axe: bold text from 14 pt is large text
LARGE_PX = 18 * 4 / 3  # axe: any text from 18 pt is large text
BOLD = 700  # axe's boldValue

# Rules under a width condition that show, at the desktop only, something the phone does not
# render: their elements' text is checked for contrast at the desktop too (axe ``include``).
# CSS selector (as written in the stylesheet) -> the element(s) axe checks at the desktop.
CONTRAST_AT_DESKTOP = {
    # The phone folds the menus behind the Menu button (a closed <details>); the desktop
    # shows them in the header row.
    ".site-menu::details-content": ".site-menu-panel",
    ".site-menu-panel": ".site-menu-panel",
    # The phone turns these tables into cards and hides their column headings visually (each
    # cell says its column instead); the desktop shows the heading row.
    "table.table-cards > thead": "table.table-cards > thead",
}

# Properties whose value axe's contrast computation reads, or that paint over or under text.
COLOUR_PROPERTIES = {
    "color", "background", "background-color", "background-image", "background-blend-mode",
    "border-color", "border-top-color", "border-right-color", "border-bottom-color",
    "border-left-color", "border-block-color", "border-inline-color",
    "border-block-start-color", "border-block-end-color", "border-inline-start-color",
    "border-inline-end-color", "outline-color", "fill", "stroke", "opacity", "filter",
    "backdrop-filter", "mix-blend-mode", "text-shadow", "-webkit-text-fill-color",
    "-webkit-text-stroke-color", "text-decoration-color", "caret-color", "accent-color",
    "column-rule-color", "stop-color", "flood-color", "lighting-color", "color-scheme",
    "forced-color-adjust", "text-emphasis-color", "mask", "mask-image",
}
# Shorthands that set a colour when one is written in them (without one, the colour is the
# element's own text colour, which the rule above already keeps width-independent).
COLOUR_SHORTHANDS = {
    "border", "border-top", "border-right", "border-bottom", "border-left", "border-block",
    "border-inline", "border-block-start", "border-block-end", "border-inline-start",
    "border-inline-end", "outline", "text-decoration", "column-rule", "-webkit-text-stroke",
    "text-emphasis",
}
# (box-shadow is neither: axe's contrast check does not read it and it is drawn outside the
# box, where the menu panel's drop shadow lies on a phone.)
RENDERING_PROPERTIES = {"display", "visibility", "content-visibility", "clip", "clip-path"}
HIDING_VALUES = {"none", "hidden", "collapse"}
VIEWPORT_FEATURE = re.compile(
    r"^(min-|max-)?(device-)?(width|height|aspect-ratio|orientation)$")
VIEWPORT_UNITS = re.compile(r"^[sdl]?v(w|h|i|b|min|max)$|^cq(w|h|i|b|min|max)$")


@dataclass(frozen=True)
class Finding:
    where: str  # file:line
    selector: str
    declaration: str
    why: str

    def __str__(self):
        return f"{self.where} {self.selector} {{ {self.declaration} }}: {self.why}"


class UnknownQuery(ValueError):
    pass


def _length_px(token) -> float:
    if token.type == "dimension":
        unit = token.lower_unit
        factor = {"px": 1, "rem": ROOT_FONT_PX, "em": ROOT_FONT_PX, "pt": 4 / 3,
                  "pc": 16, "in": 96, "cm": 96 / 2.54, "mm": 96 / 25.4}.get(unit)
        if factor is not None:
            return token.value * factor
    if token.type == "number" and token.value == 0:
        return 0.0
    raise UnknownQuery(f"a length this check cannot read: {tinycss2.serialize([token])}")


def _feature(block, width):
    """True or False for one parenthesised media feature at a window ``width`` px wide, or the
    feature's text when it does not depend on the window (prefers-reduced-motion ...)."""
    tokens = [t for t in block.content if t.type not in ("whitespace", "comment")]
    text = tinycss2.serialize(block.content).strip()
    if not tokens:
        raise UnknownQuery(f"({text})")
    if tokens[0].type == "ident" and (len(tokens) == 1 or tokens[1] == ":"):
        name = tokens[0].lower_value
        if not VIEWPORT_FEATURE.match(name):
            return text  # a user or device preference: the same at both sizes
        if name.endswith("orientation"):
            value = tokens[2].lower_value if len(tokens) > 2 else None
            portrait = HEIGHTS[width] >= width
            return (value == "portrait") == portrait if value else True
        if "aspect-ratio" in name or "height" in name:
            raise UnknownQuery(f"({text}): only width conditions are understood here")
        if len(tokens) != 3:
            raise UnknownQuery(f"({text})")
        limit = _length_px(tokens[2])
        if name.startswith("min-"):
            return width >= limit
        if name.startswith("max-"):
            return width <= limit
        return width == limit
    # Range syntax: (width < 40rem), (20rem <= width < 40rem)
    parts = re.split(r"\s*(<=|>=|<|>|=)\s*", text)
    if len(parts) in (3, 5) and "width" in parts[::2]:
        values = [width if p == "width" else _length_px(
            tinycss2.parse_one_component_value(p)) for p in parts[::2]]
        ops = {"<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__,
               "=": float.__eq__}
        return all(ops[op](float(a), float(b)) for a, op, b in
                   zip(values, parts[1::2], values[1:], strict=False))
    raise UnknownQuery(f"({text})")


def _query_matches(prelude, width, preferences):
    """Whether a media query list matches a screen ``width`` px wide, with each preference
    feature (not a viewport one) taken from ``preferences``."""
    queries = [[]]
    for token in prelude:
        if token == ",":
            queries.append([])
        elif token.type not in ("whitespace", "comment"):
            queries[-1].append(token)
    for query in queries:
        negate = False
        matched = True
        for token in query:
            if token.type == "ident":
                word = token.lower_value
                if word == "not":
                    negate = True
                elif word in ("only", "and", "screen", "all"):
                    continue
                elif word == "or":
                    raise UnknownQuery("'or' inside one media query")
                else:  # print, speech ...: never the sweep's screen
                    matched = False
            elif token.type == "() block":
                value = _feature(token, width)
                if isinstance(value, str):
                    value = preferences[value]
                matched = matched and value
            else:
                raise UnknownQuery(tinycss2.serialize(query))
        if matched != negate:
            return True
    return False


def _preferences(prelude):
    found = set()
    for token in prelude:
        if token.type == "() block":
            value = _feature(token, PHONE_WIDTH)
            if isinstance(value, str):
                found.add(value)
    return sorted(found)


def media_sizes(prelude):
    """The sizes (phone, desktop) at which a media query may hold, as a set; a query whose
    answer is the same at both sizes for every user preference gives {"both"} or set()."""
    names = _preferences(prelude)
    sizes = set()
    for values in itertools.product((True, False), repeat=len(names)):
        preferences = dict(zip(names, values, strict=True))
        phone = _query_matches(prelude, PHONE_WIDTH, preferences)
        desktop = _query_matches(prelude, DESKTOP_WIDTH, preferences)
        if phone and desktop:
            sizes.add("both")
        elif phone:
            sizes.add("phone")
        elif desktop:
            sizes.add("desktop")
    return sizes


def _has_colour(value_tokens):
    for token in value_tokens:
        if token.type == "function" and token.lower_name == "var":
            return True  # a custom property may hold a colour
        if token.type in ("hash", "function", "ident") \
                and tinycss2.color4.parse_color(token) is not None:
            return True
        if token.type == "function" and _has_colour(token.arguments):
            return True
    return False


def _font_size_px(tokens):
    tokens = [t for t in tokens if t.type not in ("whitespace", "comment")]
    if len(tokens) == 1:
        return _length_px(tokens[0])
    raise UnknownQuery("a font size this check cannot read (write it in rem or px)")


def _font_weight(tokens):
    tokens = [t for t in tokens if t.type not in ("whitespace", "comment")]
    if len(tokens) == 1 and tokens[0].type == "number":
        return tokens[0].value
    if len(tokens) == 1 and tokens[0].type == "ident":
        return {"normal": 400, "lighter": 100, "bold": 700, "bolder": 900}.get(
            tokens[0].lower_value)
    return None


def _viewport_sized(tokens):
    for token in tokens:
        if token.type == "dimension" and VIEWPORT_UNITS.match(token.lower_unit):
            return True
        if token.type == "function" and _viewport_sized(token.arguments):
            return True
    return False


def _clamped_px(tokens):
    """(smallest, largest) px of ``clamp(min, preferred, max)``, or None."""
    tokens = [t for t in tokens if t.type not in ("whitespace", "comment")]
    if len(tokens) == 1 and tokens[0].type == "function" and tokens[0].lower_name == "clamp":
        args = [t for t in tokens[0].arguments if t.type not in ("whitespace", "comment")]
        if len(args) == 5 and args[1] == "," and args[3] == ",":
            return _length_px(args[0]), _length_px(args[4])
    return None


def _check_declaration(findings, where, selector, declaration, sizes):
    name = declaration.lower_name
    value = [t for t in declaration.value if t.type != "comment"]
    text = f"{name}: {tinycss2.serialize(value).strip()}"
    add = lambda why: findings.append(Finding(where, selector, text, why))  # noqa: E731
    if name in ("font-size", "font") and _viewport_sized(value):
        bounds = _clamped_px(value) if name == "font-size" else None
        if bounds is None or not (bounds[0] >= LARGE_PX or bounds[1] < LARGE_BOLD_PX):
            add("a font size that follows the window may be large text at one size and "
                "normal text at the other (clamp it within one of them)")
    if not sizes:
        return
    phone_only, desktop_only = sizes == {"phone"}, sizes == {"desktop"}
    if name in COLOUR_PROPERTIES or (name in COLOUR_SHORTHANDS and _has_colour(value)):
        add("a colour set for one window width only (set it outside the @media block)")
    elif name == "font":
        add("the font shorthand under a width condition (set font-size or font-weight)")
    elif name == "font-size":
        try:
            size = _font_size_px(value)
        except UnknownQuery as error:
            add(str(error))
            return
        if phone_only and size >= LARGE_BOLD_PX:
            add("large text on the phone only: the phone's contrast check would be the more "
                "lenient one")
        elif desktop_only and size < LARGE_PX:
            add("smaller text on the desktop only: the desktop's contrast threshold could be "
                "the stricter one")
        elif not (phone_only or desktop_only):
            add("a font size whose width condition this check cannot place")
    elif name == "font-weight":
        weight = _font_weight(value)
        if weight is None:
            add("a font weight this check cannot read")
        elif phone_only and weight >= BOLD:
            add("bold on the phone only: large-text contrast could apply there only")
        elif desktop_only and weight < BOLD:
            add("lighter text on the desktop only: its contrast threshold could be stricter")
        elif not (phone_only or desktop_only):
            add("a font weight whose width condition this check cannot place")
    elif name in RENDERING_PROPERTIES:
        words = {t.lower_value for t in value if t.type == "ident"}
        hides = bool(words & HIDING_VALUES) or name in ("clip", "clip-path")
        shows_on_desktop_only = (phone_only and hides) or (desktop_only and not hides) \
            or not (phone_only or desktop_only)
        if shows_on_desktop_only and not all(
                part.strip() in CONTRAST_AT_DESKTOP for part in selector.split(",")):
            add("renders at the desktop what the phone does not show: add the selector to "
                "CONTRAST_AT_DESKTOP in tests/browser/width_css.py")


def _walk(findings, path, rules, sizes, parent=None):
    """Check ``rules`` (a stylesheet's, an at-rule's, or a style rule's nested contents when
    ``parent`` is that rule's selector) applied at ``sizes`` (empty: at every width)."""
    for rule in rules:
        shown = path.relative_to(STATIC.parents[1]) if path.is_relative_to(STATIC) else path
        line = f"{shown}:{rule.source_line}"
        if rule.type == "declaration" and parent is not None:
            _check_declaration(findings, line, parent, rule, sizes)
        elif rule.type == "at-rule":
            keyword = rule.at_keyword.lower()
            inner_sizes = sizes
            if keyword in ("media", "import"):
                try:
                    found = media_sizes(rule.prelude)
                except UnknownQuery as error:
                    findings.append(Finding(line, f"@{keyword}", tinycss2.serialize(
                        rule.prelude).strip(), f"cannot tell at which width it holds: {error}"))
                    continue
                if keyword == "import":
                    if found - {"both"}:
                        findings.append(Finding(line, "@import", tinycss2.serialize(
                            rule.prelude).strip(), "a stylesheet for one width only"))
                    continue
                if not found:
                    continue  # print and the like: never applied to the sweep's screen
                inner_sizes = found if found != {"both"} else sizes
            elif keyword == "container":
                inner_sizes = {"phone", "desktop", "both"}  # a container's size follows the window
            if rule.content is None:
                continue
            if keyword in ("media", "supports", "layer", "container", "scope", "document"):
                if parent is None:
                    inner = tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                     skip_whitespace=True)
                else:
                    inner = tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                           skip_whitespace=True)
                _walk(findings, path, inner, inner_sizes, parent)
            # @font-face, @page, @keyframes (animations are not width-dependent): no colours
            # of a page's text in them that a width decides.
        elif rule.type == "qualified-rule":
            selector = " ".join(tinycss2.serialize(rule.prelude).split())
            if parent is not None:  # CSS nesting
                selector = selector.replace("&", parent) if "&" in selector \
                    else f"{parent} {selector}"
            contents = tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                      skip_whitespace=True)
            _walk(findings, path, contents, sizes, selector)
        elif rule.type == "error":
            findings.append(Finding(line, "", rule.message, "the stylesheet does not parse"))


def stylesheets():
    return sorted(STATIC.rglob("*.css"))


def width_dependent_contrast(paths=None) -> list[Finding]:
    """Every declaration of the stylesheets that could make a contrast verdict depend on the
    window's width (see the module's docstring)."""
    findings: list[Finding] = []
    for path in paths or stylesheets():
        rules = tinycss2.parse_stylesheet(path.read_text(encoding="utf-8"),
                                          skip_comments=True, skip_whitespace=True)
        _walk(findings, path, rules, set())
    return findings
