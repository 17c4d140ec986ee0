"""YAML with line numbers, so that every scheme error can name its line."""

from __future__ import annotations

from typing import Any

import yaml

from samspill.core.problems import Path


class _SafeLineLoader(yaml.SafeLoader):
    """A safe loader; no Python objects, no aliases bombs beyond PyYAML's own limits."""


def load_with_lines(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML into plain data and keep the node tree for line look-ups.

    Raises ``yaml.YAMLError`` on malformed input; the caller turns it into a located problem.
    """
    node = yaml.compose(text, Loader=_SafeLineLoader)
    data = yaml.load(text, Loader=_SafeLineLoader) if node is not None else None
    return data, node


def line_of(node: yaml.Node | None, path: Path) -> int | None:
    """The 1-based line of the value at ``path``, or of its nearest existing parent."""
    if node is None:
        return None
    current = node
    for part in path:
        child = _child(current, part)
        if child is None:
            break
        current = child
    line: int = current.start_mark.line  # 0-based; yaml has no type information
    return line + 1


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value
    if (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        return node.value[part]
    return None
