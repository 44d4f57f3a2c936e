use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;

use super::{CourseQuery, CourseSummary, Difficulty, list_courses};
use crate::ui::{DifficultyBadge, ErrorNotice};

/// `/courses`: the catalog, filterable by difficulty. The filter lives in the
/// URL, so a link reproduces the view; without JavaScript the form is a plain
/// GET, with it the router swaps the list in place.
#[component]
pub fn CoursesPage() -> impl IntoView {
    let params = use_query_map();
    let query =
        Memo::new(move |_| CourseQuery::from_url_params(params.read().get_str("difficulty")));
    let courses = Resource::new(move || query.read().difficulty, list_courses);

    let chosen = move || query.read().difficulty;
    let submit_on_change = move |event: leptos::ev::Event| {
        // Enhancement only: without JavaScript the Apply button does the same.
        let select = event_target::<leptos::web_sys::HtmlSelectElement>(&event);
        if let Some(form) = select.form() {
            let _ = form.request_submit();
        }
    };

    view! {
        <Title text="Courses · AcmeLearn"/>
        <section class="catalog">
            <header class="page-header">
                <h1>"Course catalog"</h1>
                <p class="lede">"Every course, written by the AcmeLearn team."</p>
            </header>
            <Form method="GET" action="" attr:class="filters" attr:role="search">
                <label for="difficulty">"Difficulty"</label>
                <select id="difficulty" name="difficulty" on:change=submit_on_change>
                    <option value="" selected=move || chosen().is_none()>"Any difficulty"</option>
                    {Difficulty::ALL
                        .into_iter()
                        .map(|difficulty| {
                            view! {
                                <option
                                    value=difficulty.as_str()
                                    selected=move || chosen() == Some(difficulty)
                                >
                                    {difficulty.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <button type="submit" class="button secondary apply">"Apply"</button>
            </Form>
            {move || {
                query
                    .read()
                    .notes
                    .iter()
                    .map(|note| view! { <p class="notice" role="status">{note.clone()}</p> })
                    .collect_view()
            }}
            <Transition fallback=|| view! { <p class="loading">"Loading courses…"</p> }>
                {move || Suspend::new(async move {
                    match courses.await {
                        Ok(list) => view! { <CourseList courses=list/> }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn CourseList(courses: Vec<CourseSummary>) -> impl IntoView {
    let count = courses.len();
    let summary = match count {
        0 => "No courses match.".to_owned(),
        1 => "1 course".to_owned(),
        n => format!("{n} courses"),
    };
    view! {
        <p class="result-count" role="status">{summary}</p>
        <ul class="course-list" aria-label="Courses">
            {courses
                .into_iter()
                .map(|course| view! { <CourseCard course/> })
                .collect_view()}
        </ul>
        {(count == 0)
            .then(|| {
                view! {
                    <p>
                        <A href="/courses">"Show every course"</A>
                    </p>
                }
            })}
    }
}

#[component]
fn CourseCard(course: CourseSummary) -> impl IntoView {
    let hours = match course.duration_hours {
        1 => "1 hour".to_owned(),
        n => format!("{n} hours"),
    };
    view! {
        <li class="course-card">
            <h2 class="course-title">{course.title}</h2>
            <p class="course-meta">
                <DifficultyBadge difficulty=course.difficulty/>
                <span class="duration">{hours}</span>
            </p>
            <ul class="tags" aria-label="Tags">
                {course
                    .tags
                    .into_iter()
                    .map(|tag| view! { <li class="tag">{tag}</li> })
                    .collect_view()}
            </ul>
        </li>
    }
}
