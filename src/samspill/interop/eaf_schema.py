"""Every ``.eaf`` Samspill writes is checked against ELAN's own schema, EAF 3.0, before it leaves.

ELAN opens files that break its schema only partly, or refuses them with little to go on; a
file refused here names the element and the rule instead, and nothing is written. The schema
(schemas/EAFv3.0.xsd, see schemas/README.md) ships with Samspill: no network is needed.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from samspill.core.errors import N_, InputError

if TYPE_CHECKING:
    import xmlschema

EAF_SCHEMA = "EAFv3.0.xsd"
_SHOWN = 5


@functools.cache
def eaf_schema() -> xmlschema.XMLSchema:
    """ELAN's EAF 3.0 schema, parsed once per process (xmlschema loads only when needed)."""
    import xmlschema

    source = resources.files("samspill.interop").joinpath("schemas", EAF_SCHEMA)
    with resources.as_file(source) as path:
        return xmlschema.XMLSchema(str(path))


def eaf_problems(data: bytes) -> list[str]:
    """What in the EAF document ``data`` breaks the EAF 3.0 schema (empty when it is valid)."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return [f"not well-formed XML ({exc})"]
    return [f"{error.path or '/'}: {error.reason or error.message}"
            for error in eaf_schema().iter_errors(root)]


def check_eaf(data: bytes, where: str) -> bytes:
    """``data`` unchanged when it is a valid EAF 3.0 document; else an InputError naming what
    breaks the schema, so that no file ELAN cannot open is written."""
    problems = eaf_problems(data)
    if problems:
        shown = "\n".join(f"- {p}" for p in problems[:_SHOWN])
        more = f"\n(and {len(problems) - _SHOWN} more)" if len(problems) > _SHOWN else ""
        raise InputError(N_("the ELAN file Samspill made breaks the EAF 3.0 schema in "
                            "{count} place(s):\n{value}"),
                         fix=N_("nothing was written; report this to the Samspill maintainers "
                                "with the study's scheme"), where=where,
                         params={"count": len(problems), "value": shown + more})
    return data
