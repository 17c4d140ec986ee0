// One writing tab per coding: the first tab holds a Web Lock for the coding; a second tab finds
// it taken and stays read only. Without Web Locks (plain http on a LAN address) a
// BroadcastChannel asks whether another tab already has the coding open.

// Waits up to `waitMs` for the lock: a page being reloaded lets go of it a moment after the new
// page asks. The request is withdrawn on time-out, so a second tab never takes it later unseen.
function withLocks(name, waitMs) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), waitMs);
  return new Promise((resolve) => {
    navigator.locks
      .request(name, { signal: abort.signal }, () => {
        clearTimeout(timer);
        resolve(true);
        return new Promise(() => {}); // held for the life of the page
      })
      .catch(() => resolve(false));
  });
}

function withChannel(name) {
  const channel = new BroadcastChannel(name);
  return new Promise((resolve) => {
    let taken = false;
    channel.onmessage = (e) => {
      if (e.data === "here") taken = true;
      if (e.data === "hello" && !taken) channel.postMessage("here");
    };
    channel.postMessage("hello");
    setTimeout(() => resolve(!taken), 300);
  });
}

// True when this tab may write.
export function claimCoding(codingId, waitMs = 1500) {
  const name = `samspill-coding-${codingId}`;
  return navigator.locks ? withLocks(name, waitMs) : withChannel(name);
}

// Calls `onClaimed` once this tab may write after all: when the tab that held the coding is
// closed (Web Locks hand the lock on), this tab takes it and keeps it for its life. Without
// Web Locks it is never called (the page stays read only; a reload takes over).
export function takeOverWhenFree(codingId, onClaimed) {
  if (!navigator.locks) return;
  navigator.locks.request(`samspill-coding-${codingId}`, () => {
    onClaimed();
    return new Promise(() => {}); // held for the life of the page
  });
}
