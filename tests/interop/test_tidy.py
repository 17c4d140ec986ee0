"""The tidy long table, the binned 0/1 table, the codebook and R's .rds (read back with
pyreadr, R's own format as R reads it)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyreadr
import pytest
from interop_factories import open_scheme

from samspill.core.errors import InputError
from samspill.core.events import Event, Segment
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments
from samspill.interop import tidy
from samspill.interop.tabular import write_table
from samspill.interop.variables import REGISTRY, TIDY_TABLE_COLUMNS


def _coding(events: list[Event], **kw: object) -> tidy.CodingEvents:
    identity = {"study": "s", "dyad": "D01", "session": "v1", "coder": "ann", "coding_id": 7}
    return tidy.CodingEvents(identity=identity, events=events, **kw)  # type: ignore[arg-type]


def _read_rds(body: bytes, tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "t.rds"
    path.write_bytes(body)
    return pyreadr.read_r(path)[None].reset_index(drop=True)


def test_the_tidy_table_has_one_row_per_event_with_segment_pass_and_provenance() -> None:
    events = vignette_events()
    table = tidy.tidy_table([_coding(events, segments=vignette_segments(), pass_number=2,
                                     provenance="consensus")])
    assert list(table.columns) == TIDY_TABLE_COLUMNS and len(table) == len(events)
    assert set(table["pass"]) == {2} and set(table["provenance"]) == {"consensus"}
    for row in table.itertuples():
        segment = next((s.name for s in vignette_segments()
                        if s.start_ms <= row.onset_ms < s.end_ms), "")
        assert row.segment == segment
    states = table[table["offset_ms"].notna()]
    assert (states["duration_ms"] == states["offset_ms"] - states["onset_ms"]).all()
    assert table.loc[table["offset_ms"].isna(), "duration_ms"].isna().all()
    assert str(table["onset_ms"].dtype) == "int64"  # whole ms, never float seconds


def test_every_tidy_and_bin_column_is_in_the_registry_and_docs() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "variables.md").read_text()
    for name in [*TIDY_TABLE_COLUMNS, *tidy.BIN_TABLE_COLUMNS]:
        assert name in REGISTRY and f"`{name}`" in docs


def test_the_rds_reads_back_with_pyreadr_as_the_same_frame(tmp_path: Path) -> None:
    table = tidy.tidy_table([_coding(vignette_events(), segments=vignette_segments(),
                                     provenance="imported-elan")])
    back = _read_rds(write_table(table, "rds"), tmp_path)
    assert list(back.columns) == list(table.columns) and len(back) == len(table)
    # Categories are R factors with the registry's levels, in its order.
    assert isinstance(back["provenance"].dtype, pd.CategoricalDtype)
    assert list(back["provenance"].cat.categories) == [
        text for _, text in REGISTRY["provenance"].values]
    # Times are R integers (32-bit), NA where a point has no offset.
    assert str(back["onset_ms"].dtype) == "int32"
    for column in ("study", "dyad", "segment", "subject", "code", "modifiers"):
        assert back[column].fillna("").tolist() == table[column].fillna("").tolist(), column
    for column in ("coding_id", "pass", "onset_ms", "offset_ms", "duration_ms"):
        assert pd.array(back[column], dtype="Int64").tolist() == table[column].tolist(), column
    assert back["provenance"].astype(str).tolist() == table["provenance"].tolist()


def test_the_cohorts_categories_and_flags_in_rds(tmp_path: Path) -> None:
    cohort = pd.DataFrame({"dyad": ["D1", "D2"], "status": ["master", "in_progress"],
                           "initiative_flag": [True, None], "far_share": [0.25, None],
                           "distance_state": ["not_observable", "present"]})
    back = _read_rds(write_table(cohort, "rds"), tmp_path)
    assert back["distance_state"].astype(str).tolist() == ["not_observable", "present"]
    assert list(back["distance_state"].cat.categories) == ["absent", "present",
                                                           "not_observable"]
    assert back["initiative_flag"].tolist()[0] == 1 and pd.isna(back["initiative_flag"][1])
    assert back["far_share"][0] == 0.25 and pd.isna(back["far_share"][1])


def test_a_state_marks_every_bin_it_overlaps_and_a_point_one_bin() -> None:
    events = [Event(subject="caregiver", code="hold", onset_ms=500, offset_ms=2000),
              Event(subject="child", code="bid", onset_ms=2999),
              Event(subject="caregiver", code="near", onset_ms=3000, offset_ms=3001)]
    table = tidy.binned_table([_coding(events, duration_ms=4500)], 1000)
    assert table["bin"].tolist() == [0, 1, 2, 3, 4]
    assert table["bin_onset_ms"].tolist() == [0, 1000, 2000, 3000, 4000]
    assert table["bin_offset_ms"].tolist() == [1000, 2000, 3000, 4000, 4500]  # ends with it
    assert table["caregiver__hold"].tolist() == [1, 1, 0, 0, 0]  # 2000 is exclusive
    assert table["child__bid"].tolist() == [0, 0, 1, 0, 0]
    assert table["caregiver__near"].tolist() == [0, 0, 0, 1, 0]
    assert table["session"].unique().tolist() == ["v1"]


def test_the_schemes_codes_are_columns_even_when_never_coded() -> None:
    scheme = open_scheme()
    codes = [(s, c.id) for c in scheme.codes for s in c.subjects]
    table = tidy.binned_table([_coding(vignette_events(), duration_ms=VIGNETTE_DURATION_MS)],
                              40, codes)
    names = [tidy.code_column(s, c) for s, c in codes]
    assert list(table.columns[len(tidy.BIN_TABLE_COLUMNS):]) == names
    assert len(table) == -(-VIGNETTE_DURATION_MS // 40)  # 25 fps frames
    assert set(table[names].stack().unique()) <= {0, 1}
    hold = next(e for e in vignette_events() if e.code == "hold")
    assert hold.offset_ms is not None
    frames = table.loc[table["caregiver__hold"] == 1, "bin_onset_ms"]
    assert frames.min() <= hold.onset_ms < frames.min() + 40


@pytest.mark.parametrize("bin_ms", [0, -40])
def test_a_bin_size_below_one_ms_is_refused(bin_ms: int) -> None:
    with pytest.raises(InputError, match="at least 1 ms") as refused:
        tidy.binned_table([_coding(vignette_events())], bin_ms)
    assert "1000" in (refused.value.fix or "")


def test_a_table_too_large_is_refused_with_a_fix() -> None:
    with pytest.raises(InputError, match="too large") as refused:
        tidy.binned_table([_coding(vignette_events(), duration_ms=10**9)], 1)
    assert "--bin-ms" in (refused.value.fix or "")


def test_no_events_and_no_length_give_an_empty_table_with_the_columns() -> None:
    table = tidy.binned_table([_coding([])], 1000, [("child", "bid")])
    assert table.empty and list(table.columns)[-1] == "child__bid"


def test_the_codebook_describes_every_column_with_type_unit_and_levels() -> None:
    table = tidy.tidy_table([_coding(vignette_events())])
    book = tidy.codebook(table).set_index("name")
    assert list(book.index) == TIDY_TABLE_COLUMNS
    assert book.loc["onset_ms", "unit"] == "ms" and book.loc["onset_ms", "type"] == "integer"
    assert book.loc["provenance", "type"] == "factor"
    assert "consensus" in book.loc["provenance", "levels"]
    assert (book["description"] != "not documented").all()
    bins = tidy.binned_table([_coding(vignette_events())], 1000)
    coded = tidy.codebook(bins).set_index("name").loc["child__bid"]
    assert coded["type"] == "0/1 integer" and "bid" in coded["description"]
    markdown = tidy.codebook_markdown(table, "t")
    assert markdown.count("\n| ") == len(TIDY_TABLE_COLUMNS) + 1
    assert "whole milliseconds" in markdown
    assert tidy.codebook_name("demo-tidy.rds") == "demo-tidy.codebook.md"


def test_a_segment_ends_before_the_next_begins() -> None:
    segments = [Segment(name="a", start_ms=0, end_ms=1000), Segment(name="b", start_ms=1000,
                                                                    end_ms=2000)]
    assert [tidy.segment_at(segments, t) for t in (0, 999, 1000, 2000)] == ["a", "a", "b", ""]


def test_the_binned_table_in_parquet_keeps_its_labels() -> None:
    table = tidy.binned_table([_coding(vignette_events())], 1000)
    back = pd.read_parquet(io.BytesIO(write_table(table, "parquet")))
    pd.testing.assert_frame_equal(back, table, check_dtype=False)
