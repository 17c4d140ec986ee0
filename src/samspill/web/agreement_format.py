"""The agreement and training pages' numbers and words: κ and percentages as people read them,
the rating tables' row titles and statistic names, and the page that carries them."""

from __future__ import annotations

import math

from fastapi import Request
from fastapi.responses import Response

from samspill.core import numbers
from samspill.web import i18n
from samspill.web import training_text as words
from samspill.web.deps import Access
from samspill.web.templating import page

_ = i18n.gettext


def N_(message: str) -> str:
    """Marks an English string for Babel's extractor; it is translated where shown."""
    return message


# Row labels of the rating tables.
ITEM_TITLES = {
    "level": N_("Level of disrupted communication"),
    "profile": N_("Profile"),
    "disrupted": N_("Disrupted (classification)"),
}
KAPPA_KINDS = {"cohen": "Cohen", "fleiss": "Fleiss"}
# The rating statistics of the agreement report (the service's ``statistic`` column).
STATISTICS = {
    "percent": N_("agreement in percent"),
    "alpha (ordinal)": N_("Krippendorff's α (ordinal)"),
    "alpha (interval)": N_("Krippendorff's α (interval)"),
    "kappa (cohen)": "κ (Cohen)",
    "kappa (fleiss)": "κ (Fleiss)",
}


def statistic_label(statistic: object) -> str:
    """A rating statistic's name as people read it; the ICC forms keep their names."""
    key = str(statistic)
    return _(STATISTICS[key]) if key in STATISTICS else key


def missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_kappa(value: object) -> str:
    """κ (or an ICC, α) as people read it: two decimals in the page's language, float noise
    around 0 read as 0; "–" when undefined."""
    return words.kappa(value)


def fmt_percent(value: object) -> str:
    """A percentage (0–100) as people read it: "85 %", "87,5 %"; "–" when undefined."""
    if missing(value):
        return "–"
    number = numbers.decimal(float(value), "#,##0.#", i18n.current_language.get())  # type: ignore[arg-type]
    return f"{number}\u00a0%"


def agreement_page(
    request: Request, access: Access, name: str, **context: object
) -> Response:
    """A study's page with the agreement pages' formatters (the training pages' too)."""
    return page(request, access, name, titles=ITEM_TITLES, fmt_kappa=fmt_kappa,
                fmt_percent=fmt_percent, statistic_label=statistic_label, **context)
