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
