// The installable, offline-friendly parts of every page: the service
// worker's registration and update prompt, the offline banner, the install
// button, "Save the catalog for offline", and forgetting the learner's data
// on logout. Plain JavaScript, added after the app's own markup (never
// inside what the WASM hydrates); without service workers nothing here runs
// and the app is what it always was.

import { Serwist } from "@serwist/window";

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

/** Offline, links load pages (which the worker has) instead of asking the
 * server for data in the page (which nobody can answer). */
function followLinksAsPagesWhenOffline() {
  addEventListener("click", (event) => {
    if (navigator.onLine || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || link.target || link.hasAttribute("download")) return;
    if (new URL(link.href).origin !== location.origin) return;
    // Before the app's router sees it; the browser then follows the link.
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
  worker.register().then(() => navigator.serviceWorker.ready).then(offerCatalogForOffline);
}

start();
