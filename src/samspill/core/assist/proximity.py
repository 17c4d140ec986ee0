"""Proximity (near, far) and holding candidates from people's keypoints, frame by frame.

The input is what a multi-person pose model (MoveNet MultiPose) gives for each frame: up to six
people, each as 17 keypoints (y, x, score) in COCO order, then a box (ymin, xmin, ymax, xmax)
and the person's score, coordinates in 0..1 of a square (letterboxed) frame. Construct
decisions, and why:

- **Who is who.** A frame counts when at least two people are seen: a person's score reaches
  ``min_person_score`` and ``min_keypoints`` of their keypoints reach ``keypoint_score``. Of the
  people seen, the two with the highest scores are the dyad, and the one whose box is taller is
  taken to be the caregiver, the shorter one the child. A caregiver who crouches or sits on the
  floor beside a standing toddler may be the shorter: the coder sees it and rejects.
- **Distance.** The gap between the two boxes (0 when they overlap), divided by the caregiver's
  box height, so that it does not depend on how far the camera is: a gap of 0.25 is a quarter
  of her height. She is *near* at or below ``near_gap`` and *far* at or above ``far_gap``; in
  between, the state stays what it was (hysteresis), so that a caregiver who leans back and
  forth at the edge does not flicker.
- **Gaps in the picture.** A frame without a dyad keeps the state for up to ``max_missing_ms``
  (a person briefly hidden); longer, the state is unknown and nothing is proposed there.
- **Durations.** A state shorter than ``min_state_ms`` is absorbed by the longer of its two
  neighbours, shortest first, as a coder who would not code a half-second approach.
- **Contact (holding).** In a frame with a dyad whose boxes touch, a wrist or an elbow of one of
  them (keypoint score at least ``keypoint_score``) inside the other's box. Contact lasting
  ``min_hold_ms`` or more, across gaps of up to ``max_missing_ms``, is proposed as ``hold`` of
  the caregiver. A picture cannot tell an arm around a child from an arm in front of her: these
  are candidates for a coder to look at.
- **Confidence.** For a state: the mean over its frames of the weaker person's score, times the
  share of its frames in which the dyad was seen. For a hold: the share of its frames with
  contact, times the mean weaker score in them.

What it cannot do: tell a caregiver from another adult, see someone out of the picture (it
proposes nothing, never ``absent``), or judge reach in depth (two people far apart along the
camera's line of sight look close).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from samspill.core.assist.proposals import Proposal, merge_close, runs

KEYPOINTS = 17
BOX = slice(51, 55)
SCORE = 55
ARMS = (7, 8, 9, 10)  # elbows and wrists, COCO order
NEAR, FAR, UNKNOWN = 1, 2, 0


@dataclass(frozen=True)
class ProximitySettings:
    near_gap: float = 0.25
    far_gap: float = 0.5
    min_person_score: float = 0.2
    keypoint_score: float = 0.3
    min_keypoints: int = 5
    min_state_ms: int = 2000
    min_hold_ms: int = 1000
    max_missing_ms: int = 1000


@dataclass(frozen=True)
class Dyad:
    """Per frame: whether a dyad was seen, its gap (caregiver heights), contact, and the weaker
    person's score; arrays of one length."""

    seen: np.ndarray
    gap: np.ndarray
    contact: np.ndarray
    score: np.ndarray


def dyads(people: np.ndarray, settings: ProximitySettings = ProximitySettings()) -> Dyad:
    """The caregiver and child of each frame of ``people`` (n, 6, 56), measured."""
    n = len(people)
    seen, contact = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    gap, score = np.full(n, np.nan), np.zeros(n)
    for i, frame in enumerate(np.asarray(people, dtype=np.float64)):
        pair = _pair(frame, settings)
        if pair is None:
            continue
        caregiver, child = pair
        seen[i] = True
        gap[i] = box_gap(caregiver[BOX], child[BOX]) / _height(caregiver[BOX])
        score[i] = min(caregiver[SCORE], child[SCORE])
        contact[i] = gap[i] == 0 and (_arm_inside(caregiver, child[BOX], settings)
                                      or _arm_inside(child, caregiver[BOX], settings))
    return Dyad(seen, gap, contact, score)


def _pair(frame: np.ndarray, settings: ProximitySettings) -> tuple[np.ndarray, np.ndarray] | None:
    points = frame[:, :51].reshape(-1, KEYPOINTS, 3)
    enough = (points[:, :, 2] >= settings.keypoint_score).sum(axis=1) >= settings.min_keypoints
    ok = np.flatnonzero((frame[:, SCORE] >= settings.min_person_score) & enough
                        & (frame[:, 53] > frame[:, 51]))
    if len(ok) < 2:
        return None
    first, second = ok[np.argsort(-frame[ok, SCORE], kind="stable")[:2]]
    a, b = frame[first], frame[second]
    return (a, b) if _height(a[BOX]) >= _height(b[BOX]) else (b, a)


def _height(box: np.ndarray) -> float:
    return max(float(box[2] - box[0]), 1e-6)


def box_gap(a: np.ndarray, b: np.ndarray) -> float:
    """The shortest distance between two boxes (ymin, xmin, ymax, xmax); 0 when they touch."""
    dy = max(0.0, float(max(a[0], b[0]) - min(a[2], b[2])))
    dx = max(0.0, float(max(a[1], b[1]) - min(a[3], b[3])))
    return float(np.hypot(dx, dy))


def _arm_inside(person: np.ndarray, box: np.ndarray, settings: ProximitySettings) -> bool:
    points = person[:51].reshape(KEYPOINTS, 3)[list(ARMS)]
    sure = points[:, 2] >= settings.keypoint_score
    inside = ((points[:, 0] >= box[0]) & (points[:, 0] <= box[2])
              & (points[:, 1] >= box[1]) & (points[:, 1] <= box[3]))
    return bool((sure & inside).any())


def states(dyad: Dyad, frame_ms: float,
           settings: ProximitySettings = ProximitySettings()) -> np.ndarray:
    """NEAR, FAR or UNKNOWN per frame, with hysteresis, gaps bridged and short states absorbed."""
    out = np.zeros(len(dyad.seen), dtype=np.int8)
    current, missing = UNKNOWN, 0
    bridge = int(settings.max_missing_ms // frame_ms)
    for i, (seen, gap) in enumerate(zip(dyad.seen, dyad.gap, strict=True)):
        if not seen:
            missing += 1
            current = current if missing <= bridge else UNKNOWN
        else:
            missing = 0
            if gap <= settings.near_gap:
                current = NEAR
            elif gap >= settings.far_gap or current == UNKNOWN:
                current = FAR if gap >= settings.far_gap else _nearer(gap, settings)
        out[i] = current
    return absorb_short(out, max(1, int(np.ceil(settings.min_state_ms / frame_ms))))


def _nearer(gap: float, settings: ProximitySettings) -> int:
    """A state to start in from inside the hysteresis band: the closer threshold's."""
    middle = (settings.near_gap + settings.far_gap) / 2
    return NEAR if gap < middle else FAR


def absorb_short(labels: np.ndarray, min_frames: int) -> np.ndarray:
    """Runs of one label shorter than ``min_frames`` take the label of their longer neighbour,
    the shortest run first; a lone run is left as it is."""
    out = np.asarray(labels).copy()
    while True:
        segments = _segments(out)
        short = [k for k, (_, a, b) in enumerate(segments) if b - a < min_frames]
        if not short or len(segments) == 1:
            return out
        k = min(short, key=lambda j: (segments[j][2] - segments[j][1], j))
        left = segments[k - 1] if k > 0 else None
        right = segments[k + 1] if k + 1 < len(segments) else None
        donor = max((s for s in (left, right) if s is not None), key=lambda s: s[2] - s[1])
        out[segments[k][1]:segments[k][2]] = donor[0]


def _segments(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """(label, start, stop) of each run of equal labels."""
    if not len(labels):
        return []
    edges = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate(([0], edges))
    stops = np.concatenate((edges, [len(labels)]))
    return [(int(labels[a]), int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def proximity_proposals(people: np.ndarray, frame_ms: float, duration_ms: int, version: str,
                        settings: ProximitySettings = ProximitySettings()) -> list[Proposal]:
    """``near`` and ``far`` states and ``hold`` candidates of the caregiver, in time order."""
    dyad = dyads(people, settings)
    found = [*_state_proposals(dyad, frame_ms, duration_ms, version, settings),
             *_hold_proposals(dyad, frame_ms, duration_ms, version, settings)]
    return sorted(found, key=lambda p: (p.onset_ms, p.code))


def _ms(index: int, frame_ms: float, duration_ms: int) -> int:
    return min(duration_ms, round(index * frame_ms))


def _state_proposals(dyad: Dyad, frame_ms: float, duration_ms: int, version: str,
                     settings: ProximitySettings) -> list[Proposal]:
    out = []
    for label, a, b in _segments(states(dyad, frame_ms, settings)):
        if label == UNKNOWN:
            continue
        seen = dyad.seen[a:b]
        confidence = float(dyad.score[a:b][seen].mean() * seen.mean()) if seen.any() else 0.0
        onset, offset = _ms(a, frame_ms, duration_ms), _ms(b, frame_ms, duration_ms)
        if offset > onset:
            out.append(Proposal("pose", version, "caregiver", "near" if label == NEAR else "far",
                                onset, offset, round(min(1.0, confidence), 3)))
    return out


def _hold_proposals(dyad: Dyad, frame_ms: float, duration_ms: int, version: str,
                    settings: ProximitySettings) -> list[Proposal]:
    touching = [(round(a * frame_ms), round(b * frame_ms)) for a, b in runs(dyad.contact)]
    out = []
    for onset, offset in merge_close(touching, settings.max_missing_ms):
        offset = min(offset, duration_ms)
        if offset - onset < settings.min_hold_ms:
            continue
        a, b = int(onset // frame_ms), max(int(onset // frame_ms) + 1, round(offset / frame_ms))
        contact = dyad.contact[a:b]
        confidence = float(contact.mean() * dyad.score[a:b][contact].mean())
        out.append(Proposal("pose", version, "caregiver", "hold", onset, offset,
                            round(min(1.0, confidence), 3)))
    return out
