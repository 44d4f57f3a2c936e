// Pages written by the service worker from the saved catalog, for when the
// server cannot answer and no copy of the page was kept: a course page (for a
// catalog too large to save page by page: the course as the offline copy has
// it, title, level, length, tags, the start of its description) and the
// catalog's search results. Plain HTML with the app's stylesheet and page
// script; the catalog page has the parts the filter form's island swaps in
// place (app/src/catalog/in_place.rs), under the same ids.

const LEVELS = { beginner: "Beginner", intermediate: "Intermediate", advanced: "Advanced" };
// As the server labels them (app/src/catalog/query.rs).
const SORTS = {
  relevance: "Best match", title: "Title (A–Z)", shortest: "Shortest first", longest: "Longest first",
  newest: "Newest first",
};

/** The page's own policy: the site's stylesheet and page script, nothing inline. */
export const OFFLINE_PAGE_POLICY = "default-src 'none'; style-src 'self'; script-src 'self'; " +
  "img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (character) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[character]);
}

/** A whole page: the site's head and header around `main`. */
function page(title, stylesheet, main) {
  const styles = stylesheet ? `<link rel="stylesheet" href="/${escapeHtml(stylesheet)}">` : "";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · AcmeLearn</title>${styles}
<link rel="manifest" href="/manifest.webmanifest">
<script type="module" src="/pwa.js"></script></head>
<body><header class="site-header"><nav class="site-nav" aria-label="Main">
<a class="brand" href="/">AcmeLearn</a>
<ul><li><a href="/courses">Courses</a></li><li><a href="/tags">Tags</a></li><li><a href="/recommendations">For you</a></li></ul>
</nav></header>
<main id="main" class="site-main">${main}</main></body></html>`;
}

/** The catalog filtered by one tag, as the server's tag links write it. */
const tagUrl = (tag) => escapeHtml(`/courses?${new URLSearchParams({ tag })}`);

const badge = (difficulty) =>
  `<span class="badge difficulty-${escapeHtml(difficulty)}">${escapeHtml(LEVELS[difficulty] ?? difficulty)}</span>`;

export function savedCoursePage(entry, { stylesheet, savedOn }) {
  const { course } = entry;
  const tags = course.tags
    .map((tag) => `<li><a href="${tagUrl(tag)}">${escapeHtml(tag)}</a></li>`)
    .join("");
  return page(course.title, stylesheet, `<article class="course-page">
<h1>${escapeHtml(course.title)}</h1>
<p class="course-meta">${badge(course.difficulty)} ${Number(course.duration_hours)} hours</p>
<p class="notice" role="status">You are offline: this is the course as the catalog saved on this device${savedOn ? ` on ${escapeHtml(savedOn)}` : ""} has it. Its full description, syllabus and related courses show when you are back online.</p>
<p>${escapeHtml(entry.description)}</p>
${tags ? `<h2>Tags</h2><ul class="tags">${tags}</ul>` : ""}
</article>`);
}

/** The catalog view a `/courses?…` address asks for, read as the server reads it. */
export function catalogQueryOf(url) {
  const params = url.searchParams;
  const text = (name) => (params.get(name) ?? "").trim();
  const whole = (name) => {
    const number = Number(text(name));
    return text(name) !== "" && Number.isInteger(number) && number >= 0 ? number : null;
  };
  const difficulty = text("difficulty").toLowerCase();
  const sort = text("sort").toLowerCase();
  return {
    text: text("q"),
    difficulty: LEVELS[difficulty] ? difficulty : null,
    tags: [...new Set(params.getAll("tag").map((tag) => tag.trim()).filter((tag) => tag !== ""))],
    min_hours: whole("min_hours"),
    max_hours: whole("max_hours"),
    sort: SORTS[sort] ? sort : "relevance",
    page: Math.max(1, whole("page") ?? 1),
  };
}

/** A view's address, its parameters in the order the server writes them. */
function catalogUrl(query) {
  const params = new URLSearchParams();
  if (query.text) params.append("q", query.text);
  if (query.difficulty) params.append("difficulty", query.difficulty);
  for (const tag of query.tags) params.append("tag", tag);
  if (query.min_hours != null) params.append("min_hours", String(query.min_hours));
  if (query.max_hours != null) params.append("max_hours", String(query.max_hours));
  if (query.sort !== "relevance") params.append("sort", query.sort);
  if (query.page > 1) params.append("page", String(query.page));
  const search = params.toString();
  return search ? `/courses?${search}` : "/courses";
}

const marked = (parts) =>
  parts.map(([text, matched]) => matched ? `<mark>${escapeHtml(text)}</mark>` : escapeHtml(text)).join("");

const options = (names, chosen) => Object.entries(names)
  .map(([value, label]) => `<option value="${value}"${value === chosen ? " selected" : ""}>${label}</option>`)
  .join("");

function courseCard({ course, title, snippet }) {
  const tags = course.tags.map((tag) => `<li><a class="tag" href="${tagUrl(tag)}"><span class="visually-hidden">Courses tagged </span>${escapeHtml(tag)}</a></li>`).join("");
  return `<li class="course-card"><h2 class="course-title"><a href="/courses/${encodeURIComponent(course.slug)}">${marked(title)}</a></h2>
<p class="course-meta">${badge(course.difficulty)} <span class="duration">${Number(course.duration_hours)} hours</span></p>
<p class="course-snippet">${marked(snippet)}</p>
<ul class="tags" aria-label="Tags">${tags}</ul></li>`;
}

/**
 * The catalog page for `query`, with `results` (a page of searchSavedCatalog)
 * from the saved copy: the filter form (plain GET, applied by its button) and
 * the results, under the ids the server's page gives them.
 */
export function savedCatalogPage(results, query, { stylesheet }) {
  const value = (number) => (number == null ? "" : String(number));
  const active = (query.difficulty ? 1 : 0) + query.tags.length +
    (query.min_hours != null || query.max_hours != null ? 1 : 0);
  const chips = query.tags.map((tag) => `<li class="chip"><input type="hidden" name="tag" value="${escapeHtml(tag)}">${escapeHtml(tag)}
<a href="${escapeHtml(catalogUrl({ ...query, tags: query.tags.filter((other) => other !== tag), page: 1 }))}" class="chip-remove" aria-label="Remove the tag ${escapeHtml(tag)}">×</a></li>`).join("");
  const count = results.total === 0 ? "No courses match." : results.total === 1 ? "1 course" : `${results.total} courses`;
  const previous = results.page > 1
    ? `<a href="${escapeHtml(catalogUrl({ ...query, page: results.page - 1 }))}" rel="prev">← Previous</a>` : "";
  const next = results.page < results.page_count
    ? `<a href="${escapeHtml(catalogUrl({ ...query, page: results.page + 1 }))}" rel="next">Next →</a>` : "";
  const pager = results.page_count > 1
    ? `<nav class="pager" aria-label="Pages">${previous}<span class="pager-position">Page ${results.page} of ${results.page_count}</span>${next}</nav>` : "";
  return page("Courses", stylesheet, `<section class="catalog">
<header class="page-header"><h1>Course catalog</h1></header>
<form method="get" action="/courses" class="filters" role="search" autocomplete="off">
<div class="filter-bar">
<div class="filter search-field"><label for="search">Search</label><input id="search" name="q" type="search" maxlength="200" value="${escapeHtml(query.text)}"></div>
<details class="more-filters"><summary>Filters<span id="catalog-active-count" class="active-count">${active > 0 ? ` · ${active} active` : ""}</span></summary>
<div class="filter-controls">
<div class="filter"><label for="difficulty">Difficulty</label><select id="difficulty" name="difficulty"><option value=""${query.difficulty ? "" : " selected"}>Any difficulty</option>${options(LEVELS, query.difficulty)}</select></div>
<div class="filter"><label for="add-tag">Add a tag</label><input id="add-tag" name="tag" autocomplete="off"></div>
<fieldset class="filter duration-range"><legend>Length in hours</legend>
<label for="min-hours" class="visually-hidden">Minimum hours</label><input id="min-hours" name="min_hours" type="number" min="0" inputmode="numeric" placeholder="min" value="${value(query.min_hours)}">
<span aria-hidden="true">–</span>
<label for="max-hours" class="visually-hidden">Maximum hours</label><input id="max-hours" name="max_hours" type="number" min="0" inputmode="numeric" placeholder="max" value="${value(query.max_hours)}"></fieldset>
<div class="filter"><label for="sort">Sort by</label><select id="sort" name="sort">${options(SORTS, query.sort)}</select></div>
</div></details></div>
<div id="catalog-chosen-tags" class="in-place-part">${chips ? `<div class="chosen-tags"><span class="chosen-label">Tags (all of):</span><ul class="chips" aria-label="Tag filters">${chips}</ul></div>` : ""}</div>
<button type="submit" class="button secondary apply">Apply</button>
</form>
<div id="catalog-notes" class="in-place-part"></div>
<div id="catalog-results" class="results" aria-busy="false">
${results.notes.map((note) => `<p class="notice" role="status">${escapeHtml(note)}</p>`).join("")}
<p class="result-count" role="status">${count}</p>
<ul class="course-list" aria-label="Courses">${results.courses.map(courseCard).join("")}</ul>
${pager}
</div></section>`);
}
