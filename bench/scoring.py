"""Benchmark: scoring simulated cohorts of ~500-event sessions, against what a user would write.

Run:  .venv/bin/python bench/scoring.py [--quick]

Prints, per cohort size (100, 1,000, 10,000 sessions; --quick: 50, 200, 800):
events scored per second (by CPU time of this process, and by wall-clock time: on a shared
machine the wall clock also counts time spent waiting for other processes), the tracemalloc
peak while scoring one batch of 1,000 sessions (--quick: 200), the process's peak RSS, and the
growth exponent (log-log slope of scoring time against events; 1.0 = linear). Cohorts are
generated in batches of 1,000 sessions (not timed) and scored batch by batch with
``score_codings`` (timed), so memory stays bounded.

The comparison, in the same run and on the same sessions: the response latencies of
``responsiveness`` computed (a) the way a user would without Samspill, one session and one
bid at a time in plain Python, and (b) with pandas ``merge_asof`` per session; against (c)
Samspill's full scoring (all six indicators, evidence and AMBIANCE counts). Results are checked
equal before the ratio is printed.

Then validity on 200 sessions per style (--quick: 25): the AUC of each of the first five
indicators for withdrawn against sensitive sessions, of the hostility rate for hostile against
withdrawn, the recovered median latency, and Spearman's rho with the generating parameters.

Last, the stability of one 60-minute coding (what the scores panel computes after a save),
simulated and three times denser: min/median/max wall seconds over 7 runs (--quick: 3),
against rescoring each perturbed copy one at a time (the jitter copies timed and checked to
give the same share, the dropouts counted at the same rate per copy).
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd
from scipy.stats import mannwhitneyu, spearmanr

from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.scoring import cohort_table, score_coding, score_codings
from samspill.core.simulate import STYLES, cohort_frames, simulate_session

SCHEME = load_builtin_scheme("withdrawal-open")
MINUTES = 95  # about 500 events per session across the four styles
BATCH = 1_000
WINDOW_MS = 10_000
ANSWERS = ("respond", "initiate", "hold")


def sessions(start: int, n: int, seed: int = 1):  # type: ignore[no-untyped-def]
    """Sessions start..start+n, styles in turn; each seeded by its index alone."""
    return [simulate_session(STYLES[i % 4], seed=np.random.SeedSequence([seed, i]),
                             duration_ms=MINUTES * 60_000, name=f"s{i:05d}")
            for i in range(start, start + n)]


class Clock:
    """CPU and wall-clock seconds of a block."""

    def __enter__(self) -> Clock:
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.cpu, self.wall = time.process_time() - self.cpu, time.perf_counter() - self.wall


def score_cohort(n: int, batch: int) -> tuple[int, float, float]:
    """(events, CPU seconds, wall seconds) scoring ``n`` sessions batch by batch."""
    events_total, cpu, wall = 0, 0.0, 0.0
    for start in range(0, n, batch):
        events, segments, durations = cohort_frames(sessions(start, min(batch, n - start)))
        with Clock() as clock:
            cohort_table(score_codings(events, segments, scheme=SCHEME, durations=durations))
        cpu, wall = cpu + clock.cpu, wall + clock.wall
        events_total += len(events)
    return events_total, cpu, wall


def peak_memory(n: int) -> float:
    """tracemalloc peak (MB) while scoring ``n`` sessions in one batch."""
    events, segments, durations = cohort_frames(sessions(0, n))
    tracemalloc.start()
    score_codings(events, segments, scheme=SCHEME, durations=durations)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def naive_loop(events: pd.DataFrame) -> list[float]:
    """What a user would write: per session, per bid, walk the answers in time order."""
    out = []
    for _, table in events.groupby("coding", sort=True):
        rows = table.sort_values("onset_ms")
        absent = [(r.onset_ms, r.offset_ms) for r in rows.itertuples() if r.code == "absent"]
        answers = [r.onset_ms for r in rows.itertuples()
                   if r.subject == "caregiver" and r.code in ANSWERS]
        for r in rows.itertuples():
            if r.code != "bid" or any(a <= r.onset_ms < b for a, b in absent):
                continue
            latency = float("nan")
            for a in answers:
                if a >= r.onset_ms:
                    if a - r.onset_ms <= WINDOW_MS:
                        latency = float(a - r.onset_ms)
                    break
            out.append(latency)
    return out


def merge_asof_per_session(events: pd.DataFrame) -> list[float]:
    """The pandas way: merge_asof forward with a tolerance, one session at a time."""
    out: list[float] = []
    for _, table in events.groupby("coding", sort=True):
        bids = table[table["code"] == "bid"].sort_values("onset_ms")
        answers = table[(table["subject"] == "caregiver") & table["code"].isin(ANSWERS)]
        answers = answers[["onset_ms"]].rename(columns={"onset_ms": "answer_ms"})
        matched = pd.merge_asof(bids[["onset_ms"]], answers.sort_values("answer_ms"),
                                left_on="onset_ms", right_on="answer_ms", direction="forward",
                                tolerance=WINDOW_MS)
        out += (matched["answer_ms"] - matched["onset_ms"]).astype(float).tolist()
    return out


def compare(n: int) -> None:
    """Latency matching: Samspill's whole scoring vs the two per-session alternatives."""
    events, segments, durations = cohort_frames(sessions(0, n))
    with Clock() as ours:
        scores = score_codings(events, segments, scheme=SCHEME, durations=durations)
    with Clock() as loop_clock:
        loop = naive_loop(events)
    with Clock() as asof_clock:
        asof = merge_asof_per_session(events)
    ev = scores.evidence[scores.evidence["indicator"] == "responsiveness"]
    mine = ev.sort_values(["coding", "time_ms"], kind="stable")["value_ms"].to_numpy()
    if not (np.array_equal(mine, np.array(loop), equal_nan=True)
            and np.array_equal(mine, np.array(asof), equal_nan=True)):
        raise SystemExit("the latency methods disagree: refusing to print a ratio")
    print(f"\ncomparison on {n:,} sessions, {len(events):,} events (latencies checked equal),"
          " CPU s / wall s:")
    print(f"  Samspill full scoring (6 indicators + AMBIANCE): {ours.cpu:7.2f} / {ours.wall:7.2f}")
    for name, clock in (("per-bid Python loop (latency only):          ", loop_clock),
                        ("pandas merge_asof per session (latency only):", asof_clock)):
        print(f"  {name}    {clock.cpu:7.2f} / {clock.wall:7.2f}"
              f"   ratio {clock.cpu / ours.cpu:5.1f}x (CPU) {clock.wall / ours.wall:5.1f}x (wall)")
    one = [(events[events["coding"] == name], segments[segments["coding"] == name],
            int(durations[name])) for name in list(durations.index)[:50]]
    with Clock() as each:
        for ev_one, seg_one, dur in one:
            score_coding(ev_one, seg_one, scheme=SCHEME, duration_ms=dur)
    per = each.cpu / len(one)
    print(f"  score_coding one session at a time: {per * 1000:.1f} ms CPU per session "
          f"({sum(len(o[0]) for o in one) / len(one) / per:,.0f} events/s)")


VALIDITY = [  # (column, sign: +1 when withdrawal raises it, generating parameter)
    ("initiative_share", -1, "initiative_prob"),
    ("unanswered_share", 1, "response_prob"),
    ("response_latency_median_ms", 1, "latency_median_ms"),
    ("hold_median_ms", -1, "hold_median_ms"),
    ("redirect_share", 1, "redirect_prob"),
    ("far_share", 1, "far_share"),
]


def _auc(higher: pd.Series, lower: pd.Series) -> float:
    a, b = higher.dropna().astype(float), lower.dropna().astype(float)
    return float(mannwhitneyu(a, b).statistic) / (len(a) * len(b))


def validity(per_style: int) -> None:
    """AUCs, latency recovery and rank agreement on a simulated cohort."""
    cohort = sessions(0, 4 * per_style)
    events, segments, durations = cohort_frames(cohort)
    table = cohort_table(score_codings(events, segments, scheme=SCHEME, durations=durations))
    truth = pd.DataFrame([s.ground_truth for s in cohort])
    style = truth["style"].to_numpy()
    print(f"\nvalidity on {per_style} sessions per style:")
    for column, sign, parameter in VALIDITY:
        # A dyad with no hold at all ranks as having the briefest contact.
        values = table[column].fillna(0.0) if column == "hold_median_ms" else table[column]
        auc = _auc(sign * values[style == "withdrawn"], sign * values[style == "sensitive"])
        rho = spearmanr(table[column], truth[parameter], nan_policy="omit").statistic
        print(f"  {column:<28} AUC withdrawn vs sensitive {auc:.3f}   "
              f"Spearman rho with {parameter} {rho:+.3f}")
    hostile = table["hostile_rate_per_10min"]
    rates = truth["hostile_rate_per_10min"] + truth["frightening_rate_per_10min"]
    print(f"  {'hostile_rate_per_10min':<28} AUC hostile vs withdrawn "
          f"{_auc(hostile[style == 'hostile'], hostile[style == 'withdrawn']):.3f}   "
          f"Spearman rho with NI+FD rates {spearmanr(hostile, rates).statistic:+.3f}")
    for name in ("sensitive", "withdrawn"):
        ratio = (table["response_latency_median_ms"] / truth["latency_median_ms"])[style == name]
        print(f"  median latency / simulated median, {name}: {ratio.median():.3f}")


def stability_one_coding(repeats: int) -> None:
    """How long a 60-minute coding takes to score with each sign's stability (what the scores
    panel asks for after a save), against rescoring each perturbed copy one at a time with
    ``score_coding``, the loop a user would otherwise write; their states are checked equal."""
    from samspill.core.stability import _jitter, _lean

    print("\nstability of one 60-minute coding (the scores panel after a save), wall seconds")
    for label, sim, squeeze in (
            ("simulated, 60 min", simulate_session("sensitive", seed=3, duration_ms=3_600_000), 1),
            ("dense, 60 min", simulate_session("withdrawn", seed=4, duration_ms=10_800_000), 3)):
        table = _squeezed(sim.table, squeeze)
        duration = sim.duration_ms // squeeze
        segments = sim.segments_table().assign(end_ms=duration)
        times = []
        for _ in range(repeats):
            with Clock() as clock:
                scores = score_coding(table, segments, scheme=SCHEME, duration_ms=duration,
                                      stability=True)
            times.append(clock.wall)
        ours = float(np.median(times))
        copies = _jitter(_lean(table), SCHEME, duration, scores.settings,
                         np.random.default_rng(scores.settings.stability_seed))
        with Clock() as loop:
            states = [score_coding(table.iloc[one["event_id"].to_numpy()].assign(
                onset_ms=one["onset_ms"].to_numpy(), offset_ms=one["offset_ms"].to_numpy()),
                segments, scheme=SCHEME, duration_ms=duration).indicators.iloc[0][
                    "responsiveness_state"] for _, one in copies.groupby("replicate")]
        jitter_share = float(np.mean(np.array(states) == scores.indicators.iloc[0][
            "responsiveness_state"]))
        assert abs(jitter_share - scores.indicators.iloc[0][
            "responsiveness_stability_jitter"]) < 1e-12, "the loop disagrees"
        per_copy = loop.wall / len(states)
        n_dropouts = min(len(table), scores.settings.stability_max_dropouts)
        naive = per_copy * (len(states) + n_dropouts)
        print(f"  {label}: {len(table):,} events; with stability min/median/max "
              f"{min(times):.2f}/{ours:.2f}/{max(times):.2f} s; one copy at a time "
              f"{per_copy * 1000:.0f} ms x {len(states) + n_dropouts} copies = {naive:.1f} s "
              f"(jitter copies timed, dropouts at the same rate): {naive / ours:.0f}x")


def _squeezed(table: pd.DataFrame, k: int) -> pd.DataFrame:
    """A coding k times denser: every time divided by k (states kept at least 1 ms)."""
    if k == 1:
        return table
    on = table["onset_ms"] // k
    off = table["offset_ms"] // k
    keep = off.isna() | (off > on)
    return table.assign(onset_ms=on, offset_ms=off)[keep].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small cohorts for a smoke run")
    args = parser.parse_args()
    sizes = (50, 200, 800) if args.quick else (100, 1_000, 10_000)
    batch = 200 if args.quick else BATCH
    print(f"sessions of {MINUTES} min free play, styles {', '.join(STYLES)} in turn")
    print(f"{'sessions':>9} {'events':>11} {'ev/session':>10} {'CPU s':>8} {'CPU ev/s':>10}"
          f" {'wall s':>8} {'wall ev/s':>10}")
    points = []
    for n in sizes:
        events, cpu, wall = score_cohort(n, batch)
        points.append((events, cpu, wall))
        print(f"{n:>9,} {events:>11,} {events / n:>10.0f} {cpu:>8.2f} {events / cpu:>10,.0f}"
              f" {wall:>8.2f} {events / wall:>10,.0f}")
    x = np.log([p[0] for p in points])
    print("growth exponent (log-log slope of time vs events): "
          f"{np.polyfit(x, np.log([p[1] for p in points]), 1)[0]:.2f} (CPU), "
          f"{np.polyfit(x, np.log([p[2] for p in points]), 1)[0]:.2f} (wall)")
    print(f"tracemalloc peak scoring {batch:,} sessions in one batch: {peak_memory(batch):,.0f} MB")
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    compare(100 if args.quick else 1_000)
    validity(25 if args.quick else 200)
    stability_one_coding(3 if args.quick else 7)


if __name__ == "__main__":
    main()
