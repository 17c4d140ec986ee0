"""Fuzz every importer with hypothesis: mutated valid files and random bytes.

Each input must be either accepted or refused with a clear SamspillError (a message and a fix);
anything else (another exception type, an error without a fix) counts as a crash.

    .venv/bin/python bench/fuzz.py                # 10,000 cases per importer
    .venv/bin/python bench/fuzz.py --cases 500 --only scheme

The tests (tests/security/test_importer_fuzz.py) run the same harness with a few hundred cases.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samspill.core.errors import SamspillError
from samspill.core.scheme_check import load_builtin_scheme, parse_scheme
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments
from samspill.interop.events_csv import write_events_csv
from samspill.services.archive_import import read_archive


@cache
def seeds() -> dict[str, bytes]:
    """One valid file per importer, the starting point of the mutations."""
    from samspill.interop.boris import write_boris
    from samspill.interop.elan import write_elan
    from samspill.interop.model import Observation, Project

    scheme = load_builtin_scheme("withdrawal-open")
    folder = Path(__file__).parents[1] / "src/samspill/core/schemes"
    observation = Observation(
        name="fuzz", events=vignette_events(), segments=vignette_segments(), media=[]
    )
    boris = write_boris(Project(name="fuzz", scheme=scheme, observations=[observation]))
    return {
        "scheme": (folder / "withdrawal-open.yaml").read_bytes(),
        "events_csv": write_events_csv(vignette_events()).encode(),
        "archive": _archive_seed(),
        "boris": boris if isinstance(boris, bytes) else boris.encode(),
        "elan": _text(write_elan(observation, scheme)).encode(),
    }


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _archive_seed() -> bytes:
    import io
    import json
    import zipfile

    from samspill.services.archive_model import ArchivedSession, StudyArchive

    study = StudyArchive(
        name="fuzz",
        sessions=[
            ArchivedSession(
                name="v1", dyad="D1", procedure="free-play", duration_ms=VIGNETTE_DURATION_MS
            )
        ],
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("study.json", json.dumps(study.model_dump(mode="json")))
    return buffer.getvalue()


def _read_archive(data: bytes) -> None:
    with tempfile.NamedTemporaryFile(suffix=".zip") as handle:
        handle.write(data)
        handle.flush()
        _, zf = read_archive(Path(handle.name))
        zf.close()


def _boris(data: bytes) -> None:
    from samspill.interop.boris import read_boris

    read_boris(data)


def _events_csv(data: bytes) -> None:
    from samspill.interop.events_csv import read_events_csv as read_mapped_csv

    read_mapped_csv(data, scheme=load_builtin_scheme("withdrawal-open"))


def _elan(data: bytes) -> None:
    from samspill.interop.elan import read_elan

    read_elan(data, scheme=load_builtin_scheme("withdrawal-open"))


IMPORTERS: dict[str, Callable[[bytes], object]] = {
    "scheme": lambda data: parse_scheme(data.decode("utf-8", "replace"), "fuzz.yaml"),
    "events_csv": _events_csv,
    "archive": _read_archive,
    "boris": _boris,
    "elan": _elan,
}


@st.composite
def hostile(draw: st.DrawFn, seed: bytes) -> bytes:
    """A valid file with a few mutations, or (sometimes) random bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=2048))
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32) | st.sampled_from(TOKENS))
        elif op == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 256))] * draw(st.integers(2, 8))
        else:
            del data[at:]
    return bytes(data)


TOKENS = [
    b"\x00",
    b"\xff\xfe",
    b'"',
    b"'",
    b"{",
    b"}",
    b"[",
    b"]",
    b"-1",
    b"1e309",
    b"NaN",
    b"\n",
    b"\r\n",
    b",",
    b":",
    b"<",
    b"&xxe;",
    b"*a",
    b"&a",
    b"!!python/object",
    b"9" * 40,
]


def outcome(importer: Callable[[bytes], object], data: bytes) -> str:
    """'accepted', 'refused' (a clear SamspillError) or 'crash: ...'."""
    try:
        importer(data)
    except SamspillError as error:
        return "refused" if error.message and error.fix else f"crash: unclear {error!r}"
    except Exception as exc:  # the point of fuzzing: anything else is a finding
        return f"crash: {type(exc).__name__}: {exc}"[:300]
    return "accepted"


def fuzz(name: str, cases: int, *, raise_on_crash: bool, known: tuple[str, ...] = ()) -> Counter:
    """Counts of outcomes; ``known`` crash prefixes are counted apart and never raised."""
    counts: Counter = Counter()
    importer = IMPORTERS[name]

    @settings(
        max_examples=cases,
        deadline=None,
        database=None,
        derandomize=raise_on_crash,
        suppress_health_check=list(HealthCheck),
    )
    @given(hostile(seeds()[name]))
    def one(data: bytes) -> None:
        result = outcome(importer, data)
        if result.startswith(known or ("\0",)):
            counts["known crash"] += 1
            return
        counts[result if not result.startswith("crash") else "crash"] += 1
        if result.startswith("crash"):
            counts[result] += 0  # keep the first message of each kind for the report
            if raise_on_crash:
                raise AssertionError(f"{name}: {result}")

    one()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--only", choices=sorted(IMPORTERS), default=None)
    args = parser.parse_args()
    for name in [args.only] if args.only else IMPORTERS:
        started = time.perf_counter()
        try:
            counts = fuzz(name, args.cases, raise_on_crash=False)
        except Exception:
            traceback.print_exc()
            continue
        crashes = [k for k in counts if k.startswith("crash:")]
        print(
            f"{name:11s} cases {sum(counts[k] for k in ('accepted', 'refused', 'crash')):6d}  "
            f"accepted {counts['accepted']:6d}  refused clearly {counts['refused']:6d}  "
            f"crashes {counts['crash']:4d}  ({time.perf_counter() - started:.0f} s)"
        )
        for kind in crashes[:5]:
            print(f"    {kind}")


if __name__ == "__main__":
    main()
