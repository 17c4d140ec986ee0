// Two windows changed one event: the server refused the older edit (409, with its own version).
// The coder chooses: keep mine (sent again on the server's version) or take theirs. Subjects
// and codes are said with their labels, as the list shows them. A modal
// dialog: Tab moves between the two buttons, Enter chooses, Escape takes theirs.

import { codeLabel, subjectLabel, t } from "./i18n.js";
import { formatMs } from "./time.js";

function describe(event) {
  if (!event) return t("deleted");
  const end = event.offset_ms === null || event.offset_ms === undefined ? "" : `–${formatMs(event.offset_ms)}`;
  return `${subjectLabel(event.subject)} · ${codeLabel(event.code)} · ${formatMs(event.onset_ms)}${end}`;
}

function line(text) {
  const p = document.createElement("p");
  p.textContent = text;
  return p;
}

// Resolves "mine" or "theirs".
export function askConflict(action, error) {
  return new Promise((resolve) => {
    const dialog = document.createElement("dialog");
    dialog.className = "conflict";
    dialog.setAttribute("aria-labelledby", "conflict-title");
    const title = document.createElement("h2");
    title.id = "conflict-title";
    title.textContent = error?.reason === "deleted"
      ? t("This event was deleted in another window")
      : t("This event was changed in another window");
    const mine = action.type === "delete" ? null : action.event;
    const theirs = error?.reason === "deleted" ? null : error?.event;
    const keep = document.createElement("button");
    keep.type = "button";
    keep.dataset.choice = "mine";
    keep.textContent = t("Keep mine");
    const take = document.createElement("button");
    take.type = "button";
    take.dataset.choice = "theirs";
    take.textContent = t("Take theirs");
    const done = (choice) => {
      dialog.close();
      dialog.remove();
      resolve(choice);
    };
    keep.addEventListener("click", () => done("mine"));
    take.addEventListener("click", () => done("theirs"));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      done("theirs");
    });
    const buttons = document.createElement("p");
    buttons.append(keep, " ", take);
    dialog.append(title, line(t("Yours: {what}", { what: describe(mine) })),
      line(t("Theirs: {what}", { what: describe(theirs) })), buttons);
    document.body.append(dialog);
    dialog.showModal();
    keep.focus();
  });
}

// The action that keeps mine, on the server's version; null when nothing is to be sent.
export function keepMine(action, error, newId) {
  const theirs = error?.theirs;
  if (action.type === "delete") {
    return error?.reason === "deleted" ? null : { id: newId(), type: "delete", event_id: action.event_id, base_version: theirs };
  }
  if (error?.reason === "deleted") {
    return { id: newId(), type: "add", event: { ...action.event, version: (theirs ?? 0) + 1 } };
  }
  return { id: newId(), type: "edit", event: { ...action.event, version: theirs + 1 }, base_version: theirs };
}
