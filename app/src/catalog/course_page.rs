use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::DifficultyBadge;
use super::page::{TagLinks, hours_label};
use super::{CourseDetail, CourseSummary, get_course, weeks_at_pace};
use crate::AppError;
use crate::ui::count_of;
use crate::ui::{ErrorNotice, NotFoundNotice};

/// `/courses/:slug`: one course, its syllabus and what to take alongside it.
#[component]
pub fn CoursePage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.read().get("slug").unwrap_or_default();
    let detail = Resource::new(key, get_course);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the course…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <CourseView detail/> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <CourseNotFound/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The course page's 404 (the status comes from the server function).
#[component]
fn CourseNotFound() -> impl IntoView {
    view! {
        <NotFoundNotice
            heading="Course not found"
            message="There is no course at this address. It may have been renamed, or the link may be mistyped."
        />
    }
}

#[component]
fn CourseView(detail: CourseDetail) -> impl IntoView {
    let course = detail.course;
    let pace = detail.learner_hours_per_week.map(|hours_per_week| {
        let weeks = count_of(
            weeks_at_pace(course.duration_hours, hours_per_week),
            "week",
            "weeks",
        );
        format!("About {weeks} at your pace of {hours_per_week} hours a week.")
    });
    let syllabus = if detail.syllabus.is_empty() {
        view! { <p>{detail.contents}</p> }.into_any()
    } else {
        view! {
            <ol class="syllabus">
                {detail
                    .syllabus
                    .into_iter()
                    .map(|module| {
                        view! {
                            <li>
                                <h3>{module.title}</h3>
                                <p>{module.summary}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        }
        .into_any()
    };
    let description_meta: String = detail.description.chars().take(160).collect();
    view! {
        <Title text=format!("{} · AcmeLearn", course.title)/>
        <Meta name="description" content=description_meta/>
        <article class="course-page">
            <p class="breadcrumb">
                <A href="/courses">"← All courses"</A>
            </p>
            <header class="page-header">
                <h1>{course.title.clone()}</h1>
                <p class="course-meta">
                    <DifficultyBadge difficulty=course.difficulty/>
                    <span class="duration">{hours_label(course.duration_hours)}</span>
                </p>
                {pace.map(|pace| view! { <p class="pace">{pace}</p> })}
            </header>
            <p class="lede">{detail.description}</p>
            <section aria-labelledby="skills-heading">
                <h2 id="skills-heading">"Skills you will gain"</h2>
                <ul class="skills">
                    {detail.skills.into_iter().map(|skill| view! { <li>{skill}</li> }).collect_view()}
                </ul>
            </section>
            <section aria-labelledby="syllabus-heading">
                <h2 id="syllabus-heading">"Syllabus"</h2>
                {syllabus}
            </section>
            <section aria-labelledby="tags-heading">
                <h2 id="tags-heading">"Tags"</h2>
                <TagLinks tags=course.tags/>
            </section>
            {(!detail.related.is_empty()).then(|| view! { <RelatedCourses courses=detail.related/> })}
        </article>
    }
}

#[component]
fn RelatedCourses(courses: Vec<CourseSummary>) -> impl IntoView {
    view! {
        <section aria-labelledby="related-heading">
            <h2 id="related-heading">"Related courses"</h2>
            <ul class="related-courses">
                {courses
                    .into_iter()
                    .map(|course| {
                        view! {
                            <li>
                                <A href=course.path()>{course.title.clone()}</A>
                                " "
                                <DifficultyBadge difficulty=course.difficulty/>
                                <span class="duration">{hours_label(course.duration_hours)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
