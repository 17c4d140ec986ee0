"""Datavyu .opf files: the db grammar, the mapping onto a scheme, a derived scheme, the export
and its round trip. Every file here is synthetic, written by hand after Datavyu's format."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from tests.interop.interop_factories import (
    coded_events,
    comparable,
    open_scheme,
    rich_project,
    vignette_project,
)

from samspill.core.errors import SamspillError
from samspill.core.events import Event
from samspill.interop.datavyu import read_datavyu
from samspill.interop.datavyu_db import (
    Cell,
    Column,
    escape,
    parse_db,
    parse_timestamp,
    to_timestamp,
    unescape,
    write_db,
)
from samspill.interop.datavyu_derive import derive_scheme, describe
from samspill.interop.datavyu_opf import read_opf, write_opf
from samspill.interop.datavyu_write import write_datavyu
from samspill.interop.model import Observation


def _opf(db: str, project: str = "!project\nname: lab\nversion: 5\nviewerSettings: []\n") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project", project)
        archive.writestr("db", db)
    return out.getvalue()


def _same(a: list[Event], b: list[Event]) -> bool:
    """Equal events but for their ids, video frames and the spaces around a comment (Datavyu
    keeps none of them: it trims every value it reads)."""
    return comparable([e.model_copy(update={"frame": None, "comment": e.comment.strip()})
                       for e in a]) == comparable(b)


# ---------------------------------------------------------------- the db grammar

@pytest.mark.parametrize(("ms", "text"), [(0, "00:00:00:000"), (2500, "00:00:02:500"),
                                          (3_723_004, "01:02:03:004")])
def test_times_are_hours_minutes_seconds_and_milliseconds(ms: int, text: str) -> None:
    assert to_timestamp(ms) == text
    assert parse_timestamp(text) == ms


@pytest.mark.parametrize("bad", ["00:61:00:000", "1.5", "00:00:01", "", "-1"])
def test_malformed_times_are_not_read(bad: str) -> None:
    assert parse_timestamp(bad) is None


def test_escapes_round_trip_every_special_character() -> None:
    text = "a,b (c) x-y | back\\slash\nnew line"
    assert unescape(escape(text)) == text


def test_matrix_text_nominal_and_hidden_columns_are_read() -> None:
    db = ("#4\nlooks (MATRIX,true,)-code|NOMINAL,note|NOMINAL\n"
          "00:00:01:000,00:00:02:500,(gaze\\, long,it\\(s\\) fine)\n"
          "00:00:03:000,00:00:03:000,(<code>,)\n"
          "memo (TEXT,false,)\n00:00:00:000,00:00:00:000,some, text\n"
          "tag (NOMINAL,true,)\n00:01:00:000,00:01:00:000,x\n")
    looks, memo, tag = parse_db(db, "a.opf")
    assert looks.arguments == ["code", "note"] and looks.visible
    assert looks.cells[0] == Cell(1000, 2500, ("gaze, long", "it(s) fine"), 3, 1)
    assert looks.cells[1].values == ("", "")  # Datavyu's placeholder is no value
    assert (memo.visible, memo.cells[0].values) == (False, ("some, text",))
    assert (tag.type, tag.cells[0].onset_ms) == ("NOMINAL", 60_000)


def test_a_value_ending_in_a_backslash_goes_on_on_the_next_line() -> None:
    (column,) = parse_db("#4\nsay (MATRIX,true,)-code01|NOMINAL\n"
                         "00:00:01:000,00:00:02:000,(first\\\nsecond)\n", "a.opf")
    assert column.cells[0].values == ("first\nsecond",)


def test_what_write_db_writes_parse_db_reads() -> None:
    columns = [Column("caregiver", arguments=["code", "comment"],
                      cells=[Cell(0, 1500, ("near", "says (softly), 'no-no' | ok"))]),
               Column("samspill", visible=False, arguments=["scheme"],
                      cells=[Cell(0, 0, ("withdrawal-open",))])]
    text = write_db(columns)
    assert text.startswith("#4\ncaregiver (MATRIX,true,)-code|NOMINAL,comment|NOMINAL\n")
    back = parse_db(text, "x")
    assert [(c.name, c.visible, c.arguments) for c in back] == [
        ("caregiver", True, ["code", "comment"]), ("samspill", False, ["scheme"])]
    assert back[0].cells[0].values == columns[0].cells[0].values


@pytest.mark.parametrize(("db", "said"), [
    ("#9\n", "unknown Datavyu db version '#9'"),
    ("hello\n", "unknown Datavyu db version 'hello'"),
    ("#4\nlooks (MATRIX,true,)-code|NOMINAL\n00:00:05:000,00:00:02:000,(gaze)\n",
     "line 3, column 'looks', cell 1: onset 00:00:05:000 comes after offset 00:00:02:000"),
    ("#4\nlooks (MATRIX,true,)-code|NOMINAL\n00:00:01:000,00:00:02:000,(gaze)\nwhat is this\n",
     "line 4: malformed line"),
    ("#4\nlooks (MATRIX,true,)-code|NOMINAL\n00:00:01:000,00:00:02:000,(a,b)\n",
     "line 3, column 'looks', cell 1: 2 value(s) for 1 argument(s)"),
    ("#4\nlooks (MATRIX,true,)-code|NOMINAL\n00:00:01:000,00:00:02:000,gaze\n",
     "cell 1: a MATRIX cell's value must be in parentheses"),
    ("#4\nlooks (MATRIX,true,)-code|NOMINAL\n00:00:01:000,00:99:02:000,(gaze)\n",
     "time '00:99:02:000' is not HH:MM:SS:mmm"),
    ("#4\n00:00:01:000,00:00:02:000,(gaze)\n", "line 2: a cell before any column line"),
    ("#4\nlooks (PREDICATE,true,)\n", "column 'looks': unknown column type 'PREDICATE'"),
])
def test_bad_input_is_refused_naming_the_file_line_column_and_cell(db: str, said: str) -> None:
    with pytest.raises(SamspillError) as refused:
        read_opf(_opf(db), "home-3.opf")
    assert said in str(refused.value) and "home-3.opf" in str(refused.value)
    assert "Fix:" in str(refused.value)


def test_a_zip_without_db_and_a_broken_zip_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project", "!project\n")
    with pytest.raises(SamspillError, match="holds no 'db' entry"):
        read_opf(out.getvalue(), "a.opf")
    with pytest.raises(SamspillError, match=r"not a readable \.opf"):
        read_opf(b"PK\x03\x04 broken", "a.opf")


def test_project_videos_and_older_nested_layout_are_read() -> None:
    project = ("!project\nname: lab visit\nversion: 5\nviewerSettings:\n- !vs\n"
               "  feed: /videos/visit.mov\n  plugin: x\n")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("visit/project", project)
        archive.writestr("visit/db", "#4\nchild (MATRIX,true,)-code|NOMINAL\n")
    opf = read_opf(out.getvalue(), "visit.opf")
    assert (opf.name, opf.media, opf.columns[0].name) == ("lab visit", ["/videos/visit.mov"],
                                                          "child")


def test_a_bare_db_file_is_read_like_an_opf() -> None:
    db = "#4\nchild (MATRIX,true,)-code|NOMINAL\n00:00:01:000,00:00:04:000,(distress)\n"
    imported = read_datavyu(db.encode(), scheme=open_scheme(), source="db")
    (event,) = imported.project.observations[0].events
    assert (event.subject, event.code, event.onset_ms, event.offset_ms) == (
        "child", "distress", 1000, 4000)


# ---------------------------------------------------------------- onto a scheme

def test_columns_named_after_subjects_give_codes_modifiers_points_and_states() -> None:
    db = ("#4\nCaregiver (MATRIX,true,)-code|NOMINAL,channel|NOMINAL,comment|NOMINAL\n"
          "00:00:01:000,00:00:01:000,(respond,verbal,nods)\n"
          "00:00:02:000,00:00:09:000,(Near,,)\n"
          "00:00:10:000,00:00:10:000,(,,)\n"
          "child (MATRIX,true,)-code01|NOMINAL,code02|NOMINAL\n"
          "00:00:03:000,00:00:03:000,(bid,look)\n")
    imported = read_datavyu(_opf(db), scheme=open_scheme(), source="home.opf")
    events = sorted(imported.project.observations[0].events, key=lambda e: e.onset_ms)
    assert [(e.subject, e.code, e.onset_ms, e.offset_ms, e.modifiers, e.comment)
            for e in events] == [
        ("caregiver", "respond", 1000, None, {"channel": "verbal"}, "nods"),
        ("caregiver", "near", 2000, 9000, {}, ""),
        ("child", "bid", 3000, None, {"kind": "look"}, "")]
    assert any("1 empty cell(s) skipped" in str(w) for w in imported.warnings)


def test_a_column_named_after_a_code_group_takes_the_subject_from_its_codes() -> None:
    scheme = open_scheme()
    group = next(c.dimension or c.category for c in scheme.codes if c.id == "distress")
    db = f"#4\n{group} (MATRIX,true,)-code|NOMINAL\n00:00:01:000,00:00:05:000,(distress)\n"
    (event,) = read_datavyu(_opf(db), scheme=scheme,
                            source="a.opf").project.observations[0].events
    assert (event.subject, event.code) == ("child", "distress")


def test_values_outside_the_scheme_are_refused_naming_column_and_cell() -> None:
    db = "#4\nchild (MATRIX,true,)-code|NOMINAL\n00:00:01:000,00:00:02:000,(dance)\n"
    with pytest.raises(SamspillError) as refused:
        read_datavyu(_opf(db), scheme=open_scheme(), source="h.opf")
    assert "h.opf: line 3, column 'child', cell 1: 'dance' is not a code" in str(refused.value)


def test_a_file_whose_columns_match_nothing_says_how_to_derive_a_scheme() -> None:
    db = "#4\nMom_gaze (MATRIX,true,)-look|NOMINAL\n00:00:01:000,00:00:02:000,(toy)\n"
    with pytest.raises(SamspillError, match="--derive-scheme"):
        read_datavyu(_opf(db), scheme=open_scheme(), source="h.opf")


def test_unmatched_and_hidden_columns_are_skipped_with_a_warning() -> None:
    db = ("#4\nchild (MATRIX,true,)-code|NOMINAL\n00:00:01:000,00:00:02:000,(distress)\n"
          "notes (TEXT,true,)\n00:00:00:000,00:00:00:000,x\nold (TEXT,false,)\n")
    imported = read_datavyu(_opf(db), scheme=open_scheme(), source="h.opf")
    said = " ".join(str(w) for w in imported.warnings)
    assert "column 'notes' matches no subject" in said and "hidden column 'old'" in said


# ---------------------------------------------------------------- a derived scheme

def test_a_scheme_is_derived_from_columns_and_the_file_imports_with_it() -> None:
    db = ("#4\nMom_gaze (MATRIX,true,)-look|NOMINAL,where|NOMINAL\n"
          "00:00:01:000,00:00:03:000,(toy,left)\n00:00:04:000,00:00:06:000,(baby,right)\n"
          "Baby_gaze (MATRIX,true,)-look|NOMINAL\n"
          "00:00:02:000,00:00:02:000,(toy)\n00:00:05:000,00:00:05:000,(mom)\n"
          "transcript (TEXT,true,)\n" + "".join(
              f"00:00:{i:02d}:000,00:00:{i:02d}:500,line number {i} said\\, slowly\n"
              for i in range(45)))
    derived = derive_scheme([read_opf(_opf(db), "v.opf")], scheme_id="datavyu-v", name="v")
    scheme = derived.scheme
    kinds = {(c.category, c.name): c.kind for c in scheme.codes}
    assert kinds[("Mom_gaze", "toy")] == "state" and kinds[("Baby_gaze", "toy")] == "point"
    assert ("transcript", "transcript") in kinds  # free text: one code, values as comments
    assert len({c.id for c in scheme.codes}) == len(scheme.codes) == 5
    assert scheme.modifier_set("Mom_gaze-where").options == ["left", "right"]
    shown = "\n".join(describe(derived))
    assert "column 'mom_gaze' → code group 'Mom_gaze': toy (state), baby (state)" in shown
    events = read_datavyu(_opf(db), scheme=scheme, source="v.opf",
                          plans=derived.plans).project.observations[0].events
    assert len(events) == 49
    said = next(e for e in events if e.comment.startswith("line number 3 "))
    assert said.comment == "line number 3 said, slowly" and said.offset_ms == 3500


def test_one_scheme_covers_a_folder_of_files() -> None:
    a = "#4\nlooks (MATRIX,true,)-code|NOMINAL\n00:00:01:000,00:00:02:000,(toy)\n"
    b = "#4\nLooks (MATRIX,true,)-code|NOMINAL\n00:00:01:000,00:00:02:000,(face)\n"
    derived = derive_scheme([read_opf(_opf(a), "a"), read_opf(_opf(b), "b")],
                            scheme_id="datavyu-f", name="f")
    assert [c.name for c in derived.scheme.codes] == ["toy", "face"]
    for db in (a, b):
        assert read_datavyu(_opf(db), scheme=derived.scheme, plans=derived.plans)


# ---------------------------------------------------------------- export and round trip

@pytest.mark.parametrize("layout", ["subject", "subject-dimension"])
def test_vignette_round_trip_gives_identical_events(layout: str) -> None:
    project = vignette_project(duration_ms=360_000)
    observation = project.observations[0]
    data = write_datavyu(observation, project.scheme, columns=layout)  # type: ignore[arg-type]
    back = read_datavyu(data, scheme=project.scheme, source="v.opf")
    again = back.project.observations[0]
    assert _same(observation.events, again.events)
    assert again.duration_ms == 360_000 and again.variables == {"procedure": "free-play"}
    assert back.warnings == []


def test_multiple_choices_zero_length_states_and_other_subjects_round_trip() -> None:
    project = rich_project()
    live = project.observations[1]
    back = read_datavyu(write_datavyu(live, project.scheme), scheme=project.scheme)
    assert _same(live.events, back.project.observations[0].events)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(coded_events(limit=10**7))
def test_any_valid_coding_survives_the_round_trip(events: list[Event]) -> None:
    observation = Observation(name="o", events=events)
    back = read_datavyu(write_datavyu(observation, open_scheme()), scheme=open_scheme())
    assert _same(events, back.project.observations[0].events)


def test_the_export_is_an_opf_datavyu_opens() -> None:
    project = vignette_project()
    data = write_datavyu(project.observations[0], project.scheme)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["db", "project"]
        db = archive.read("db").decode()
        assert archive.read("project").decode().startswith("!project\n")
    lines = db.splitlines()
    assert lines[0] == "#4"
    assert lines[1].startswith("caregiver (MATRIX,true,)-code|NOMINAL,")
    assert "samspill (MATRIX,false,)-scheme|NOMINAL" in db  # hidden: Datavyu keeps it
    point = next(line for line in lines if ",(respond," in line)
    onset, offset = point.split(",")[:2]
    assert onset == offset  # a point is a cell with onset = offset
    assert write_datavyu(project.observations[0], project.scheme) == data  # reproducible


def test_export_refuses_incomplete_states() -> None:
    observation = Observation(name="o", events=[Event(subject="caregiver", code="near",
                                                      onset_ms=5)])
    with pytest.raises(SamspillError, match="cannot be exported"):
        write_datavyu(observation, open_scheme())


def test_write_opf_of_no_columns_still_reads() -> None:
    assert read_opf(write_opf([], "empty"), "e.opf").columns == []


def test_a_derived_scheme_exports_the_labs_own_columns_again() -> None:
    db = ("#4\nMom_gaze (MATRIX,true,)-look|NOMINAL,where|NOMINAL\n"
          "00:00:01:000,00:00:03:000,(toy,left)\n"
          "Baby_gaze (MATRIX,true,)-look|NOMINAL\n00:00:02:000,00:00:02:000,(toy)\n")
    derived = derive_scheme([read_opf(_opf(db), "v.opf")], scheme_id="datavyu-v", name="v")
    first = read_datavyu(_opf(db), scheme=derived.scheme, plans=derived.plans)
    observation = first.project.observations[0]
    data = write_datavyu(observation, derived.scheme, columns="subject-dimension")
    names = [c.name for c in read_opf(data, "back.opf").columns]
    assert names == ["Mom_gaze", "Baby_gaze", "samspill"]
    again = read_datavyu(data, scheme=derived.scheme, source="back.opf")
    assert _same(observation.events, again.project.observations[0].events)
    assert _same(observation.events, read_datavyu(
        write_datavyu(observation, derived.scheme), scheme=derived.scheme,
        source="b.opf").project.observations[0].events)


def test_a_stored_derived_scheme_reads_a_later_file_without_its_plans() -> None:
    """A file fixed after a folder import is imported again with --scheme: the column names
    find their groups, the free-text column its one code."""
    db = ("#4\nMom_gaze (MATRIX,true,)-look|NOMINAL,where|NOMINAL\n"
          "00:00:01:000,00:00:03:000,(toy,left)\n"
          "Baby_gaze (MATRIX,true,)-look|NOMINAL\n00:00:02:000,00:00:02:000,(toy)\n"
          "transcript (TEXT,true,)\n00:00:01:000,00:00:02:000," + "x" * 50 + "\n")
    derived = derive_scheme([read_opf(_opf(db), "v.opf")], scheme_id="datavyu-v", name="v")
    with_plans = read_datavyu(_opf(db), scheme=derived.scheme, plans=derived.plans)
    without = read_datavyu(_opf(db), scheme=derived.scheme)
    assert _same(with_plans.project.observations[0].events,
                 without.project.observations[0].events)
    assert {e.code for e in without.project.observations[0].events} == {
        "toy", "Baby_gaze-toy", "transcript"}
