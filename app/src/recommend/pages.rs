use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::types::{
    MAX_FEEDBACK_CHARS, MAX_QUESTION_CHARS, Recommendation, RecommendationKind,
    RecommendationsData as PageData, learning_path, off_topic_message,
};
use crate::account::{CurrentUser, RequireUser};
use crate::catalog::DifficultyBadge;
use crate::ui::{ErrorNotice, FormProblem, field_error, textarea_text};

/// `/recommendations`: ask, see why each course fits, rate the answer.
#[component]
pub fn RecommendationsPage() -> impl IntoView {
    view! {
        <Title text="Recommended for you · AcmeLearn"/>
        <section class="recommendations-page">
            <h1>"Courses for you"</h1>
            <p>
                <A href="/recommendations/history">"Your earlier recommendations"</A>
            </p>
            <RequireUser content=|_user: CurrentUser| view! { <RecommendationsPanel/> }/>
        </section>
    }
}

#[component]
fn RecommendationsPanel() -> impl IntoView {
    let request = ServerAction::<RequestRecommendations>::new();
    let page = Resource::new(move || request.version().get(), |_| load_recommendations());
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(data) => view! { <AskForm data=data.clone() request/> <Latest data/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AskForm(data: PageData, request: ServerAction<RequestRecommendations>) -> impl IntoView {
    let error = Signal::derive(move || request.value().get().and_then(Result::err));
    let query = use_query_map();
    let off_topic = move || {
        query
            .read()
            .get("off_topic")
            .filter(|question| !question.trim().is_empty())
    };
    let none_left = data.quota.remaining() == 0;
    view! {
        {(!data.profile_is_filled)
            .then(|| {
                view! {
                    <div class="notice" role="note">
                        <p>
                            "Your profile does not say what you want to learn yet. "
                            <A href="/profile">"Add your interests and a goal"</A>
                            " for courses picked for you, or ask a question below."
                        </p>
                    </div>
                }
            })}
        <ActionForm action=request attr:class="stacked-form ask-form" attr:novalidate=true>
            <FormProblem error/>
            <input type="hidden" name="request_id" value=data.request_id.to_string()/>
            <div class="field" class:has-error=move || field_error(error, "question").get().is_some()>
                <label for="question">"What do you want to learn? (optional)"</label>
                <p class="field-hint" id="question-hint">
                    "For example: “I want to get into data engineering”. Leave it empty for picks from your profile."
                </p>
                <textarea
                    id="question"
                    name="question"
                    rows="2"
                    maxlength=MAX_QUESTION_CHARS
                    aria-describedby="question-hint question-error"
                >
                    {textarea_text(&off_topic().unwrap_or_default())}
                </textarea>
                {move || {
                    field_error(error, "question")
                        .get()
                        .map(|message| view! { <p class="field-error" id="question-error">{message}</p> })
                }}
            </div>
            <div class="ask-actions">
                <button type="submit" class="button" disabled=none_left data-busy-text="Finding courses…">
                    "Recommend courses"
                </button>
                <p class="quota">{data.quota.describe()}</p>
            </div>
            // Filled by the page script while the answer is on its way.
            <p
                class="progress"
                role="status"
                aria-live="polite"
                data-busy-text="Looking through the catalog for you. With a language model this can take a few seconds."
            ></p>
        </ActionForm>
        {move || {
            off_topic()
                .map(|question| {
                    view! {
                        <div class="notice" role="status">
                            <p>{off_topic_message(&question)}</p>
                        </div>
                    }
                })
        }}
    }
}

#[component]
fn Latest(data: PageData) -> impl IntoView {
    match data.latest {
        Some(recommendation) => view! {
            <h2 class="latest-heading">"Your latest recommendation"</h2>
            <RecommendationCard recommendation return_to="/recommendations"/>
        }
        .into_any(),
        None => view! {
            <p class="empty-state">
                "You have not asked for recommendations yet. Press the button and we will pick courses for you."
            </p>
        }
        .into_any(),
    }
}

/// One recommendation: the summary, the courses best match first with their
/// reasons, the same courses as a learning path (an order of study, with why),
/// where it came from, and the learner's rating.
#[component]
fn RecommendationCard(recommendation: Recommendation, return_to: &'static str) -> impl IntoView {
    let Recommendation {
        id,
        kind,
        question,
        summary,
        courses,
        profile_version,
        model,
        created_at,
        rating,
        feedback,
        rated_at,
    } = recommendation;
    let path = learning_path(&courses);
    let path_heading = format!("learning-path-{id}");
    view! {
        <article class="recommendation" id=format!("recommendation-{id}")>
            {question.map(|question| view! { <p class="asked">"You asked: " <q>{question}</q></p> })}
            {(kind == RecommendationKind::Popular)
                .then(|| view! { <p class="badge popular-label">"Popular picks, not personalised"</p> })}
            <p class="summary">{summary}</p>
            <ol class="recommended-courses">
                {courses
                    .into_iter()
                    .map(|course| {
                        view! {
                            <li class="recommended-course">
                                <h3>
                                    <A href=format!("/courses/{}", course.slug)>{course.title}</A>
                                </h3>
                                <p class="course-meta">
                                    <DifficultyBadge difficulty=course.difficulty/>
                                    <span>{format!("{} hours", course.duration_hours)}</span>
                                    {(course.score > 0)
                                        .then(|| view! { <span class="match">{format!("{}% match", course.score)}</span> })}
                                </p>
                                <p class="why">{course.explanation}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            {(path.len() > 1)
                .then(|| {
                    view! {
                        <section class="learning-path" aria-labelledby=path_heading.clone()>
                            <h3 id=path_heading.clone()>"Learning path"</h3>
                            <p>
                                "The same courses in an order to study them: easier ones first, so each builds on the ones before. The list above is ordered by how well each course matches."
                            </p>
                            <ol>
                                {path
                                    .into_iter()
                                    .map(|step| {
                                        view! {
                                            <li>
                                                <A href=format!("/courses/{}", step.slug)>{step.title}</A>
                                                " "
                                                <DifficultyBadge difficulty=step.difficulty/>
                                                <span class="step-reason">{step.reason}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                        </section>
                    }
                })}
            <p class="recommendation-meta">
                {format!("{created_at} · from profile version {profile_version} · by {model}")}
            </p>
            <RatingForm id rating feedback rated_at return_to/>
        </article>
    }
}

fn stars(count: u8) -> String {
    if count == 1 {
        "1 star".to_owned()
    } else {
        format!("{count} stars")
    }
}

#[component]
fn RatingForm(
    id: uuid::Uuid,
    rating: Option<u8>,
    feedback: Option<String>,
    rated_at: Option<String>,
    return_to: &'static str,
) -> impl IntoView {
    let rate = ServerAction::<RateRecommendation>::new();
    let query = use_query_map();
    let error = Signal::derive(move || rate.value().get().and_then(Result::err));
    // The form posts to the server, which sends the browser back here with
    // `?rated=` the recommendation it saved.
    let just_rated = query
        .read_untracked()
        .get("rated")
        .is_some_and(|rated| rated == id.to_string());
    let status = match (rating, rated_at) {
        (Some(rating), Some(at)) if just_rated => {
            format!("Rating saved: {} on {at}. Thank you!", stars(rating))
        }
        (Some(rating), Some(at)) => format!("You rated this {} on {at}.", stars(rating)),
        _ => "Not rated yet.".to_owned(),
    };
    let feedback_id = format!("feedback-{id}");
    view! {
        <ActionForm action=rate attr:class="rating-form" attr:novalidate=true>
            <FormProblem error/>
            <input type="hidden" name="recommendation_id" value=id.to_string()/>
            <input type="hidden" name="return_to" value=return_to/>
            <fieldset class="stars" class:has-error=move || field_error(error, "rating").get().is_some()>
                <legend>"How useful were these recommendations?"</legend>
                {(1..=5_u8)
                    .map(|count| {
                        view! {
                            <label class="star">
                                <input type="radio" name="rating" value=count checked=rating == Some(count)/>
                                <span>{stars(count)}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            {move || {
                field_error(error, "rating")
                    .get()
                    .map(|message| view! { <p class="field-error">{message}</p> })
            }}
            <div class="field" class:has-error=move || field_error(error, "feedback").get().is_some()>
                <label for=feedback_id.clone()>"Feedback (optional)"</label>
                <textarea id=feedback_id.clone() name="feedback" rows="2" maxlength=MAX_FEEDBACK_CHARS>
                    {textarea_text(feedback.as_deref().unwrap_or_default())}
                </textarea>
                {move || {
                    field_error(error, "feedback")
                        .get()
                        .map(|message| view! { <p class="field-error">{message}</p> })
                }}
            </div>
            <div class="rating-actions">
                <button type="submit" class="button secondary" data-busy-text="Saving…">
                    "Save rating"
                </button>
                <p class="rating-status" role="status">{status}</p>
            </div>
        </ActionForm>
    }
}

/// `/recommendations/history`: every recommendation, newest first.
#[component]
pub fn RecommendationHistoryPage() -> impl IntoView {
    view! {
        <Title text="Your recommendations · AcmeLearn"/>
        <section class="recommendations-page">
            <h1>"Your recommendations"</h1>
            <p>
                <A href="/recommendations">"Ask for new recommendations"</A>
            </p>
            <RequireUser content=|_user: CurrentUser| view! { <HistoryList/> }/>
        </section>
    }
}

#[component]
fn HistoryList() -> impl IntoView {
    let history = Resource::new(|| (), |_| recommendation_history());
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading your recommendations…"</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty-state">
                            "No recommendations yet. "
                            <A href="/recommendations">"Ask for your first"</A>
                        </p>
                    }
                    .into_any(),
                    Ok(list) => view! {
                        <ul class="recommendation-history" aria-label="Earlier recommendations">
                            {list
                                .into_iter()
                                .map(|recommendation| {
                                    view! {
                                        <li>
                                            <RecommendationCard recommendation return_to="/recommendations/history"/>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
