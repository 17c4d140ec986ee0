"""The confirmation after an owner marks or unmarks a master (session page, coding screen)."""

from __future__ import annotations

from samspill.store.models import Coding


def master_done(asked: str, visible: list[Coding]) -> dict | None:
    """What the page confirms after marking or unmarking a master (``?master=marked-12``):
    said only of a coding the user sees, with its state as stored now."""
    done, _, number = asked.partition("-")
    found = [c for c in visible if str(c.id) == number]
    if done not in ("marked", "unmarked") or not found:
        return None
    return {"done": done, "coding": found[0]}
