// The screen's controls beyond the player's buttons: Go to, the coding pad, volume and mute, a
// bigger video and full screen, the event list's filter, the help. Bound once at start.

import { t } from "./i18n.js";
import { parseTime } from "./time.js";

const $ = (id) => document.getElementById(id);

// `/` opens Go to with an empty field (an old time never joins the new one); Enter goes there and
// leaves the field; Escape leaves it at once, even after a time it could not read, so the next
// code key codes instead of typing into it.
export function bindGoto({ player, toast }) {
  const field = $("goto");
  const leave = () => {
    field.value = "";
    field.blur();
  };
  $("goto-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const ms = parseTime(field.value);
    if (ms === null) {
      field.select();
      return toast(t("Not a time: use mm:ss.mmm (Escape leaves the field)"), true);
    }
    player.seekTo(ms);
    leave();
  });
  field.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    e.preventDefault();
    leave();
  });
  return () => {
    field.value = "";
    field.focus();
  };
}

// The coding pad: every code a button, clicked or reached with Tab and pressed with Enter.
export function bindPad({ logger, canCode }) {
  for (const button of document.querySelectorAll("button.pad[data-code]")) {
    const code = logger.scheme.codes.find((c) => c.id === button.dataset.code);
    button.addEventListener("click", () => {
      if (code && canCode()) logger.press(code);
    });
  }
}

export function bindSound(player) {
  const mute = $("mute");
  const volume = $("volume");
  if (!player.video.addEventListener || !mute) return;
  const show = () => {
    const muted = player.video.muted || player.video.volume === 0;
    mute.textContent = muted ? t("Unmute") : t("Mute");
    volume.value = String(player.video.volume);
  };
  // The label follows at once; volumechange fires a task later and would leave it stale.
  mute.addEventListener("click", () => { player.toggleMute(); show(); });
  volume.addEventListener("input", () => { player.setVolume(Number(volume.value)); show(); });
  player.video.addEventListener("volumechange", show);
  show();
}

export function bindView({ workspace }) {
  const bigger = $("bigger");
  bigger.addEventListener("click", () => {
    const big = workspace.classList.toggle("big-video");
    bigger.setAttribute("aria-pressed", String(big));
  });
  const box = $("video-box");
  const full = $("fullscreen");
  if (!box || !box.requestFullscreen) {
    full.hidden = true;
    return;
  }
  full.addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else box.requestFullscreen().catch(() => {});
  });
}

export function bindFilter(list) {
  const field = $("event-filter");
  field.addEventListener("input", () => list.setFilter(field.value));
  field.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      field.value = "";
      list.setFilter("");
      field.blur();
    } else if (e.key === "Enter" || e.key === "ArrowDown") {
      e.preventDefault();
      (list.selected || $("event-list").firstElementChild)?.focus();
    }
  });
}

// The help opens at its top (not scrolled to its Close button at the bottom).
export function openHelp() {
  const help = $("help");
  help.showModal();
  help.scrollTop = 0;
  $("help-title").focus();
}

// The save status sits on the coding pad; when the coder scrolls down to the ratings or the signs
// and the pad leaves the window, the status floats at the window's corner, so Offline is never
// out of sight.
export function keepStatusInView() {
  const status = $("save-status");
  if (!window.IntersectionObserver) return;
  new IntersectionObserver(([entry]) => {
    status.classList.toggle("floating", entry.intersectionRatio < 1);
  }, { threshold: [0, 1] }).observe(status.parentElement);
}
