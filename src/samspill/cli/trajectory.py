"""`samspill trajectory`: a family's course over time, as a table for people (issue 23)."""

from __future__ import annotations

import math
import os
from typing import Annotated

import typer

from samspill.cli.common import DataDir, Study, unit_of_work
from samspill.core.errors import N_


def trajectory(
    study: Study,
    dyad: Annotated[str, typer.Option("--dyad", help="The dyad's code.")],
    lang: Annotated[str, typer.Option("--lang", help="en or nb (bokmål).")] = "en",
    data_dir: DataDir = None,
) -> None:
    """A dyad's sessions in order (intake, during guidance, follow-up) with the six signs'
    states and values for the whole session and the reunions, and each change from the
    previous session and from intake judged against the study's coder agreement (the reliable
    change index of Jacobson & Truax, 1991)."""
    from samspill.cli.scores_text import check_language
    from samspill.services import access as policy
    from samspill.services import studies
    from samspill.services.trajectory import dyad_course
    from samspill.store.models import User

    check_language(lang)
    with unit_of_work(data_dir) as (db, _):
        # The command line is the study's operator: it reads every coding, as an owner does.
        operator = policy.Member(User(id=-1, username="command-line"), "owner")
        course = dyad_course(db, study=studies.get_study(db, study), dyad_code=dyad,
                             member=operator)
        _print(course.trajectory, lang)


def _print(t, lang: str) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table

    from samspill.cli.scores_text import said
    from samspill.core.change import VERDICT_TEXTS
    from samspill.core.indicators import INDICATORS
    from samspill.core.trajectory import PHASE_TEXTS

    out = Console()
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out = Console(width=160)
    for i, p in enumerate(t.points, start=1):
        status = "" if p.status == "scored" else f" · {said(STATUS_TEXTS[p.status], lang)}"
        reason = f": {p.reason}" if p.reason else ""
        out.print(f"{i}. {p.name} · {p.date or '–'} · "
                  f"{said(PHASE_TEXTS.get(p.phase, PHASE_TEXTS[None]), lang)}{status}{reason}",
                  markup=False, highlight=False)
    for scope in t.scopes():
        table = Table(title=said(SCOPE_TEXTS[scope], lang), show_lines=True)
        table.add_column(said(N_("sign"), lang))
        for p in t.points:
            table.add_column(p.name)
        for name in INDICATORS:
            cells = []
            for i in range(len(t.points)):
                cell = t.cell(i, scope, name)
                cells.append(_cell(name, cell, lang, VERDICT_TEXTS) if cell else "–")
            table.add_row(said(SIGN_TEXTS[name], lang), *cells)
        out.print(table)
    _print_measures(out, t, lang)


def _cell(name: str, cell: dict, lang: str, verdicts: dict[str, str]) -> str:
    from rich.markup import escape

    from samspill.cli.scores_text import said
    from samspill.core import numbers
    from samspill.core.trajectory import MEASURES

    if cell["state"] is None:
        return "–"
    lines = [f"{said(STATE_TEXTS.get(str(cell['state']), str(cell['state'])), lang)} · "
             f"{numbers.value_text(MEASURES[name], cell['value'], lang)}"]
    for key, label in (("prev", N_("vs previous")), ("intake", N_("vs intake"))):
        verdict = cell[f"{key}_verdict"]
        if verdict is None:
            continue
        rc = cell[f"{key}_rc"]
        shown = "" if math.isnan(rc) else (
            " (RC " + (("+∞" if rc > 0 else "−∞") if math.isinf(rc) else _number(rc, lang)) + ")")
        lines.append(f"{said(label, lang)}: {said(verdicts[verdict], lang)}{shown}")
    return escape("\n".join(lines))


def _number(value: float, lang: str) -> str:
    from samspill.core import numbers

    return numbers.fixed(value, lang, 1)


def _print_measures(out, t, lang: str) -> None:  # type: ignore[no-untyped-def]
    from samspill.cli.scores_text import said, value_text
    from samspill.core import numbers

    out.print(said(N_("Reliable change index (Jacobson & Truax, 1991): |RC| > 1.96 is a "
                      "reliable change; r_xx is the study's coder agreement (ICC2) on the "
                      "measure, s1 its spread (SD) among the study's sessions."), lang),
              markup=False, highlight=False)
    for r in t.measures.itertuples(index=False):
        if r.scope not in t.scopes():
            continue
        icc = (numbers.fixed(r.r_xx, lang, 2) if not math.isnan(r.r_xx)
               else said(N_("not enough agreement data"), lang))
        out.print(f"  {said(SIGN_TEXTS[r.indicator], lang)} · {said(SCOPE_TEXTS[r.scope], lang)}"
                  f": ICC {icc} ({r.agreement_sessions}) · SD "
                  f"{value_text(r.measure, r.s1, lang)} ({r.s1_sessions})",
                  markup=False, highlight=False)


SIGN_TEXTS = {
    "initiative": N_("Lack of initiative when the child has attachment needs"),
    "responsiveness": N_("Delayed or muted responding"),
    "cursory_contact": N_("Cursory responding"),
    "redirection": N_("Directing the child away from self"),
    "distance": N_("Interaction at a distance"),
    "hostility": N_("Hostility or intrusiveness (the profile's qualifier, not a sign)"),
}
SCOPE_TEXTS = {"session": N_("Whole session"), "reunions": N_("Reunions")}
STATE_TEXTS = {"present": N_("present"), "absent": N_("absent"),
               "not_observable": N_("not observable"), "low": N_("little or no hostility"),
               "hostile": N_("hostile or intrusive")}
STATUS_TEXTS = {"provisional": N_("provisional: a state was still running; for this score it "
                                  "ends at the end of the recording"),
                "unscorable": N_("cannot be scored"), "no_coding": N_("no coding you may read")}
