//! Catalog SQL: search, tags and course pages. Server-only.
//!
//! Search is PostgreSQL full-text search (`websearch_to_tsquery`: quoted
//! phrases, `-exclusions`) over each course's weighted `search_document`
//! (title > tags and skills > description > syllabus; see the
//! `catalog_search` migration). When the words as typed match nothing, each
//! word is replaced by its nearest catalog word by trigram similarity and the
//! search runs again: "pyhton" finds Python, and the page says so.

use std::collections::HashMap;

use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::{
    COUNTED_MATCHES, CatalogPage, CatalogQuery, CourseDetail, CourseHit, CourseSummary, Difficulty,
    Highlighted, OfflineCourse, PAGE_SIZE, Sort, TagChoice, parse_syllabus,
};

/// Markers `ts_headline` puts around matches; control characters, which
/// catalog text never contains, so no escaping is needed.
const MATCH_START: char = '\u{2}';
const MATCH_STOP: char = '\u{3}';
/// How alike (pg_trgm similarity, 0–1) a catalog word must be to a typed word
/// to be offered as its correction; "pyhton" ~ "python" scores 0.27.
const CORRECTION_SIMILARITY: f32 = 0.25;
/// Typed words shorter than this are never corrected: too many near misses.
const MIN_CORRECTED_CHARS: usize = 3;

/// What the page query's inner select takes from each course.
const PAGE_COLUMNS: &str =
    "c.id, c.slug, c.title, c.difficulty, c.duration, c.description, c.created_at";

/// A course as lists show it. Its tags, alphabetical, come from the
/// database's `course_tag_names` in each statement that reads one.
#[derive(sqlx::FromRow)]
struct CourseRow {
    id: Uuid,
    slug: String,
    title: String,
    difficulty: String,
    duration: i32,
    tags: Vec<String>,
}

impl CourseRow {
    fn into_summary(self) -> Result<CourseSummary, sqlx::Error> {
        // The database CHECK constraint admits only the three known values.
        let difficulty: Difficulty = self
            .difficulty
            .parse()
            .map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
        Ok(CourseSummary {
            id: self.id,
            slug: self.slug,
            title: self.title,
            difficulty,
            duration_hours: self.duration,
            tags: self.tags,
        })
    }
}

#[derive(sqlx::FromRow)]
struct HitRow {
    #[sqlx(flatten)]
    course: CourseRow,
    description: String,
    marked_title: Option<String>,
    marked_snippet: Option<String>,
}

/// What narrows the catalog, resolved against the database.
#[derive(Clone)]
struct Filter {
    /// Words for `websearch_to_tsquery`; `None` lists everything.
    text: Option<String>,
    difficulty: Option<Difficulty>,
    tag_ids: Vec<Uuid>,
    min_hours: Option<i32>,
    max_hours: Option<i32>,
}

impl Filter {
    fn push_where(&self, sql: &mut QueryBuilder<'_, Postgres>) {
        sql.push(" from courses c where true");
        if let Some(text) = &self.text {
            sql.push(" and c.search_document @@ websearch_to_tsquery('english', ")
                .push_bind(text.clone())
                .push(")");
        }
        if let Some(difficulty) = self.difficulty {
            sql.push(" and c.difficulty = ")
                .push_bind(difficulty.as_str());
        }
        if let Some(hours) = self.min_hours {
            sql.push(" and c.duration >= ").push_bind(hours);
        }
        if let Some(hours) = self.max_hours {
            sql.push(" and c.duration <= ").push_bind(hours);
        }
        if !self.tag_ids.is_empty() {
            // Every chosen tag, not any: a course qualifies when it carries
            // as many of them as were chosen.
            sql.push(
                " and c.id in (select ct.course_id from course_tags ct where ct.tag_id = any(",
            )
            .push_bind(self.tag_ids.clone())
            .push(") group by ct.course_id having count(*) = ")
            .push_bind(self.tag_ids.len() as i64)
            .push(")");
        }
    }
}

/// The ORDER BY for a sort. The page query applies it twice, inside (to pick
/// the page) and outside (to keep that order), so it names only columns both
/// levels have.
fn order_by(sort: Sort) -> &'static str {
    match sort {
        Sort::Relevance => " order by exact_title desc, rank desc, lower(title), id",
        Sort::Title => " order by lower(title), title, id",
        Sort::Shortest => " order by duration, lower(title), id",
        Sort::Longest => " order by duration desc, lower(title), id",
        Sort::Newest => " order by created_at desc, lower(title), id",
    }
}

/// One page of the catalog for a view. Unknown tags, a page past the end and
/// words too common to search for are left out with a note, never an error.
pub async fn search(pool: &PgPool, query: &CatalogQuery) -> Result<CatalogPage, sqlx::Error> {
    let mut notes = Vec::new();

    let text = (!query.text.is_empty()).then(|| query.text.clone());
    let (searchable, tag_ids) =
        check_words_and_tags(pool, text.as_deref(), &query.tags, &mut notes).await?;
    let text = match text {
        Some(words) if !searchable => {
            notes.push(format!(
                "“{words}” has no words specific enough to search for; showing every course."
            ));
            None
        }
        text => text,
    };

    let mut filter = Filter {
        text,
        difficulty: query.difficulty,
        tag_ids,
        min_hours: query.min_hours,
        max_hours: query.max_hours,
    };
    let mut total = count(pool, &filter).await?;
    let mut corrected_text = None;
    if total == 0
        && let Some(words) = &filter.text
        && let Some(correction) = correct_spelling(pool, words).await?
    {
        let corrected = Filter {
            text: Some(correction.clone()),
            ..filter.clone()
        };
        let corrected_total = count(pool, &corrected).await?;
        if corrected_total > 0 {
            total = corrected_total;
            filter = corrected;
            corrected_text = Some(correction);
        }
    }

    let more_than_counted = total > COUNTED_MATCHES;
    let total = total.min(COUNTED_MATCHES);
    let page_count = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = if query.page > page_count {
        notes.push(format!(
            "There is no page {}; showing page {page_count}, the last.",
            query.page
        ));
        page_count
    } else {
        query.page
    };
    let courses = if total == 0 {
        Vec::new()
    } else {
        page_of(pool, &filter, query.effective_sort(), page).await?
    };
    Ok(CatalogPage {
        courses,
        total,
        more_than_counted,
        page,
        page_count,
        notes,
        corrected_text,
    })
}

/// In one round trip: whether the words leave anything to search for once
/// stop words ("the", "and") and punctuation are gone, and the ids of the
/// named tags; each unknown tag adds a note instead.
async fn check_words_and_tags(
    pool: &PgPool,
    words: Option<&str>,
    tags: &[String],
    notes: &mut Vec<String>,
) -> Result<(bool, Vec<Uuid>), sqlx::Error> {
    if words.is_none() && tags.is_empty() {
        return Ok((true, Vec::new()));
    }
    let checked = sqlx::query!(
        r#"
        select $1::text is null or numnode(websearch_to_tsquery('english', $1)) > 0 as "searchable!",
               coalesce(array_agg(t.name), '{}') as "names!",
               coalesce(array_agg(t.id), '{}') as "ids!"
        from (select name, id from tags where name = any($2)) t
        "#,
        words,
        tags,
    )
    .fetch_one(pool)
    .await?;
    let (searchable, names, ids) = (checked.searchable, checked.names, checked.ids);
    let found: HashMap<String, Uuid> = names.into_iter().zip(ids).collect();
    let tag_ids = tags
        .iter()
        .filter_map(|name| {
            let id = found.get(name).copied();
            if id.is_none() {
                notes.push(format!(
                    "There is no tag “{name}”, so that filter was left out."
                ));
            }
            id
        })
        .collect();
    Ok((searchable, tag_ids))
}

/// Matching courses, counted up to one past `COUNTED_MATCHES`: past that,
/// "1,000+" says all a learner needs, and a broad search over a large
/// catalog does not pay for counting every match.
async fn count(pool: &PgPool, filter: &Filter) -> Result<i64, sqlx::Error> {
    let mut sql = QueryBuilder::new("select count(*) from (select 1");
    filter.push_where(&mut sql);
    sql.push(" limit ")
        .push_bind(COUNTED_MATCHES + 1)
        .push(") matches");
    sql.build_query_scalar().fetch_one(pool).await
}

async fn page_of(
    pool: &PgPool,
    filter: &Filter,
    sort: Sort,
    page: i64,
) -> Result<Vec<CourseHit>, sqlx::Error> {
    let order = order_by(sort);
    let mut sql = QueryBuilder::new(
        "select page.id, page.slug, page.title, page.difficulty, page.duration, page.description, \
         course_tag_names(page.id) as tags, ",
    );
    // Highlighting runs on the page's rows only, outside the inner query.
    match &filter.text {
        Some(text) => {
            sql.push(format!(
                "ts_headline('english', page.title, query, 'HighlightAll=true, StartSel={MATCH_START}, StopSel={MATCH_STOP}') as marked_title, \
                 ts_headline('english', page.description, query, 'MaxWords=32, MinWords=16, ShortWord=2, StartSel={MATCH_START}, StopSel={MATCH_STOP}') as marked_snippet \
                 from (select {PAGE_COLUMNS}, "
            ));
            sql.push("lower(c.title) = lower(")
                .push_bind(text.clone())
                .push(") as exact_title, ts_rank_cd(c.search_document, websearch_to_tsquery('english', ")
                .push_bind(text.clone())
                .push(")) as rank");
        }
        None => {
            sql.push(format!(
                "null::text as marked_title, null::text as marked_snippet \
                 from (select {PAGE_COLUMNS}, false as exact_title, 0::real as rank"
            ));
        }
    }
    filter.push_where(&mut sql);
    sql.push(order);
    sql.push(" limit ")
        .push_bind(PAGE_SIZE)
        .push(" offset ")
        .push_bind((page - 1) * PAGE_SIZE);
    sql.push(") page");
    if let Some(text) = &filter.text {
        sql.push(", websearch_to_tsquery('english', ")
            .push_bind(text.clone())
            .push(") query");
    }
    sql.push(order);

    let rows: Vec<HitRow> = sql.build_query_as().fetch_all(pool).await?;
    rows.into_iter()
        .map(|row| {
            let title = match &row.marked_title {
                Some(marked) => Highlighted::from_marked(marked, MATCH_START, MATCH_STOP),
                None => Highlighted::plain(row.course.title.clone()),
            };
            let snippet = match &row.marked_snippet {
                Some(marked) => excerpt_of(
                    Highlighted::from_marked(marked, MATCH_START, MATCH_STOP),
                    &row.description,
                ),
                None => Highlighted::plain(opening_words(&row.description, 32)),
            };
            Ok(CourseHit {
                course: row.course.into_summary()?,
                title,
                snippet,
            })
        })
        .collect()
}

/// A passage of `full` marked as one: an ellipsis where it starts after the
/// beginning or stops before the end.
fn excerpt_of(mut passage: Highlighted, full: &str) -> Highlighted {
    let text = passage.text();
    let text = text.trim();
    if !full.trim_start().starts_with(text) {
        passage.0.insert(0, ("…".to_owned(), false));
    }
    if !full.trim_end().ends_with(text) {
        passage.0.push(("…".to_owned(), false));
    }
    passage
}

/// The first `count` words, with an ellipsis when there were more.
fn opening_words(text: &str, count: usize) -> String {
    let mut words = text.split_whitespace();
    let opening: Vec<&str> = words.by_ref().take(count).collect();
    let mut result = opening.join(" ");
    if words.next().is_some() {
        result.push('…');
    }
    result
}

/// The words with each unknown one replaced by the nearest catalog word, or
/// `None` when no word needed (or had) a correction. Search syntax — quotes,
/// a leading `-`, `or` — is kept as typed.
pub async fn correct_spelling(pool: &PgPool, text: &str) -> Result<Option<String>, sqlx::Error> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let words: Vec<String> = tokens.iter().map(|token| bare_word(token)).collect();
    let candidates: Vec<String> = words
        .iter()
        .filter(|word| word.chars().count() >= MIN_CORRECTED_CHARS && word.as_str() != "or")
        .cloned()
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    let nearest: HashMap<String, (String, f32)> = sqlx::query!(
        r#"
        select typed.word as "word!", nearest.term as "term!",
               similarity(nearest.term, typed.word) as "similarity!"
        from unnest($1::text[]) as typed (word)
        cross join lateral (
            select term from search_terms order by term <-> typed.word limit 1
        ) nearest
        "#,
        &candidates,
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| (row.word, (row.term, row.similarity)))
    .collect();

    let mut changed = false;
    let corrected: Vec<String> = tokens
        .iter()
        .zip(&words)
        .map(|(token, word)| match nearest.get(word) {
            Some((term, similarity)) if term != word && *similarity >= CORRECTION_SIMILARITY => {
                changed = true;
                token.to_lowercase().replacen(word.as_str(), term, 1)
            }
            _ => (*token).to_owned(),
        })
        .collect();
    Ok(changed.then(|| corrected.join(" ")))
}

/// A typed token without search syntax around it, lowercased.
fn bare_word(token: &str) -> String {
    token
        .trim_start_matches('-')
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '#' && c != '+')
        .to_lowercase()
}

/// Every tag with its course count, by category and name.
/// The courses with these ids (in no particular order; unknown ids are
/// skipped), as lists show them.
pub async fn summaries(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<CourseSummary>, sqlx::Error> {
    let rows = sqlx::query_as!(
        CourseRow,
        r#"select c.id, c.slug, c.title, c.difficulty, c.duration,
                  course_tag_names(c.id) as "tags!"
           from courses c where c.id = any($1)"#,
        ids,
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(CourseRow::into_summary).collect()
}

/// How many courses and tags the catalog has.
pub async fn size(pool: &PgPool) -> Result<(i64, i64), sqlx::Error> {
    let size = sqlx::query!(
        r#"select (select count(*) from courses) as "courses!", (select count(*) from tags) as "tags!""#
    )
    .fetch_one(pool)
    .await?;
    Ok((size.courses, size.tags))
}

/// The shortest course of each difficulty, beginner first: a way in at every
/// level. Each is one step along the duration index.
pub async fn shortest_of_each_level(pool: &PgPool) -> Result<Vec<CourseSummary>, sqlx::Error> {
    let rows = sqlx::query_as!(
        CourseRow,
        r#"
        select c.id as "id!", c.slug as "slug!", c.title as "title!", c.difficulty as "difficulty!",
               c.duration as "duration!",
               course_tag_names(c.id) as "tags!"
        from unnest(array['beginner', 'intermediate', 'advanced']) with ordinality as level (name, place)
        cross join lateral (select * from courses
                            where difficulty = level.name
                            order by duration, lower(title) limit 1) c
        order by level.place
        "#
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(CourseRow::into_summary).collect()
}

pub async fn tag_choices(pool: &PgPool) -> Result<Vec<TagChoice>, sqlx::Error> {
    sqlx::query_as!(
        TagChoice,
        "select name, category, course_count from tags order by category, name"
    )
    .fetch_all(pool)
    .await
}

struct OfflineRow {
    id: Uuid,
    slug: String,
    title: String,
    difficulty: String,
    duration: i32,
    tags: Vec<String>,
    description: String,
    skills: Vec<String>,
}

/// Every course with the text the catalog's search reads, newest first: the
/// copy a browser keeps to search the catalog with no network.
pub async fn offline_catalog(pool: &PgPool) -> Result<Vec<OfflineCourse>, sqlx::Error> {
    let rows = sqlx::query_as!(
        OfflineRow,
        r#"
        select c.id, c.slug, c.title, c.difficulty, c.duration, c.description,
               course_tag_names(c.id) as "tags!",
               course_skill_names(c.id) as "skills!"
        from courses c
        order by c.created_at desc, lower(c.title)
        "#
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let course = CourseRow {
                id: row.id,
                slug: row.slug,
                title: row.title,
                difficulty: row.difficulty,
                duration: row.duration,
                tags: row.tags,
            };
            Ok(OfflineCourse {
                course: course.into_summary()?,
                description: offline_excerpt(&row.description),
                skills: row.skills,
            })
        })
        .collect()
}

/// How much of a description the offline copy keeps: what a result's
/// snippet shows and search reads, so that 100,000 courses stay a download a
/// phone can take (the full text is on each course's own page).
const OFFLINE_DESCRIPTION_CHARS: usize = 280;

fn offline_excerpt(description: &str) -> String {
    if description.chars().count() <= OFFLINE_DESCRIPTION_CHARS {
        return description.to_owned();
    }
    let cut: String = description
        .chars()
        .take(OFFLINE_DESCRIPTION_CHARS)
        .collect();
    let words = cut
        .rsplit_once(' ')
        .map_or(cut.as_str(), |(words, _)| words);
    format!("{}…", words.trim_end_matches([',', ';', ':', '.', ' ']))
}

struct DetailRow {
    id: Uuid,
    slug: String,
    title: String,
    difficulty: String,
    duration: i32,
    tags: Vec<String>,
    description: String,
    contents: String,
    skills: Vec<String>,
}

/// A course by its slug or its id; `None` when there is no such course.
pub async fn course_detail(pool: &PgPool, key: &str) -> Result<Option<CourseDetail>, sqlx::Error> {
    let id = Uuid::parse_str(key).ok();
    let row = sqlx::query_as!(
        DetailRow,
        r#"
        select c.id, c.slug, c.title, c.difficulty, c.duration, c.description, c.contents,
               course_tag_names(c.id) as "tags!",
               course_skill_names(c.id) as "skills!"
        from courses c
        where c.slug = $1 or c.id = $2
        "#,
        key,
        id,
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let course = CourseRow {
        id: row.id,
        slug: row.slug,
        title: row.title,
        difficulty: row.difficulty,
        duration: row.duration,
        tags: row.tags,
    }
    .into_summary()?;
    let related = related_courses(pool, course.id).await?;
    Ok(Some(CourseDetail {
        syllabus: parse_syllabus(&row.contents),
        contents: row.contents,
        description: row.description,
        skills: row.skills,
        related,
        learner_hours_per_week: None,
        course,
    }))
}

/// Up to five courses sharing the most tags and skills with a course.
async fn related_courses(
    pool: &PgPool,
    course_id: Uuid,
) -> Result<Vec<CourseSummary>, sqlx::Error> {
    let rows = sqlx::query_as!(
        CourseRow,
        r#"
        with shared as (
            select other.course_id, count(*) as shared
            from (select theirs.course_id
                  from course_tags ours join course_tags theirs on theirs.tag_id = ours.tag_id
                  where ours.course_id = $1 and theirs.course_id <> $1
                  union all
                  select theirs.course_id
                  from course_skills ours join course_skills theirs on theirs.skill_id = ours.skill_id
                  where ours.course_id = $1 and theirs.course_id <> $1) other
            group by other.course_id
        )
        select c.id, c.slug, c.title, c.difficulty, c.duration,
               course_tag_names(c.id) as "tags!"
        from shared join courses c on c.id = shared.course_id
        -- Among equally related courses, those closest in difficulty first.
        order by shared.shared desc,
                 abs(array_position(array['beginner', 'intermediate', 'advanced'], c.difficulty)
                     - (select array_position(array['beginner', 'intermediate', 'advanced'], difficulty)
                        from courses where id = $1)),
                 lower(c.title)
        limit 5
        "#,
        course_id,
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(CourseRow::into_summary).collect()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod excerpt_tests {
    use super::*;

    #[test]
    fn a_passage_from_the_middle_gets_ellipses() {
        let full = "One two three. Four five six. Seven eight.";
        let middle = excerpt_of(Highlighted::plain("Four five six."), full);
        assert_eq!(middle.text(), "…Four five six.…");
        let whole = excerpt_of(Highlighted::plain(full), full);
        assert_eq!(whole.text(), full);
        let start = excerpt_of(Highlighted::plain("One two"), full);
        assert_eq!(start.text(), "One two…");
    }
}
