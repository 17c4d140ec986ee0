// One writing tab per coding: the first tab holds a Web Lock for the coding; a second tab finds
// it taken and stays read only. Without Web Locks (plain http on a LAN address) a
// BroadcastChannel asks whether another tab already has the coding open.

function withLocks(name) {
  return new Promise((resolve) => {
    navigator.locks.request(name, { ifAvailable: true }, (lock) => {
      if (!lock) return resolve(false);
      resolve(true);
      return new Promise(() => {}); // held for the life of the page
    });
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

// True when this tab may write. A page that was just reloaded may see its old self still
// holding the lock for a moment, so it asks a few times before giving up.
export async function claimCoding(codingId) {
  const name = `samspill-coding-${codingId}`;
  if (!navigator.locks) return withChannel(name);
  for (let attempt = 0; attempt < 4; attempt += 1) {
    if (await withLocks(name)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
