// The job page: poll the job's progress and show the result when it is done.
const bar = document.getElementById("job-progress");

async function poll() {
  try {
    const response = await fetch(bar.dataset.poll, { headers: { Accept: "application/json" } });
    if (!response.ok) { window.location.reload(); return; }
    const job = await response.json();
    bar.value = job.progress;
    if (job.state !== "running") { window.location.reload(); return; }
  } catch {
    // A dropped connection: try again on the next tick.
  }
  window.setTimeout(poll, 500);
}

if (bar) { window.setTimeout(poll, 300); }
