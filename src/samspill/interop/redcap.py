"""The cohort table as a REDCap instrument: records CSV, data dictionary CSV, and the push to
a REDCap project's API with PyCap.

REDCap field names are lowercase letters, digits and ``_``, start with a letter, and should be
at most 26 characters (REDCap warns past that): :func:`field_names` shortens the registry's
names with fixed abbreviations, then cuts and numbers them, and the dictionary's *Field
Label* keeps the full label. Categories become dropdowns coded as in SPSS (a sign's state:
0 absent, 1 present, 9 not observable), flags ``yesno`` (1 yes, 0 no) or a dropdown with the
registry's labels, numbers text fields validated as ``integer`` or ``number``.

The token is a secret: it is read from a file by the caller, checked here before PyCap sees it
(PyCap's own check puts a malformed token into its error message), and never printed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from samspill.core.errors import N_, InputError
from samspill.interop.tabular import flags_as_numbers
from samspill.interop.variables import PROPORTION, REGISTRY, YES_NO, Variable

# The data dictionary's columns, as REDCap's Data Dictionary download names them.
DICTIONARY_COLUMNS = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
    "Identifier?", "Branching Logic (Show field only if...)", "Required Field?",
    "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation"]
FORM = "samspill_cohort"
RECORD_ID = "record_id"
MAX_NAME = 26
_VALID = re.compile(r"^[a-z][a-z0-9_]*$")
# Word → abbreviation, applied in turn until a name fits (the label keeps the words).
_SHORT = (("responsiveness", "resp"), ("cursory_contact", "cursory"), ("initiative", "init"),
          ("redirection", "redir"), ("stability", "stab"), ("qualifier", "qual"),
          ("not_observable", "notobs"), ("response_latency", "resp_lat"),
          ("putdowns_despite_protest", "putdowns_protest"), ("hostility", "host"),
          ("reason", "rsn"))
_TOKEN = re.compile(r"^[0-9A-Fa-f]{32}$")


def field_name(name: str) -> str:
    """A REDCap field name for a column: lowercase, ``_`` for other characters, a leading
    letter, abbreviated (:data:`_SHORT`) and cut to :data:`MAX_NAME` characters."""
    out = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "field"
    if not out[0].isalpha():
        out = f"v_{out}"
    for word, short in _SHORT:
        if len(out) <= MAX_NAME:
            break
        out = out.replace(word, short)
    return out[:MAX_NAME].rstrip("_")


def field_names(columns: Iterable[str]) -> dict[str, str]:
    """Column → a distinct valid REDCap field name (a clash gets ``_2``, ``_3``...)."""
    out: dict[str, str] = {}
    taken = {RECORD_ID}
    for column in columns:
        base = field_name(column)
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base[:MAX_NAME - len(str(n)) - 1]}_{n}"
        taken.add(name)
        out[column] = name
    return out


def name_problems(name: str) -> list[str]:
    """Why ``name`` is no valid REDCap field name (empty when it is)."""
    problems = []
    if not _VALID.match(name):
        problems.append("must start with a letter and hold only a-z, 0-9 and _")
    if len(name) > MAX_NAME:
        problems.append(f"longer than {MAX_NAME} characters")
    return problems


@dataclass(frozen=True)
class Instrument:
    records: pd.DataFrame
    dictionary: pd.DataFrame


def instrument(cohort: pd.DataFrame, registry: Mapping[str, Variable] = REGISTRY,
               form: str = FORM) -> Instrument:
    """The cohort table as REDCap records (``record_id`` first: the session, with the coder
    when a session has several rows) and the data dictionary describing every field."""
    names = field_names(cohort.columns)
    values = flags_as_numbers(cohort, registry)
    records = pd.DataFrame({RECORD_ID: _record_ids(cohort)})
    for column, name in names.items():
        records[name] = _redcap_values(values[column], registry.get(column))
    rows = [_dictionary_row(RECORD_ID, form, "text", "Record ID (session)", "")]
    rows += [_field(name, form, registry.get(column), column) for column, name in names.items()]
    return Instrument(records, pd.DataFrame(rows, columns=DICTIONARY_COLUMNS))


def _record_ids(cohort: pd.DataFrame) -> pd.Series:
    sessions = cohort["session"].astype(str)
    if sessions.is_unique:
        return sessions.reset_index(drop=True)
    return (sessions + "-" + cohort["coder"].astype(str)).reset_index(drop=True)


def _redcap_values(series: pd.Series, v: Variable | None) -> pd.Series:
    series = series.reset_index(drop=True)
    if v is not None and v.kind == "category":
        codes = {text: str(code) for code, text in v.values}
        return series.map(lambda x: codes.get(str(x), "") if pd.notna(x) else "")
    return series.map(lambda x: "" if x is None or x is pd.NA
                      or (isinstance(x, float) and pd.isna(x)) else _text(x))


def _text(x: object) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _field(name: str, form: str, v: Variable | None, column: str) -> dict[str, str]:
    if v is None:
        return _dictionary_row(name, form, "text", column, "")
    row = _dictionary_row(name, form, "text", v.spss_label, v.description[:500])
    if v.kind == "category" or (v.kind == "flag" and v.values != YES_NO):
        row["Field Type"] = "dropdown"
        row["Choices, Calculations, OR Slider Labels"] = " | ".join(
            f"{code}, {label}" for code, label in v.value_labels)
    elif v.kind == "flag":
        row["Field Type"] = "yesno"
    elif v.kind in ("integer", "number"):
        row["Text Validation Type OR Show Slider Number"] = v.kind
        if v.unit == PROPORTION:
            row["Text Validation Min"], row["Text Validation Max"] = "0", "1"
        elif v.name == "level":
            row["Text Validation Min"], row["Text Validation Max"] = "1", "7"
    return row


def _dictionary_row(name: str, form: str, kind: str, label: str, note: str) -> dict[str, str]:
    row = dict.fromkeys(DICTIONARY_COLUMNS, "")
    row.update({"Variable / Field Name": name, "Form Name": form, "Field Type": kind,
                "Field Label": label, "Field Annotation": note})
    return row


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV as REDCap's Data Import Tool reads it: UTF-8, comma-separated, a header row."""
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


# ---------------------------------------------------------------- API

def check_api(url: str, token: str) -> None:
    """Refuse a URL or token PyCap would refuse, without repeating the token."""
    if not re.match(r"^https?://", url) or not url.endswith("/api/"):
        raise InputError(N_("'{url}' is not a REDCap API address"),
                         fix=N_("give the project's API URL, ending in /api/ "
                                "(e.g. https://redcap.example.org/api/)"),
                         params={"url": url})
    if not _TOKEN.match(token):
        raise InputError(N_("the token file does not hold a REDCap API token "
                            "(32 hexadecimal characters; it holds {count} characters)"),
                         fix=N_("put the token from REDCap's API page alone in the file"),
                         params={"count": len(token)})


@dataclass(frozen=True)
class Pushed:
    fields: int  # fields the dictionary import reported (0 when it was not imported)
    records: int


def push(url: str, token: str, made: Instrument, *, dictionary: bool = True) -> Pushed:
    """Import the data dictionary (when ``dictionary``: REDCap allows it only while the
    project is in development) and then the records into the project at ``url``.

    Raises :class:`InputError` naming REDCap's answer (never the token) when REDCap refuses."""
    check_api(url, token)
    import redcap  # on use: PyCap and requests
    import requests

    project = redcap.Project(url, token)
    try:
        fields = int(project.import_metadata(made.dictionary.to_csv(index=False),
                                             import_format="csv")) if dictionary else 0
        answer = project.import_records(made.records.to_csv(index=False),
                                        import_format="csv", overwrite="overwrite")
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise InputError(N_("cannot reach REDCap at {url}: {name}"),
                         fix=N_("check the address and the network"),
                         params={"url": url, "name": type(exc).__name__}) from None
    except redcap.RedcapError as exc:  # PyCap's name for requests' RequestException
        raise InputError(N_("REDCap refused the import: {answer}"),
                         fix=N_("check the project's fields (import the dictionary while the "
                                "project is in development, or use --no-dictionary) and the "
                                "token's API rights (import)"),
                         params={"answer": _answer(exc)}) from None
    except ValueError:  # an answer that is not JSON: a login page, a proxy's error page
        raise InputError(N_("{url} did not answer as the REDCap API does"),
                         fix=N_("give the project's API URL, ending in /api/"),
                         params={"url": url}) from None
    return Pushed(fields, int(answer.get("count", 0)) if isinstance(answer, dict) else 0)


def _answer(exc: Exception) -> str:
    text = str(exc.args[0] if exc.args else exc)
    return text[:300]


def read_csv_text(body: bytes) -> pd.DataFrame:
    """A CSV written by :func:`to_csv` read back as text (for tests and checks)."""
    return pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)
