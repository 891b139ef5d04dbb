"""The page sweep checks colour contrast at phone size only; these tests prove that no
stylesheet of the project lets a contrast verdict depend on the window's width (see
``width_css``), and that the check itself sees what it must."""

from __future__ import annotations

import pytest

from . import width_css


def test_no_stylesheet_makes_contrast_depend_on_the_width():
    assert width_css.stylesheets(), "no stylesheet found under fusionforum/static"
    findings = width_css.width_dependent_contrast()
    assert findings == [], "\n".join(str(f) for f in findings)


def test_every_desktop_contrast_selector_is_still_in_a_stylesheet():
    text = " ".join(" ".join(p.read_text().split()) for p in width_css.stylesheets())
    stale = [s for s in width_css.CONTRAST_AT_DESKTOP if s not in text]
    assert stale == [], f"CONTRAST_AT_DESKTOP names selectors no stylesheet has: {stale}"


def _findings(tmp_path, css):
    sheet = tmp_path / "sheet.css"
    sheet.write_text(css)
    return [f"{f.selector} {{ {f.declaration} }}" for f in
            width_css.width_dependent_contrast([sheet])]


@pytest.mark.parametrize("css, found", [
    # Colours under a width condition, in every spelling the stylesheets use.
    ("@media (max-width: 40rem) { a { color: #000; } }", ["a { color: #000 }"]),
    ("@media (min-width: 56rem) { .x { background: var(--brand); } }",
     [".x { background: var(--brand) }"]),
    ("@media (max-width: 40rem) { tr { border: 1px solid #c9d6e0; } }",
     ["tr { border: 1px solid #c9d6e0 }"]),
    ("@media (width < 40rem) { p { opacity: 0.8; } }", ["p { opacity: 0.8 }"]),
    ("@media screen and (max-width: 30em) { p { outline: 2px solid red; } }",
     ["p { outline: 2px solid red }"]),
    ("@supports (display: grid) { @media (max-width: 40rem) { p { filter: blur(1px); } } }",
     ["p { filter: blur(1px) }"]),
    ("@container (min-width: 20rem) { p { color: red; } }", ["p { color: red }"]),
    (".card { @media (max-width: 40rem) { background-color: #fff; } }",
     [".card { background-color: #fff }"]),
    # Text that is large at one width only changes the contrast threshold.
    ("@media (max-width: 40rem) { h2 { font-size: 1.5rem; } }",
     ["h2 { font-size: 1.5rem }"]),
    ("@media (min-width: 56rem) { h2 { font-size: 0.9rem; } }",
     ["h2 { font-size: 0.9rem }"]),
    ("@media (max-width: 40rem) { th { font-weight: bold; } }",
     ["th { font-weight: bold }"]),
    ("h1 { font-size: clamp(1rem, 4vw, 2.6rem); }",
     ["h1 { font-size: clamp(1rem, 4vw, 2.6rem) }"]),
    # What the desktop shows and the phone hides, unless listed for the desktop's check.
    ("@media (min-width: 56rem) { .panel { display: flex; } }",
     [".panel { display: flex }"]),
    ("@media (max-width: 40rem) { thead { clip: rect(0 0 0 0); } }",
     ["thead { clip: rect(0 0 0 0) }"]),
    # A query this check cannot place is a finding, never a silent pass.
    ("@media (min-aspect-ratio: 1/1) { p { color: red; } }",
     ["@media { (min-aspect-ratio: 1/1) }"]),
    # Width-independent rules pass.
    ("@media print { body { color: #000; background: #fff; } }", []),
    ("@media (prefers-reduced-motion: reduce) { * { color: red; } }", []),
    ("@media (min-width: 10rem) { p { color: red; } }", []),  # both sizes
    ("@media (max-width: 40rem) { td { border: 0; font-size: 1rem; font-weight: 600; } }",
     []),
    ("@media (max-width: 40rem) { .menu { display: block; box-shadow: 0 1px red; } }", []),
    ("@media (min-width: 56rem) { .menu > summary { display: none; } }", []),
    ("h1 { font-size: clamp(1.8rem, 4vw, 2.6rem); }", []),
    ("@media (min-width: 56rem) { .site-menu-panel { display: flex; } }", []),
])
def test_the_check_finds_what_makes_contrast_depend_on_the_width(tmp_path, css, found):
    assert _findings(tmp_path, css) == found
