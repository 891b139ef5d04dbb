"""The three questions every company answers. They are the spine of the workshop: the call for
presentations asks them, the outcomes report is built from the answers."""

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkshopQuestion:
    number: int
    key: str
    text: str


WORKSHOP_QUESTIONS = (
    WorkshopQuestion(
        1,
        "breakthroughs",
        "What fusion breakthroughs have you achieved, and how, including at what scale?",
    ),
    WorkshopQuestion(
        2, "challenges", "What challenges remain to bring your approach to fruition?"
    ),
    WorkshopQuestion(3, "iter_help", "How can ITER help?"),
)
