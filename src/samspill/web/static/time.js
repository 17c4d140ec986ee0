// Times on the session's timeline are integer milliseconds, shown as mm:ss.mmm.

export function formatMs(ms) {
  if (ms === null || ms === undefined) return "";
  const value = Math.max(0, Math.round(ms));
  const minutes = Math.floor(value / 60000);
  const seconds = Math.floor((value % 60000) / 1000);
  const millis = value % 1000;
  return `${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}.${String(millis).padStart(3, "0")}`;
}

// "1:02.5", "62.5", "0:01:02.500" → 62500; anything else → null.
export function parseTime(text) {
  const match = /^\s*(?:(\d+):)?(?:(\d+):)?(\d+)(?:[.,](\d{1,3}))?\s*$/.exec(text || "");
  if (!match) return null;
  const [, a, b, s, frac] = match;
  const hours = b === undefined ? 0 : Number(a);
  const minutes = b === undefined ? Number(a || 0) : Number(b);
  const millis = frac ? Number(frac.padEnd(3, "0")) : 0;
  return ((hours * 60 + minutes) * 60 + Number(s)) * 1000 + millis;
}

// crypto.randomUUID needs a secure context; a LAN address over http is not one.
export function newId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
