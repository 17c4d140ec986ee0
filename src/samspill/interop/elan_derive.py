"""A scheme proposed from ELAN files whose tiers match no stored scheme, with the mapping
that reads them into it (``samspill import elan --derive-scheme``).

* a tier with times of its own gives events; its subject is the tier's PARTICIPANT, else the
  participant or name of the top-level tier above it (ELAN's dependent tiers belong to the
  same speaker);
* a controlled vocabulary's entries become codes (state codes, named by the entry's
  description, grouped by the vocabulary as their category); an external vocabulary's entries
  are not in the file, so the values the tier uses become its codes. Tiers of different
  subjects share the vocabulary's codes; a second tier of the same subject gets its own, so
  that two tiers never overlap as one state;
* a tier of free text with a handful of short labels (typed without a vocabulary) gets those
  labels as codes; other free text becomes one code per tier with each annotation's text as
  the event's comment;
* a tier without times of its own adds to the events of the annotations it belongs to: a
  vocabulary's values as a modifier set, free text to the comment.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from samspill.core.names import to_name
from samspill.core.scheme import Code, ModifierSet, Scheme
from samspill.interop.boris_ethogram import to_identifier
from samspill.interop.elan_mapping import ElanMapping, TierRule
from samspill.interop.elan_tiers import ElanFile, Tier

MAX_LABELS = 10  # a free-text tier with at most this many distinct short values is coded
_LABEL = re.compile(r"^\S+( \S+){0,2}$")


@dataclass
class TierPlan:
    """What one tier becomes, for the summary shown before importing."""

    tier: str
    becomes: str  # "codes", "one code", "comment", "modifier", "skipped"
    subject: str = ""
    codes: list[str] = field(default_factory=list)
    annotations: int = 0
    events: int = 0


@dataclass
class Proposal:
    scheme: Scheme
    mapping: ElanMapping
    plan: list[TierPlan]

    @property
    def events(self) -> int:
        return sum(p.events for p in self.plan)


def derive_scheme(files: list[ElanFile], *, scheme_id: str, name: str) -> Proposal:
    """The scheme and mapping for ``files`` (one file, or a folder's files coded alike)."""
    return _Deriver(files).run(to_identifier(scheme_id, "elan"), name)


class _Deriver:
    def __init__(self, files: list[ElanFile]) -> None:
        self.files = files
        self.tiers: dict[str, Tier] = {}  # first file's tier of each name
        self.values: dict[str, Counter[str]] = {}
        self.per_owner: Counter[str] = Counter()  # most annotations on one owner, per tier
        for file in files:
            for tier in file.tiers:
                self.tiers.setdefault(tier.id, tier)
                self.values.setdefault(tier.id, Counter()).update(a.value for a in tier.annotations)
                owners = Counter(a.owner for a in tier.annotations)
                self.per_owner[tier.id] = max(self.per_owner[tier.id], *owners.values(), 0)
        self.codes: dict[tuple[str, ...], Code] = {}
        self.taken: set[str] = set()
        self.cv_subjects: dict[str, set[str]] = {}
        self.rules: dict[str, TierRule] = {}
        self.plan: list[TierPlan] = []
        self.modifier_sets: list[ModifierSet] = []
        self.code_modifiers: dict[str, list[str]] = {}

    def run(self, scheme_id: str, name: str) -> Proposal:
        timed = [t for t in self.tiers.values() if t.timed]
        for tier in timed:
            self._timed(tier)
        for tier in self.tiers.values():
            if not tier.timed:
                self._reference(tier)
        codes = [c.model_copy(update={"modifiers": self.code_modifiers.get(c.id, [])})
                 for c in self.codes.values()]
        subjects = list(dict.fromkeys(s for c in codes for s in c.subjects))
        sources = ", ".join(f.source for f in self.files[:3]) + (
            " …" if len(self.files) > 3 else "")
        scheme = Scheme(id=scheme_id, name=name, subjects=subjects or ["subject"], codes=codes,
                        modifier_sets=self.modifier_sets,
                        description=f"Derived from the tiers of the ELAN file(s) {sources}.")
        order = {t.id: n for n, t in enumerate(self.tiers.values())}
        self.plan.sort(key=lambda p: order[p.tier])
        return Proposal(scheme, ElanMapping(scheme=scheme_id, tiers={
            p.tier: self.rules[p.tier] for p in self.plan}), self.plan)

    def _count(self, tier: Tier) -> int:
        return sum(self.values[tier.id].values())

    def _subject(self, tier: Tier) -> str:
        file = next(f for f in self.files if f.tier(tier.id) is tier)
        root = file.root_of(tier)
        return to_name(tier.participant or root.participant or root.id, "subject")

    def _timed(self, tier: Tier) -> None:
        subject = self._subject(tier)
        values = self.values[tier.id]
        vocabulary = next((f.vocabularies[tier.vocabulary] for f in self.files
                           if tier.vocabulary in f.vocabularies), None)
        if vocabulary is not None:
            users = self.cv_subjects.setdefault(vocabulary.id, set())
            scope = ("cv", vocabulary.id) if subject not in users else ("tier", tier.id)
            users.add(subject)
            described = dict(vocabulary.entries)
            labels = list(described) + sorted(v for v in values if v and v not in described)
            self._value_codes(tier, subject, scope, labels, described, vocabulary.id)
        elif self._labels(values):
            labels = sorted(v for v in values if v)
            self._value_codes(tier, subject, ("tier", tier.id), labels, {}, tier.id)
        else:
            code = self._code(("tier", tier.id), tier.id, tier.id, subject, tier.type)
            self.rules[tier.id] = TierRule(subject=subject, code=code.id)
            self.plan.append(TierPlan(tier.id, "one code", subject, [code.id], self._count(tier),
                                      self._count(tier)))

    def _labels(self, values: Counter[str]) -> bool:
        found = [v for v in values if v]
        return (0 < len(found) <= MAX_LABELS and all(len(v) <= 40 and _LABEL.match(v)
                                                     for v in found)
                and sum(values.values()) >= 2 * len(found))

    def _value_codes(self, tier: Tier, subject: str, scope: tuple[str, str], labels: list[str],
                     described: dict[str, str], category: str) -> None:
        mapped: dict[str, str | None] = {}
        for label in labels:
            code = self._code((*scope, label), label, described.get(label) or label, subject,
                              category)
            mapped[label] = code.id
        if "" in self.values[tier.id]:
            mapped[""] = None
        self.rules[tier.id] = TierRule(subject=subject, codes=mapped)
        self.plan.append(TierPlan(tier.id, "codes", subject, [c for c in mapped.values() if c],
                                  self._count(tier),
                                  self._count(tier) - self.values[tier.id][""]))

    def _code(self, key: tuple[str, ...], wanted: str, name: str, subject: str,
              category: str) -> Code:
        code = self.codes.get(key)
        if code is None:
            code_id = self._free_id(to_identifier(wanted, "code"))
            code = Code(id=code_id, name=name[:200], kind="state", subjects=[subject],
                        category=category or None)
        elif subject not in code.subjects:
            code = code.model_copy(update={"subjects": [*code.subjects, subject]})
        self.codes[key] = code
        return code

    def _free_id(self, wanted: str) -> str:
        code_id, n = wanted, 1
        while code_id in self.taken:
            n += 1
            code_id = f"{wanted[:60]}-{n}"
        self.taken.add(code_id)
        return code_id

    def _reference(self, tier: Tier) -> None:
        owner = self._owner_tier(tier)
        rule = self.rules.get(owner.id) if owner is not None else None
        count = self._count(tier)
        if rule is None:
            self.rules[tier.id] = TierRule(skip=True)
            self.plan.append(TierPlan(tier.id, "skipped", annotations=count))
            return
        vocabulary = next((f.vocabularies[tier.vocabulary] for f in self.files
                           if tier.vocabulary in f.vocabularies), None)
        if vocabulary is None:
            self.rules[tier.id] = TierRule(comment=True)
            self.plan.append(TierPlan(tier.id, "comment", rule.subject or "", [], count))
            return
        options = [v for v, _ in vocabulary.entries]
        options += sorted(v for v in self.values[tier.id] if v and v not in options)
        set_id = self._free_id(to_identifier(tier.id, "modifier"))
        self.modifier_sets.append(ModifierSet(
            id=set_id, label=tier.id, options=options or ["?"],
            choice="multiple" if self.per_owner[tier.id] > 1 else "single"))
        for code_id in [rule.code] if rule.code else [c for c in (rule.codes or {}).values() if c]:
            if set_id not in self.code_modifiers.setdefault(code_id, []):
                self.code_modifiers[code_id].append(set_id)
        self.rules[tier.id] = TierRule(modifier=set_id)
        self.plan.append(TierPlan(tier.id, "modifier", rule.subject or "", [set_id], count))

    def _owner_tier(self, tier: Tier) -> Tier | None:
        """The nearest tier with times above a tier without its own."""
        seen = {tier.id}
        while tier.parent and tier.parent not in seen:
            parent = self.tiers.get(tier.parent)
            if parent is None:
                return None
            if parent.timed:
                return parent
            seen.add(parent.id)
            tier = parent
        return None
