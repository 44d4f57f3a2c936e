// The catalog's search over the copy saved on the device, for when the
// server cannot answer. It takes a view of the catalog as the server reads
// one from an address (a CatalogQuery, see catalogQueryOf) and returns a page
// of results shaped as the server's (a CatalogPage), which offline-pages.js
// writes as the catalog page. The matching is
// simpler than the server's full-text search (words found anywhere in the
// title, tags, skills or description, no spelling correction), and the page
// says it is the offline copy.

export const PAGE_SIZE = 20;
const SNIPPET_CHARS = 220;

/** Lowercase words, as the server cuts a search into words. */
export function wordsOf(text) {
  return (text ?? "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}#+]+/u)
    .filter((word) => word.length > 0);
}

/** A word's stem, enough to find "courses" with "course" and "testing" with "tests". */
function stemOf(word) {
  for (const suffix of ["ing", "es", "s"]) {
    if (word.length > suffix.length + 2 && word.endsWith(suffix)) {
      return word.slice(0, -suffix.length);
    }
  }
  return word;
}

/** How well a course matches the words; 0 when a word is missing. */
function scoreOf(entry, stems) {
  const title = entry.course.title.toLowerCase();
  const labels = [...entry.course.tags, ...entry.skills].join(" ").toLowerCase();
  const description = entry.description.toLowerCase();
  let score = 0;
  for (const stem of stems) {
    const inTitle = title.includes(stem);
    const inLabels = labels.includes(stem);
    const inDescription = description.includes(stem);
    if (!inTitle && !inLabels && !inDescription) return 0;
    score += (inTitle ? 4 : 0) + (inLabels ? 2 : 0) + (inDescription ? 1 : 0);
  }
  return score;
}

/** Text cut into [part, matched] pairs, as the server's Highlighted. */
export function highlight(text, stems) {
  if (stems.length === 0) return [[text, false]];
  const escaped = stems.map((stem) => stem.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(${escaped.join("|")})`, "giu");
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) parts.push([text.slice(last, match.index), false]);
    parts.push([match[0], true]);
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push([text.slice(last), false]);
  return parts.length > 0 ? parts : [[text, false]];
}

function snippetOf(description) {
  if (description.length <= SNIPPET_CHARS) return description;
  const cut = description.lastIndexOf(" ", SNIPPET_CHARS);
  return `${description.slice(0, cut > 0 ? cut : SNIPPET_CHARS)}…`;
}

function savedOnText(savedAt) {
  const date = savedAt ? new Date(savedAt) : null;
  if (!date || Number.isNaN(date.getTime())) return "";
  return ` saved on ${date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}`;
}

/**
 * One page of results over the saved catalog. `courses` is the saved
 * catalog (newest first, as /offline/catalog.json lists it); `query` a
 * CatalogQuery as the page sends it.
 */
export function searchSavedCatalog(courses, query, savedAt) {
  const stems = wordsOf(query.text).map(stemOf);
  const wantedTags = query.tags ?? [];
  const matches = [];
  courses.forEach((entry, newness) => {
    const { course } = entry;
    if (query.difficulty && course.difficulty !== query.difficulty) return;
    if (!wantedTags.every((tag) => course.tags.includes(tag))) return;
    if (query.min_hours != null && course.duration_hours < query.min_hours) return;
    if (query.max_hours != null && course.duration_hours > query.max_hours) return;
    const score = stems.length > 0 ? scoreOf(entry, stems) : 1;
    if (score > 0) matches.push({ entry, score, newness });
  });
  const byTitle = (a, b) => a.entry.course.title.localeCompare(b.entry.course.title);
  const orders = {
    relevance: (a, b) => (stems.length > 0 ? b.score - a.score : 0) || byTitle(a, b),
    title: byTitle,
    shortest: (a, b) => a.entry.course.duration_hours - b.entry.course.duration_hours || byTitle(a, b),
    longest: (a, b) => b.entry.course.duration_hours - a.entry.course.duration_hours || byTitle(a, b),
    newest: (a, b) => a.newness - b.newness,
  };
  matches.sort(orders[query.sort] ?? orders.relevance);
  const pageCount = Math.max(1, Math.ceil(matches.length / PAGE_SIZE));
  const page = Math.min(Math.max(1, query.page ?? 1), pageCount);
  const shown = matches.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  return {
    courses: shown.map(({ entry }) => ({
      course: entry.course,
      title: highlight(entry.course.title, stems),
      snippet: highlight(snippetOf(entry.description), stems),
    })),
    total: matches.length,
    more_than_counted: false,
    page,
    page_count: pageCount,
    notes: [
      `You are offline: these results are from the copy of the catalog${savedOnText(savedAt)} on this device.`,
    ],
    corrected_text: null,
  };
}
