// A small scheme in the shape the coding screen gets it (Scheme.model_dump): a point with
// modifiers asked at once, a state, an exclusive pair of states, a state asking at its stop,
// and a code only one subject has.

export const scheme = {
  id: "unit",
  name: "Unit-test scheme",
  subjects: ["parent", "child"],
  modifier_sets: [
    { id: "kind", label: "Kind", options: ["give", "show", "point"], choice: "single", ask_at: "start" },
    { id: "channel", label: "Channel", options: ["verbal", "gesture", "gaze"], choice: "multiple", ask_at: "start" },
    { id: "ending", label: "Ending", options: ["calm", "abrupt"], choice: "single", ask_at: "stop" },
  ],
  codes: [
    { id: "bid", name: "Bid", kind: "point", subjects: ["parent", "child"], key: "b", modifiers: ["kind", "channel"] },
    { id: "look", name: "Look", kind: "point", subjects: ["parent", "child"], key: "l", modifiers: [] },
    { id: "hold", name: "Hold", kind: "state", subjects: ["parent", "child"], key: "h", modifiers: [] },
    { id: "near", name: "Near", kind: "state", subjects: ["parent"], key: "n", modifiers: [] },
    { id: "far", name: "Far", kind: "state", subjects: ["parent"], key: "f", modifiers: [] },
    { id: "cry", name: "Cry", kind: "state", subjects: ["child"], key: "c", modifiers: ["ending"] },
    { id: "note", name: "Note", kind: "point", subjects: ["parent"], key: null, modifiers: [] },
  ],
  exclusive_groups: [{ id: "distance", label: "Distance", codes: ["near", "far"] }],
};

let serial = 0;

// An event as the server sends it; `id` defaults to a fresh, sortable one.
export function event(fields) {
  serial += 1;
  return {
    id: `e${String(serial).padStart(4, "0")}`, subject: "parent", code: "look", onset_ms: 0,
    offset_ms: null, modifiers: {}, comment: "", frame: null, ...fields,
  };
}
