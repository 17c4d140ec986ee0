"""An ELAN file's tiers as plain data, for deriving a scheme and for mapping files.

Every annotation gets its times in integer ms: a time-aligned annotation from its slots (a
slot without a time, as a Time_Subdivision tier has, is placed evenly between the known slots
around it, as ELAN draws it); a reference annotation (Symbolic_Association or _Subdivision)
takes no times of its own but points to the time-aligned annotation it belongs to
(``owner``). Controlled vocabularies come with their entries (the first language's value);
an external vocabulary (EAF 2.8+, ``EXT_REF``) has none in the file.
"""

from __future__ import annotations

import os
import re
import tempfile
import warnings as pywarnings
from dataclasses import dataclass, field
from itertools import pairwise

from defusedxml import ElementTree as SafeET
from pympi import Elan

from samspill.core.errors import N_, InputError
from samspill.interop.safety import as_bytes, check_ms, check_xml

# EAF versions pympi and this reader understand (ELAN has written 2.0 to 3.0 since 2002).
KNOWN_VERSION = re.compile(r"^(2\.[0-8]|3\.0)$")


@dataclass(frozen=True)
class Annotation:
    id: str
    value: str
    onset_ms: int | None = None  # None for a reference annotation
    offset_ms: int | None = None
    owner: str = ""  # the time-aligned annotation a reference annotation belongs to


@dataclass
class Tier:
    id: str
    participant: str
    type: str  # the linguistic type
    constraint: str  # "" for a top-level or plain tier
    vocabulary: str  # the controlled vocabulary's id, "" when none
    parent: str
    annotations: list[Annotation] = field(default_factory=list)

    @property
    def timed(self) -> bool:
        """Its annotations have times of their own (else they refer to a parent's)."""
        return self.constraint not in ("Symbolic_Association", "Symbolic_Subdivision")


@dataclass(frozen=True)
class Vocabulary:
    id: str
    description: str
    entries: list[tuple[str, str]]  # (value, description), in the file's order
    external: str = ""  # the URL of an external vocabulary


@dataclass
class ElanFile:
    source: str
    version: str
    tiers: list[Tier]
    vocabularies: dict[str, Vocabulary]

    def tier(self, tier_id: str) -> Tier | None:
        return next((t for t in self.tiers if t.id == tier_id), None)

    def root_of(self, tier: Tier) -> Tier:
        """The top-level tier above ``tier`` (itself when it has no parent)."""
        seen = {tier.id}
        while tier.parent and (parent := self.tier(tier.parent)) and parent.id not in seen:
            seen.add(parent.id)
            tier = parent
        return tier


def check_version(raw: bytes, source: str) -> str:
    """The file's EAF version; a version this reader does not know is refused."""
    root = SafeET.fromstring(raw)
    if root.tag != "ANNOTATION_DOCUMENT":
        raise InputError(N_("not a readable ELAN document (no ANNOTATION_DOCUMENT)"),
                         fix=N_("choose an .eaf file saved by ELAN"), where=source)
    version = (root.get("VERSION") or root.get("FORMAT") or "").strip()
    if not KNOWN_VERSION.match(version):
        raise InputError(N_("ELAN format version '{version}' is unknown (Samspill reads EAF "
                            "2.0 to 3.0)"),
                         fix=N_("open the file in a current ELAN and save it again (EAF 3.0)"),
                         where=source, params={"version": version or "missing"})
    return version


def read_tiers(data: bytes | str, *, source: str = "session.eaf") -> ElanFile:
    """Every tier of the file with its annotations, times in ms."""
    raw = as_bytes(data, source)
    check_xml(raw, source)
    version = check_version(raw, source)
    eaf = parse_eaf(raw, source)
    try:
        tiers = [_tier(eaf, name, source) for name in eaf.tiers]
        _resolve_owners(tiers, source)
        return ElanFile(source, version, tiers, _vocabularies(eaf))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InputError(N_("the ELAN file is inconsistent ({name}: {reason})"),
                         fix=N_("open it in ELAN, check the tiers and save it again"),
                         where=source,
                         params={"name": type(exc).__name__, "reason": str(exc)}) from exc


def parse_eaf(raw: bytes, source: str) -> Elan.Eaf:
    """pympi's reader (after :func:`check_xml`): it reads only from a path."""
    handle, path = tempfile.mkstemp(suffix=".eaf")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(raw)
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore")
            return Elan.Eaf(path, suppress_version_warning=True)
    except Exception as exc:  # pympi raises bare Exception, KeyError... on odd documents
        raise InputError(N_("not a readable ELAN document ({name}: {reason})"),
                         params={"name": str(type(exc).__name__), "reason": str(exc)},
                         fix=N_("open it in ELAN and save it again"), where=source) from exc
    finally:
        os.unlink(path)


def _tier(eaf: Elan.Eaf, name: str, source: str) -> Tier:
    aligned, refs, params, _ = eaf.tiers[name]
    ltype = params.get("LINGUISTIC_TYPE_REF") or ""
    type_params = eaf.linguistic_types.get(ltype, {})
    tier = Tier(id=name, participant=(params.get("PARTICIPANT") or "").strip(), type=ltype,
                constraint=type_params.get("CONSTRAINTS") or "",
                vocabulary=type_params.get("CONTROLLED_VOCABULARY_REF") or "",
                parent=params.get("PARENT_REF") or "")
    times = _slot_times(eaf, aligned)
    for aid, (ts1, ts2, value, _) in aligned.items():
        where = f"{source}: tier '{name}', annotation {aid}"
        start, end = times.get(ts1), times.get(ts2)
        if start is None or end is None:
            raise InputError(N_("the annotation has no time"), fix=N_("align it in ELAN"),
                             where=where)
        tier.annotations.append(Annotation(aid, (value or "").strip(), check_ms(start, where),
                                           check_ms(end, where), owner=aid))
    for aid, (ref, value, _, _) in refs.items():
        tier.annotations.append(Annotation(aid, (value or "").strip(), owner=ref))
    tier.annotations.sort(key=lambda a: (a.onset_ms or 0, a.id))
    return tier


def _slot_times(eaf: Elan.Eaf, aligned: dict[str, tuple[str, str, str, str]]) -> dict[str, int]:
    """The time of each slot of a tier; slots without one (a subdivision's inner
    boundaries) are spread evenly between the known ones along each chain of annotations."""
    times = {ts: t for ts, t in eaf.timeslots.items() if isinstance(t, int)}
    following = {ts1: ts2 for ts1, ts2, _, _ in aligned.values()}
    ends = set(following.values())
    for start in [ts for ts in following if ts not in ends]:
        chain = [start]
        while chain[-1] in following and len(chain) <= len(following):
            chain.append(following[chain[-1]])
        _interpolate(chain, times)
    return times


def _interpolate(chain: list[str], times: dict[str, int]) -> None:
    known = [i for i, ts in enumerate(chain) if ts in times]
    for a, b in pairwise(known):
        for i in range(a + 1, b):
            times[chain[i]] = round(times[chain[a]] + (times[chain[b]] - times[chain[a]])
                                    * (i - a) / (b - a))


def _resolve_owners(tiers: list[Tier], source: str) -> None:
    """Point each reference annotation at the time-aligned annotation above it."""
    by_id = {a.id: a for t in tiers for a in t.annotations}
    for tier in tiers:
        for n, annotation in enumerate(tier.annotations):
            owner, seen = annotation.owner, set()
            while owner in by_id and by_id[owner].onset_ms is None and owner not in seen:
                seen.add(owner)
                owner = by_id[owner].owner
            if owner not in by_id or by_id[owner].onset_ms is None:
                raise InputError(N_("annotation {id} refers to {owner}, which does not exist"),
                                 fix=N_("repair the tier in ELAN"),
                                 where=f"{source}: tier '{tier.id}'",
                                 params={"id": annotation.id, "owner": str(annotation.owner)})
            tier.annotations[n] = Annotation(annotation.id, annotation.value,
                                             annotation.onset_ms, annotation.offset_ms, owner)


def _vocabularies(eaf: Elan.Eaf) -> dict[str, Vocabulary]:
    out = {}
    refs = getattr(eaf, "external_refs", {})
    for cv_id, (descriptions, entries, ext_ref) in eaf.controlled_vocabularies.items():
        described = next((d for _, d in descriptions if d), "")
        values = []
        for values_ml, _ in entries.values():
            value, _, text = values_ml[0] if values_ml else ("", "", "")
            if value and value.strip():
                values.append((value.strip(), (text or "").strip()))
        external = refs.get(ext_ref, ("", ""))[1] if ext_ref else ""
        out[cv_id] = Vocabulary(cv_id, described, values, external)
    return out
