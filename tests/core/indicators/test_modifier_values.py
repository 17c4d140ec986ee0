"""Reading one modifier per event, with each event's own dict or with shared dicts."""

from __future__ import annotations

import numpy as np

from samspill.core.indicators.common import modifier_values


def test_shared_modifier_sets_give_the_same_options_as_one_dict_per_event() -> None:
    rng = np.random.default_rng(4)
    sets = [{"kind": "call"}, {"kind": ["show", "point"]}, {}, {"intensity": "muted"}, None]
    pick = rng.integers(0, len(sets), 1_000)
    shared = np.empty(len(pick), dtype=object)
    shared[:] = [sets[i] for i in pick]  # few objects, each used by many events
    own = np.empty(len(pick), dtype=object)
    own[:] = [dict(sets[i]) if sets[i] is not None else None for i in pick]
    for key in ("kind", "intensity", "absent"):
        expected = [None if s is None else (s.get(key)[0] if isinstance(s.get(key), list)
                                            else s.get(key)) for s in (sets[i] for i in pick)]
        assert modifier_values(shared, key).tolist() == expected
        assert modifier_values(own, key).tolist() == expected
