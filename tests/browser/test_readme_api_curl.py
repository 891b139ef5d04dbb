"""The README's API section, run as written: its curl lines against the demo served by
gunicorn (``demo_site``), with an organiser's write token made by the token service. Only the
placeholders are filled in (the token, the server's address, a registration's number, a
badge's code, two different confirmed people for the two check-ins); every line must answer
2xx, as the README promises."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import _run

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.own_sqlite]  # the demo server's own SQLite file

SETUP = """
import json
from fusionforum.accounts.models import User
from fusionforum.api.models import TokenScope
from fusionforum.api.services import create_token
from fusionforum.registration.badges import badge_token
from fusionforum.registration.models import Registration
organiser = User.objects.get(email="organiser@demo.fusionforum.invalid")
_, raw = create_token(organiser, name="README check", scope=TokenScope.WRITE,
                      expires_in_days=7, all_events=True, verified=True)
ready = list(Registration.objects.filter(event__slug="demo-workshop", status="confirmed",
                                         checked_in_at__isnull=True).order_by("pk")[:2])
print(json.dumps({"token": raw, "by_code": badge_token(ready[0]), "by_number": ready[1].pk}))
"""


def readme_api_blocks() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## The API", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.S)


def commands(block: str) -> list[str]:
    """The block's curl commands, continuation lines joined, comments and assignments left
    out."""
    joined = re.sub(r"\\\n\s*", " ", block)
    return [line.split("   #")[0].strip() for line in joined.splitlines()
            if line.strip().startswith("curl ")]


def test_the_readme_api_lines_work_on_the_demo(demo_site):
    made = json.loads(_run(["manage.py", "shell", "--no-imports", "-c", SETUP],
                           demo_site["env"], 120).strip().splitlines()[-1])
    blocks = readme_api_blocks()
    assert len(blocks) == 2, "the README's API section has its two shell blocks"
    lines = [c for block in blocks for c in commands(block)]
    assert any("/check-ins/" in c for c in lines) and any("/registrations/" in c for c in lines)
    answers = []
    for line in lines:
        line = (line.replace("$TOKEN", made["token"])
                .replace("http://127.0.0.1:8000", demo_site["url"])
                .replace("<the code its QR code reads>", made["by_code"])
                .replace("registrations/42/", f"registrations/{made['by_number']}/")
                .replace('{"registration": 42}', f'{{"registration": {made["by_number"]}}}'))
        assert "<" not in line.replace("<etag of the last answer>", ""), line
        done = subprocess.run(
            ["bash", "-c", line + " --silent --show-error --output /dev/null "
             "--write-out '%{http_code}'"],
            capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        answers.append((line.split("/api/v1/", 1)[1].split()[0], int(done.stdout)))
    assert all(200 <= status < 300 for _, status in answers), answers
