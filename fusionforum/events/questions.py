"""The three questions every company answers. They are the spine of the workshop: the call for
presentations asks them, the outcomes report is built from the answers."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class WorkshopQuestion:
    number: int
    key: str
    text: str | Promise  # translated when shown: str(question.text) in the active language


WORKSHOP_QUESTIONS = (
    WorkshopQuestion(
        1,
        "breakthroughs",
        _("What fusion breakthroughs have you achieved, and how, including at what scale?"),
    ),
    WorkshopQuestion(
        2, "challenges", _("What challenges remain to bring your approach to fruition?")
    ),
    WorkshopQuestion(3, "iter_help", _("How can ITER help?")),
)
