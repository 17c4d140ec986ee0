// Session page: an evidence time seeks the session's video and starts it there.
const video = document.querySelector("video.player");
for (const button of document.querySelectorAll("button.seek")) {
  button.addEventListener("click", () => {
    if (!video) return;
    video.currentTime = Number(button.dataset.seekMs) / 1000;
    video.focus();
    video.play().catch(() => {});
  });
}

// The assist's pass: follow its progress, and show the result when it ends.
const assist = document.querySelector("[data-assist-poll]");
if (assist && ["queued", "running"].includes(assist.dataset.assistState)) {
  const progress = document.getElementById("assist-progress");
  const follow = async () => {
    try {
      const response = await fetch(assist.dataset.assistPoll, { headers: { Accept: "application/json" } });
      const runs = response.ok ? await response.json() : [];
      const run = runs[0];
      if (!run || !["queued", "running"].includes(run.state)) { window.location.reload(); return; }
      if (progress) { progress.value = run.progress; progress.textContent = `${Math.round(run.progress * 100)} %`; }
    } catch {
      // A dropped connection: try again on the next tick.
    }
    window.setTimeout(follow, 1000);
  };
  window.setTimeout(follow, 500);
}
