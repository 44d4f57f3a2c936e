// Builds the installable app's JavaScript into the site cargo-leptos made:
//   node frontend/pwa/build.mjs [site-dir]      (default: target/site)
// - pwa.js: the page script (page.js and @serwist/window, bundled);
// - sw.js: the service worker, with the precache list Serwist generates from
//   the site's real files (hashed bundle, icons, manifest, page script) and
//   the offline page, each with its content's revision.
// Runs after `cargo leptos build`; `make run` and `make test` call it.

import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const site = resolve(process.argv[2] ?? join(root, "target/site"));
// The build tools live with the project's other npm packages, in end2end/.
const require = createRequire(join(root, "end2end/package.json"));
const esbuild = require("esbuild");
const { getManifest, injectManifest } = await import(require.resolve("@serwist/build"));

const precache = {
  globDirectory: site,
  // The bundle's names carry their hashes; everything else gets a revision.
  globPatterns: ["pkg/*.{js,wasm,css}", "pwa.js", "favicon.svg", "icons/*.png", "manifest.webmanifest"],
  globIgnores: ["sw.js", "**/*.br", "**/*.gz"],
  dontCacheBustURLsMatching: /^pkg\//,
  // The WASM is the largest file and must be there offline.
  maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
};

const bundle = (entry, outfile, define = {}) =>
  esbuild.build({
    entryPoints: [join(here, entry)],
    outfile,
    bundle: true,
    minify: true,
    format: entry === "page.js" ? "esm" : "iife",
    target: ["chrome109", "firefox115", "safari16"],
    define,
    legalComments: "none",
    nodePaths: [join(root, "end2end/node_modules")],
    logLevel: "warning",
  });

const compress = (file) => {
  const bytes = readFileSync(file);
  writeFileSync(`${file}.br`, brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
  }));
  writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
};

await bundle("page.js", join(site, "pwa.js"));

// The release: what the precached files are. Runtime caches are named for
// it, so pages are never paired with another release's bundle.
const { manifestEntries } = await getManifest(precache);
const release = createHash("sha256")
  .update(JSON.stringify(manifestEntries.map(({ url, revision }) => [url, revision])))
  .digest("hex")
  .slice(0, 16);

const scratch = mkdtempSync(join(tmpdir(), "acmelearn-sw-"));
try {
  const source = join(scratch, "sw.js");
  await bundle("service-worker.js", source, { __ACMELEARN_RELEASE__: JSON.stringify(release) });
  const { count, size, warnings } = await injectManifest({
    ...precache,
    swSrc: source,
    swDest: join(site, "sw.js"),
    // The offline page is rendered by the server; it belongs to this release.
    additionalPrecacheEntries: [{ url: "/offline", revision: release }],
  });
  for (const warning of warnings) console.warn(`service worker: ${warning}`);
  compress(join(site, "pwa.js"));
  compress(join(site, "sw.js"));
  console.log(
    `service worker: release ${release}, ${count} files precached (${(size / 1024).toFixed(0)} KiB uncompressed)`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
