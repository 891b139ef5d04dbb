def load(event) -> str:
    return "Meetings: not loaded yet"
