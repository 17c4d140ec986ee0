"""The answers the framework gives, in the reader's language (issue 20): a request the
validation refused (422), an address with no page (404) or not for this method (405), and the
other HTTP refusals Starlette raises by status.

Pydantic and Starlette say these in English; here each kind of problem has an English template
(marked for the catalogs) and the values pydantic names in its ``ctx``. A kind not listed keeps
pydantic's own English text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samspill.core.errors import N_
from samspill.web import i18n

# pydantic's error types → a template; ``{limit}`` etc. come from the error's ``ctx``.
VALIDATION = {
    "missing": N_("this field is required"),
    "extra_forbidden": N_("this field is not expected"),
    "int_parsing": N_("must be a whole number"),
    "int_type": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_parsing": N_("must be a number"),
    "float_type": N_("must be a number"),
    "finite_number": N_("must be a finite number"),
    "bool_parsing": N_("must be true or false"),
    "bool_type": N_("must be true or false"),
    "string_type": N_("must be text"),
    "list_type": N_("must be a list"),
    "dict_type": N_("must be an object"),
    "model_type": N_("must be an object"),
    "model_attributes_type": N_("must be an object"),
    "date_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("must be a date (YYYY-MM-DD)"),
    "json_invalid": N_("the body is not valid JSON"),
    "string_too_short": N_("must be at least {min_length} characters long"),
    "string_too_long": N_("must be at most {max_length} characters long"),
    "too_short": N_("must hold at least {min_length} items"),
    "too_long": N_("must hold at most {max_length} items"),
    "greater_than": N_("must be greater than {gt}"),
    "greater_than_equal": N_("must be at least {ge}"),
    "less_than": N_("must be less than {lt}"),
    "less_than_equal": N_("must be at most {le}"),
    "literal_error": N_("must be one of {expected}"),
    "enum": N_("must be one of {expected}"),
    "string_pattern_mismatch": N_("must have the expected form"),
    "value_error": N_("must be a valid value"),
}
VALIDATION_FIX = N_("correct that field")

# HTTP refusals Starlette raises itself (no such route, a route without this method …).
HTTP = {
    400: (N_("the request is malformed"), N_("check the address and the values sent")),
    401: (N_("log in first"), N_("log in, or send a valid API token")),
    403: (N_("you may not do this"), N_("ask the study's owner")),
    404: (N_("there is nothing at this address"),
          N_("check the address, or start again from the list of studies")),
    405: (N_("this address does not take {method} requests"),
          N_("check the address; a page is opened with GET, a form sent with POST")),
    413: (N_("the request is too large"), N_("send less at once")),
    429: (N_("too many requests at once"), N_("wait a moment and try again")),
}
CHECK_ADDRESS = N_("check the address")

INTERNAL = (
    N_("something went wrong on the server (reference {reference})"),
    N_("try again; nothing you saved before is lost. If it happens again, give the "
       "administrator the reference"),
)
TOO_LARGE_A_VALUE = (
    N_("a number or text in the request is too large for the database"),
    N_("check the address and the values sent"),
)


def said(template: str, **params: object) -> str:
    """``template`` in the reader's language, its ``{fields}`` filled."""
    text = i18n.gettext(template)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):  # a translation naming a field it lacks
        return template.format(**params)


def validation_message(error: Mapping[str, Any]) -> str:
    """One pydantic error's message; pydantic's English when its kind is not listed."""
    template = VALIDATION.get(str(error.get("type", "")))
    context = error.get("ctx") or {}
    if template is None:
        return str(error.get("msg", "invalid request"))
    try:
        return said(template, **{k: _shown(v) for k, v in context.items()})
    except (KeyError, IndexError, ValueError):
        return str(error.get("msg", "invalid request"))


def _shown(value: object) -> object:
    # A bound is a number (12.0 → 12); the rest as pydantic gave it.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def http_body(status: int, detail: object, path: str, method: str) -> dict[str, str]:
    """Starlette's refusal as the app's error body; a detail of our own is kept as it is."""
    message, fix = HTTP.get(status, ("", CHECK_ADDRESS))
    own = str(detail) if detail and str(detail) != _phrase(status) else ""
    return {
        "type": "HTTPError",
        "message": own or (said(message, method=method) if message else str(detail)),
        "where": path,
        "fix": said(fix),
    }


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
