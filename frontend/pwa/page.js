// The installable, offline-friendly parts of every page: the service
// worker's registration and update prompt, the offline banner, the install
// button, "Save the catalog for offline", and forgetting the learner's data
// on logout. Plain JavaScript, added after the app's own markup (never
// inside an island); without service workers none of that runs and the app
// is what it always was. And, in every browser, forms say when they are at
// work, and what was typed into a form the server refused comes back
// (kept-forms.js).

import { Serwist } from "@serwist/window";

import { keepWhatWasTyped, showFormsAtWork } from "./kept-forms.js";
import { QUEUEABLE, profileOf } from "./outbox.js";

const CACHE_PREFIX = "acmelearn-";
const LOGOUT_PENDING = "acmelearn-logout-pending";
const INSTALL_DISMISSED = "acmelearn-install-dismissed-at";
// "Not now" on the install button holds for a month: offered, never nagged.
const INSTALL_QUIET_MS = 30 * 24 * 60 * 60 * 1000;
const LEAVING_ACTIONS = ["/api/account/logout", "/api/account/deactivate"];

const dateText = (value) => {
  const date = value ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) return null;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
};

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** Asks the active worker something and waits for its one answer. */
async function ask(message, onProgress) {
  const worker = (await navigator.serviceWorker.ready).active;
  if (!worker) return null;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = ({ data }) => {
      if (data?.type === "progress" && onProgress) onProgress(data);
      else resolve(data);
    };
    worker.postMessage(message, [channel.port2]);
  });
}

/** Everything kept on this device for a learner: pages, saved data, outbox. */
async function forgetTheLearner() {
  for (const name of await caches.keys()) {
    if (name.startsWith(CACHE_PREFIX)) await caches.delete(name);
  }
  if (indexedDB.databases) {
    for (const { name } of await indexedDB.databases()) {
      if (name?.startsWith(CACHE_PREFIX)) indexedDB.deleteDatabase(name);
    }
  }
}

function statusBar() {
  const bar = element("div", { class: "pwa-bar", role: "region", "aria-label": "App status" });
  document.body.append(bar);
  return bar;
}

function showOfflineBanner(bar) {
  const banner = element("p", { class: "pwa-offline", role: "status" });
  bar.prepend(banner);
  const update = async () => {
    if (navigator.onLine) {
      banner.hidden = true;
      return;
    }
    banner.hidden = false;
    banner.textContent = "You are offline.";
    const answer = await ask({ type: "copy-date", url: location.href });
    const saved = dateText(answer?.date);
    if (!navigator.onLine && saved) {
      banner.textContent = `You are offline: this is the copy saved on ${saved}.`;
    }
  };
  addEventListener("online", update);
  addEventListener("offline", update);
  update();
}

function offerInstall(bar) {
  addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    const dismissedAt = Number(localStorage.getItem(INSTALL_DISMISSED) ?? 0);
    if (Date.now() - dismissedAt < INSTALL_QUIET_MS) return;
    const install = element("button", { type: "button", class: "button" }, "Install AcmeLearn");
    const later = element("button", { type: "button", class: "link-button" }, "Not now");
    const offer = element("p", { class: "pwa-install" },
      "Read AcmeLearn offline and open it from your home screen. ", install, " ", later);
    install.addEventListener("click", async () => {
      offer.remove();
      await event.prompt();
    });
    later.addEventListener("click", () => {
      localStorage.setItem(INSTALL_DISMISSED, String(Date.now()));
      offer.remove();
    });
    bar.append(offer);
  });
}

function offerUpdates(bar, worker) {
  worker.addEventListener("waiting", () => {
    if (bar.querySelector(".pwa-update")) return;
    const reload = element("button", { type: "button", class: "button" }, "Reload");
    const prompt = element("p", { class: "pwa-update", role: "status" },
      "A new version of AcmeLearn is ready. ", reload);
    reload.addEventListener("click", () => {
      // The page reloads once the new worker has taken over, never before
      // the learner asks (they may be typing).
      worker.addEventListener("controlling", () => location.reload());
      worker.messageSkipWaiting();
    });
    bar.append(prompt);
  });
}

function offerCatalogForOffline() {
  const status = element("p", { class: "pwa-saved", role: "status" });
  const save = element("button", { type: "button", class: "button secondary" },
    "Save the catalog for offline");
  const section = element("section", { class: "pwa-offline-reading", "aria-label": "Offline reading" },
    element("h2", {}, "Offline reading"),
    element("p", {}, "Keep every course on this device, to read and search with no network."),
    save, status);
  document.body.append(section);
  const describe = (saved) => {
    const when = dateText(saved?.savedAt);
    status.textContent = saved && when
      ? `Saved: ${saved.courses} courses, on ${when}.`
      : "The catalog is not saved on this device yet.";
  };
  save.addEventListener("click", async () => {
    save.disabled = true;
    status.textContent = "Saving the catalog…";
    const answer = await ask({ type: "save-catalog" }, ({ done, total }) => {
      status.textContent = `Saving the catalog… ${done} of ${total} pages`;
    });
    save.disabled = false;
    if (answer?.type === "saved") describe(answer);
    else status.textContent = `The catalog was not saved: ${answer?.message ?? "try again online"}.`;
  });
  ask({ type: "saved-catalog" }).then(describe);
}

/** Offline, links load pages (which the worker has or writes) instead of
 * being shown in place by the catalog's island. */
function followLinksAsPagesWhenOffline() {
  addEventListener("click", (event) => {
    if (navigator.onLine || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || link.target || link.hasAttribute("download")) return;
    if (new URL(link.href).origin !== location.origin) return;
    // Before the island sees it; the browser then follows the link.
    event.stopImmediatePropagation();
  }, true);
}

/** Logging out forgets the learner here too: Clear-Site-Data on the server's
 * answer does it online, this does it when there is no answer. */
function forgetTheLearnerOnLogout() {
  addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (!LEAVING_ACTIONS.includes(new URL(form.action, location.href).pathname)) return;
    const offline = !navigator.onLine;
    if (offline) {
      event.preventDefault();
      event.stopImmediatePropagation();
      localStorage.setItem(LOGOUT_PENDING, "1");
    }
    forgetTheLearner().finally(() => {
      if (offline) location.assign("/");
    });
  }, true);
}

/** A logout made offline reaches the server when the network returns. */
async function sendPendingLogout() {
  if (!navigator.onLine || !localStorage.getItem(LOGOUT_PENDING)) return;
  const response = await fetch("/api/account/logout", { method: "POST", redirect: "manual" })
    .catch(() => null);
  if (response) {
    localStorage.removeItem(LOGOUT_PENDING);
    location.reload();
  }
}

const KIND_NAMES = { profile: "your profile", rating: "a rating" };

function profileList(profile) {
  const rows = [
    ["Goal", profile.learning_goal ?? "—"],
    ["Level", profile.current_level ?? "—"],
    ["Hours per week", profile.hours_per_week ?? "—"],
    ["Interests", profile.interests.length > 0 ? profile.interests.join(", ") : "—"],
  ];
  return element("dl", {}, ...rows.flatMap(([term, value]) =>
    [element("dt", {}, term), element("dd", {}, String(value))]));
}

/** What the outbox holds, said in the status bar; conflicts as a choice. */
function showOutbox(bar) {
  const status = element("p", { class: "pwa-outbox", role: "status" });
  status.hidden = true;
  bar.append(status);
  const choices = element("div", { class: "pwa-conflicts" });
  bar.append(choices);
  const render = ({ changes = [], results = [], notice } = {}) => {
    const waiting = changes.filter((change) => change.state === "waiting");
    const sent = results.filter((result) => result.state === "sent");
    status.replaceChildren();
    if (notice) {
      status.append(notice);
    } else if (waiting.length > 0) {
      const kinds = [...new Set(waiting.map((change) => KIND_NAMES[change.kind]))].join(" and ");
      status.append(`${waiting.length === 1 ? "1 change" : `${waiting.length} changes`} made offline ` +
        `waiting to be sent (${kinds}); they go when the network returns.`);
    } else if (sent.length > 0) {
      status.append("Your changes made offline were sent. ");
      const reload = element("button", { type: "button", class: "button" }, "Reload");
      reload.addEventListener("click", () => location.reload());
      status.append(reload);
    }
    status.hidden = status.childNodes.length === 0;
    choices.replaceChildren(...changes.filter((change) => change.state !== "waiting")
      .map((change) => choiceFor(change, render)));
  };
  navigator.serviceWorker.addEventListener("message", ({ data }) => {
    if (data?.type === "outbox") render(data);
  });
  return render;
}

/** A conflict (keep mine / keep the saved one) or a refusal (dismiss). */
function choiceFor(change, render) {
  const section = element("section", { class: "pwa-conflict", "aria-label": "A change made offline" });
  const act = (label, type, primary) => {
    const button = element("button", { type: "button", class: primary ? "button" : "button secondary" }, label);
    button.addEventListener("click", async () => {
      await ask({ type, id: change.id });
      if (type === "keep-theirs" && change.kind === "profile") location.reload();
    });
    return button;
  };
  if (change.state === "conflict") {
    section.append(
      element("h2", {}, "Your profile changed elsewhere while you were offline"),
      element("div", { class: "pwa-versions" },
        element("div", {}, element("h3", {}, "Yours, made offline"), profileList(profileOf(change.fields))),
        element("div", {}, element("h3", {}, `Saved now (version ${change.theirs.version})`),
          profileList(change.theirs.profile))),
      act("Keep mine", "keep-mine", true), " ", act("Keep the saved one", "keep-theirs", false));
  } else {
    section.append(
      element("h2", {}, `A change made offline was not accepted (${KIND_NAMES[change.kind]})`),
      element("p", {}, String(change.message ?? "").slice(0, 300)),
      act("Dismiss", "keep-theirs", false));
  }
  return section;
}

/** Offline, a profile save or a rating goes into the outbox instead. */
function queueChangesWhenOffline(render) {
  addEventListener("submit", async (event) => {
    const form = event.target;
    if (navigator.onLine || !(form instanceof HTMLFormElement)) return;
    const action = new URL(form.action, location.href).pathname;
    if (!QUEUEABLE[action]) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const fields = [...new FormData(form, event.submitter)]
      .filter(([, value]) => typeof value === "string");
    const answer = await ask({ type: "queue", action, fields });
    // Queued, the worker tells every page; otherwise say why here.
    if (!answer?.change) {
      render({ notice: "You are offline, and this change cannot be kept on this device: " +
        "open your profile once online first. Nothing was saved." });
    }
  }, true);
}

/** Catalog views shown in place (the filter form's island changes the
 * address itself) are fetched once more by the worker, so they are on the
 * device too, and a learner's page tells the worker whose device it is. */
function keepPagesShownByTheApp() {
  for (const method of ["pushState", "replaceState"]) {
    const original = history[method].bind(history);
    history[method] = (state, unused, url) => {
      const before = location.href;
      original(state, unused, url);
      if (navigator.onLine && location.href !== before) {
        ask({ type: "keep-page", url: location.href });
      }
    };
  }
}

function start() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  const bar = statusBar();
  showOfflineBanner(bar);
  offerInstall(bar);
  followLinksAsPagesWhenOffline();
  forgetTheLearnerOnLogout();
  addEventListener("online", sendPendingLogout);
  sendPendingLogout();
  const worker = new Serwist("/sw.js", { scope: "/", type: "classic" });
  offerUpdates(bar, worker);
  const renderOutbox = showOutbox(bar);
  queueChangesWhenOffline(renderOutbox);
  // What the flush did reaches the page as the worker's "outbox" message.
  const flush = async () => {
    if (navigator.onLine) await ask({ type: "flush" });
  };
  addEventListener("online", flush);
  const servedByWorker = navigator.serviceWorker.controller !== null;
  keepPagesShownByTheApp();
  worker.register().then(() => navigator.serviceWorker.ready).then(async () => {
    if (!servedByWorker && navigator.onLine) await ask({ type: "keep-page", url: location.href });
    offerCatalogForOffline();
    ask({ type: "outbox" }).then((answer) => renderOutbox(answer ?? {}));
    flush();
  });
}

keepWhatWasTyped();
showFormsAtWork();
start();
