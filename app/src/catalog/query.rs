//! The catalog view a URL asks for (`/courses?q=…&tag=…&sort=…&page=…`):
//! read from the query string, checked and corrected with notes, and
//! written back into links.

use serde::{Deserialize, Serialize};

use super::Difficulty;

/// Courses per page of the catalog.
pub const PAGE_SIZE: i64 = 20;
/// Matches are counted up to this many; beyond, the page says "1,000+" and
/// offers the first 50 pages.
pub const COUNTED_MATCHES: i64 = 1_000;
/// Longer searches are cut to this many characters, with a note.
pub const MAX_SEARCH_CHARS: usize = 200;
/// More tag filters than this narrow nothing further in practice.
pub const MAX_TAG_FILTERS: usize = 10;
/// Longest course in hours a duration filter accepts (ten years of full days).
pub const MAX_FILTER_HOURS: i32 = 100_000;

/// The orders the catalog can be listed in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first; alphabetical when there is no search.
    #[default]
    Relevance,
    Title,
    Shortest,
    Longest,
    Newest,
}

impl Sort {
    pub const ALL: [Sort; 5] = [
        Sort::Relevance,
        Sort::Title,
        Sort::Shortest,
        Sort::Longest,
        Sort::Newest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Title => "title",
            Sort::Shortest => "shortest",
            Sort::Longest => "longest",
            Sort::Newest => "newest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Relevance => "Best match",
            Sort::Title => "Title (A–Z)",
            Sort::Shortest => "Shortest first",
            Sort::Longest => "Longest first",
            Sort::Newest => "Newest first",
        }
    }

    fn parse(text: &str) -> Option<Sort> {
        Sort::ALL
            .into_iter()
            .find(|sort| sort.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// The parameters of a catalog address, in the order links write them.
const URL_PARAMETERS: [&str; 7] = [
    "q",
    "difficulty",
    "tag",
    "min_hours",
    "max_hours",
    "sort",
    "page",
];

/// The catalog view a URL asks for: search words, filters, order and page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CatalogQuery {
    /// What the learner typed (cleaned up); empty when not searching.
    pub text: String,
    pub difficulty: Option<Difficulty>,
    /// Tag names; a course must carry all of them.
    pub tags: Vec<String>,
    pub min_hours: Option<i32>,
    pub max_hours: Option<i32>,
    pub sort: Sort,
    /// 1-based.
    pub page: i64,
}

impl Default for CatalogQuery {
    fn default() -> Self {
        CatalogQuery {
            text: String::new(),
            difficulty: None,
            tags: Vec::new(),
            min_hours: None,
            max_hours: None,
            sort: Sort::default(),
            page: 1,
        }
    }
}

/// A URL's catalog view, and what was ignored or corrected to get it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedCatalogQuery {
    pub query: CatalogQuery,
    pub notes: Vec<String>,
}

impl CatalogQuery {
    /// Reads the view from URL parameters (`values(name)` gives every value
    /// of one parameter). Never fails: a parameter that makes no sense is
    /// dropped or corrected and explained in a note, so a hand-edited or
    /// stale link still shows a page.
    pub fn from_url(values: impl Fn(&str) -> Vec<String>) -> ParsedCatalogQuery {
        let first = |name: &str| {
            values(name)
                .into_iter()
                .map(|value| value.trim().to_owned())
                .find(|value| !value.is_empty())
        };
        let mut query = CatalogQuery::default();
        let mut notes = Vec::new();

        if let Some(text) = first("q") {
            let (text, shortened) = clean_search_text(&text);
            if shortened {
                notes.push(format!(
                    "Your search was cut to its first {MAX_SEARCH_CHARS} characters."
                ));
            }
            query.text = text;
        }

        if let Some(text) = first("difficulty") {
            match text.parse::<Difficulty>() {
                Ok(difficulty) => query.difficulty = Some(difficulty),
                Err(error) => notes.push(format!("{error}. Showing every difficulty instead.")),
            }
        }

        for tag in values("tag") {
            let tag = tag
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            if tag.is_empty() || query.tags.contains(&tag) {
                continue;
            }
            if query.tags.len() == MAX_TAG_FILTERS {
                notes.push(format!(
                    "Only the first {MAX_TAG_FILTERS} tags are used as filters."
                ));
                break;
            }
            query.tags.push(clip(&tag, 60));
        }

        query.min_hours = hours_param(first("min_hours"), "Minimum hours", &mut notes);
        query.max_hours = hours_param(first("max_hours"), "Maximum hours", &mut notes);
        if let (Some(min), Some(max)) = (query.min_hours, query.max_hours)
            && min > max
        {
            query.min_hours = Some(max);
            query.max_hours = Some(min);
            notes.push(format!(
                "The minimum ({min} h) was above the maximum ({max} h), so they were swapped."
            ));
        }

        if let Some(text) = first("sort") {
            match Sort::parse(&text) {
                Some(sort) => query.sort = sort,
                None => notes.push(format!(
                    "“{}” is not a way to sort; showing the best matches first.",
                    clip(&text, 40)
                )),
            }
        }

        if let Some(text) = first("page") {
            match text.parse::<i64>() {
                Ok(page) if page >= 1 => query.page = page,
                _ => notes.push(format!(
                    "“{}” is not a page number; showing the first page.",
                    clip(&text, 40)
                )),
            }
        }

        ParsedCatalogQuery { query, notes }
    }

    /// Reads the view from `(name, value)` pairs, as a decoded query string
    /// gives them; see `from_url`.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> ParsedCatalogQuery {
        CatalogQuery::from_url(|name| {
            pairs
                .iter()
                .filter(|(key, _)| key.as_ref() == name)
                .map(|(_, value)| value.as_ref().to_owned())
                .collect()
        })
    }

    /// This view run through the URL rules again, for a view that did not
    /// come from a URL (a server-function call can send anything): it is
    /// checked exactly as its own address would be.
    pub fn checked(&self) -> ParsedCatalogQuery {
        CatalogQuery::from_url(|name| self.values_of(name))
    }

    /// The values of one URL parameter for this view (none where it is at
    /// its default): what `url` writes and `from_url` reads.
    fn values_of(&self, name: &str) -> Vec<String> {
        match name {
            "q" => (!self.text.is_empty())
                .then(|| self.text.clone())
                .into_iter()
                .collect(),
            "difficulty" => self
                .difficulty
                .map(|difficulty| difficulty.as_str().to_owned())
                .into_iter()
                .collect(),
            "tag" => self.tags.clone(),
            "min_hours" => self
                .min_hours
                .map(|hours| hours.to_string())
                .into_iter()
                .collect(),
            "max_hours" => self
                .max_hours
                .map(|hours| hours.to_string())
                .into_iter()
                .collect(),
            "sort" => (self.sort != Sort::default())
                .then(|| self.sort.as_str().to_owned())
                .into_iter()
                .collect(),
            "page" => (self.page != 1)
                .then(|| self.page.to_string())
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The catalog narrowed to one tag, as tag links lead to it.
    pub fn for_tag(tag: &str) -> CatalogQuery {
        CatalogQuery {
            tags: vec![tag.to_owned()],
            ..CatalogQuery::default()
        }
    }

    /// The order actually used: "best match" means alphabetical without a search.
    pub fn effective_sort(&self) -> Sort {
        match self.sort {
            Sort::Relevance if self.text.is_empty() => Sort::Title,
            sort => sort,
        }
    }

    /// This view's address, `/courses?…`, leaving out what is at its default.
    pub fn url(&self) -> String {
        let mut params = form_urlencoded::Serializer::new(String::new());
        for name in URL_PARAMETERS {
            for value in self.values_of(name) {
                params.append_pair(name, &value);
            }
        }
        let params = params.finish();
        if params.is_empty() {
            "/courses".to_owned()
        } else {
            format!("/courses?{params}")
        }
    }

    /// The same view on another page.
    pub fn with_page(&self, page: i64) -> CatalogQuery {
        CatalogQuery {
            page,
            ..self.clone()
        }
    }

    /// The same view without one tag, back on the first page.
    pub fn without_tag(&self, tag: &str) -> CatalogQuery {
        CatalogQuery {
            tags: self.tags.iter().filter(|t| *t != tag).cloned().collect(),
            page: 1,
            ..self.clone()
        }
    }

    /// The same view searching for other words, back on the first page.
    pub fn with_text(&self, text: &str) -> CatalogQuery {
        CatalogQuery {
            text: text.to_owned(),
            page: 1,
            ..self.clone()
        }
    }

    /// Whether anything narrows the catalog.
    pub fn is_filtered(&self) -> bool {
        !self.text.is_empty()
            || self.difficulty.is_some()
            || !self.tags.is_empty()
            || self.min_hours.is_some()
            || self.max_hours.is_some()
    }
}

/// Removes control characters and runs of spaces, and cuts overlong text.
fn clean_search_text(text: &str) -> (String, bool) {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let shortened = cleaned.chars().count() > MAX_SEARCH_CHARS;
    let kept: String = cleaned.chars().take(MAX_SEARCH_CHARS).collect();
    (kept.trim_end().to_owned(), shortened)
}

fn clip(text: &str, chars: usize) -> String {
    let kept: String = text.chars().take(chars).collect();
    if kept.len() < text.len() {
        format!("{kept}…")
    } else {
        kept
    }
}

fn hours_param(value: Option<String>, label: &str, notes: &mut Vec<String>) -> Option<i32> {
    let text = value?;
    match text.parse::<i64>() {
        Ok(hours) if hours < 0 => {
            notes.push(format!("{label} cannot be negative; ignored."));
            None
        }
        Ok(hours) => Some(hours.min(i64::from(MAX_FILTER_HOURS)) as i32),
        Err(_) => {
            notes.push(format!(
                "{label} “{}” is not a whole number of hours; ignored.",
                clip(&text, 40)
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(pairs: &[(&str, &str)]) -> ParsedCatalogQuery {
        CatalogQuery::from_pairs(pairs)
    }

    #[test]
    fn an_empty_url_is_the_whole_catalog_by_title() {
        let parsed = url(&[]);
        assert_eq!(parsed.query, CatalogQuery::default());
        assert!(parsed.notes.is_empty());
        assert_eq!(parsed.query.effective_sort(), Sort::Title);
        assert_eq!(parsed.query.url(), "/courses");
    }

    #[test]
    fn every_parameter_is_read_and_written_back() {
        let parsed = url(&[
            ("q", "  data   pipelines "),
            ("difficulty", "Advanced"),
            ("tag", "Python"),
            ("tag", "sql"),
            ("tag", "python"),
            ("tag", ""),
            ("min_hours", "5"),
            ("max_hours", "40"),
            ("sort", "shortest"),
            ("page", "3"),
        ]);
        assert!(parsed.notes.is_empty(), "{:?}", parsed.notes);
        let query = parsed.query;
        assert_eq!(query.text, "data pipelines");
        assert_eq!(query.difficulty, Some(Difficulty::Advanced));
        assert_eq!(query.tags, ["python", "sql"]);
        assert_eq!((query.min_hours, query.max_hours), (Some(5), Some(40)));
        assert_eq!(query.sort, Sort::Shortest);
        assert_eq!(query.page, 3);
        assert_eq!(
            query.url(),
            "/courses?q=data+pipelines&difficulty=advanced&tag=python&tag=sql&min_hours=5&max_hours=40&sort=shortest&page=3"
        );
    }

    #[test]
    fn bad_parameters_are_dropped_or_corrected_with_a_note() {
        let parsed = url(&[
            ("difficulty", "<script>"),
            ("min_hours", "-4"),
            ("max_hours", "ten"),
            ("sort", "random"),
            ("page", "0"),
        ]);
        assert_eq!(parsed.query, CatalogQuery::default());
        assert_eq!(parsed.notes.len(), 5, "{:?}", parsed.notes);
        assert!(parsed.notes[0].contains("“<script>” is not a difficulty"));
        assert!(parsed.notes[1].contains("cannot be negative"));
        assert!(parsed.notes[2].contains("“ten” is not a whole number"));

        let huge = url(&[("page", "99999999999999999999999")]);
        assert_eq!(huge.query.page, 1);
        assert_eq!(huge.notes.len(), 1);
    }

    #[test]
    fn a_minimum_above_the_maximum_is_swapped() {
        let parsed = url(&[("min_hours", "50"), ("max_hours", "10")]);
        assert_eq!(
            (parsed.query.min_hours, parsed.query.max_hours),
            (Some(10), Some(50))
        );
        assert!(parsed.notes[0].contains("swapped"));
    }

    #[test]
    fn a_huge_search_is_cut_and_control_characters_go() {
        let parsed = url(&[("q", &"é".repeat(10_000))]);
        assert_eq!(parsed.query.text.chars().count(), MAX_SEARCH_CHARS);
        assert_eq!(parsed.notes.len(), 1);

        let parsed = url(&[("q", "rust\u{0}\u{7}  web\u{202e}")]);
        assert_eq!(parsed.query.text, "rust web\u{202e}");
    }

    #[test]
    fn too_many_tags_keep_the_first_ones() {
        let tags: Vec<String> = (0..15).map(|n| format!("tag{n}")).collect();
        let pairs: Vec<(&str, &str)> = tags.iter().map(|tag| ("tag", tag.as_str())).collect();
        let parsed = url(&pairs);
        assert_eq!(parsed.query.tags.len(), MAX_TAG_FILTERS);
        assert_eq!(parsed.notes.len(), 1);
    }

    #[test]
    fn removing_a_tag_goes_back_to_the_first_page() {
        let query = url(&[("tag", "a"), ("tag", "b"), ("page", "4")]).query;
        assert_eq!(query.without_tag("a").url(), "/courses?tag=b");
        assert_eq!(query.with_page(2).url(), "/courses?tag=a&tag=b&page=2");
    }
}
