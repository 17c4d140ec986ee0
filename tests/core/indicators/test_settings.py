"""Indicator settings: one typed object, spec defaults, overridable, every field documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from samspill.core.errors import InputError
from samspill.core.indicators import (
    INDICATORS,
    REASONS,
    SUMMARY_COLUMNS,
    IndicatorSettings,
    settings_from,
)
from samspill.core.indicators.common import EVIDENCE_COLUMNS, SCOPE_COLUMNS
from samspill.core.stability import PIVOTAL_COLUMNS, STABILITY_COLUMNS

DOC = Path(__file__).parents[3] / "docs" / "indicators.md"


def test_defaults_are_the_specs_starting_settings() -> None:
    s = IndicatorSettings()
    assert (s.initiative_window_ms, s.response_window_ms) == (10_000, 10_000)
    assert (s.initiative_flag_below, s.latency_flag_above_ms, s.unanswered_flag_at) == (
        0.5, 4_000, 0.4)
    assert (s.protest_window_ms, s.hold_median_flag_below_ms) == (5_000, None)
    assert (s.redirect_share_flag_at, s.far_share_flag_at) == (0.3, 0.6)
    assert s.low_hostility_below_per_10min == 1.0
    assert s.proximity_kinds == ("approach", "reach", "climb-or-lift-arms")


def test_a_study_overrides_from_a_dict() -> None:
    s = settings_from({"response_window_ms": 5_000, "answer_codes": ["respond"]})
    assert s.response_window_ms == 5_000 and s.answer_codes == ("respond",)
    assert settings_from(None) == IndicatorSettings()


def test_unknown_setting_names_the_known_ones() -> None:
    with pytest.raises(InputError, match="unknown indicator setting") as info:
        settings_from({"response_windw_ms": 5})
    assert "response_window_ms" in info.value.fix


def test_invalid_value_is_an_input_error() -> None:
    with pytest.raises(InputError, match="invalid indicator settings"):
        settings_from({"far_share_flag_at": 1.5})


def test_settings_are_frozen() -> None:
    with pytest.raises(ValueError):
        IndicatorSettings().response_window_ms = 1  # type: ignore[misc]


def test_every_setting_has_a_description_and_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, field in IndicatorSettings.model_fields.items():
        assert field.description, name
        assert f"`{name}`" in text, f"{name} is missing from docs/indicators.md"


def test_every_output_column_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    columns = [*SCOPE_COLUMNS, *EVIDENCE_COLUMNS, *SUMMARY_COLUMNS, *PIVOTAL_COLUMNS]
    for spec in INDICATORS.values():
        columns += [*spec.values, *spec.counts, spec.flag, spec.state, spec.reason]
    # The stability columns are documented once, as a pattern over the signs' ids.
    columns += sorted({"<id>" + c[len(spec.id):] for spec in INDICATORS.values()
                       for c in STABILITY_COLUMNS if c.startswith(spec.id + "_")})
    missing = [c for c in columns if f"`{c}`" not in text]
    assert not missing, f"undocumented columns: {missing}"


def test_every_reason_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [key for key in REASONS if f"`{key}`" not in text]
    assert not missing, f"undocumented reasons: {missing}"
