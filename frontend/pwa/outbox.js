// The outbox: profile saves and ratings made with no network, kept in
// IndexedDB until they can be sent. Each queued change belongs to the
// learner who made it and is only ever sent under that learner's session.
//
// A profile save carries the version it was based on, and the server applies
// a save only to that version: the version is the change's idempotency key.
// Sent twice (the first answer lost on the way back), the second finds the
// version moved on to exactly this change and is dropped as already stored;
// moved on to anything else, the learner chooses between the two. A rating
// sets the learner's one rating of a recommendation, so sending it twice
// stores it once by nature.

import { openDB } from "idb";

export const OUTBOX_DATABASE = "acmelearn-outbox";
const STORE = "changes";
export const OUTBOX_SYNC_TAG = "acmelearn-outbox";
export const LEARNER_HEADER = "x-acmelearn-learner";

/** What the outbox sends, by the server function's address. */
export const QUEUEABLE = {
  "/api/profile/save": "profile",
  "/api/recommendations/rate": "rating",
};

function database() {
  return openDB(OUTBOX_DATABASE, 1, {
    upgrade(db) {
      db.createObjectStore(STORE, { keyPath: "id" });
    },
  });
}

export async function queuedChanges() {
  const db = await database();
  try {
    return (await db.getAll(STORE)).sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  } finally {
    db.close();
  }
}

async function put(change) {
  const db = await database();
  try {
    await db.put(STORE, change);
  } finally {
    db.close();
  }
}

export async function removeChange(id) {
  const db = await database();
  try {
    await db.delete(STORE, id);
  } finally {
    db.close();
  }
}

/** Queues a form's submission for `learner`. */
export async function queueChange({ learner, action, fields }) {
  const change = {
    id: crypto.randomUUID(),
    learner,
    kind: QUEUEABLE[action],
    action,
    fields,
    queuedAt: new Date().toISOString(),
    state: "waiting",
  };
  await put(change);
  return change;
}

/** The learner the server currently has a session for on this device, or null. */
async function signedInLearner() {
  const response = await fetch("/profile", { redirect: "manual", cache: "no-store" });
  return response.ok ? response.headers.get(LEARNER_HEADER) : null;
}

function formBody(fields) {
  const body = new URLSearchParams();
  for (const [name, value] of fields) body.append(name, value);
  return body;
}

function field(fields, name) {
  return fields.find(([key]) => key === name)?.[1] ?? "";
}

/** The profile a queued save would store, as the server compares it. */
export function profileOf(fields) {
  const goal = field(fields, "learning_goal").trim();
  const hours = field(fields, "hours_per_week").trim();
  return {
    learning_goal: goal === "" ? null : goal,
    current_level: field(fields, "current_level") || null,
    hours_per_week: hours === "" ? null : Number(hours),
    interests: fields.filter(([key]) => key === "interests").map(([, value]) => value).sort(),
  };
}

function sameProfile(a, b) {
  return a.learning_goal === b.learning_goal && a.current_level === b.current_level &&
    a.hours_per_week === b.hours_per_week &&
    JSON.stringify([...a.interests].sort()) === JSON.stringify([...b.interests].sort());
}

async function serverProfile() {
  const response = await fetch("/api/profile/get", { method: "POST" });
  if (!response.ok) throw new Error(`the profile answered ${response.status}`);
  return response.json();
}

async function send(change) {
  const response = await fetch(change.action, {
    method: "POST",
    body: formBody(change.fields),
    headers: { accept: "application/json" },
  });
  if (response.ok) return { state: "sent" };
  const message = await response.text();
  if (change.kind === "profile" && response.status < 500) {
    const current = await serverProfile();
    const expected = Number(field(change.fields, "expected_version"));
    if (current.version !== expected) {
      if (sameProfile(current.state, profileOf(change.fields))) return { state: "sent" };
      return { state: "conflict", theirs: { version: current.version, profile: current.state } };
    }
  }
  if (response.status >= 500) throw new Error(`the server answered ${response.status}`);
  return { state: "refused", message };
}

/**
 * Sends what is waiting, oldest first, each only under the session of the
 * learner who queued it. Changes of anyone else stay untouched (logout
 * deletes them). Stops at the first network failure. Returns what happened.
 */
export async function flushOutbox() {
  const waiting = (await queuedChanges()).filter((change) => change.state === "waiting");
  if (waiting.length === 0) return [];
  const learner = await signedInLearner();
  const results = [];
  for (const change of waiting) {
    if (change.learner !== learner) continue;
    const result = await send(change);
    if (result.state === "sent") await removeChange(change.id);
    else await put({ ...change, ...result });
    results.push({ ...change, ...result });
  }
  return results;
}

/** "Keep mine": the queued save again, on top of the version now stored. */
export async function keepMine(id) {
  const change = (await queuedChanges()).find((queued) => queued.id === id);
  if (!change?.theirs) return;
  const fields = change.fields.map(([name, value]) =>
    name === "expected_version" ? [name, String(change.theirs.version)] : [name, value]);
  await put({ ...change, fields, state: "waiting", theirs: undefined });
}
