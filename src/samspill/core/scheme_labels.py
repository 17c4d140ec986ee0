"""A scheme's display labels in the coder's language; the stored ids never change.

A built-in scheme's translations live beside it as ``core/schemes/<id>.<lang>.yaml``, outside the
scheme file, so that the content hash (which a coding records) stays the same: translating a
label must not make a new scheme version or change what a stored coding means. Every entry is
keyed by the id it translates; a missing entry falls back to the scheme's own (English) text.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict

from samspill.core.errors import N_, SchemeError
from samspill.core.scheme import RatingForm, Scheme, SegmentTemplate
from samspill.core.scheme_check import builtin_scheme_ids, load_builtin_scheme

T = TypeVar("T", bound=BaseModel)
SEGMENT_ROLES = ("plain", "separation", "reunion", "introduction", "stranger")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Named(_Model):
    name: str
    description: str = ""


class SetLabels(_Model):
    label: str
    options: dict[str, str] = {}


class ItemLabels(_Model):
    label: str
    description: str = ""
    anchors: dict[int, str] = {}
    options: dict[str, str] = {}


class TemplateLabels(_Model):
    name: str
    segments: dict[str, str] = {}


class FormLabels(_Model):
    """A rating form's labels: its name, description, subscale names and total's name."""

    name: str = ""
    description: str = ""
    subscales: dict[str, str] = {}
    total: str = ""


class FormTranslation(FormLabels):
    """A built-in form's translation file (``forms/<id>.<lang>.yaml``): the form's labels and
    its items' labels."""

    rating_items: dict[str, ItemLabels] = {}


class SchemeTranslation(_Model):
    """A scheme's labels in one language, keyed by the ids of the scheme's parts."""

    name: str = ""
    description: str = ""
    subjects: dict[str, str] = {}
    segment_roles: dict[str, str] = {}
    dimensions: dict[str, Named] = {}
    codes: dict[str, Named] = {}
    modifier_sets: dict[str, SetLabels] = {}
    exclusive_groups: dict[str, str] = {}
    rating_items: dict[str, ItemLabels] = {}
    rating_forms: dict[str, FormLabels] = {}
    segment_templates: dict[str, TemplateLabels] = {}


def builtin_translation(scheme_id: str, lang: str) -> SchemeTranslation | None:
    """The translation shipped for a built-in scheme, or None (English, or none shipped)."""
    if lang == "en" or not lang.isalpha():
        return None
    path = resources.files("samspill.core") / "schemes" / f"{scheme_id}.{lang}.yaml"
    if not path.is_file():
        return None
    try:
        return SchemeTranslation.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValueError) as exc:
        raise SchemeError(
            N_("the translation {scheme_id}.{lang}.yaml is not valid: {reason}"),
            fix=N_("correct the translation file; its keys must be the scheme's ids"),
            params={"scheme_id": str(scheme_id), "lang": str(lang), "reason": str(exc)},
        ) from exc


def localised(scheme: Scheme, tr: SchemeTranslation | None) -> Scheme:
    """A copy of ``scheme`` for display: names, labels, descriptions and anchors translated.

    Only for showing: never register or hash the copy. Ids (codes, option values) are kept.
    """
    if tr is None:
        return scheme
    return scheme.model_copy(
        update={
            "name": tr.name or scheme.name,
            "description": tr.description or scheme.description,
            "dimensions": [_named(d, tr.dimensions.get(d.id)) for d in scheme.dimensions],
            "codes": [_named(c, tr.codes.get(c.id)) for c in scheme.codes],
            "modifier_sets": [
                m.model_copy(update={"label": tr.modifier_sets[m.id].label})
                if m.id in tr.modifier_sets
                else m
                for m in scheme.modifier_sets
            ],
            "exclusive_groups": [
                g.model_copy(update={"label": tr.exclusive_groups.get(g.id, g.label)})
                for g in scheme.exclusive_groups
            ],
            "rating_items": [_item(r, tr.rating_items.get(r.id)) for r in scheme.rating_items],
            "rating_forms": [_form(f, tr.rating_forms.get(f.id)) for f in scheme.rating_forms],
            "segment_templates": [
                _template(t, tr.segment_templates.get(t.id)) for t in scheme.segment_templates
            ],
        }
    )


def _named(part: T, named: Named | None) -> T:
    if named is None:
        return part
    update: dict[str, object] = {"name": named.name}
    if named.description:
        update["description"] = named.description
    return part.model_copy(update=update)


def _item(item: T, labels: ItemLabels | None) -> T:
    if labels is None:
        return item
    anchors = {**getattr(item, "anchors", {}), **labels.anchors}
    update: dict[str, object] = {"label": labels.label, "anchors": anchors}
    if labels.description:
        update["description"] = labels.description
    return item.model_copy(update=update)


def _form(form: RatingForm, labels: FormLabels | None) -> RatingForm:
    if labels is None:
        return form
    subscales = [s.model_copy(update={"name": labels.subscales.get(s.id, s.name)})
                 for s in form.subscales]
    total = (form.total.model_copy(update={"name": labels.total or form.total.name})
             if form.total is not None else None)
    return form.model_copy(update={"name": labels.name or form.name,
                                   "description": labels.description or form.description,
                                   "subscales": subscales, "total": total})


def builtin_form_translation(form_id: str, lang: str) -> FormTranslation | None:
    """The translation shipped for a built-in rating form, or None."""
    if lang == "en" or not lang.isalpha() or not form_id.isidentifier():
        return None
    path = resources.files("samspill.core") / "schemes" / "forms" / f"{form_id}.{lang}.yaml"
    if not path.is_file():
        return None
    try:
        return FormTranslation.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValueError) as exc:
        raise SchemeError(
            N_("the translation forms/{form}.{lang}.yaml is not valid: {reason}"),
            fix=N_("correct the translation file; its keys must be the form's ids"),
            params={"form": form_id, "lang": lang, "reason": str(exc)},
        ) from exc


def _with_forms(scheme: Scheme, tr: SchemeTranslation | None,
                lang: str) -> SchemeTranslation | None:
    """``tr`` with the shipped translations of the scheme's built-in forms. A form marked
    licensed carries the lab's own wording and is shown as written."""
    items: dict[str, ItemLabels] = {}
    forms: dict[str, FormLabels] = {}
    for form in scheme.rating_forms:
        found = None if form.licensed else builtin_form_translation(form.id, lang)
        if found is None:
            continue
        items.update({k: v for k, v in found.rating_items.items() if k in form.items})
        forms[form.id] = FormLabels(name=found.name, description=found.description,
                                    subscales=found.subscales, total=found.total)
    if not forms:
        return tr
    tr = tr or SchemeTranslation()
    return tr.model_copy(update={"rating_items": {**items, **tr.rating_items},
                                 "rating_forms": {**forms, **tr.rating_forms}})


def _template(template: T, labels: TemplateLabels | None) -> T:
    if labels is None:
        return template
    segments = [
        s.model_copy(update={"name": labels.segments.get(s.id, s.name)})
        for s in getattr(template, "segments", [])
    ]
    return template.model_copy(update={"name": labels.name, "segments": segments})


def option_labels(scheme: Scheme, tr: SchemeTranslation | None) -> dict[str, object]:
    """Display labels for values a coder picks: subjects, modifier and choice options, roles.

    Keys are the stored values; without a translation each value is its own label (as before).
    """
    tr = tr or SchemeTranslation()
    return {
        "subjects": {s: tr.subjects.get(s, s) for s in scheme.subjects},
        "modifiers": {
            m.id: {o: _get_option(tr.modifier_sets.get(m.id), o) for o in m.options}
            for m in scheme.modifier_sets
        },
        "ratings": {
            r.id: {o: _get_option(tr.rating_items.get(r.id), o) for o in r.options}
            for r in scheme.rating_items
            if r.options
        },
        "segment_roles": {r: tr.segment_roles.get(r, r) for r in SEGMENT_ROLES},
    }


def _get_option(labels: SetLabels | ItemLabels | None, option: str) -> str:
    return labels.options.get(option, option) if labels else option


def missing_labels(scheme: Scheme, tr: SchemeTranslation) -> list[str]:
    """Every displayed part of ``scheme`` that ``tr`` leaves untranslated, as a dotted path."""
    missing = [f"subjects.{s}" for s in scheme.subjects if s not in tr.subjects]
    missing += [] if tr.name else ["name"]
    missing += [f"dimensions.{d.id}" for d in scheme.dimensions if d.id not in tr.dimensions]
    missing += [f"codes.{c.id}" for c in scheme.codes if c.id not in tr.codes]
    missing += [
        f"codes.{c.id}.description"
        for c in scheme.codes
        if c.description and c.id in tr.codes and not tr.codes[c.id].description
    ]
    for m in scheme.modifier_sets:
        found = tr.modifier_sets.get(m.id)
        missing += [f"modifier_sets.{m.id}"] if found is None else []
        missing += [
            f"modifier_sets.{m.id}.options.{o}"
            for o in m.options
            if found and o not in found.options
        ]
    missing += [
        f"exclusive_groups.{g.id}"
        for g in scheme.exclusive_groups
        if g.label and g.id not in tr.exclusive_groups
    ]
    for r in scheme.rating_items:
        item = tr.rating_items.get(r.id)
        if item is None:
            missing.append(f"rating_items.{r.id}")
            continue
        missing += [f"rating_items.{r.id}.anchors.{a}" for a in r.anchors if a not in item.anchors]
        missing += [f"rating_items.{r.id}.options.{o}" for o in r.options if o not in item.options]
        missing += (
            [f"rating_items.{r.id}.description"] if r.description and not item.description else []
        )
    for t in scheme.segment_templates:
        labels = tr.segment_templates.get(t.id)
        missing += [f"segment_templates.{t.id}"] if labels is None else []
        missing += [
            f"segment_templates.{t.id}.segments.{s.id}"
            for s in t.segments
            if labels and s.id not in labels.segments
        ]
    if scheme.segment_templates:
        missing += [f"segment_roles.{r}" for r in SEGMENT_ROLES if r not in tr.segment_roles]
    return missing


def scheme_translation(scheme: Scheme, lang: str) -> SchemeTranslation | None:
    """The built-in translation for ``scheme``, if it is a built-in (open) scheme.

    A licensed scheme carries the lab's own wording, which our translation would replace with
    the public scheme's: it is shown as written.
    """
    tr = None if scheme.licensed else builtin_translation(scheme.id, lang)
    return _with_forms(scheme, tr, lang)


def localised_template(template: SegmentTemplate, lang: str) -> SegmentTemplate:
    """A procedure's segment template with its names in ``lang`` when a built-in one has them."""
    for scheme_id in builtin_scheme_ids():
        tr = builtin_translation(scheme_id, lang)
        if tr is not None and template.id in tr.segment_templates:
            return _template(template, tr.segment_templates[template.id])
    return template


def segment_role_labels(lang: str) -> dict[str, str]:
    """Segment roles (stored in English) as shown in ``lang``; a role without one shows as is."""
    labels = {role: role for role in SEGMENT_ROLES}
    for scheme_id in builtin_scheme_ids():
        tr = builtin_translation(scheme_id, lang)
        if tr is not None:
            labels.update({r: w for r, w in tr.segment_roles.items() if r in labels})
    return labels


def display_words(scheme: Scheme | None, lang: str) -> dict[str, str]:
    """Stored text a report shows, in ``lang``: subjects and segment roles (stored as ids), the
    scheme's name and its code, dimension and group names (as written in the scheme file). A
    licensed scheme's own names are shown as written; English, or a language without
    translations, gives nothing to replace.
    """
    words = {r: w for r, w in segment_role_labels(lang).items() if r != w}
    for scheme_id in builtin_scheme_ids():
        tr = builtin_translation(scheme_id, lang)
        if tr is None:
            continue
        words.update(tr.subjects)
    tr = scheme_translation(scheme, lang) if scheme is not None else None
    if scheme is None or tr is None:
        return words
    words.update(tr.subjects)
    words.update({scheme.name: tr.name} if tr.name else {})
    shown = localised(scheme, tr)
    words.update({b.name: a.name for b, a in zip(scheme.codes, shown.codes, strict=True)})
    words.update({b.name: a.name for b, a in
                  zip(scheme.dimensions, shown.dimensions, strict=True)})
    words.update({b.label: a.label for b, a in
                  zip(scheme.exclusive_groups, shown.exclusive_groups, strict=True) if b.label})
    return {k: v for k, v in words.items() if k and v}


def template_segment_name(spec_id: str | None, name: str, lang: str) -> str:
    """A segment's name as shown in ``lang``: a built-in template's segment is stored with the
    name it had when marked (the template's English one) and is shown in ``lang``; a name a
    coder typed or changed is shown as written."""
    if not spec_id or not isinstance(spec_id, str):
        return name
    found = _template_segment_names(lang).get(spec_id)
    return found[1] if found is not None and found[0] == name else name


@cache
def _template_segment_names(lang: str) -> dict[str, tuple[str, str]]:
    """Each built-in template segment's id: (its English name, its name in ``lang``)."""
    names: dict[str, tuple[str, str]] = {}
    for scheme_id in builtin_scheme_ids():
        tr = builtin_translation(scheme_id, lang)
        if tr is None:
            continue
        for template in load_builtin_scheme(scheme_id).segment_templates:
            labels = tr.segment_templates.get(template.id)
            names.update({s.id: (s.name, labels.segments[s.id]) for s in template.segments
                          if labels is not None and s.id in labels.segments})
    return names
