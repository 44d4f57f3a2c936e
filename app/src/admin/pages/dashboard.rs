//! `/admin`: the product questions, each as a chart with its numbers and
//! the CSV behind them.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::segments::{SegmentHiddenFields, SegmentSection};
use super::{CsvLink, DataTable, RequireAdmin, query_value};
use crate::account::CurrentUser;
use crate::admin::api::*;
use crate::admin::tables::*;
use crate::admin::types::*;
use crate::ui::{Bar, BarChart, FormProblem, Loaded};

fn one_decimal(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |value| format!("{value:.1}"))
}

/// A bar of an average rating, with how many ratings it averages.
fn rating_bar(label: String, average: Option<f64>, rated: i64) -> Bar {
    Bar {
        label,
        value: average.unwrap_or_default(),
        shown: format!("{} ★ ({rated} rated)", one_decimal(average)),
    }
}

/// `/admin`: the product questions, each as a chart with its numbers.
#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <Title text="Analytics · AcmeLearn"/>
        <section class="admin-page">
            <h1>"Product analytics"</h1>
            <p class="admin-links">
                <A href="/admin/users">"Users"</A>
            </p>
            <RequireAdmin content=|_admin: CurrentUser| view! { <DashboardView/> }/>
        </section>
    }
}

#[component]
fn DashboardView() -> impl IntoView {
    let (from, to, within) = (
        query_value("from"),
        query_value("to"),
        query_value("within"),
    );
    let refresh = ServerAction::<RefreshAnalytics>::new();
    let dashboard = Resource::new(
        move || (from(), to(), within(), refresh.version().get()),
        |(from, to, within, _)| admin_dashboard(from, to, within),
    );
    view! {
        <Loaded resource=dashboard loading="Loading the figures…" show=move |data| view! { <Panels data refresh/> }/>
    }
}

#[component]
fn Panels(data: Dashboard, refresh: ServerAction<RefreshAnalytics>) -> impl IntoView {
    let period = data.period.clone();
    let query = period.query_string();
    let csv = move |export: Export| export.href(&query);
    let segment = SegmentFilter {
        goal_contains: query_value("seg_goal")().unwrap_or_default(),
        level: query_value("seg_level")().unwrap_or_default(),
        min_hours: query_value("seg_min_hours")().unwrap_or_default(),
        joined_within_days: query_value("seg_joined_within")().unwrap_or_default(),
        interest: query_value("seg_interest")().unwrap_or_default(),
    };
    view! {
        <form method="get" action="/admin" class="period-form">
            <div class="field">
                <label for="from">"From"</label>
                <input id="from" name="from" type="date" value=period.from.clone()/>
            </div>
            <div class="field">
                <label for="to">"To"</label>
                <input id="to" name="to" type="date" value=period.to.clone()/>
            </div>
            <div class="field">
                <label for="within">"Moved up within (days)"</label>
                <input id="within" name="within" type="number" min="1" max="3650" value=period.within_days/>
            </div>
            <SegmentHiddenFields filter=segment.clone()/>
            <button type="submit" class="button">"Show this period"</button>
        </form>
        {(!period.notes.is_empty())
            .then(|| {
                view! {
                    <div class="notice" role="status">
                        {period.notes.iter().map(|note| view! { <p>{note.clone()}</p> }).collect_view()}
                    </div>
                }
            })}
        <div class="freshness">
            <p>
                {match &data.refreshed_at {
                    Some(at) => format!("Figures as of {at} (refreshed hourly)."),
                    None => "Figures have not been computed yet.".to_owned(),
                }}
            </p>
            <ActionForm action=refresh attr:class="inline-form">
                <button type="submit" class="button secondary" data-busy-text="Refreshing…">
                    "Refresh now"
                </button>
            </ActionForm>
            <FormProblem error=Signal::derive(move || refresh.value().get().and_then(Result::err))/>
        </div>

        <LevelSection panel=data.levels.clone() within=period.within_days csv=csv(Export::Levels)/>
        <InterestSection panel=data.interests.clone() csv=csv(Export::Interests)/>
        <ModelSection rows=data.models.clone() csv=csv(Export::Models)/>
        <PersonalisationSection panel=data.personalisation.clone() csv=csv(Export::Versions)/>
        <ChurnSection panel=data.churn.clone() csv=csv(Export::AtRisk)/>
        <PopularitySection panel=data.popularity.clone() csv=csv(Export::Popularity)/>
        <SegmentSection filter=segment period=period.clone()/>
    }
}

/// One dashboard question: its heading, the headline answer, the chart and
/// table (children), and the CSV behind them.
#[component]
fn Panel(
    id: &'static str,
    title: &'static str,
    csv: String,
    #[prop(optional, into)] headline: Option<String>,
    children: Children,
) -> impl IntoView {
    let heading = format!("{id}-heading");
    let labelled_by = heading.clone();
    view! {
        <section class="panel" aria-labelledby=labelled_by>
            <h2 id=heading>{title}</h2>
            {headline.map(|text| view! { <p class="headline">{text}</p> })}
            <div class="panel-body">{children()}</div>
            <CsvLink href=csv/>
        </section>
    }
}

#[component]
fn LevelSection(panel: LevelPanel, within: i32, csv: String) -> impl IntoView {
    let bars = panel
        .transitions
        .iter()
        .map(|t| Bar {
            label: format!("{} → {}", t.from_level, t.to_level),
            value: t.count as f64,
            shown: t.count.to_string(),
        })
        .collect();
    let share = percent(panel.moved_within, panel.beginner_cohort);
    view! {
        <Panel id="levels" title="1. Level progression" csv headline=format!(
                    "{share:.0}% of the {} learners who joined in this period as beginners reached intermediate within {within} days ({}).",
                    panel.beginner_cohort, panel.moved_within
                )>
                <BarChart title="Level changes in the period" bars/>
                <DataTable caption="Level changes between consecutive profile versions" rows=panel.transitions columns=LEVEL_COLUMNS/>
        </Panel>
    }
}

#[component]
fn InterestSection(panel: InterestPanel, csv: String) -> impl IntoView {
    let bars: Vec<Bar> = panel
        .risers
        .iter()
        .chain(panel.fallers.iter())
        .map(|trend| Bar {
            label: trend.interest.clone(),
            value: trend.net().unsigned_abs() as f64,
            shown: format!("{:+}", trend.net()),
        })
        .collect();
    let names = |trends: &[InterestTrend]| {
        if trends.is_empty() {
            "none".to_owned()
        } else {
            trends
                .iter()
                .map(|trend| format!("{} ({:+})", trend.interest, trend.net()))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    view! {
        <Panel id="interests" title="2. Interest trends" csv headline=format!("Rising: {}. Falling: {}.", names(&panel.risers), names(&panel.fallers))>
                <BarChart title="Net change of the top rising and falling interests" bars/>
                <DataTable caption="Interests added and removed per week" rows=panel.weeks columns=INTEREST_COLUMNS/>
        </Panel>
    }
}

#[component]
fn ModelSection(rows: Vec<ModelRow>, csv: String) -> impl IntoView {
    let bars = rows
        .iter()
        .filter(|row| row.level.is_none())
        .map(|row| rating_bar(row.model.clone(), row.average_rating, row.rated))
        .collect();
    view! {
        <Panel id="models" title="3. Model comparison" csv>
                <BarChart title="Average rating by model" bars/>
                <DataTable caption="Per model, and by the learner's level at the time" rows columns=MODEL_COLUMNS/>
        </Panel>
    }
}

#[component]
fn PersonalisationSection(panel: PersonalisationPanel, csv: String) -> impl IntoView {
    let bars = panel
        .by_version
        .iter()
        .map(|row| {
            let label = if row.version >= 10 {
                "version 10+".to_owned()
            } else {
                format!("version {}", row.version)
            };
            rating_bar(label, row.average_rating, row.rated)
        })
        .collect();
    view! {
        <Panel id="personalisation" title="4. Does personalisation improve?" csv headline=format!(
                    "{} low ratings (1–2 stars) in the period; after {} of them the learner updated the profile, and {} rated the next recommendation: {} on average.",
                    panel.low_ratings,
                    panel.updated_after,
                    panel.next_rated,
                    one_decimal(panel.next_average)
                )>
                <BarChart title="Average rating by profile version" bars/>
                <DataTable caption="Ratings by the profile version a recommendation was made from" rows=panel.by_version columns=VERSION_COLUMNS/>
        </Panel>
    }
}

#[component]
fn ChurnSection(panel: ChurnPanel, csv: String) -> impl IntoView {
    let bars = [
        ("Hours per week dropped > 50%", panel.hours_drop),
        ("No activity in 90 days", panel.inactive),
        ("Gave a low rating", panel.negative_ratings),
        ("Interests narrowed to one", panel.narrowing),
    ]
    .into_iter()
    .map(|(label, count)| Bar {
        label: label.to_owned(),
        value: count as f64,
        shown: count.to_string(),
    })
    .collect();
    let went_quiet = percent(panel.dropped_then_inactive, panel.dropped_and_observed);
    view! {
        <Panel id="churn" title="5. Churn signals" csv headline=format!(
                    "Of the {} learners whose hours dropped in the period (at least 30 days ago), {} ({went_quiet:.0}%) were not seen again within 30 days of the drop.",
                    panel.dropped_and_observed, panel.dropped_then_inactive
                )>
                <BarChart title="Learners showing each signal" bars/>
                <DataTable
                    caption=format!(
                        "At-risk learners, least recently active first ({} of {})",
                        panel.at_risk.len(),
                        panel.at_risk_total
                    )
                    rows=panel.at_risk
                    columns=AT_RISK_COLUMNS
                />
        </Panel>
    }
}

#[component]
fn PopularitySection(panel: PopularityPanel, csv: String) -> impl IntoView {
    let bars = panel
        .top
        .iter()
        .map(|course| Bar {
            label: course.title.clone(),
            value: course.recommended as f64,
            shown: course.recommended.to_string(),
        })
        .collect();
    view! {
        <Panel id="popularity" title="6. Course popularity" csv>
                <BarChart title="Times recommended, top courses" bars/>
                <DataTable caption="Top courses in the period" rows=panel.top columns=POPULARITY_COLUMNS/>
            <p>
                {format!("{} courses were never recommended in the period", panel.never_recommended)}
                {(!panel.never_examples.is_empty()).then_some(", for example: ")}
                {panel
                    .never_examples
                    .into_iter()
                    .enumerate()
                    .map(|(index, (title, slug))| {
                        view! {
                            {(index > 0).then_some(", ")}
                            <A href=format!("/courses/{slug}")>{title}</A>
                        }
                    })
                    .collect_view()}
                "."
            </p>
        </Panel>
    }
}
