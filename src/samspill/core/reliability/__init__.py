"""Inter-coder reliability: time-unit κ, event matching and alignment, rating agreement,
pairwise matrices and the certification rule. Pure: DataFrames in, DataFrames out.

See ``docs/agreement.md`` for what each statistic means and how to read it.
"""

from samspill.core.reliability._input import NIL
from samspill.core.reliability._pairs import point_summary
from samspill.core.reliability.alignment import align_costs, align_events
from samspill.core.reliability.certification import (
    Certification,
    CertificationRule,
    certify,
    tape_verdicts,
)
from samspill.core.reliability.indicators import classification_agreement, indicator_agreement
from samspill.core.reliability.kappa import kappa, kappa_from_counts, per_code_kappa
from samspill.core.reliability.matching import event_kappa, event_matrix, match_events
from samspill.core.reliability.pairwise import pairwise, pairwise_matrix
from samspill.core.reliability.ratings import (
    icc,
    krippendorff_alpha,
    percent_agreement,
    weighted_kappa,
    wide_ratings,
)
from samspill.core.reliability.summary import (
    EventAgreement,
    RatingAgreement,
    event_agreement,
    rating_agreement,
)
from samspill.core.reliability.timeunit import (
    POOLED,
    UnitCodes,
    agreement_timeline,
    confusion_matrix,
    per_code_kappa_units,
    time_unit_kappa,
    unit_codes,
)
from samspill.core.reliability.timing import timing_differences, timing_summary
from samspill.core.reliability.tolerance import time_unit_kappa_tolerance

__all__ = [
    "NIL",
    "POOLED",
    "Certification",
    "CertificationRule",
    "EventAgreement",
    "RatingAgreement",
    "UnitCodes",
    "agreement_timeline",
    "align_costs",
    "align_events",
    "certify",
    "classification_agreement",
    "confusion_matrix",
    "event_agreement",
    "event_kappa",
    "event_matrix",
    "icc",
    "indicator_agreement",
    "kappa",
    "kappa_from_counts",
    "krippendorff_alpha",
    "match_events",
    "pairwise",
    "pairwise_matrix",
    "per_code_kappa",
    "per_code_kappa_units",
    "percent_agreement",
    "point_summary",
    "rating_agreement",
    "tape_verdicts",
    "time_unit_kappa",
    "time_unit_kappa_tolerance",
    "timing_differences",
    "timing_summary",
    "unit_codes",
    "weighted_kappa",
    "wide_ratings",
]
