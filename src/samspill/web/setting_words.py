"""The study settings page's words: group titles, labels of the settings people set most, and
the problems a value can meet, in the reader's language.

The indicator settings keep their key as the label, with the model's own (English) description
beside it; ``docs/indicators.md`` explains each. The assist's settings have a label and a help
line in each language (:data:`HELP`); ``docs/assist.md`` explains them.
"""

from __future__ import annotations

from samspill.core import numbers
from samspill.core.setting_fields import PROBLEMS, Problem, SettingField
from samspill.web import i18n
from samspill.web.i18n import marked as _  # for the extractor

GROUP_TITLES = {
    "study": _("Scores and who sees them"),
    "agreement": _("Agreement"),
    "certification": _("Certification rule"),
    "assist": _("Assist: detectors and their thresholds"),
    "indicators": _("Indicator windows, thresholds and codes"),
}
LABELS = {
    "disrupted_cutoff": _("Disrupted from level (empty: the scheme's default, 5)"),
    "hide_scores_from_coders": _("Hide the six signs from coders"),
    "hide_scores_from_trainees": _("Hide the six signs from trainees"),
    "agreement_unit_ms": _("Time unit Δ of the time-unit κ (ms)"),
    "agreement_tolerance_ms": _("Tolerance τ: onsets this close are the same event (ms)"),
    "certification.min_tapes": _("Least number of tapes"),
    "certification.level_icc_type": _("ICC form for the level"),
    "certification.min_level_icc": _("Least ICC on the level"),
    "certification.min_disrupted_percent": _("Least agreement on disrupted (%)"),
    "certification.min_disrupted_kappa": _("Least κ on disrupted (empty: not required)"),
    "certification.min_time_unit_kappa": _("Least mean time-unit κ (empty: reported only)"),
    "certification.min_dimension_icc": _("Least ICC per dimension (empty: reported only)"),
    "assist.detectors": _("Detectors a pass runs by default"),
    "assist.speech_threshold": _("Speech: voice probability that starts speech"),
    "assist.speech_min_speech_ms": _("Speech: shortest speech kept (ms)"),
    "assist.speech_min_silence_ms": _("Speech: quiet that ends speech (ms)"),
    "assist.speech_pad_ms": _("Speech: margin on each side (ms)"),
    "assist.cry_min_rise_db": _("Crying: least loudness above the background (dB)"),
    "assist.cry_min_periodicity": _("Crying: least voicing (periodicity)"),
    "assist.cry_min_burst_ms": _("Crying: shortest burst (ms)"),
    "assist.cry_max_gap_ms": _("Crying: bursts this close are one episode (ms)"),
    "assist.cry_f0_min_hz": _("Crying: lowest pitch (Hz)"),
    "assist.cry_f0_max_hz": _("Crying: highest pitch (Hz)"),
    "assist.cry_code": _("Crying: code proposed"),
    "assist.silence_grace_ms": _("Silence: speech this soon after a bid is the bid (ms)"),
    "assist.pose_fps": _("Pose: frames a second looked at"),
    "assist.pose_near_gap": _("Pose: near at or below this gap (caregiver heights)"),
    "assist.pose_far_gap": _("Pose: far at or above this gap (caregiver heights)"),
    "assist.pose_min_person_score": _("Pose: least score of a person"),
    "assist.pose_min_state_ms": _("Pose: shortest near or far kept (ms)"),
    "assist.pose_min_hold_ms": _("Pose: shortest contact proposed as a hold (ms)"),
}
HELP = {
    "assist.detectors": _("speech, cry, pose; silences after bids need speech, proximity "
                          "and holding need pose. A pass started without a choice runs these."),
    "assist.speech_threshold": _("Lower hears more speech (and more noise as speech)."),
    "assist.speech_min_speech_ms": _("Shorter sounds are dropped: clicks, a cough."),
    "assist.speech_min_silence_ms": _("A breath inside a sentence does not split it."),
    "assist.speech_pad_ms": _("Widens each speech segment, never past its neighbours."),
    "assist.cry_min_rise_db": _("Higher: only loud crying is suggested; lower: quieter "
                                "crying too, and more false ones in a noisy room."),
    "assist.cry_min_periodicity": _("How voiced a sound must be to count as crying."),
    "assist.cry_min_burst_ms": _("A syllable of talk is 0.1–0.3 s; a cry burst longer."),
    "assist.cry_max_gap_ms": _("Inhalations between bursts do not split an episode."),
    "assist.cry_f0_min_hz": _("Children's cries lie at about 250–600 Hz; adult speech "
                              "mostly below 250 Hz."),
    "assist.cry_f0_max_hz": _("Must be above the lowest pitch."),
    "assist.cry_code": _("A code of the study's scheme (a state of the child)."),
    "assist.silence_grace_ms": _("A silence is suggested when nobody speaks after this, "
                                 "up to the response window W2."),
    "assist.pose_fps": _("More frames find short moves, and take longer."),
    "assist.pose_near_gap": _("The gap between the two people, divided by the caregiver's "
                              "height: 0.25 is a quarter of her height."),
    "assist.pose_far_gap": _("Must be above the near gap; in between, the state stays as it "
                             "was."),
    "assist.pose_min_person_score": _("Lower counts more uncertain people (and more "
                                      "shadows as people)."),
    "assist.pose_min_state_ms": _("Shorter stretches join the longer of their neighbours."),
    "assist.pose_min_hold_ms": _("An arm of one in the other's box, for at least this long."),
}
MARKED_PROBLEMS = (
    _("there is no setting '{key}'"),
    _("must be a whole number"),
    _("must be a number"),
    _("must be yes or no (true or false)"),
    _("must be one of {choices}"),
    _("must be at least {limit}"),
    _("must be at most {limit}"),
    _("must not be empty"),
    _("is not valid: {detail}"),
    # what an "invalid" value should have been (core.setting_fields), said as its {detail}
    _("a list of codes"),
    _("a text"),
    _("the lowest pitch must be below the highest"),
    _("the near gap must be below the far gap"),
)


def label(spec: SettingField) -> str:
    return i18n.gettext(LABELS[spec.key]) if spec.key in LABELS else spec.key


def help_text(spec: SettingField) -> str:
    """A line of help under the label: the assist's in the reader's language, an indicator's
    model description (English), else nothing."""
    if spec.key in HELP:
        return i18n.gettext(HELP[spec.key])
    return spec.description if spec.group == "indicators" else ""


def problem_text(problem: Problem) -> str:
    """The problem said in the reader's language."""
    template = i18n.gettext(PROBLEMS[problem.problem])
    params = dict(problem.params)
    if isinstance(params.get("detail"), str):  # a marked word above, or pydantic's English
        params["detail"] = i18n.gettext(str(params["detail"]))
    return template.format(key=problem.key, **params)


def typed_text(spec: SettingField, value: object) -> str:
    """A value as the form's field shows it (and takes it back)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def for_people(spec: SettingField, value: object) -> str:
    """A hint beside a time or a share: "= 2 s", "= 50 %"."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    language = i18n.current_language.get()
    if spec.unit == "ms":
        return "= " + numbers.seconds(value, language)
    if spec.unit == "share":
        return "= " + numbers.percent(value, language)
    return ""
