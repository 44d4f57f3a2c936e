// `make bench-frontend`, the browser half (.ci/bench-frontend.sh starts the
// server and calls this):
//   node .ci/bench-frontend.mjs BASE_URL
// 1. signs up a learner in Chromium, for the session cookie of the signed-in
//    pages;
// 2. opens /courses in a fresh browser (a first visit: empty cache, no
//    service worker) and lists every response it downloads with its transfer
//    size (the encoded body: brotli where the server sends it), the page's
//    own and then the service worker's (its precache), with totals;
// 3. runs Lighthouse 12.2.3 (mobile emulation, default simulated throttling,
//    storage cleared first: a first visit) on /, /courses, a course page,
//    /profile and /recommendations (those two signed in), RUNS times each
//    (default 5), and prints the median run's scores, LCP and TBT.
// Prints figures; asserts nothing about them.
//
// Debian's Chromium (CHROME_PATH, default /usr/bin/chromium); Playwright and
// Lighthouse come from end2end/node_modules (npm ci there).

import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "end2end/package.json"));
const { chromium } = require("@playwright/test");
const importFromEnd2end = async (name) => import(pathToFileURL(require.resolve(name)).href);
const { default: lighthouse } = await importFromEnd2end("lighthouse");
const chromeLauncher = await importFromEnd2end("chrome-launcher");

const base = (process.argv[2] ?? "").replace(/\/$/, "");
if (!base) {
  console.error("usage: node .ci/bench-frontend.mjs BASE_URL");
  process.exit(2);
}
const chromePath = process.env.CHROME_PATH ?? "/usr/bin/chromium";
const runs = Math.max(1, Number(process.env.RUNS ?? 5));
const chromeFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const kb = (bytes) => (bytes / 1000).toFixed(1);
const pad = (text, width) => String(text).padEnd(width);
const lpad = (text, width) => String(text).padStart(width);

// --- 1. a learner and their session cookie ---------------------------------
async function signUp(browser) {
  const context = await browser.newContext({ baseURL: base, serviceWorkers: "block" });
  const page = await context.newPage();
  const email = `bench-frontend-${randomUUID().slice(0, 8)}@example.test`;
  const password = "a sturdy passphrase";
  await page.goto("/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Repeat the password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/profile\?welcome=1$/);
  const cookies = await context.cookies(base);
  await context.close();
  if (!cookies.length) throw new Error("sign-up gave no session cookie");
  return cookies.map(({ name, value }) => `${name}=${value}`).join("; ");
}

async function firstCoursePath() {
  const html = await (await fetch(`${base}/courses`)).text();
  const slug = html.match(/href="(\/courses\/[a-z0-9][a-z0-9-]*)"/)?.[1];
  if (!slug) throw new Error("no course link on /courses");
  return slug;
}

// --- 2. what a first visit to /courses downloads ---------------------------
async function firstVisitAssets(browser) {
  // The browser's own request headers: Chromium offers brotli to
  // http://127.0.0.1 as it does over HTTPS (printed below, with each
  // response's encoding).
  const context = await browser.newContext({ baseURL: base, serviceWorkers: "allow" });
  const finished = [];
  context.on("requestfinished", (request) => {
    const done = (async () => {
      const response = await request.response();
      const sizes = await request.sizes();
      const headers = response ? await response.allHeaders() : {};
      const contentLength = Number(headers["content-length"] ?? 0);
      let body = sizes.responseBodySize;
      let note = "";
      if (body < 0) {
        // Answered from the HTTP cache (the service worker precaching what
        // the page just downloaded): nothing crossed the wire.
        body = 0;
        note = "HTTP cache";
      } else if (body === 0 && contentLength > 0) {
        // The service worker's own script is fetched by the browser, whose
        // size Playwright does not see; the server sends its length.
        body = contentLength;
        note = "Content-Length";
      }
      return {
        url: request.url(),
        by: request.serviceWorker() ? "service worker" : "page",
        type: request.resourceType(),
        status: response?.status() ?? 0,
        encoding: headers["content-encoding"] ?? "none",
        acceptEncoding: (await request.allHeaders())["accept-encoding"] ?? "",
        body,
        note,
        headers: Math.max(0, sizes.responseHeadersSize),
      };
    })();
    finished.push(done);
  });
  const page = await context.newPage();
  await page.goto("/courses", { waitUntil: "load" });
  // The page script registers the service worker, which then precaches the
  // app shell; wait until it is active and the network is quiet.
  await page
    .evaluate(() =>
      "serviceWorker" in navigator
        ? Promise.race([navigator.serviceWorker.ready.then(() => true), new Promise((r) => setTimeout(() => r(false), 20000))])
        : false,
    )
    .catch(() => false);
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(1500);
  const rows = await Promise.all(finished);
  await context.close();
  return rows;
}

function printAssets(rows) {
  const html = rows.find((row) => row.type === "document");
  console.log(`\nFirst visit to /courses (fresh browser; Chromium sent Accept-Encoding: ${html?.acceptEncoding})`);
  console.log("transfer = encoded response body, what crossed the wire without headers; KB = 1,000 bytes\n");
  console.log(`${pad("downloaded by", 15)} ${pad("asset", 58)} ${pad("type", 10)} ${pad("encoding", 9)} ${lpad("transfer KB", 12)}`);
  const totals = {};
  for (const by of ["page", "service worker"]) {
    const mine = rows.filter((row) => row.by === by).sort((a, b) => b.body - a.body);
    for (const row of mine) {
      const path = new URL(row.url).pathname + new URL(row.url).search;
      console.log(
        `${pad(by, 15)} ${pad(path.length > 58 ? path.slice(0, 55) + "..." : path, 58)} ${pad(row.type, 10)} ${pad(row.encoding, 9)} ${lpad(kb(row.body), 12)}${row.note ? `  (${row.note})` : ""}`,
      );
    }
    totals[by] = mine.reduce((sum, row) => sum + row.body, 0);
    totals[`${by} headers`] = mine.reduce((sum, row) => sum + row.headers, 0);
    totals[`${by} count`] = mine.length;
  }
  console.log(
    `\nTOTAL page (HTML + CSS + JS + WASM + the rest): ${kb(totals.page)} KB in ${totals["page count"]} responses` +
      ` (+ ${kb(totals["page headers"])} KB of headers)`,
  );
  console.log(
    `TOTAL with the service worker's precache:        ${kb(totals.page + totals["service worker"])} KB in ${
      totals["page count"] + totals["service worker count"]
    } responses`,
  );
  const notBrotli = rows.filter((row) => row.encoding !== "br" && row.body > 1000 && !row.note);
  if (notBrotli.length) {
    console.log(`not brotli (over 1 KB): ${notBrotli.map((row) => new URL(row.url).pathname + " (" + row.encoding + ")").join(", ")}`);
  }
}

// --- 3. Lighthouse -----------------------------------------------------------
async function lighthouseRun(url, cookie) {
  const chrome = await chromeLauncher.launch({ chromePath, chromeFlags });
  try {
    const extraHeaders = cookie ? { Cookie: cookie } : undefined;
    const result = await lighthouse(
      url,
      {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
        extraHeaders,
      },
      // Lighthouse's defaults: mobile emulation, simulated throttling.
      undefined,
    );
    const lhr = result.lhr;
    if (process.env.LH_REPORT_DIR) {
      mkdirSync(process.env.LH_REPORT_DIR, { recursive: true });
      const name = `${new URL(url).pathname.replace(/\W+/g, "_")}-${Date.now()}.json`;
      writeFileSync(join(process.env.LH_REPORT_DIR, name), result.report);
    }
    if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const score = (id) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
    const audit = (id) => lhr.audits[id]?.numericValue;
    return {
      performance: score("performance"),
      accessibility: score("accessibility"),
      bestPractices: score("best-practices"),
      seo: score("seo"),
      fcp: audit("first-contentful-paint"),
      lcp: audit("largest-contentful-paint"),
      tbt: audit("total-blocking-time"),
      cls: audit("cumulative-layout-shift"),
      si: audit("speed-index"),
      bytes: audit("total-byte-weight"),
      finalUrl: lhr.finalDisplayedUrl,
      version: lhr.lighthouseVersion,
      failing: Object.values(lhr.categories)
        .filter((category) => category.id !== "performance")
        .flatMap((category) => category.auditRefs.filter((ref) => ref.weight > 0).map((ref) => lhr.audits[ref.id]))
        .filter((a) => a && a.score !== null && a.score < 1)
        .map((a) => a.id),
    };
  } finally {
    await chrome.kill();
  }
}

// Lighthouse now and then fails to record a trace (NO_NAVSTART, NO_FCP on a
// busy machine) and says to run it again: up to three tries.
async function withRetries(run) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= 3) throw error;
      process.stderr.write(`lighthouse: ${error.message.split("\n")[0]}; trying again\n`);
    }
  }
}

async function lighthousePages(pages) {
  const results = [];
  for (const { label, path, cookie } of pages) {
    const all = [];
    for (let run = 0; run < runs; run++) all.push(await withRetries(() => lighthouseRun(base + path, cookie)));
    all.sort((a, b) => a.performance - b.performance || b.lcp - a.lcp);
    const median = all[Math.floor(all.length / 2)];
    if (cookie && !median.finalUrl.endsWith(path)) {
      throw new Error(`${path} ended at ${median.finalUrl}: the session cookie did not sign in`);
    }
    results.push({ label, path, median, performances: all.map((r) => r.performance) });
    // Each run's score and LCP: the spread between runs shows how much the
    // machine's other work moved them. (While the WASM was preloaded from the
    // <head>, Lighthouse's simulation put its download on LCP's path in some
    // runs and not in others: LCP about 1 s or about 4 s.)
    console.log(`lighthouse ${label}: perf/LCP s of each run ${all.map((r) => `${r.performance}/${(r.lcp / 1000).toFixed(1)}`).join(" ")}`);
  }
  console.log(
    `\nLighthouse ${results[0]?.median.version}, mobile emulation, default (simulated) throttling, storage cleared; median of ${runs} run(s) by performance`,
  );
  console.log(
    `${pad("page", 42)} ${lpad("perf", 5)} ${lpad("a11y", 5)} ${lpad("b-p", 5)} ${lpad("SEO", 5)} ${lpad("FCP s", 7)} ${lpad("LCP s", 7)} ${lpad("TBT ms", 7)} ${lpad("CLS", 6)} ${lpad("SI s", 6)} ${lpad("KB", 7)}  perf of each run`,
  );
  for (const { label, median: r, performances } of results) {
    console.log(
      `${pad(label, 42)} ${lpad(r.performance, 5)} ${lpad(r.accessibility, 5)} ${lpad(r.bestPractices, 5)} ${lpad(r.seo, 5)} ${lpad((r.fcp / 1000).toFixed(2), 7)} ${lpad((r.lcp / 1000).toFixed(2), 7)} ${lpad(Math.round(r.tbt), 7)} ${lpad(r.cls.toFixed(3), 6)} ${lpad((r.si / 1000).toFixed(2), 6)} ${lpad(kb(r.bytes), 7)}  ${performances.join(" ")}`,
    );
  }
  for (const { label, median } of results) {
    if (median.failing.length) console.log(`${label}: audits below 1 outside performance: ${median.failing.join(", ")}`);
  }
}

// --- main ----------------------------------------------------------------------
const browser = await chromium.launch({ executablePath: chromePath, args: chromeFlags });
let cookie, coursePath, assets;
try {
  cookie = await signUp(browser);
  coursePath = await firstCoursePath();
  assets = await firstVisitAssets(browser);
} finally {
  await browser.close();
}
printAssets(assets);
await lighthousePages([
  { label: "/", path: "/" },
  { label: "/courses", path: "/courses" },
  { label: coursePath, path: coursePath },
  { label: "/profile (signed in)", path: "/profile", cookie },
  { label: "/recommendations (signed in)", path: "/recommendations", cookie },
]);
