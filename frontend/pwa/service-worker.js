// AcmeLearn's service worker: the app shell precached per release (Serwist,
// the list generated from target/site at build time), pages kept for
// offline reading, the catalog searchable offline.
//
// Which cache a page goes to is the rule everything else rests on:
// - a page the server rendered for a learner (it says so in the
//   x-acmelearn-learner header) goes only into that learner's cache, and a
//   response for another learner deletes it;
// - an anonymous catalog page goes into the shared catalog cache;
// - admin pages, forms and every other request are never kept.
// Every runtime cache is named for the release that rendered its pages, and
// a new release's worker deletes the older ones when it takes over: a page
// is never paired with another release's bundle.

import { Serwist } from "serwist";

import { OFFLINE_PAGE_POLICY, catalogQueryOf, savedCatalogPage, savedCoursePage } from "./offline-pages.js";
import { searchSavedCatalog } from "./offline-search.js";
import {
  OUTBOX_SYNC_TAG, flushOutbox, keepMine, queueChange, queuedChanges, removeChange,
} from "./outbox.js";

/* global __ACMELEARN_RELEASE__ */
const RELEASE = __ACMELEARN_RELEASE__;
const CACHE_PREFIX = "acmelearn-";
const CATALOG_CACHE = `${CACHE_PREFIX}catalog-${RELEASE}`;
const LEARNER_CACHE_PREFIX = `${CACHE_PREFIX}learner-`;
const learnerCache = (learner) => `${LEARNER_CACHE_PREFIX}${learner}-${RELEASE}`;
const LEARNER_HEADER = "x-acmelearn-learner";
const SAVED_CATALOG = "/offline/catalog.json";
const OFFLINE_PAGE = "/offline";
// A slow network is answered from the copy after this long; the network's
// answer, when it comes, still refreshes the copy.
const NETWORK_TIMEOUT_MS = 3000;

// A catalog up to this size is saved page by page (every course page as the
// server renders it); a larger one as the catalog file alone, from which
// course pages are written offline (see offline-pages.js).
const WHOLE_PAGES_UP_TO = 500;

const PRECACHE = self.__SW_MANIFEST;
const STYLESHEET = PRECACHE.find((entry) => entry.url.endsWith(".css"))?.url;

const serwist = new Serwist({
  precacheEntries: PRECACHE,
  precacheOptions: { cleanupOutdatedCaches: true, concurrency: 4 },
  // A new release waits until the learner accepts it ("Reload").
  skipWaiting: false,
  clientsClaim: true,
  disableDevLogs: true,
});

/** Catalog pages: anyone's, kept in the shared cache when anonymous. */
function isCatalogPage(url) {
  return url.pathname === "/" || url.pathname === "/courses" || url.pathname === "/tags" ||
    url.pathname.startsWith("/courses/");
}

/** The learner's own pages: kept only in their cache. */
function isLearnerPage(url) {
  return ["/profile", "/profile/history", "/recommendations", "/recommendations/history"]
    .includes(url.pathname);
}

function timeout(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms));
}

async function ourCacheNames() {
  return (await caches.keys()).filter((name) => name.startsWith(CACHE_PREFIX));
}

async function currentLearnerCaches() {
  return (await ourCacheNames()).filter(
    (name) => name.startsWith(LEARNER_CACHE_PREFIX) && name.endsWith(`-${RELEASE}`),
  );
}

/** Keeps a page the network returned, in the one cache it belongs to. */
async function keepPage(request, response) {
  if (!response.ok || response.type !== "basic" || response.redirected) return;
  const learner = response.headers.get(LEARNER_HEADER);
  if (learner) {
    const name = learnerCache(learner);
    // One learner's pages on a device at a time: another learner's go.
    for (const other of await ourCacheNames()) {
      if (other.startsWith(LEARNER_CACHE_PREFIX) && other !== name) await caches.delete(other);
    }
    await (await caches.open(name)).put(request, response);
  } else if (isCatalogPage(new URL(request.url))) {
    await (await caches.open(CATALOG_CACHE)).put(request, response);
  }
}

/** The copy of a page kept on this device, the learner's own first. */
async function keptPage(request) {
  for (const name of [...(await currentLearnerCaches()), CATALOG_CACHE]) {
    // Looking must not create the cache (caches.open would).
    const copy = (await caches.has(name)) ? await caches.match(request, { cacheName: name }) : undefined;
    if (copy) return copy;
  }
  return undefined;
}

async function offlinePage() {
  return (await serwist.matchPrecache(OFFLINE_PAGE)) ??
    new Response("You are offline.", { status: 503, headers: { "content-type": "text/plain" } });
}

/** Network first for a page we may keep; its copy when the network fails or is slow. */
async function keptPageOrNetwork(event) {
  const { request } = event;
  const fromNetwork = fetch(request).then((response) => {
    event.waitUntil(keepPage(request, response.clone()));
    return response;
  });
  fromNetwork.catch(() => {});
  const first = await Promise.race([fromNetwork.catch(() => null), timeout(NETWORK_TIMEOUT_MS)]);
  if (first) return first;
  const copy = (await keptPage(request)) ?? (await writtenPage(request));
  if (copy) return copy;
  // Slow, with no copy: wait for the network after all; offline: say so.
  return fromNetwork.catch(() => offlinePage());
}

/**
 * A page written from the saved catalog: the catalog's search results for
 * any `/courses?…` view, or a course page (needed when the catalog was too
 * large to save page by page).
 */
async function writtenPage(request) {
  const url = new URL(request.url);
  const saved = await savedCatalog();
  if (!saved) return undefined;
  let html;
  if (url.pathname === "/courses") {
    const query = catalogQueryOf(url);
    const results = searchSavedCatalog(saved.courses, query, saved.savedAt);
    html = savedCatalogPage(results, query, { stylesheet: STYLESHEET });
  } else if (url.pathname.startsWith("/courses/")) {
    const slug = decodeURIComponent(url.pathname.slice("/courses/".length));
    const entry = saved.courses.find(({ course }) => course.slug === slug);
    if (!entry) return undefined;
    const savedOn = saved.savedAt ? new Date(saved.savedAt).toUTCString() : null;
    html = savedCoursePage(entry, { stylesheet: STYLESHEET, savedOn });
  } else {
    return undefined;
  }
  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": OFFLINE_PAGE_POLICY,
    },
  });
}

/** Pages never kept (admin, forms, account): the network, or the offline page. */
async function networkOrOfflinePage(request) {
  try {
    return await fetch(request);
  } catch {
    return offlinePage();
  }
}

serwist.registerCapture(
  ({ request, url }) => request.mode === "navigate" && url.origin === self.location.origin &&
    (isCatalogPage(url) || isLearnerPage(url)),
  ({ event }) => keptPageOrNetwork(event),
);

serwist.registerCapture(
  ({ request, url }) => request.mode === "navigate" && url.origin === self.location.origin,
  ({ request }) => networkOrOfflinePage(request),
);

// A catalog view the filter form's island asks for, to show in place: the
// server when it answers; offline, the kept copy of that view or the results
// written from the saved catalog.
serwist.registerCapture(
  ({ request, url }) => request.mode !== "navigate" && url.origin === self.location.origin &&
    url.pathname === "/courses",
  async ({ request }) => {
    try {
      return await fetch(request);
    } catch (networkError) {
      const copy = (await keptPage(request)) ?? (await writtenPage(request));
      if (copy) return copy;
      throw networkError;
    }
  },
);

serwist.addEventListeners();

// A new release takes over: the older releases' pages and saved catalogs go
// (their HTML names bundles this release no longer has).
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await ourCacheNames()) {
      if (!name.endsWith(`-${RELEASE}`)) await caches.delete(name);
    }
  })());
});

// The saved catalog, parsed once per saved copy while the worker lives:
// reading 100,000 courses again costs half a second a search.
let parsedCatalog = null;

async function savedCatalog() {
  if (!(await caches.has(CATALOG_CACHE))) return undefined;
  const response = await caches.match(SAVED_CATALOG, { cacheName: CATALOG_CACHE });
  if (!response) return undefined;
  const savedAt = response.headers.get("date");
  if (parsedCatalog?.savedAt !== savedAt) {
    parsedCatalog = { courses: await response.json(), savedAt };
  }
  return parsedCatalog;
}

/** "Save the catalog for offline": the catalog file and every page it lists. */
async function saveCatalog(report, wholePagesUpTo = WHOLE_PAGES_UP_TO) {
  const cache = await caches.open(CATALOG_CACHE);
  // Anonymous copies: the catalog is the same for everyone, and a copy
  // without a learner's header can be shown to whoever is offline.
  const get = (path) => fetch(path, { credentials: "omit" });
  const catalogResponse = await get(SAVED_CATALOG);
  if (!catalogResponse.ok) throw new Error(`the catalog answered ${catalogResponse.status}`);
  const courses = await catalogResponse.clone().json();
  await cache.put(SAVED_CATALOG, catalogResponse);
  const paths = ["/courses", "/tags"];
  const wholePages = courses.length <= wholePagesUpTo;
  if (wholePages) {
    const pageCount = Math.max(1, Math.ceil(courses.length / 20));
    for (let page = 2; page <= pageCount; page += 1) paths.push(`/courses?page=${page}`);
    for (const { course } of courses) paths.push(`/courses/${encodeURIComponent(course.slug)}`);
  }
  let done = 0;
  const queue = [...paths];
  // A few at a time: fast, without queueing the server behind one learner.
  const worker = async () => {
    for (let path = queue.shift(); path; path = queue.shift()) {
      const response = await get(path);
      if (response.ok) await cache.put(path, response);
      done += 1;
      if (done % 10 === 0 || done === paths.length) report({ done, total: paths.length });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return { courses: courses.length, pages: paths.length, wholePages, savedAt: new Date().toISOString() };
}

async function keptCopyDate(url) {
  const copy = await keptPage(new Request(url));
  return copy?.headers.get("date") ?? null;
}

/** The learner whose pages this device keeps (one at a time), or null. */
async function deviceLearner() {
  const [name] = await currentLearnerCaches();
  return name ? name.slice(LEARNER_CACHE_PREFIX.length, -(RELEASE.length + 1)) : null;
}

/** Tells every open page what the outbox holds now. */
async function announceOutbox(results = []) {
  const changes = await queuedChanges();
  for (const client of await self.clients.matchAll({ type: "window" })) {
    client.postMessage({ type: "outbox", changes, results });
  }
}

// One flush at a time: `online` in two tabs and a sync must not send twice.
let flushing = Promise.resolve();
function flush() {
  // Pages hear only of what happened: a flush with nothing to send says nothing.
  flushing = flushing.then(() => flushOutbox().then(
    (results) => (results.length > 0 ? announceOutbox(results) : undefined),
    () => announceOutbox(),
  ));
  return flushing;
}

self.addEventListener("sync", (event) => {
  if (event.tag === OUTBOX_SYNC_TAG) event.waitUntil(flush());
});

const answers = {
  "save-catalog": (data, port) => saveCatalog(
    (progress) => port.postMessage({ type: "progress", ...progress }),
    data.wholePagesUpTo,
  )
    .then((saved) => ({ type: "saved", ...saved }))
    .catch((error) => ({ type: "failed", message: String(error.message ?? error) })),
  "saved-catalog": () => savedCatalog().then((saved) =>
    saved ? { courses: saved.courses.length, savedAt: saved.savedAt } : null),
  "copy-date": (data) => keptCopyDate(data.url).then((date) => ({ date })),
  queue: async (data) => {
    const learner = await deviceLearner();
    if (!learner) return { error: "no learner" };
    const change = await queueChange({ learner, action: data.action, fields: data.fields });
    await self.registration.sync?.register(OUTBOX_SYNC_TAG).catch(() => {});
    await announceOutbox();
    return { change };
  },
  // The page that installed the worker came before it: fetched again, so it
  // too is on the device (and, for a learner, names them).
  "keep-page": async (data) => {
    const url = new URL(data.url, self.location.origin);
    if (url.origin !== self.location.origin || !(isCatalogPage(url) || isLearnerPage(url))) return null;
    const request = new Request(url, { credentials: "same-origin" });
    await keepPage(request, await fetch(request));
    return { kept: true };
  },
  outbox: async () => ({ changes: await queuedChanges() }),
  flush: async () => {
    await flush();
    return { changes: await queuedChanges() };
  },
  "keep-mine": async (data) => {
    await keepMine(data.id);
    await flush();
    return { changes: await queuedChanges() };
  },
  "keep-theirs": async (data) => {
    await removeChange(data.id);
    await announceOutbox();
    return { changes: await queuedChanges() };
  },
};

self.addEventListener("message", (event) => {
  const port = event.ports[0];
  const answer = answers[event.data?.type];
  if (!port || !answer) return;
  event.waitUntil(answer(event.data, port).then((reply) => port.postMessage(reply ?? null)));
});
