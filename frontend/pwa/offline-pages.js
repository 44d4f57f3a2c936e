// A course page written by the service worker from the saved catalog, for a
// catalog too large to save page by page: the course as the offline copy
// has it (title, level, length, tags, the start of its description), plain
// HTML with the app's stylesheet and no hydration.

const LEVELS = { beginner: "Beginner", intermediate: "Intermediate", advanced: "Advanced" };

/** The page's own policy: the site's stylesheet and page script, nothing inline. */
export const OFFLINE_PAGE_POLICY = "default-src 'none'; style-src 'self'; script-src 'self'; " +
  "img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (character) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[character]);
}

export function savedCoursePage(entry, { stylesheet, savedOn }) {
  const { course } = entry;
  const level = LEVELS[course.difficulty] ?? course.difficulty;
  const tags = course.tags
    .map((tag) => `<li><a href="/courses?tag=${encodeURIComponent(tag)}">${escapeHtml(tag)}</a></li>`)
    .join("");
  const styles = stylesheet ? `<link rel="stylesheet" href="/${escapeHtml(stylesheet)}">` : "";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(course.title)} · AcmeLearn</title>${styles}
<link rel="manifest" href="/manifest.webmanifest">
<script type="module" src="/pwa.js"></script></head>
<body><header class="site-header"><nav class="site-nav" aria-label="Main">
<a class="brand" href="/">AcmeLearn</a>
<ul><li><a href="/courses">Courses</a></li><li><a href="/tags">Tags</a></li><li><a href="/recommendations">For you</a></li></ul>
</nav></header>
<main id="main" class="site-main"><article class="course-page">
<h1>${escapeHtml(course.title)}</h1>
<p class="course-meta"><span class="badge difficulty-${escapeHtml(course.difficulty)}">${escapeHtml(level)}</span> ${Number(course.duration_hours)} hours</p>
<p class="notice" role="status">You are offline: this is the course as the catalog saved on this device${savedOn ? ` on ${escapeHtml(savedOn)}` : ""} has it. Its full description, syllabus and related courses show when you are back online.</p>
<p>${escapeHtml(entry.description)}</p>
${tags ? `<h2>Tags</h2><ul class="tags">${tags}</ul>` : ""}
</article></main></body></html>`;
}
