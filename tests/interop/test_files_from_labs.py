"""Files as labs, BORIS and BORIS-App write them (issue 22, "Data in and out"): future format
versions, STOP rows without modifiers, overlapping ELAN annotations, Latin-1 text.
Every file is synthetic, built here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from interop_factories import open_scheme

from samspill.core.errors import EventError, NotedInputError
from samspill.interop.boris import check_events, read_boris
from samspill.interop.elan import read_elan
from samspill.interop.events_csv import ANALYSIS_CSV, read_csv_table, read_events_csv
from samspill.interop.safety import check_xml, load_json


def _boris(events: list, *, version: object = "7.0", behaviours: dict | None = None) -> bytes:
    tone = {"0": {"name": "tone", "type": 0, "values": ["warm", "flat"]}}
    conf = behaviours or {"0": {"type": "State event", "key": "t", "code": "talk",
                                "description": "", "category": "", "modifiers": tone,
                                "excluded": "", "coding map": ""}}
    return json.dumps({
        "project_name": "lab", "project_format_version": version,
        "subjects_conf": {"0": {"key": "1", "name": "mother", "description": ""}},
        "behaviors_conf": conf,
        "observations": {"obs 1": {"type": "LIVE", "events": events}}}).encode()


# ---------------------------------------------------------------- 1. future format versions

@pytest.mark.parametrize("version", ["10.0", "99.0", "7.1", 8])
def test_a_newer_boris_format_is_refused_naming_both_versions_and_the_fix(version: object):
    with pytest.raises(NotedInputError) as caught:
        read_boris(_boris([], version=version), source="new.boris")
    error = caught.value
    assert f"format {version}" in error.message
    assert "reads formats up to 7.0" in error.message
    assert "upgrade Samspill" in error.fix
    assert error.where == "new.boris"


@pytest.mark.parametrize("version", ["7.0", "4.0", "6", None, "", "odd"])
def test_known_older_or_missing_format_versions_are_read(version: object):
    assert read_boris(_boris([], version=version)).project.observations[0].events == []


# ---------------------------------------------------------------- 4. BORIS-App STOP rows

def test_stop_rows_without_the_starts_modifiers_end_that_state():
    rows = [[1.5, "mother", "talk", "warm", ""], [4.25, "mother", "talk", "", ""],
            [6.0, "mother", "talk", "flat", ""], [9.0, "mother", "talk", "", ""]]
    imported = read_boris(_boris(rows))
    events = sorted(imported.project.observations[0].events, key=lambda e: e.onset_ms)
    assert [(e.onset_ms, e.offset_ms, e.modifiers) for e in events] == [
        (1500, 4250, {"tone": "warm"}), (6000, 9000, {"tone": "flat"})]
    assert imported.warnings == []
    check_events(imported.project.observations, imported.project.scheme, "lab.boris")


def test_a_real_overlap_is_named_with_the_seconds_the_file_has():
    rows = [[1.5, "mother", "talk", "warm", ""], [2.25, "mother", "talk", "flat", ""],
            [3.0, "mother", "talk", "warm", ""], [4.0, "mother", "talk", "flat", ""]]
    imported = read_boris(_boris(rows))
    with pytest.raises(EventError) as caught:
        check_events(imported.project.observations, imported.project.scheme, "lab.boris")
    text = str(caught.value)
    assert "starts at 2.25 s" in text and "until 3.0 s" in text and "talk at 1.5 s" in text
    assert " ms" not in text


# ---------------------------------------------------------------- 6. overlapping ELAN annotations

def _eaf(annotations: list[tuple[str, int, int]], tier: str = "Mum") -> bytes:
    slots, anns = [], []
    for n, (value, start, end) in enumerate(annotations, start=1):
        slots.append(f'<TIME_SLOT TIME_SLOT_ID="s{2 * n - 1}" TIME_VALUE="{start}"/>'
                     f'<TIME_SLOT TIME_SLOT_ID="s{2 * n}" TIME_VALUE="{end}"/>')
        anns.append(f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a{n}" '
                    f'TIME_SLOT_REF1="s{2 * n - 1}" TIME_SLOT_REF2="s{2 * n}">'
                    f'<ANNOTATION_VALUE>{value}</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION>'
                    '</ANNOTATION>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<ANNOTATION_DOCUMENT AUTHOR="" '
            f'DATE="2020-01-01T00:00:00+00:00" FORMAT="3.0" VERSION="3.0" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd"><HEADER '
            f'MEDIA_FILE="" TIME_UNITS="milliseconds"/><TIME_ORDER>{"".join(slots)}'
            f'</TIME_ORDER><TIER LINGUISTIC_TYPE_REF="default" PARTICIPANT="caregiver" '
            f'TIER_ID="{tier}">{"".join(anns)}</TIER><LINGUISTIC_TYPE '
            'GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="default" TIME_ALIGNABLE="true"/>'
            '</ANNOTATION_DOCUMENT>').encode()


def test_overlapping_annotations_on_one_tier_are_refused_naming_file_tier_and_times():
    # 'hold' and 'redirect' do not exclude each other; one tier is still one stream
    data = _eaf([("hold", 61_000, 75_500), ("redirect", 70_250, 71_000)])
    with pytest.raises(NotedInputError) as caught:
        read_elan(data, scheme=open_scheme(), source="dyad07.eaf")
    error = caught.value
    assert error.where == "dyad07.eaf"
    assert "tier 'Mum': 01:01.000–01:15.500 and 01:10.250–01:11.000" in error.message
    assert error.params["count"] == 1


def test_an_annotation_inside_a_long_one_is_found_past_a_shorter_neighbour():
    data = _eaf([("hold", 0, 10_000), ("redirect", 1_000, 2_000), ("redirect", 5_000, 6_000)])
    with pytest.raises(NotedInputError) as caught:
        read_elan(data, scheme=open_scheme(), source="x.eaf")
    assert caught.value.params["count"] == 2
    assert "00:00.000–00:10.000 and 00:05.000–00:06.000" in caught.value.message


def test_touching_annotations_on_one_tier_are_fine():
    data = _eaf([("hold", 1_000, 2_000), ("redirect", 2_000, 2_040)])
    events = read_elan(data, scheme=open_scheme()).project.observations[0].events
    assert len(events) == 2


# ---------------------------------------------------------------- 7. Latin-1 text

LATIN1_CSV = "subject,code,onset_ms,offset_ms,modifiers,comment\n" \
             "caregiver,hold,1000,2000,,ok\ncaregiver,hold,3000,4000,,bl\u00e5 bil\n"
LATIN1_COLUMN = LATIN1_CSV.splitlines()[2].index("\u00e5") + 1


def _refusal_of(call: object) -> NotedInputError:
    with pytest.raises(NotedInputError) as caught:
        call()  # type: ignore[operator]
    return caught.value


def _says_line_and_byte(error: NotedInputError, line: int, column: int) -> None:
    assert f"line {line} is not UTF-8 text: byte 0xE5 at character {column}" in error.message
    assert "'å'" in error.message
    assert "save it as UTF-8" in error.fix


def test_latin1_events_csv_is_refused_naming_the_row_and_the_byte():
    error = _refusal_of(lambda: read_events_csv(LATIN1_CSV.encode("latin-1"),
                                                scheme=open_scheme(), source="old.csv"))
    _says_line_and_byte(error, 3, LATIN1_COLUMN)
    assert error.where == "old.csv"


def test_latin1_after_a_byte_order_mark_still_names_the_right_place():
    data = b"\xef\xbb\xbf" + LATIN1_CSV.encode("latin-1")
    error = _refusal_of(lambda: read_events_csv(data, scheme=open_scheme()))
    _says_line_and_byte(error, 3, LATIN1_COLUMN)


def test_latin1_analysis_csv_is_refused_naming_the_row(tmp_path: Path):
    path = tmp_path / "events.csv"
    path.write_bytes(LATIN1_CSV.encode("latin-1"))
    _says_line_and_byte(_refusal_of(lambda: read_csv_table(path, ANALYSIS_CSV)), 3, LATIN1_COLUMN)


def test_latin1_boris_and_elan_are_refused_naming_the_row():
    boris = _boris([[1.0, "mother", "talk", "warm", "bl\u00e5"]]).replace(b"\\u00e5", b"\xe5")
    _says_line_and_byte(_refusal_of(lambda: load_json(boris, "lab.boris")), 1,
                        boris.index(b"\xe5") + 1)
    eaf = _eaf([("hold", 0, 1000)], tier="Mor\u00e5").replace("Mor\u00e5".encode(), b"Mor\xe5")
    _says_line_and_byte(_refusal_of(lambda: check_xml(eaf, "x.eaf")), 2,
                        eaf.split(b"\n")[1].index(b"\xe5") + 1)


def test_xml_that_declares_latin1_is_read_as_latin1():
    data = _eaf([("hold", 0, 1000)], tier="Mor\u00e5").decode().replace(
        'encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    check_xml(data, "x.eaf")
    events = read_elan(data, scheme=open_scheme()).project.observations[0].events
    assert [e.code for e in events] == ["hold"]


# ---------------------------------------------------------------- 5. the scheme travels

def test_samspills_elan_export_names_its_scheme_length_and_ratings():
    from interop_factories import vignette_project

    from samspill.interop.elan import elan_scheme, write_elan

    project = vignette_project()
    obs = project.observations[0].model_copy(update={"duration_ms": 600_000,
                                                     "ratings": {"level": "5"}})
    data = write_elan(obs, project.scheme)
    assert elan_scheme(data) == (project.scheme.id, project.scheme.version)
    back = read_elan(data, scheme=project.scheme).project.observations[0]
    assert (back.duration_ms, back.ratings) == (600_000, {"level": "5"})
    assert back.variables == {"procedure": "free-play"}
    # an export from before the header properties: the vocabulary's description names it
    older = data.replace(b'NAME="samspill-scheme"', b'NAME="x"')
    assert elan_scheme(older) == (project.scheme.id, project.scheme.version)
    odd = data.replace(b">1</PROPERTY>", "> \u00b2</PROPERTY>".encode())
    assert elan_scheme(odd) == (project.scheme.id, 0)
    assert elan_scheme(_eaf([("hold", 0, 1000)])) is None


def test_overlaps_across_tiers_name_the_tiers_and_the_times_as_elan_shows_them():
    # far and near exclude each other for the caregiver: on two tiers, still refused
    two = _eaf([("far", 1_000, 9_000)]).replace(
        b"</TIER>", b'</TIER><TIER LINGUISTIC_TYPE_REF="default" PARTICIPANT="caregiver" '
        b'TIER_ID="Mum 2"><ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="b1" '
        b'TIME_SLOT_REF1="t1" TIME_SLOT_REF2="t2"><ANNOTATION_VALUE>near</ANNOTATION_VALUE>'
        b'</ALIGNABLE_ANNOTATION></ANNOTATION></TIER>').replace(
        b"</TIME_ORDER>", b'<TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="5000"/>'
        b'<TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="70250"/></TIME_ORDER>')
    with pytest.raises(EventError) as caught:
        read_elan(two, scheme=open_scheme(), source="d.eaf")
    text = str(caught.value)
    assert "tier 'Mum 2', near at 00:05.000" in text and "tier 'Mum', far at 00:01.000" in text
    assert "until 00:09.000" in text and " ms" not in text.split("Fix")[0]
    assert "this check used 'withdrawal-open'" in text


def test_the_study_archive_format_names_the_session_metadata_version() -> None:
    """An archive with sessions' source metadata says format 2, so an older Samspill refuses it
    as newer instead of failing on an unknown field."""
    from samspill.services.archive_model import FORMAT_VERSION, ArchivedSession

    assert FORMAT_VERSION >= 2 and "source_metadata" in ArchivedSession.model_fields
