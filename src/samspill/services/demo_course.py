"""The demo course (issue 12): "See what is missing", on the vignette and on short simulated
clips of each caregiving style, each with a rendered video like the demo's.

The simulated clips are three minutes of free play, drawn at each style's centre with seeds
chosen so that each clip shows its style plainly (checked by ``tests/web/test_courses.py``):
a sensitive caregiver with no sign present, a withdrawn one with unanswered bids, a hostile
one, a frightened one. Rendering them costs some 17 s of CPU (see docs/teaching.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from samspill.core.events import Event
from samspill.core.simulate import simulate_session
from samspill.services import courses
from samspill.services.courses import ClipPlan, LessonPlan
from samspill.services.media import attach_file
from samspill.services.simulation import store_simulated
from samspill.store.models import ObservationSession, Study, User
from samspill.store.models_courses import CourseRow

DEMO_COURSE = "see-what-is-missing"
CLIP_MS = 180_000
# One seed per style: each clip shows its style plainly (see the module's docstring).
STYLE_SEEDS = {"sensitive": 3, "withdrawn": 3, "hostile": 1, "frightened": 2}
Render = Callable[[Sequence[Event], int, Path], Path]


def add_demo_course(db: Session, *, study: Study, owner: User, vignette: str,
                    media_dir: Path, render: Render | None) -> CourseRow:
    """The style clips as sessions of the demo study, then the course on them."""
    names = {style: _style_session(db, study, style, seed, media_dir, render).name
             for style, seed in STYLE_SEEDS.items()}
    return courses.course_from_study(db, study=study, by=owner, name=DEMO_COURSE,
                                     title={"en": "See what is missing",
                                            "nb": "Se det som mangler"},
                                     description=DESCRIPTION, lessons=_lessons(vignette, names))


def _style_session(db: Session, study: Study, style: str, seed: int, media_dir: Path,
                   render: Render | None) -> ObservationSession:
    simulated = simulate_session(style, seed=seed, duration_ms=CLIP_MS, spread=0,
                                 name=f"course-{style}")
    session = store_simulated(db, study=study, simulated=simulated, seed=seed)
    if render is not None:
        video = render(simulated.events, simulated.duration_ms,
                       media_dir / ".render" / f"course-{style}.webm")
        attach_file(db, session=session, media_dir=media_dir, source=video)
        video.unlink(missing_ok=True)
    return session


DESCRIPTION = {
    "en": "Emotional neglect shows as what does not happen: a child's signal that nobody "
          "answers. Six short lessons on the article's vignette and on simulated families.",
    "nb": "Emosjonell omsorgssvikt viser seg i det som ikke skjer: et signal fra barnet som "
          "ingen svarer på. Seks korte leksjoner om vignetten i artikkelen og simulerte familier.",
}


def _lessons(vignette: str, style: dict[str, str]) -> list[LessonPlan]:
    return [
        LessonPlan("mark_unanswered", {"en": "Maria shows her toys", "nb": "Maria viser lekene"},
                   [ClipPlan(vignette, 0, 120_000)],
                   text={"en": "Maria (2) plays; her mother Monica sits well away. Mark each "
                               "time Maria turns to her mother and no answer comes.",
                         "nb": "Maria (2) leker; mora Monica sitter et stykke unna. Marker hver "
                               "gang Maria vender seg til mora og ikke får svar."},
                   feedback={"en": "A late, faint nod is an answer, if a poor one: the signs "
                                   "count it as muted, not as missing.",
                             "nb": "Et sent, svakt nikk er et svar, om enn et dårlig et: tegnene "
                                   "teller det som dempet, ikke som manglende."}),
        LessonPlan("mark_unanswered", {"en": "The reunion", "nb": "Gjenforeningen"},
                   [ClipPlan(vignette, 180_000, 260_000)],
                   text={"en": "Monica comes back after leaving without a word. Maria is upset "
                               "and tries to climb onto her lap.",
                         "nb": "Monica kommer tilbake etter å ha gått uten et ord. Maria er lei "
                               "seg og prøver å klatre opp på fanget hennes."}),
        LessonPlan("which_signs", {"en": "The whole vignette", "nb": "Hele vignetten"},
                   [ClipPlan(vignette, 0, 360_000)],
                   text={"en": "Six minutes of Monica and Maria. Which of the six signs of "
                               "withdrawal do you see?",
                         "nb": "Seks minutter med Monica og Maria. Hvilke av de seks tegnene "
                               "på tilbaketrekning ser du?"}),
        LessonPlan("which_clip", {"en": "Two families", "nb": "To familier"},
                   [ClipPlan(style["sensitive"], 0), ClipPlan(style["withdrawn"], 0)],
                   text={"en": "Two simulated families at play. In which clip does the "
                               "caregiver withdraw?",
                         "nb": "To simulerte familier i lek. I hvilket klipp trekker "
                               "omsorgspersonen seg unna?"}),
        LessonPlan("which_clip", {"en": "Withdrawn or hostile?",
                                  "nb": "Tilbaketrukket eller fiendtlig?"},
                   [ClipPlan(style["hostile"], 0), ClipPlan(style["withdrawn"], 0)],
                   text={"en": "Both caregivers fail the child. Which one withdraws, and "
                               "which is hostile or intrusive?",
                         "nb": "Begge omsorgspersonene svikter barnet. Hvem trekker seg unna, "
                               "og hvem er fiendtlig eller påtrengende?"}),
        LessonPlan("which_signs", {"en": "A frightened caregiver",
                                   "nb": "En skremt omsorgsperson"},
                   [ClipPlan(style["frightened"], 0)],
                   text={"en": "Signs of withdrawal can come with fear. Which signs do you "
                               "see here?",
                         "nb": "Tegn på tilbaketrekning kan komme sammen med frykt. Hvilke "
                               "tegn ser du her?"}),
    ]
