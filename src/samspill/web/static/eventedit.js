// The inline editor of one event: every field, Enter saves, Escape cancels.

import { optionLabel, subjectLabel, t } from "./i18n.js";
import { formatMs, parseTime } from "./time.js";

function field(label, control) {
  const wrap = document.createElement("label");
  wrap.className = "field";
  const text = document.createElement("span");
  text.textContent = label;
  wrap.append(text, control);
  return wrap;
}

function input(name, value) {
  const el = document.createElement("input");
  el.name = name;
  el.value = value ?? "";
  el.size = 9;
  el.autocomplete = "off";
  return el;
}

function select(name, options, value, multiple = false) {
  const el = document.createElement("select");
  el.name = name;
  el.multiple = multiple;
  for (const [val, label] of options) {
    const option = new Option(label, val);
    option.selected = multiple ? (value || []).includes(val) : val === (value ?? "");
    el.append(option);
  }
  return el;
}

function button(label, type) {
  const el = document.createElement("button");
  el.type = type;
  el.textContent = label;
  return el;
}

function modifierFields(scheme, code, event) {
  return code.modifiers.map((setId) => {
    const set = scheme.modifier_sets.find((m) => m.id === setId);
    const multiple = set.choice === "multiple";
    const options = multiple ? [] : [["", "–"]];
    const control = select(`mod:${setId}`, [...options, ...set.options.map((o) => [o, optionLabel(setId, o)])],
      event.modifiers?.[setId], multiple);
    const wrap = field(set.label, control);
    wrap.classList.add("modifier");
    return wrap;
  });
}

// Another code takes other modifiers: the form shows the new code's.
function followCode(form, scheme, event) {
  form.elements.code.addEventListener("change", () => {
    const code = scheme.codes.find((c) => c.id === form.elements.code.value);
    for (const old of form.querySelectorAll(".modifier")) old.remove();
    const comment = form.elements.comment.closest(".field");
    for (const wrap of modifierFields(scheme, code, event)) comment.before(wrap);
  });
}

// Reads the form back into an event, or returns an error message.
function readForm(form, event, scheme) {
  const data = new FormData(form);
  const onset = parseTime(data.get("onset"));
  const code = scheme.codes.find((c) => c.id === data.get("code"));
  const endText = data.get("offset");
  const offset = code.kind === "state" && endText ? parseTime(endText) : null;
  if (onset === null || (code.kind === "state" && endText && offset === null)) {
    return { error: t("Not a time: use mm:ss.mmm") };
  }
  if (offset !== null && offset < onset) return { error: t("A state cannot stop before it starts") };
  const modifiers = {};
  for (const setId of code.modifiers) {
    const values = data.getAll(`mod:${setId}`).filter(Boolean);
    const set = scheme.modifier_sets.find((m) => m.id === setId);
    if (values.length) modifiers[setId] = set.choice === "multiple" ? values : values[0];
  }
  const subject = code.subjects.includes(data.get("subject")) ? data.get("subject") : code.subjects[0];
  return { event: { ...event, onset_ms: onset, offset_ms: offset, code: code.id, subject, modifiers,
    comment: String(data.get("comment") || "") } };
}

export function editForm(event, scheme, { save, close }) {
  const form = document.createElement("form");
  form.className = "edit";
  form.setAttribute("aria-label", t("Edit event at {time}", { time: formatMs(event.onset_ms) }));
  const code = scheme.codes.find((c) => c.id === event.code);
  const sameKind = scheme.codes.filter((c) => c.kind === code.kind);
  const subjects = [...new Set(sameKind.flatMap((c) => c.subjects))];
  const error = document.createElement("p");
  error.className = "error";
  error.setAttribute("role", "alert");
  form.append(
    field(t("Time"), input("onset", formatMs(event.onset_ms))),
    ...(code.kind === "state" ? [field(t("End"), input("offset", formatMs(event.offset_ms)))] : []),
    field(t("Subject"), select("subject", subjects.map((s) => [s, subjectLabel(s)]), event.subject)),
    field(t("Code"), select("code", sameKind.map((c) => [c.id, c.name]), event.code)),
    ...modifierFields(scheme, code, event),
    field(t("Comment"), input("comment", event.comment)),
    button(t("Save"), "submit"),
    button(t("Cancel"), "button"),
    error,
  );
  form.lastElementChild.previousElementSibling.addEventListener("click", close);
  followCode(form, scheme, event);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const result = readForm(form, event, scheme);
    if (result.error) {
      error.textContent = result.error;
      return;
    }
    save(result.event);
    close();
  });
  form.addEventListener("keydown", (e) => {
    e.stopPropagation(); // typing here never logs events
    if (e.key === "Escape") {
      e.preventDefault();
      close();
    }
  });
  return form;
}
