"""Demo data for this part of the workshop (being written)."""


def load(event) -> str:
    return ""
