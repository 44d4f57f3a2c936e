// Renders the app's install icons from the one drawing in the repository,
// public/favicon.svg, with resvg (the same input and version give the same
// bytes, so the committed PNGs can be checked against a fresh render).
//
//   node .ci/make-icons.mjs          write public/icons/*.png
//   node .ci/make-icons.mjs --check  exit 1 when a committed icon differs
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// resvg is an npm package of end2end/, installed by .ci/install-tools.sh.
const { Resvg } = createRequire(join(root, 'end2end', 'package.json'))('@resvg/resvg-js');

const drawing = readFileSync(join(root, 'public', 'favicon.svg'), 'utf8');
const inner = drawing.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
const BRAND = '#1f4e79';

// A maskable icon is cropped to a shape of the platform's choosing (a circle,
// a squircle): the background must reach every edge, and the mark must stay
// inside the central 80 % "safe zone".
const maskable = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
<rect width="64" height="64" fill="${BRAND}"/>
<g transform="translate(12.8 12.8) scale(0.6)">${inner}</g></svg>`;

const icons = [
  { file: 'icon-192.png', svg: drawing, size: 192 },
  { file: 'icon-512.png', svg: drawing, size: 512 },
  { file: 'icon-maskable-512.png', svg: maskable, size: 512 },
];

const check = process.argv.includes('--check');
mkdirSync(join(root, 'public', 'icons'), { recursive: true });
let stale = 0;
for (const { file, svg, size } of icons) {
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng();
  const path = join(root, 'public', 'icons', file);
  if (check) {
    let committed = Buffer.alloc(0);
    try {
      committed = readFileSync(path);
    } catch {}
    if (!committed.equals(png)) {
      console.error(`${path} is not what public/favicon.svg renders to; run node .ci/make-icons.mjs`);
      stale += 1;
    }
  } else {
    writeFileSync(path, png);
    console.log(`${path}: ${size}x${size}, ${png.length} bytes`);
  }
}
process.exit(stale ? 1 : 0);
