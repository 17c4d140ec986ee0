"""ELAN files coded under a lab's own scheme: a scheme derived from the file (shown, then
stored as a scheme version when the user confirms), or a mapping of tiers onto a stored
scheme, written once and reused for a folder. Storing goes the way of every import
(:func:`samspill.services.imports._store`): all or nothing, in the caller's unit of work.
"""

from __future__ import annotations

import os

import yaml
from sqlalchemy.orm import Session

from samspill.core.errors import N_, EventError, InputError
from samspill.core.scheme import Scheme
from samspill.interop.elan import elan_scheme, read_elan
from samspill.interop.elan_derive import Proposal, derive_scheme
from samspill.interop.elan_mapping import ElanMapping, TierRule, apply_mapping, mapping_yaml
from samspill.interop.elan_tiers import ElanFile, read_tiers
from samspill.interop.model import Imported, Observation, Project
from samspill.services import imports
from samspill.services.schemes import latest_version, register_scheme, scheme_of


def derived_id(source: str) -> str:
    """The derived scheme's id: ``elan-`` and the file's (or folder's) name."""
    return "elan-" + os.path.basename(source.rstrip("/")).removesuffix(".eaf")


def propose(files: list[ElanFile], source: str) -> Proposal:
    """The scheme and mapping derived from ``files`` (nothing stored)."""
    return derive_scheme(files, scheme_id=derived_id(source),
                         name=f"ELAN tiers of {os.path.basename(source.rstrip('/'))}")


def scheme_yaml(scheme: Scheme) -> str:
    """The scheme as a file ``samspill scheme load`` accepts."""
    body = scheme.model_dump(mode="json", exclude_defaults=True)
    text: str = yaml.safe_dump({"id": scheme.id, "version": scheme.version, **body},
                          allow_unicode=True, sort_keys=False, width=100)
    return text


def summary_lines(proposal: Proposal) -> list[str]:
    """The proposal in words: what each tier becomes."""
    scheme = proposal.scheme
    lines = [f"scheme {scheme.id}: {len(scheme.subjects)} subject(s) "
             f"({', '.join(scheme.subjects)}), {len(scheme.codes)} code(s), "
             f"{len(scheme.modifier_sets)} modifier set(s); {proposal.events} event(s)"]
    for plan in proposal.plan:
        said = {"codes": f"codes {', '.join(plan.codes[:12])}"
                         + (" …" if len(plan.codes) > 12 else ""),
                "one code": f"code {', '.join(plan.codes)}, its text as the comment",
                "comment": "text added to the comment of the events it belongs to",
                "modifier": f"modifier set {', '.join(plan.codes)} of the events it belongs to",
                "skipped": "left out (it belongs to no event)"}[plan.becomes]
        who = f" of {plan.subject}" if plan.subject and plan.events else ""
        lines.append(f"  tier '{plan.tier}'{who}: {plan.annotations} annotation(s) → "
                     f"{plan.events} event(s); {said}")
    return lines


def needs_scheme(db: Session, data: bytes, source: str, scheme_id: str | None = None) -> bool:
    """The file does not fit the scheme an import would read it with (the chosen one, the one
    Samspill's export names, else the default): time to derive one or map the tiers."""
    if scheme_id is None and elan_scheme(data, source=source) is not None:
        return False
    row = latest_version(db, scheme_id or imports.DEFAULT_SCHEME)
    try:
        read_elan(data, scheme=scheme_of(row), source=source)
    except EventError:
        return True
    return False


def starter_mapping(files: list[ElanFile], scheme: Scheme) -> str:
    """A mapping of the file's tiers onto a stored scheme, to edit: values that are a code's
    id or name are mapped, every other value and unknown subject is '?'."""
    proposal = propose(files, files[0].source)
    by_name = {c.name.casefold(): c.id for c in scheme.codes} | {c.id: c.id for c in
                                                                  scheme.codes}
    rules: dict[str, TierRule] = {}
    for tier_id, rule in proposal.mapping.tiers.items():
        if rule.codes is not None or rule.code is not None:
            subject = rule.subject if rule.subject in scheme.subjects else "?"
            values = rule.codes or {tier_id: rule.code}
            codes: dict[str, str | None] = {v: by_name.get(v.casefold(), "?") for v in values
                                            if v}
            rules[tier_id] = (TierRule(subject=subject, codes=codes) if rule.codes is not None
                              else TierRule(subject=subject, code=codes.get(tier_id, "?")))
        else:
            rules[tier_id] = TierRule(comment=True) if rule.modifier is None or not any(
                m.id == rule.modifier for m in scheme.modifier_sets) else rule
    note = (f"Starter mapping onto scheme {scheme.id}: replace each '?' with one of its\n"
            f"subjects ({', '.join(scheme.subjects)}) or codes:\n"
            f"{', '.join(c.id for c in scheme.codes[:40])}.")
    return mapping_yaml(ElanMapping(scheme=scheme.id, tiers=rules), note)


def import_elan_mapped(db: Session, target: imports.Target, data: bytes, *, session: str,
                       source: str = "session.eaf", mapping: ElanMapping,
                       scheme: Scheme | None = None, scheme_id: str | None = None,
                       progress: imports.Progress = imports._quiet) -> imports.ImportResult:
    """An ELAN file read through ``mapping`` as one coding of ``session``: under ``scheme``
    (a derived one, stored as a new scheme version unless the same content is stored), else
    the newest version of ``scheme_id`` or of the mapping's scheme."""
    if scheme is not None:
        row = register_scheme(db, scheme)
    else:
        wanted = scheme_id or mapping.scheme
        if not wanted:
            raise InputError(N_("the mapping names no scheme"),
                             fix=N_("add 'scheme: ID' to the mapping, or give --scheme"))
        row = latest_version(db, wanted)
    file = read_tiers(data, source=source)
    events, warnings = apply_mapping(file, mapping, scheme_of(row))
    progress(0.2)
    observation = Observation(name=session, events=events)
    imported = Imported(project=Project(scheme=scheme_of(row), observations=[observation]))
    result = imports._store(db, target, imported, row, progress, kind="ELAN")
    result.warnings += warnings
    return result


def import_elan_derived(db: Session, target: imports.Target, data: bytes, *, session: str,
                        source: str = "session.eaf",
                        progress: imports.Progress = imports._quiet) -> imports.ImportResult:
    """An ELAN file under the scheme derived from it (the web dialog's confirm button)."""
    proposal = propose([read_tiers(data, source=source)], source)
    return import_elan_mapped(db, target, data, session=session, source=source,
                              mapping=proposal.mapping, scheme=proposal.scheme,
                              progress=progress)


def preview(data: bytes, source: str) -> tuple[Proposal, dict[str, int]]:
    """The derived scheme and its events per code, read as the import would read them: a
    file it would refuse (overlaps, bad times) is refused here already, naming the tier."""
    file = read_tiers(data, source=source)
    proposal = propose([file], source)
    events, _ = apply_mapping(file, proposal.mapping, proposal.scheme)
    counts = {c.id: 0 for c in proposal.scheme.codes}
    for event in events:
        counts[event.code] += 1
    return proposal, counts
