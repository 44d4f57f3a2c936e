use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::in_place;
use super::{
    CatalogPage, CatalogQuery, CourseHit, Difficulty, Highlighted, MAX_FILTER_HOURS, Sort,
    TagChoice, search_courses, tag_choices,
};
use crate::ui::{ErrorNotice, count_of};

/// `/courses`: search and filter the catalog. The whole view lives in the URL,
/// so a link reproduces it and back/forward walk through it. Without
/// JavaScript the form is a plain GET; with it, every control applies as soon
/// as it changes and the view is shown in place ([`FilterForm`]).
#[component]
pub fn CoursesPage() -> impl IntoView {
    let params = use_query_map();
    let parsed = Memo::new(move |_| {
        let params = params.read();
        CatalogQuery::from_url(|name| params.get_all(name).unwrap_or_default())
    });
    let query = Memo::new(move |_| parsed.read().query.clone());
    let results = Resource::new(move || query.get(), search_courses);
    let tags = OnceResource::new(tag_choices());

    view! {
        <Title text="Courses · AcmeLearn"/>
        <section class="catalog">
            <header class="page-header">
                <h1>"Course catalog"</h1>
                <p class="lede">
                    "Every course, written by the AcmeLearn team. Search by topic or skill, "
                    "then narrow by level, tags and length."
                </p>
            </header>
            <Filters query tags/>
            <div id=in_place::NOTES class="in-place-part">
                {move || {
                    parsed
                        .read()
                        .notes
                        .iter()
                        .map(|note| view! { <p class="notice" role="status">{note.clone()}</p> })
                        .collect_view()
                }}
            </div>
            // aria-busy tells assistive technology (and the browser tests)
            // that the results shown are about to be replaced: the filter
            // form's island sets it while it asks for the next view.
            <div id=in_place::RESULTS class="results" aria-busy="false">
                <Transition fallback=|| view! { <p class="loading">"Loading courses…"</p> }>
                    {move || Suspend::new(async move {
                        match results.await {
                            Ok(page) => view! { <Results page query=query.get_untracked()/> }.into_any(),
                            Err(error) => view! { <ErrorNotice error/> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </section>
    }
}

/// The search and filter form, the catalog page's one island. Without
/// JavaScript it is a plain GET form, applied by its button. Live, a changed
/// control applies at once, and a search, a filter or a link within the
/// catalog shows its view in place, back and forward too ([`in_place`]).
#[island]
fn FilterForm(children: Children) -> impl IntoView {
    in_place::follow_links_and_history();
    let form = NodeRef::<leptos::html::Form>::new();
    // The Apply button's work, done as soon as a control changes.
    let apply = move |_| {
        if let Some(form) = form.get_untracked() {
            let _ = form.request_submit();
        }
    };
    view! {
        // autocomplete="off": going back to an earlier view must show that
        // view's filters, not the ones the browser remembers typing.
        <form
            method="get"
            action="/courses"
            class="filters"
            role="search"
            autocomplete="off"
            node_ref=form
            on:change=apply
            on:submit=in_place::show_submitted
        >
            {children()}
        </form>
    }
}

#[component]
fn Filters(
    query: Memo<CatalogQuery>,
    tags: OnceResource<Result<Vec<TagChoice>, crate::AppError>>,
) -> impl IntoView {
    let hours = |value: Option<i32>| value.map(|hours| hours.to_string()).unwrap_or_default();
    view! {
        <FilterForm>
            <div class="filter-bar">
                <div class="filter search-field">
                    <label for="search">"Search"</label>
                    <input
                        id="search"
                        name="q"
                        type="search"
                        placeholder="Python, data pipelines, \"user research\"…"
                        maxlength="200"
                        value=query.read_untracked().text.clone()
                    />
                </div>
                // On a phone the search stays in view and the rest folds away
                // (plain HTML, so it works without JavaScript); on a wider
                // screen the stylesheet always shows them and hides the toggle.
                <details class="more-filters">
                    <summary>
                        "Filters"
                        <span id=in_place::ACTIVE_COUNT class="active-count">
                            {move || active_filters(&query.read())}
                        </span>
                    </summary>
                    <div class="filter-controls">
                        <div class="filter">
                            <label for="difficulty">"Difficulty"</label>
                            <select id="difficulty" name="difficulty">
                                <option value="" selected=move || query.read().difficulty.is_none()>
                                    "Any difficulty"
                                </option>
                                {Difficulty::ALL
                                    .into_iter()
                                    .map(|difficulty| {
                                        view! {
                                            <option
                                                value=difficulty.as_str()
                                                selected=move || query.read().difficulty == Some(difficulty)
                                            >
                                                {difficulty.label()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <div class="filter">
                            <label for="add-tag">"Add a tag"</label>
                            <input
                                id="add-tag"
                                name="tag"
                                list="tag-choices"
                                autocomplete="off"
                                placeholder="Type to find a tag"
                            />
                            <Suspense>
                                {move || Suspend::new(async move {
                                    let choices = tags.await.unwrap_or_default();
                                    view! {
                                        <datalist id="tag-choices">
                                            {choices
                                                .into_iter()
                                                .map(|tag| {
                                                    let label = format!(
                                                        "{} · {} ({})",
                                                        tag.name,
                                                        tag.category,
                                                        tag.course_count,
                                                    );
                                                    view! { <option value=tag.name label=label></option> }
                                                })
                                                .collect_view()}
                                        </datalist>
                                    }
                                })}
                            </Suspense>
                        </div>
                        <fieldset class="filter duration-range">
                            <legend>"Length in hours"</legend>
                            <HoursInput
                                id="min-hours"
                                name="min_hours"
                                label="Minimum hours"
                                placeholder="min"
                                value=hours(query.read_untracked().min_hours)
                            />
                            <span aria-hidden="true">"–"</span>
                            <HoursInput
                                id="max-hours"
                                name="max_hours"
                                label="Maximum hours"
                                placeholder="max"
                                value=hours(query.read_untracked().max_hours)
                            />
                        </fieldset>
                        <div class="filter">
                            <label for="sort">"Sort by"</label>
                            <select id="sort" name="sort">
                                {Sort::ALL
                                    .into_iter()
                                    .map(|sort| {
                                        view! {
                                            <option
                                                value=sort.as_str()
                                                selected=move || query.read().sort == sort
                                            >
                                                {sort.label()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                    </div>
                </details>
            </div>
            <div id=in_place::CHOSEN_TAGS class="in-place-part">
                <ChosenTags query/>
            </div>
            <button type="submit" class="button secondary apply">"Apply"</button>
        </FilterForm>
    }
}

/// " · 2 active" when filters other than the search are in force (each tag
/// counts, the length range counts once), for the phone's Filters toggle.
fn active_filters(query: &CatalogQuery) -> String {
    let active = usize::from(query.difficulty.is_some())
        + query.tags.len()
        + usize::from(query.min_hours.is_some() || query.max_hours.is_some());
    if active == 0 {
        String::new()
    } else {
        format!(" · {active} active")
    }
}

/// One end of the duration range, labelled for screen readers only (the
/// fieldset's legend says what both are).
#[component]
fn HoursInput(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    placeholder: &'static str,
    value: String,
) -> impl IntoView {
    view! {
        <label for=id class="visually-hidden">{label}</label>
        <input
            id=id
            name=name
            type="number"
            min="0"
            max=MAX_FILTER_HOURS
            inputmode="numeric"
            placeholder=placeholder
            value=value
        />
    }
}

/// The tag filters in force, as chips that remove themselves; the hidden
/// inputs carry them along when the form is submitted.
#[component]
fn ChosenTags(query: Memo<CatalogQuery>) -> impl IntoView {
    move || {
        let query = query.get();
        (!query.tags.is_empty()).then(|| {
            view! {
                <div class="chosen-tags">
                    <span class="chosen-label">"Tags (all of):"</span>
                    <ul class="chips" aria-label="Tag filters">
                        {query
                            .tags
                            .iter()
                            .map(|tag| {
                                let remove = query.without_tag(tag).url();
                                view! {
                                    <li class="chip">
                                        <input type="hidden" name="tag" value=tag.clone()/>
                                        {tag.clone()}
                                        <a
                                            href=remove
                                            class="chip-remove"
                                            aria-label=format!("Remove the tag {tag}")
                                        >
                                            "×"
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

#[component]
fn Results(page: CatalogPage, query: CatalogQuery) -> impl IntoView {
    let summary = match page.total {
        _ if page.more_than_counted => format!("{}+ courses", thousands(page.total)),
        0 => "No courses match.".to_owned(),
        n => count_of(n, "course", "courses"),
    };
    let correction = page.corrected_text.clone().map(|corrected| {
        let typed = query.text.clone();
        let href = query.with_text(&corrected).url();
        view! {
            <p class="notice did-you-mean" role="status">
                "Nothing matched “" {typed} "”. Did you mean "
                <a href=href>{corrected.clone()}</a> "? Showing results for “" {corrected} "”."
            </p>
        }
    });
    let empty = page.courses.is_empty();
    view! {
        {page.notes.into_iter().map(|note| view! { <p class="notice" role="status">{note}</p> }).collect_view()}
        {correction}
        <p class="result-count" role="status">{summary}</p>
        <ul class="course-list" aria-label="Courses">
            {page.courses.into_iter().map(|hit| view! { <CourseCard hit/> }).collect_view()}
        </ul>
        {empty.then(|| view! { <EmptyState query=query.clone()/> })}
        {(page.page_count > 1).then(|| view! { <Pager query page=page.page page_count=page.page_count/> })}
    }
}

/// 1000 → "1,000".
fn thousands(count: i64) -> String {
    let digits = count.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// Nothing matched: say what to take away, each as a link that does it.
#[component]
fn EmptyState(query: CatalogQuery) -> impl IntoView {
    let mut ways_out: Vec<(String, String)> = Vec::new();
    if !query.text.is_empty() {
        ways_out.push((
            format!("Remove the search “{}”", query.text),
            query.with_text("").url(),
        ));
    }
    if let Some(difficulty) = query.difficulty {
        ways_out.push((
            format!(
                "Include every difficulty, not only {}",
                difficulty.label().to_lowercase()
            ),
            CatalogQuery {
                difficulty: None,
                page: 1,
                ..query.clone()
            }
            .url(),
        ));
    }
    for tag in &query.tags {
        ways_out.push((
            format!("Remove the tag “{tag}”"),
            query.without_tag(tag).url(),
        ));
    }
    if query.min_hours.is_some() || query.max_hours.is_some() {
        ways_out.push((
            "Allow any length".to_owned(),
            CatalogQuery {
                min_hours: None,
                max_hours: None,
                page: 1,
                ..query.clone()
            }
            .url(),
        ));
    }
    view! {
        <div class="empty-state">
            <p>"Try widening the search:"</p>
            <ul>
                {ways_out
                    .into_iter()
                    .map(|(label, href)| view! { <li><a href=href>{label}</a></li> })
                    .collect_view()}
                <li>
                    <a href="/courses">"Show every course"</a>
                </li>
            </ul>
        </div>
    }
}

#[component]
fn Pager(query: CatalogQuery, page: i64, page_count: i64) -> impl IntoView {
    let previous = (page > 1).then(|| query.with_page(page - 1).url());
    let next = (page < page_count).then(|| query.with_page(page + 1).url());
    view! {
        <nav class="pager" aria-label="Pages">
            {previous.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
            <span class="pager-position">{format!("Page {page} of {page_count}")}</span>
            {next.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
        </nav>
    }
}

/// Text with its matched words in `<mark>`.
#[component]
pub fn Marked(text: Highlighted) -> impl IntoView {
    text.0
        .into_iter()
        .map(|(part, matched)| {
            if matched {
                view! { <mark>{part}</mark> }.into_any()
            } else {
                view! { <span>{part}</span> }.into_any()
            }
        })
        .collect_view()
}

pub fn hours_label(hours: i32) -> String {
    count_of(hours, "hour", "hours")
}

#[component]
fn CourseCard(hit: CourseHit) -> impl IntoView {
    let course = hit.course;
    view! {
        <li class="course-card">
            <h2 class="course-title">
                <A href=course.path()>
                    <Marked text=hit.title/>
                </A>
            </h2>
            <p class="course-meta">
                <DifficultyBadge difficulty=course.difficulty/>
                <span class="duration">{hours_label(course.duration_hours)}</span>
            </p>
            <p class="course-snippet">
                <Marked text=hit.snippet/>
            </p>
            <TagLinks tags=course.tags/>
        </li>
    }
}

/// Tags as links to the catalog filtered by each.
#[component]
pub fn TagLinks(tags: Vec<String>) -> impl IntoView {
    view! {
        <ul class="tags" aria-label="Tags">
            {tags
                .into_iter()
                .map(|tag| {
                    let href = CatalogQuery::for_tag(&tag).url();
                    view! {
                        <li>
                            // The hidden words name the link out of context too
                            // (a list of links read aloud, a tag called "go").
                            <a class="tag" href=href>
                                <span class="visually-hidden">"Courses tagged "</span>
                                {tag}
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}

/// A course's difficulty as a coloured label.
#[component]
pub fn DifficultyBadge(difficulty: Difficulty) -> impl IntoView {
    view! {
        <span class=format!("badge difficulty-{}", difficulty.as_str())>{difficulty.label()}</span>
    }
}
