"""One caregiver and child over one recording, as a discrete-event simulation of their
behaviour (the model is described in :mod:`samspill.core.simulate.behaviour`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from samspill.core.simulate.clock import _Clock, _Record, _Run
from samspill.core.simulate.traits import BehaviourTraits

# Constants of the world, the same for every dyad.
_FAR_NOTICE = 0.7  # a far (or absorbed) caregiver notices bids this much less often
_FAR_LATENCY = 1.6  # ... and answers this much later
_INSISTENCE = 0.3  # each repeat of a signal makes it harder to ignore
_LATENCY_SIGMA = 0.6  # log-scale spread of one answer's latency
_PROXIMITY_CYCLE_S = 90.0  # mean length of a near bout plus a far bout
_MIN_BOUT_S = 2.0
_DISTRESS_BID_FACTOR = 2.5  # a distressed child bids this much more often
_REPEAT_GAP_S = 4.0  # median gap before an unanswered bid is repeated
_MAX_REPEATS = 10
_ECHO = 0.1  # P(a bid is echoed within a second, e.g. calling twice)
_MUTED_KEEPS_SEEKING = 0.5  # P(the child keeps bidding after a muted answer)
_SEEK_WHEN_DISTRESSED = 0.7  # P(a newly distressed child starts seeking contact)
_DISTRESS_SIGMA = 0.6
_ALONE_DISTRESS_FACTOR = 2.5  # distress lasts longer with nobody in the room to answer it
_SOOTHE_S = 8.0  # median time a distressed child takes to calm in a hold
_FULL_ANSWER_REMAINS = 0.4  # share of the remaining distress left after a full answer
_PARTIAL_COMFORT_REMAINS = 0.7  # ... after comfort without a hold
_REBOUND_S = 10.0  # median extra distress after being put down while upset
_HOLD_SIGMA = 0.6
_PROTEST_TO_DISTRESS = 0.25
_LIFT_WHEN_CLIMBING = 0.5  # a child climbing up or in distress is lifted more readily
_BASE_INITIATIONS_PER_MIN = 1.0  # unprompted contact in calm play at initiative 1
_INTRUSIVE_HOLD_NEED_S = 4.0  # a child picked up unasked soon wants down
_STARTLE_NI, _STARTLE_FD = 0.15, 0.3  # P(distress after a hostile / frightening act)
_FREEZE_S = (5.0, 15.0)  # the child stops bidding after a frightening act

_CONTACT_KINDS = frozenset({"approach", "reach", "climb-or-lift-arms"})
_CALM_KINDS = {
    "near": {"look": 0.3, "show": 0.35, "call": 0.1, "reach": 0.2, "climb-or-lift-arms": 0.05},
    "far": {"look": 0.3, "show": 0.25, "call": 0.25, "approach": 0.2},
}
_SEEKING_KINDS = {
    "near": {"reach": 0.4, "climb-or-lift-arms": 0.45, "call": 0.15},
    "far": {"approach": 0.6, "call": 0.3, "reach": 0.1},
}
# A repeat may move one step up the ladder, to a more insistent signal.
_LADDERS = {
    "near": ("look", "show", "call", "reach", "climb-or-lift-arms"),
    "far": ("look", "show", "call", "approach", "climb-or-lift-arms"),
}
_CHANNELS = {"near": {"verbal": 0.4, "nonverbal": 0.35, "physical": 0.25},
             "far": {"verbal": 0.6, "nonverbal": 0.4}}


class _Dyad(_Clock):
    """One caregiver and child over one recording: a discrete-event simulation."""

    def __init__(self, traits: BehaviourTraits, rng: np.random.Generator, duration_ms: int,
                 separations: list[tuple[int, int]]) -> None:
        super().__init__(rng, duration_ms)
        self.tr = traits
        self.separations = separations
        # caregiver
        self.present = True
        self.proximity = "near" if rng.random() < traits.availability else "far"
        self.proximity_token = 0
        self.hold_from: int | None = None
        self.hold_token = 0
        self.separation = 0
        # child
        self.distress_from: int | None = None
        self.distress_until = 0
        self.distress_token = 0
        self.comforted = False
        self.run: _Run | None = None
        self.frozen_until = 0

    # -- the loop ------------------------------------------------------------------------------

    def simulate(self) -> _Record:
        self.record.proximity.append((0, self.proximity))
        self._schedule_proximity_switch(0)
        self._start_bid_process(0)
        for per_min, act in self._caregiver_processes():
            self._poisson(0, per_min, act)
        self._poisson(0, self.tr.distress_per_10min / 10, self._spontaneous_distress)
        for leave_ms, return_ms in self.separations:
            self._at(leave_ms, self._leave)
            self._at(return_ms, self._return)
        self._run_queue()
        self._close_open_states()
        return self.record

    def _caregiver_processes(self) -> list[tuple[float, Callable[[int], None]]]:
        tr = self.tr
        return [
            (tr.initiative * _BASE_INITIATIONS_PER_MIN, self._spontaneous_initiation),
            (tr.intrusion_per_10min / 10, self._intrusion),
            (tr.hostility_per_10min / 10, self._hostile_act),
            (tr.frightening_per_10min / 10, self._frightening_act),
            (tr.affective_error_per_10min / 10, self._present_point("ae")),
            (tr.role_confusion_per_10min / 10, self._present_point("rb")),
        ]

    def _present_point(self, code: str) -> Callable[[int], None]:
        def act(t: int) -> None:
            if self.present:
                self._point(t, "caregiver", code)
        return act

    # -- proximity -----------------------------------------------------------------------------

    def _set_proximity(self, t: int, state: str) -> None:
        self.proximity = state
        self.record.proximity.append((t, state))

    def _schedule_proximity_switch(self, t: int) -> None:
        """A fresh bout of the current state; an older scheduled switch becomes stale."""
        self.proximity_token += 1
        share = self.tr.availability if self.proximity == "near" else 1 - self.tr.availability
        mean_s = max(share * _PROXIMITY_CYCLE_S, _MIN_BOUT_S)
        bout_s = max(self.rng.gamma(2.0, mean_s / 2.0), _MIN_BOUT_S)  # fewer tiny bouts
        self._at(t + round(bout_s * 1000), self._proximity_switch, self.proximity_token)

    def _proximity_switch(self, t: int, token: int) -> None:
        if token != self.proximity_token or not self.present or self.hold_from is not None:
            return  # a hold keeps the caregiver near; the next bout starts at the put-down
        self._set_proximity(t, "far" if self.proximity == "near" else "near")
        self._schedule_proximity_switch(t)

    def _come_near(self, t: int) -> None:
        """The caregiver comes within reach (the walk is part of the answer's latency)."""
        if self.proximity != "near":
            self._set_proximity(t, "near")
            self._schedule_proximity_switch(t)

    # -- the child's bids ----------------------------------------------------------------------

    def _child_free_to_bid(self, t: int) -> bool:
        return self.present and self.hold_from is None and t >= self.frozen_until

    def _start_bid_process(self, t: int) -> None:
        """Candidate bids at the highest rate, thinned to the rate of the moment."""
        self._poisson(t, self.tr.bid_rate_per_min * _DISTRESS_BID_FACTOR, self._bid_candidate)

    def _bid_candidate(self, t: int) -> None:
        if not self._child_free_to_bid(t) or self.run is not None:
            return
        if self.distress_from is not None:
            self._start_run(t, self._pick(_SEEKING_KINDS[self.proximity]))
        elif self._chance(1.0 / _DISTRESS_BID_FACTOR):
            self._start_run(t, self._pick(_CALM_KINDS[self.proximity]))

    def _seek(self, t: int) -> None:
        if self._child_free_to_bid(t) and self.run is None:
            self._start_run(t, self._pick(_SEEKING_KINDS[self.proximity]))

    def _seek_contact_again(self, t: int) -> None:
        if self._child_free_to_bid(t) and self.run is None:
            self._start_run(t, "climb-or-lift-arms")

    def _start_run(self, t: int, kind: str) -> None:
        self.run = _Run(kind)
        self._bid(t, self.run)

    def _bid(self, t: int, run: _Run) -> None:
        self._point(t, "child", "bid", kind=run.kind)
        if self._chance(_ECHO):
            self._point(t + self._uniform_ms(0.3, 0.9), "child", "bid", kind=run.kind)
        if not run.answer_pending:
            self._caregiver_notices(t, run)
        self._schedule_repeat(t, run)

    def _schedule_repeat(self, t: int, run: _Run) -> None:
        run.repeat_token += 1
        gap = self._lognormal_ms(_REPEAT_GAP_S, 0.35) + 1000
        self._at(t + gap, self._repeat, run, run.repeat_token)

    def _repeat(self, t: int, run: _Run, token: int) -> None:
        if run is not self.run or run.answered or token != run.repeat_token:
            return
        if (not self._child_free_to_bid(t) or run.repeats >= _MAX_REPEATS
                or not self._chance(self.tr.persistence)):
            self.run = None  # the child gives up (or cannot go on)
            return
        run.repeats += 1
        run.kind = self._more_insistent(run.kind)
        if self.distress_from is None and self._chance(self.tr.escalation):
            self._start_distress(t)
        self._bid(t, run)

    def _more_insistent(self, kind: str) -> str:
        ladder = _LADDERS[self.proximity]
        if kind not in ladder:  # e.g. an approach once the caregiver is near: reach instead
            kind = "reach" if self.proximity == "near" else "approach"
        step = ladder.index(kind) + (1 if self._chance(0.5) else 0)
        return ladder[min(step, len(ladder) - 1)]

    # -- the caregiver's answers ---------------------------------------------------------------

    def _caregiver_notices(self, t: int, run: _Run) -> None:
        near = self.proximity == "near"
        ignored = 1.0 - self.tr.sensitivity * (1.0 if near else _FAR_NOTICE)
        if self._chance(1.0 - ignored ** (1.0 + _INSISTENCE * run.repeats)):
            run.answer_pending = True
            median = self.tr.answer_latency_s * (1.0 if near else _FAR_LATENCY)
            self._at(t + self._lognormal_ms(median, _LATENCY_SIGMA), self._answer, run)
        elif self._chance(self.tr.turns_away):
            self._at(t + self._uniform_ms(0.5, 2.5), self._present_point("wd"))

    def _answer(self, t: int, run: _Run) -> None:
        run.answer_pending = False
        if not self.present or self.hold_from is not None or run.answered:
            return
        upset = self.distress_from is not None
        wants_contact = upset or run.kind in _CONTACT_KINDS
        if wants_contact and self._chance(self.tr.redirection):
            self._point(t, "caregiver", "redirect")  # the child goes on seeking
            return
        self._settle(run)
        if upset or run.kind == "climb-or-lift-arms":
            lift = _LIFT_WHEN_CLIMBING + (1 - _LIFT_WHEN_CLIMBING) * self.tr.warmth
            if self._chance(lift):
                self._pick_up(t)
                return
        elif wants_contact and self._chance(self.tr.warmth):
            self._come_near(t)  # a touch or a hug for a child who came over or reached
            self._point(t, "caregiver", "respond", channel="physical", intensity="full")
            return
        self._plain_answer(t, run, upset)

    def _plain_answer(self, t: int, run: _Run, upset: bool) -> None:
        channel = self._pick(_CHANNELS[self.proximity])
        full = self._chance(self.tr.warmth)
        self._point(t, "caregiver", "respond", channel=channel,
                    intensity="full" if full else "muted")
        if full and upset:
            self._comfort(t, _FULL_ANSWER_REMAINS)
        if not full and self._chance(_MUTED_KEEPS_SEEKING):
            run.answered = False  # not satisfied: the child repeats the signal
            self.run = run
            self._schedule_repeat(t, run)

    def _settle(self, run: _Run | None) -> None:
        """The child's current run of bids has met an answer."""
        if run is not None:
            run.answered = True
        if self.run is not None:
            self.run.answered = True
            self.run = None

    # -- holds ---------------------------------------------------------------------------------

    def _pick_up(self, t: int, child_need_s: float | None = None) -> None:
        if not self.present or self.hold_from is not None:
            return
        self._come_near(t)
        self.proximity_token += 1  # no switching while holding
        self._settle(None)
        self.hold_from = t
        self.hold_token += 1
        patience = self._lognormal_ms(self.tr.hold_patience_s, _HOLD_SIGMA) + 1000
        self._at(t + patience, self._hold_ends, self.hold_token, "caregiver")
        if self.distress_from is not None:
            self._comfort_in_arms(t)  # the child's wish to get down comes once it has calmed
        else:
            need = child_need_s if child_need_s is not None else self.tr.hold_need_s
            self._at(t + self._exp_ms(need) + 1000, self._hold_ends, self.hold_token, "child")

    def _hold_ends(self, t: int, token: int, led_by: str) -> None:
        if token == self.hold_token and self.hold_from is not None:
            self._put_down(t, led_by)

    def _put_down(self, t: int, led_by: str) -> None:
        start, self.hold_from = self.hold_from, None
        self.hold_token += 1
        if start is None:
            return
        if t > start:
            self.record.states.append((start, t, "caregiver", "hold"))
        self._schedule_proximity_switch(t)  # the caregiver stays near for a bout
        if led_by == "caregiver":
            self._child_reacts_to_put_down(t, start)

    def _child_reacts_to_put_down(self, t: int, hold_start: int) -> None:
        upset = self.distress_from is not None
        p = 1 - (1 - self.tr.protest) * 0.3 if upset else self.tr.protest
        protested = self._chance(p)
        if protested:  # legs pulled up, clinging: just before or at the put-down
            self._point(max(hold_start, t - self._uniform_ms(0.0, 1.5)), "child", "bid",
                        kind="protest-put-down")
        if upset:
            self._extend_distress(t + self._lognormal_ms(_REBOUND_S, 0.5))
        elif protested and self._chance(_PROTEST_TO_DISTRESS):
            self._start_distress(t)
        if (upset or protested) and self._chance(self.tr.persistence):
            self._at(t + self._uniform_ms(2.0, 5.0), self._seek_contact_again)

    # -- distress ------------------------------------------------------------------------------

    def _spontaneous_distress(self, t: int) -> None:
        if self.present:
            self._start_distress(t)

    def _start_distress(self, t: int) -> None:
        if self.distress_from is not None:
            return
        self.distress_from = t
        self.comforted = False
        median = self.tr.distress_duration_s * (1.0 if self.present else _ALONE_DISTRESS_FACTOR)
        self._set_distress_end(t + self._lognormal_ms(median, _DISTRESS_SIGMA) + 1000)
        if self.hold_from is not None:
            self._comfort_in_arms(t)
        elif self.present:
            self._caregiver_may_take_initiative(t)
            if self._chance(_SEEK_WHEN_DISTRESSED):
                self._at(t + self._uniform_ms(0.5, 3.0), self._seek)

    def _set_distress_end(self, t: int) -> None:
        self.distress_until = t
        self.distress_token += 1
        self._at(t, self._distress_ends, self.distress_token)

    def _extend_distress(self, until: int) -> None:
        if self.distress_from is not None and until > self.distress_until:
            self._set_distress_end(until)

    def _comfort(self, t: int, remaining_share: float) -> None:
        """Comfort cuts the remaining distress to a share of what it would have been."""
        if self.distress_from is None:
            return
        self.comforted = True
        target = t + max(500, round((self.distress_until - t) * remaining_share))
        if target < self.distress_until:
            self._set_distress_end(target)

    def _comfort_in_arms(self, t: int) -> None:
        self.comforted = True
        target = t + self._lognormal_ms(_SOOTHE_S, 0.5)
        if target < self.distress_until:
            self._set_distress_end(target)

    def _distress_ends(self, t: int, token: int) -> None:
        if token != self.distress_token or self.distress_from is None:
            return
        self.record.states.append((self.distress_from, t, "child", "distress"))
        self.distress_from = None
        if self.hold_from is not None:  # calm in arms: the child will want down in a while
            self._at(t + self._exp_ms(self.tr.hold_need_s) + 1000, self._hold_ends,
                     self.hold_token, "child")

    def _caregiver_may_take_initiative(self, t: int) -> None:
        if self._chance(self.tr.initiative):
            median = self.tr.answer_latency_s * (1.0 if self.proximity == "near" else _FAR_LATENCY)
            self._at(t + self._lognormal_ms(median, _LATENCY_SIGMA), self._initiate_comfort,
                     self.distress_token)

    def _initiate_comfort(self, t: int, token: int) -> None:
        if (token != self.distress_token or self.distress_from is None or not self.present
                or self.hold_from is not None or self.comforted):
            return
        self._come_near(t)
        self._point(t, "caregiver", "initiate")
        self._settle(None)
        if self._chance(self.tr.warmth):
            self._at(t + self._uniform_ms(0.3, 1.5), self._pick_up)
        else:
            self._comfort(t, _PARTIAL_COMFORT_REMAINS)

    # -- unprompted caregiver acts -------------------------------------------------------------

    def _spontaneous_initiation(self, t: int) -> None:
        if (not self.present or self.hold_from is not None or self.distress_from is not None
                or self.run is not None):
            return  # with a child in need or bidding, contact would be an answer, not initiative
        if self._chance(0.5):
            self._come_near(t)
        self._point(t, "caregiver", "initiate")

    def _intrusion(self, t: int) -> None:
        if not self.present or self.hold_from is not None:
            return
        self._come_near(t)
        self._point(t, "caregiver", "initiate")
        if self._chance(0.6):
            self._point(t, "caregiver", "ni")
        self._settle(None)
        if self._chance(0.4):
            self._pick_up(t, child_need_s=_INTRUSIVE_HOLD_NEED_S)
        if self._chance(0.2):
            self._start_distress(t)

    def _hostile_act(self, t: int) -> None:
        if self.present:
            self._point(t, "caregiver", "ni")
            if self._chance(_STARTLE_NI):
                self._start_distress(t)

    def _frightening_act(self, t: int) -> None:
        if not self.present:
            return
        self._point(t, "caregiver", "fd")
        self.frozen_until = max(self.frozen_until, t + self._uniform_ms(*_FREEZE_S))
        self.run = None  # the child stops seeking for a while
        if self._chance(_STARTLE_FD):
            self._start_distress(t)

    # -- separations ---------------------------------------------------------------------------

    def _leave(self, t: int) -> None:
        if self.hold_from is not None:
            self._put_down(t, "caregiver")
        prepared = "yes" if self._chance(self.tr.prepares_separation) else "no"
        self._point(t, "caregiver", "leave", prepared=prepared)
        self.present = False
        self.proximity_token += 1
        self._set_proximity(t, "absent")
        self.run = None  # nobody there to signal to
        self.separation += 1
        self._next_alone_hazard(t, self.separation)

    def _next_alone_hazard(self, t: int, separation: int) -> None:
        rate = self.tr.separation_distress_per_min
        if rate > 0:
            self._at(t + self._exp_ms(60.0 / rate), self._alone_hazard, separation)

    def _alone_hazard(self, t: int, separation: int) -> None:
        if self.present or separation != self.separation:
            return  # the caregiver is back: this separation's hazard has stopped
        self._start_distress(t)
        self._next_alone_hazard(t, separation)

    def _return(self, t: int) -> None:
        self.present = True
        self._point(t, "caregiver", "return")
        self._set_proximity(t, "near" if self._chance(self.tr.availability) else "far")
        self._schedule_proximity_switch(t)
        upset = self.distress_from is not None
        seek = 1 - (1 - self.tr.reunion_seek) * 0.5 if upset else self.tr.reunion_seek
        if self._chance(seek):
            self._at(t + self._lognormal_ms(2.0, 0.5), self._seek)
        if upset:
            self._caregiver_may_take_initiative(t)
        elif self._chance(self.tr.initiative):
            self._at(t + self._lognormal_ms(2.0, 0.5), self._greet)

    def _greet(self, t: int) -> None:
        if self.present and self.run is None and self.hold_from is None:
            self._come_near(t)
            self._point(t, "caregiver", "initiate")

    # -- the end -------------------------------------------------------------------------------

    def _close_open_states(self) -> None:
        if self.hold_from is not None and self.duration > self.hold_from:
            self.record.states.append((self.hold_from, self.duration, "caregiver", "hold"))
        if self.distress_from is not None and self.duration > self.distress_from:
            self.record.states.append((self.distress_from, self.duration, "child", "distress"))
        self.hold_from = self.distress_from = None
