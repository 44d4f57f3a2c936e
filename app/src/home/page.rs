use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{HomeData, LearnerHome, home_page};
use crate::catalog::DifficultyBadge;
use crate::catalog::{CourseSummary, TagLinks, hours_label};
use crate::profile::ProfilePart;
use crate::recommend::Recommendation;
use crate::ui::{Loaded, count_of};

/// Courses of the latest recommendation shown on the home page; the rest are
/// one link away.
const LATEST_SHOWN: usize = 3;
/// Tags shown on a home-page course card.
const STARTER_TAGS: usize = 4;

/// `/`: what a visitor gets here, and the ways in. Everything that is not
/// data is static, so the page stays small.
#[component]
pub fn HomePage() -> impl IntoView {
    let auth = crate::account::use_auth();
    // Logging out here shows the visitor's page.
    let data = Resource::new(move || auth.log_out.version().get(), |_| home_page());
    view! {
        <Title text="AcmeLearn · find the course to take next"/>
        <div class="home">
            <section class="hero" aria-labelledby="home-heading">
                <h1 id="home-heading">"Find the course to take next"</h1>
                <p class="lede">
                    "Tell AcmeLearn what you want to learn. It picks courses from its catalog, "
                    "puts them in the order to take them, and says why each one fits you."
                </p>
                <HomeSearch/>
                <Loaded resource=data show=|home| view! { <HeroActions home/> }/>
            </section>
            <Loaded resource=data show=|home: HomeData| home.learner.map(|learner| view! { <WelcomeBack learner/> })/>
            <WhatYouGet/>
            <Loaded resource=data loading="Loading courses…" show=|home| view! { <Starters home/> }/>
        </div>
    }
}

/// Straight into the catalog: a plain GET form, with or without JavaScript
/// (the catalog page is cached for visitors, so the full load is cheap).
#[component]
fn HomeSearch() -> impl IntoView {
    view! {
        <form method="get" action="/courses" class="home-search" role="search">
            <label for="home-search">"Search the catalog"</label>
            <div class="search-row">
                <input
                    id="home-search"
                    name="q"
                    type="search"
                    maxlength="200"
                    placeholder="Python, SQL, design…"
                />
                <button type="submit" class="button">"Search"</button>
            </div>
        </form>
    }
}

#[component]
fn HeroActions(home: HomeData) -> impl IntoView {
    let browse = format!("Browse all {} courses", home.course_count);
    let (href, label) = if home.learner.is_some() {
        ("/recommendations", "Get recommendations")
    } else {
        ("/signup", "Sign up for your picks")
    };
    view! {
        <p class="hero-actions">
            <A href=href attr:class="button">{label}</A>
            <A href="/courses" attr:class="button secondary">{browse}</A>
        </p>
    }
}

/// The way back for a signed-in learner: their latest picks and what their
/// profile still lacks.
#[component]
fn WelcomeBack(learner: LearnerHome) -> impl IntoView {
    let LearnerHome {
        profile_version,
        missing,
        latest,
    } = learner;
    view! {
        <section class="welcome-back" aria-labelledby="welcome-heading">
            <h2 id="welcome-heading">"Welcome back"</h2>
            <div class="welcome-grid">
                <ProfileProgress profile_version missing/>
                <LatestPicks latest/>
            </div>
        </section>
    }
}

#[component]
fn ProfileProgress(profile_version: i32, missing: Vec<ProfilePart>) -> impl IntoView {
    let filled = ProfilePart::COUNT - missing.len();
    let summary = format!(
        "{filled} of {} parts filled in · version {profile_version}",
        ProfilePart::COUNT
    );
    let next = missing.first().copied();
    view! {
        <div class="home-card">
            <h3 id="profile-progress-heading">"Your profile"</h3>
            <progress
                class="completeness"
                max=ProfilePart::COUNT
                value=filled
                aria-labelledby="profile-progress-heading"
                aria-describedby="profile-progress-summary"
            >
                {format!("{filled} of {}", ProfilePart::COUNT)}
            </progress>
            <p class="completeness-summary" id="profile-progress-summary">{summary}</p>
            {match next {
                Some(part) => view! {
                    <p class="next-step">{part.advice()}</p>
                    <p>
                        <A href="/profile" attr:class="button secondary">"Complete your profile"</A>
                    </p>
                }
                .into_any(),
                None => view! {
                    <p class="next-step">"Your profile is complete: picks use everything it says."</p>
                    <p>
                        <A href="/profile/history">"See how your profile changed over time"</A>
                    </p>
                }
                .into_any(),
            }}
        </div>
    }
}

#[component]
fn LatestPicks(latest: Option<Recommendation>) -> impl IntoView {
    let Some(recommendation) = latest else {
        return view! {
            <div class="home-card">
                <h3>"Your recommendations"</h3>
                <p>"You have not asked for recommendations yet."</p>
                <p>
                    <A href="/recommendations" attr:class="button">"Get your first picks"</A>
                </p>
            </div>
        }
        .into_any();
    };
    let total = recommendation.courses.len();
    let asked = recommendation
        .question
        .map(|question| view! { " · you asked " <q>{question}</q> });
    let more = if total > LATEST_SHOWN {
        format!("See all {total} picks and rate them")
    } else {
        "See them and rate them".to_owned()
    };
    view! {
        <div class="home-card">
            <h3>"Your latest recommendation"</h3>
            <p class="recommendation-meta">{recommendation.created_at} {asked}</p>
            <ol class="home-picks">
                {recommendation
                    .courses
                    .into_iter()
                    .take(LATEST_SHOWN)
                    .map(|course| {
                        view! {
                            <li>
                                <A href=crate::catalog::course_path(&course.slug)>{course.title}</A>
                                <p class="why">{course.explanation}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <p>
                <A href="/recommendations">{more}</A>
            </p>
        </div>
    }
    .into_any()
}

/// What AcmeLearn does, in four sentences.
#[component]
fn WhatYouGet() -> impl IntoView {
    view! {
        <section class="what-you-get" aria-labelledby="what-heading">
            <h2 id="what-heading">"What you get"</h2>
            <ul class="features">
                <li>
                    <h3>"Picks with reasons"</h3>
                    <p>
                        "Say your goal, level, interests and hours per week. You get courses in the "
                        "order to take them, each with why it fits and how long it will take you."
                    </p>
                </li>
                <li>
                    <h3>"A catalog you can search"</h3>
                    <p>
                        "Search every course by topic or skill, with typos forgiven, and narrow by "
                        "level, tags and length. Every view has its own link."
                    </p>
                </li>
                <li>
                    <h3>"Your progress over time"</h3>
                    <p>
                        "Each change to your profile is kept, so you can see how your goal and level "
                        "moved, and come back to every recommendation you were given."
                    </p>
                </li>
                <li>
                    <h3>"Works offline"</h3>
                    <p>
                        "Install AcmeLearn on your phone or computer like an app. Pages work "
                        "without JavaScript, and pages you opened stay readable offline."
                    </p>
                </li>
            </ul>
        </section>
    }
}

/// A real course at each level, from the catalog.
#[component]
fn Starters(home: HomeData) -> impl IntoView {
    let size = format!(
        "From a catalog of {} across {}.",
        count_of(home.course_count, "course", "courses"),
        count_of(home.tag_count, "tag", "tags")
    );
    view! {
        <section class="starters" aria-labelledby="starters-heading">
            <h2 id="starters-heading">"Start at your level"</h2>
            <p class="section-lede">"The shortest course at each level. " {size}</p>
            <ul class="course-list" aria-label="A course at each level">
                {home.starters.into_iter().map(|course| view! { <StarterCard course/> }).collect_view()}
            </ul>
            <p class="more-links">
                <A href="/courses">"Browse the whole catalog"</A>
                <A href="/tags">"Browse by tag"</A>
            </p>
        </section>
    }
}

#[component]
fn StarterCard(course: CourseSummary) -> impl IntoView {
    let tags = course
        .tags
        .iter()
        .take(STARTER_TAGS)
        .cloned()
        .collect::<Vec<_>>();
    view! {
        <li class="course-card">
            <h3 class="course-title">
                <A href=course.path()>{course.title.clone()}</A>
            </h3>
            <p class="course-meta">
                <DifficultyBadge difficulty=course.difficulty/>
                <span class="duration">{hours_label(course.duration_hours)}</span>
            </p>
            <TagLinks tags/>
        </li>
    }
}
