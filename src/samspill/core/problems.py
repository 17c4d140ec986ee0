"""Problems found while checking input: collected, not raised one at a time.

A user fixing a scheme file or an events CSV wants every problem at once, each with its place
and the fix, so checks return lists of :class:`Problem` and the caller raises once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with where it is and how to fix it."""

    message: str
    fix: str = ""
    path: Path = ()
    where: str = ""

    def located(self, where: str) -> Problem:
        return Problem(self.message, self.fix, self.path, where)

    def __str__(self) -> str:
        head = (
            f"{self.where}: "
            if self.where
            else (f"{format_path(self.path)}: " if self.path else "")
        )
        tail = f" Fix: {self.fix}" if self.fix else ""
        return f"{head}{self.message}.{tail}"


def format_path(path: Path) -> str:
    """``("codes", 3, "key")`` → ``codes[3].key``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def summarise(problems: Sequence[Problem], limit: int = 20) -> str:
    """All problems on one line each, at most ``limit`` of them."""
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more")
    return "\n".join(lines)
