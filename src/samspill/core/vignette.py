"""The article's vignette (Monica and Maria, fictional) as coded events: the demo session.

Source: Brandtzæg & Torsteinson (2023), encoded following ``shared/spec/withdrawal.md``. It is
built to light all six withdrawal signs, and doubles as a reference case in the tests.

Two later sessions of the same family follow it (issue 23), written for this product, not
taken from the article: the same six minutes of free play with a separation and a reunion,
filmed again after some weeks of video-based guidance. In the second Monica sits nearer and
answers sooner, but the reunion still goes much as before (partly changed); in the third she
prepares Maria for the separation, answers her bids promptly and fully, and comforts her at
the reunion (clearly changed). Their signs come out of the scoring like the first's.
"""

from __future__ import annotations

from samspill.core.events import Event, Segment

VIGNETTE_DURATION_MS = 360_000
_S = 1000


def _e(
    subject: str,
    code: str,
    onset_s: float,
    offset_s: float | None = None,
    comment: str = "",
    **modifiers: str,
) -> Event:
    return Event(
        id=f"00000000-0000-4000-8000-{int(onset_s * 1000):06d}{len(code):02d}{ord(code[0]):04d}",
        subject=subject,
        code=code,
        onset_ms=round(onset_s * _S),
        offset_ms=None if offset_s is None else round(offset_s * _S),
        modifiers={k.replace("_", "-"): v for k, v in modifiers.items()},
        comment=comment,
    )


def vignette_events() -> list[Event]:
    """The vignette's timeline in events of the open withdrawal scheme."""
    return [
        # Proximity: far, except while out of the room and while Maria is at her lap.
        _e("caregiver", "far", 0, 120),
        _e("caregiver", "absent", 120, 180),
        _e("caregiver", "far", 180, 204),
        _e("caregiver", "near", 204, 250),
        _e("caregiver", "far", 250, 360),
        # Maria shows toys; a late faint answer, a late nod, then nothing.
        _e("child", "bid", 20, kind="show"),
        _e(
            "caregiver",
            "respond",
            27,
            comment="nods, says faintly 'se der, ja'",
            channel="verbal",
            intensity="muted",
        ),
        _e("child", "bid", 55, kind="show"),
        _e(
            "caregiver", "respond", 63, comment="a late nod", channel="nonverbal", intensity="muted"
        ),
        _e("child", "bid", 95, kind="show"),
        # An unprepared separation and a reunion without comfort.
        _e("caregiver", "leave", 120, prepared="no"),
        _e("caregiver", "return", 180),
        _e("child", "distress", 180, 235),
        _e("caregiver", "redirect", 185, comment="points her to the toys"),
        _e("caregiver", "redirect", 200, comment="points her to the toys"),
        _e("child", "bid", 205, kind="climb-or-lift-arms"),
        _e("child", "bid", 215, kind="climb-or-lift-arms"),
        _e("caregiver", "redirect", 216, comment="gently pushes her towards a toy"),
        _e("child", "bid", 228, kind="climb-or-lift-arms"),
        # Lifted up after several attempts, put down while protesting.
        _e("caregiver", "hold", 240, 248),
        _e("child", "bid", 246, comment="pulls her legs up to stay", kind="protest-put-down"),
    ]


def vignette_segments() -> list[Segment]:
    """Free play in one segment, with the separation and the reunion marked within it."""
    return [
        Segment(
            id="00000000-0000-4000-9000-000000000001",
            spec_id="play",
            name="Free play",
            role="plain",
            start_ms=0,
            end_ms=120_000,
        ),
        Segment(
            id="00000000-0000-4000-9000-000000000002",
            spec_id=None,
            name="Separation",
            role="separation",
            start_ms=120_000,
            end_ms=180_000,
        ),
        Segment(
            id="00000000-0000-4000-9000-000000000003",
            spec_id=None,
            name="Reunion",
            role="reunion",
            start_ms=180_000,
            end_ms=VIGNETTE_DURATION_MS,
        ),
    ]


def vignette_guidance_events() -> list[Event]:
    """Some weeks into guidance: nearer and quicker in free play; the reunion much as before.

    Monica sits within reach for most of the play and answers Maria's showing soon, though
    the first answer is still faint. She leaves without preparing Maria again; at the reunion
    she points her to the toys twice, then lets her climb up, and puts her down soon after.
    """
    return [
        _e("caregiver", "near", 0, 100),
        _e("caregiver", "far", 100, 120),
        _e("caregiver", "absent", 120, 180),
        _e("caregiver", "far", 180, 210),
        _e("caregiver", "near", 210, 300),
        _e("caregiver", "far", 300, 360),
        _e("child", "bid", 20, kind="show"),
        _e("caregiver", "respond", 22, comment="smiles, says faintly 'ja'", channel="verbal",
           intensity="muted"),
        _e("child", "bid", 55, kind="show"),
        _e("caregiver", "respond", 56, comment="'oi, en bil!'", channel="verbal",
           intensity="full"),
        _e("child", "bid", 80, kind="look"),
        _e("caregiver", "respond", 81, comment="looks back and nods", channel="nonverbal",
           intensity="full"),
        _e("child", "bid", 95, kind="show"),
        _e("caregiver", "respond", 97, comment="takes the toy and looks", channel="physical",
           intensity="full"),
        _e("caregiver", "leave", 120, prepared="no"),
        _e("caregiver", "return", 180),
        _e("child", "distress", 180, 225),
        _e("caregiver", "redirect", 186, comment="points her to the toys"),
        _e("child", "bid", 198, kind="approach"),
        _e("caregiver", "redirect", 200, comment="hands her a toy"),
        _e("child", "bid", 205, kind="climb-or-lift-arms"),
        _e("child", "bid", 212, kind="climb-or-lift-arms"),
        _e("caregiver", "hold", 214, 226),
        _e("child", "bid", 225, comment="holds on to her sweater", kind="protest-put-down"),
    ]


def vignette_followup_events() -> list[Event]:
    """Later still: near and answering in play, a prepared separation, comfort at reunion.

    Monica stays within reach, answers every bid promptly and fully, tells Maria she will be
    back before she goes, and at the reunion goes to her, picks her up and holds her until
    she settles and climbs down to play.
    """
    return [
        _e("caregiver", "near", 0, 120),
        _e("caregiver", "absent", 120, 180),
        _e("caregiver", "near", 180, 360),
        _e("child", "bid", 20, kind="show"),
        _e("caregiver", "respond", 21, comment="'se, en bil! Den kjører fort'",
           channel="verbal", intensity="full"),
        _e("child", "bid", 55, kind="show"),
        _e("caregiver", "respond", 56, comment="takes the car, drives it back",
           channel="physical", intensity="full"),
        _e("child", "bid", 80, kind="look"),
        _e("caregiver", "respond", 81, comment="smiles back", channel="nonverbal",
           intensity="full"),
        _e("child", "bid", 95, kind="show"),
        _e("caregiver", "respond", 96, comment="'så fin!'", channel="verbal",
           intensity="full"),
        _e("caregiver", "initiate", 110, comment="'mamma går ut litt, jeg kommer snart'"),
        _e("caregiver", "leave", 120, prepared="yes"),
        _e("caregiver", "return", 180),
        _e("child", "distress", 180, 196),
        _e("caregiver", "initiate", 182, comment="goes to her: 'her er jeg'"),
        _e("child", "bid", 183, kind="climb-or-lift-arms"),
        _e("caregiver", "hold", 184, 230),
        _e("child", "bid", 240, kind="show"),
        _e("caregiver", "respond", 241, comment="'ja, den!'", channel="verbal",
           intensity="full"),
    ]
