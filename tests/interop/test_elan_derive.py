"""ELAN files coded under a lab's own scheme (issue 13): pympi's sample files (EAF 2.7, 2.8,
3.0) read into a derived scheme, mappings written and read back, bad files refused."""

from __future__ import annotations

import gzip
import re
import tempfile
import warnings
from itertools import pairwise
from pathlib import Path

import pytest
from pympi import Elan

from samspill.core.errors import EventError, InputError
from samspill.core.scheme_check import parse_scheme, scheme_problems
from samspill.interop.elan_derive import derive_scheme
from samspill.interop.elan_mapping import (
    ElanMapping,
    TierRule,
    apply_mapping,
    load_mapping,
    mapping_yaml,
)
from samspill.interop.elan_tiers import read_tiers
from samspill.services.elan_imports import scheme_yaml

SAMPLES = Path(__file__).parent / "pympi_samples"
VERSIONS = ("2.7", "2.8", "3.0")


def sample(version: str) -> bytes:
    return gzip.decompress((SAMPLES / f"sample_{version}.eaf.gz").read_bytes())


def pympi_counts(data: bytes) -> tuple[int, int]:
    """pympi's own count of the file's time-aligned annotations (with a value, and all)."""
    with tempfile.NamedTemporaryFile(suffix=".eaf") as handle:
        handle.write(data)
        handle.flush()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eaf = Elan.Eaf(handle.name, suppress_version_warning=True)
    aligned = [v for tier in eaf.tiers.values() for v in tier[0].values()]
    return sum(1 for v in aligned if (v[2] or "").strip()), len(aligned)


@pytest.mark.parametrize("version", VERSIONS)
def test_each_pympi_sample_imports_with_a_derived_scheme(version: str) -> None:
    data = sample(version)
    file = read_tiers(data, source=f"sample_{version}.eaf")
    assert file.version == version
    proposal = derive_scheme([file], scheme_id=f"elan-sample_{version}", name="sample")
    assert scheme_problems(proposal.scheme) == []
    # the YAML shown to the user is a scheme file the loader accepts, the same scheme
    assert parse_scheme(scheme_yaml(proposal.scheme)) == proposal.scheme
    events, notes = apply_mapping(file, proposal.mapping, proposal.scheme)
    with_value, aligned = pympi_counts(data)
    assert len(events) == proposal.events == with_value == aligned
    assert notes == []
    assert all(type(e.onset_ms) is int and type(e.offset_ms) is int and e.offset_ms >= e.onset_ms
               for e in events)
    # the vocabulary's entries are the gesture tier's codes, named by their descriptions
    assert proposal.mapping.tiers["gestures"].codes == {
        "prep": "prep", "hold": "hold", "stroke": "stroke", "retr": "retr"}
    assert proposal.scheme.code("prep") is not None
    assert proposal.scheme.code("prep").name == "preparation"  # type: ignore[union-attr]
    # free text: one code per tier, each annotation's text its comment; words join it
    first = next(e for e in events if e.code == "text")
    assert first.comment.startswith("The quick brown fox 001\nwords-symsub: The quick")
    # a vocabulary on a tier without times: a modifier of the events it belongs to
    assert set(first.modifiers["words-pos"]) <= {"v", "n", "adj"}


def test_subdivided_words_get_times_spread_between_the_known_ones() -> None:
    file = read_tiers(sample("3.0"), source="s.eaf")
    words = file.tier("words-timesub")
    assert words is not None
    times = [(a.onset_ms, a.offset_ms) for a in words.annotations[:5]]
    # each word starts where the one before ends, within the sentence 2000–5000 ms
    assert times[0][0] == 2000 and times[-1][1] == 5000
    assert all(a[1] == b[0] for a, b in pairwise(times))


def test_a_mapping_round_trips_through_its_yaml() -> None:
    file = read_tiers(sample("2.8"), source="s.eaf")
    proposal = derive_scheme([file], scheme_id="elan-s", name="s")
    text = mapping_yaml(proposal.mapping, note="edited by hand")
    again = load_mapping(text, source="m.yaml")
    assert again == proposal.mapping
    assert "# edited by hand" in text
    events, _ = apply_mapping(file, again, proposal.scheme)
    first, _ = apply_mapping(file, proposal.mapping, proposal.scheme)
    assert events == first


def test_a_mapping_onto_fewer_codes_leaves_out_what_it_says() -> None:
    file = read_tiers(sample("3.0"), source="s.eaf")
    proposal = derive_scheme([file], scheme_id="elan-s", name="s")
    mapping = ElanMapping(scheme="elan-s", tiers={
        "gestures": TierRule(subject="gestures", codes={"prep": None, "hold": "hold",
                                                        "stroke": "stroke", "retr": None}),
        "text": TierRule(skip=True)})
    events, notes = apply_mapping(file, mapping, proposal.scheme)
    assert {e.code for e in events} == {"hold", "stroke"}
    assert any("left out" in n and "words-pos" in n for n in notes)


def test_an_unmapped_value_and_a_wrong_code_are_named_once_per_tier() -> None:
    file = read_tiers(sample("3.0"), source="s.eaf")
    proposal = derive_scheme([file], scheme_id="elan-s", name="s")
    mapping = ElanMapping(tiers={
        "gestures": TierRule(subject="gestures", codes={"prep": "prep"}),
        "text": TierRule(subject="text", code="?")})
    with pytest.raises(EventError) as refused:
        apply_mapping(file, mapping, proposal.scheme)
    text = str(refused.value)
    assert "s.eaf: tier 'gestures'" in text and "'hold' has no code in the mapping" in text
    assert "s.eaf: tier 'text': '?' is not a code of scheme 'elan-s'" in text


def _with_version(data: bytes, version: str) -> bytes:
    return re.sub(rb'VERSION="3\.0"', f'VERSION="{version}"'.encode(), data, count=1)


@pytest.mark.parametrize("version", ["4.0", "1.0", ""])
def test_an_unknown_version_is_refused_naming_the_file(version: str) -> None:
    data = re.sub(rb' FORMAT="3\.0"', b"", _with_version(sample("3.0"), version), count=1)
    with pytest.raises(InputError, match="ELAN format version") as refused:
        read_tiers(data, source="odd.eaf")
    assert refused.value.where == "odd.eaf"


def test_the_plain_reader_refuses_an_unknown_version_too() -> None:
    from samspill.interop.elan import read_elan
    from samspill.services.elan_imports import derived_id

    data = re.sub(rb' FORMAT="3\.0"', b"", _with_version(sample("3.0"), "5.1"), count=1)
    proposal = derive_scheme([read_tiers(sample("3.0"), source="x.eaf")],
                             scheme_id=derived_id("x.eaf"), name="x")
    with pytest.raises(InputError, match=r"'5\.1' is unknown"):
        read_elan(data, scheme=proposal.scheme, source="x.eaf")


def test_overlapping_annotations_on_a_tier_are_refused_naming_file_and_tier() -> None:
    data = sample("3.0")
    # the gestures tier's second annotation starts (ts7) at the first one's start (ts1)
    data = data.replace(b'ANNOTATION_ID="a4391" CVE_REF="cveid1" TIME_SLOT_REF1="ts7"',
                        b'ANNOTATION_ID="a4391" CVE_REF="cveid1" TIME_SLOT_REF1="ts1"', 1)
    file = read_tiers(data, source="broken.eaf")
    proposal = derive_scheme([file], scheme_id="elan-b", name="b")
    with pytest.raises(EventError) as refused:
        apply_mapping(file, proposal.mapping, proposal.scheme)
    assert "broken.eaf: tier 'gestures' at 00:01.800: two annotations overlap" in str(
        refused.value)


def test_norwegian_tiers_and_values_keep_their_letters() -> None:
    eaf = Elan.Eaf()
    eaf.add_tier("Gråt", part="Barn")
    for n, value in enumerate(["gråt", "sutring", "gråt", "sutring", "gråt", "ærlig"]):
        eaf.add_annotation("Gråt", n * 1000, n * 1000 + 500, value)
    eaf.remove_tier("default")
    data = Elan.to_string(eaf).encode("utf-8")
    file = read_tiers(data, source="hjemmebesøk.eaf")
    proposal = derive_scheme([file], scheme_id="elan-hjemmebesøk", name="h")
    assert proposal.scheme.id == "elan-hjemmebesøk"
    assert proposal.scheme.subjects == ["Barn"]
    assert {c.id for c in proposal.scheme.codes} == {"gråt", "sutring", "ærlig"}
    events, _ = apply_mapping(file, proposal.mapping, proposal.scheme)
    assert len(events) == 6


def test_two_tiers_of_one_speaker_with_one_vocabulary_get_codes_of_their_own() -> None:
    eaf = Elan.Eaf()
    eaf.remove_tier("default")
    eaf.add_language("und")
    eaf.add_controlled_vocabulary("gaze")
    for value in ("face", "away"):
        eaf.add_cv_entry("gaze", value, [(value, "und", None)])
    eaf.add_linguistic_type("gaze-lt", param_dict={
        "LINGUISTIC_TYPE_ID": "gaze-lt", "TIME_ALIGNABLE": "true", "GRAPHIC_REFERENCES": "false",
        "CONTROLLED_VOCABULARY_REF": "gaze"})
    for tier in ("left eye", "right eye"):
        eaf.add_tier(tier, ling="gaze-lt", part="child")
        eaf.add_annotation(tier, 0, 1000, "face")
    file = read_tiers(Elan.to_string(eaf).encode("utf-8"), source="g.eaf")
    proposal = derive_scheme([file], scheme_id="elan-g", name="g")
    left, right = (proposal.mapping.tiers[t].codes for t in ("left eye", "right eye"))
    assert left == {"face": "face", "away": "away"}
    assert right == {"face": "face-2", "away": "away-2"}
    events, _ = apply_mapping(file, proposal.mapping, proposal.scheme)
    assert len(events) == 2  # both run at once without being one state twice


def test_the_documented_mapping_fits_the_open_scheme() -> None:
    from samspill.core.scheme_check import load_builtin_scheme

    doc = (Path(__file__).parents[2] / "docs" / "interop.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", doc, re.S)
                 if "samspill-elan-mapping/1" in b)
    mapping = load_mapping(block, source="docs/interop.md")
    scheme = load_builtin_scheme(mapping.scheme or "")
    for rule in mapping.tiers.values():
        for code in [rule.code] if rule.code else [c for c in (rule.codes or {}).values() if c]:
            found = scheme.code(code)
            assert found is not None and rule.subject in found.subjects
        if rule.modifier:
            assert any(rule.modifier in c.modifiers for c in scheme.codes
                       if c.id in {r.code for r in mapping.tiers.values()})
