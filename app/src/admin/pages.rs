use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::*;
use super::model::*;
use crate::AppError;
use crate::account::{CurrentUser, Role};
use crate::ui::{Bar, BarChart, ErrorNotice, FormProblem};

/// Renders `content` for an admin; a learner gets "no access" (403), anyone
/// else the login page.
#[component]
fn RequireAdmin<F, V>(content: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <crate::account::RequireUser content=move |user: CurrentUser| {
            if user.role == Role::Admin {
                content(user).into_any()
            } else {
                view! { <ErrorNotice error=AppError::Forbidden.with_status()/> }.into_any()
            }
        }/>
    }
}

fn one_decimal(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |value| format!("{value:.1}"))
}

fn query_value(name: &'static str) -> impl Fn() -> Option<String> + Copy {
    let query = use_query_map();
    move || {
        query
            .read()
            .get(name)
            .filter(|value| !value.trim().is_empty())
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
        <Transition fallback=|| view! { <p class="loading">"Loading the figures…"</p> }>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Ok(data) => view! { <Panels data refresh/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Panels(data: Dashboard, refresh: ServerAction<RefreshAnalytics>) -> impl IntoView {
    let period = data.period.clone();
    let query = period.query_string();
    let export = move |name: &str| format!("/admin/export/{name}?{query}");
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
                <button type="submit" class="button secondary" disabled=move || refresh.pending().get()>
                    {move || if refresh.pending().get() { "Refreshing…" } else { "Refresh now" }}
                </button>
            </ActionForm>
            <FormProblem error=Signal::derive(move || refresh.value().get().and_then(Result::err))/>
        </div>

        <LevelSection panel=data.levels.clone() within=period.within_days csv=export("levels")/>
        <InterestSection panel=data.interests.clone() csv=export("interests")/>
        <ModelSection rows=data.models.clone() csv=export("models")/>
        <PersonalisationSection panel=data.personalisation.clone() csv=export("versions")/>
        <ChurnSection panel=data.churn.clone() csv=export("at-risk")/>
        <PopularitySection panel=data.popularity.clone() csv=export("popularity")/>
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
fn CsvLink(href: String) -> impl IntoView {
    view! {
        <a class="csv-link" href=href download="">
            "Download CSV"
        </a>
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
                <table tabindex="0">
                    <caption>"Level changes between consecutive profile versions"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Change"</th>
                            <th scope="col">"Learners"</th>
                            <th scope="col">"Average days between versions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {panel
                            .transitions
                            .into_iter()
                            .map(|t| {
                                view! {
                                    <tr>
                                        <td>{format!("{} → {}", t.from_level, t.to_level)}</td>
                                        <td>{t.count}</td>
                                        <td>{format!("{:.1}", t.average_days)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
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
                <table tabindex="0">
                    <caption>"Interests added and removed per week"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Week of"</th>
                            <th scope="col">"Added"</th>
                            <th scope="col">"Removed"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {panel
                            .weeks
                            .into_iter()
                            .map(|week| view! { <tr><td>{week.week}</td><td>{week.added}</td><td>{week.removed}</td></tr> })
                            .collect_view()}
                    </tbody>
                </table>
        </Panel>
    }
}

#[component]
fn ModelSection(rows: Vec<ModelRow>, csv: String) -> impl IntoView {
    let bars = rows
        .iter()
        .filter(|row| row.level.is_none())
        .map(|row| Bar {
            label: row.model.clone(),
            value: row.average_rating.unwrap_or_default(),
            shown: format!(
                "{} ★ ({} rated)",
                one_decimal(row.average_rating),
                row.rated
            ),
        })
        .collect();
    view! {
        <Panel id="models" title="3. Model comparison" csv>
                <BarChart title="Average rating by model" bars/>
                <table tabindex="0">
                    <caption>"Per model, and by the learner's level at the time"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Model"</th>
                            <th scope="col">"Level"</th>
                            <th scope="col">"Recommendations"</th>
                            <th scope="col">"Rated"</th>
                            <th scope="col">"Feedback rate"</th>
                            <th scope="col">"Average"</th>
                            <th scope="col">"1★ / 2★ / 3★ / 4★ / 5★"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|row| {
                                let overall = row.level.is_none();
                                let rate = format!("{:.0}%", row.feedback_rate());
                                let stars = row.stars.map(|count| count.to_string()).join(" / ");
                                view! {
                                    <tr class:overall=overall>
                                        <td>{row.model}</td>
                                        <td>{row.level.unwrap_or_else(|| "all".to_owned())}</td>
                                        <td>{row.recommendations}</td>
                                        <td>{row.rated}</td>
                                        <td>{rate}</td>
                                        <td>{one_decimal(row.average_rating)}</td>
                                        <td>{stars}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
        </Panel>
    }
}

#[component]
fn PersonalisationSection(panel: PersonalisationPanel, csv: String) -> impl IntoView {
    let bars = panel
        .by_version
        .iter()
        .map(|row| Bar {
            label: if row.version >= 10 {
                "version 10+".to_owned()
            } else {
                format!("version {}", row.version)
            },
            value: row.average_rating.unwrap_or_default(),
            shown: format!(
                "{} ★ ({} rated)",
                one_decimal(row.average_rating),
                row.rated
            ),
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
                <table tabindex="0">
                    <caption>"Ratings by the profile version a recommendation was made from"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Profile version"</th>
                            <th scope="col">"Rated"</th>
                            <th scope="col">"Average"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {panel
                            .by_version
                            .into_iter()
                            .map(|row| {
                                view! {
                                    <tr>
                                        <td>{if row.version >= 10 { "10+".to_owned() } else { row.version.to_string() }}</td>
                                        <td>{row.rated}</td>
                                        <td>{one_decimal(row.average_rating)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
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
                <table tabindex="0">
                    <caption>
                        {format!(
                            "At-risk learners, least recently active first ({} of {})",
                            panel.at_risk.len(),
                            panel.at_risk_total
                        )}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Last active"</th>
                            <th scope="col">"Signals"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {panel
                            .at_risk
                            .into_iter()
                            .map(|learner| {
                                view! {
                                    <tr>
                                        <td>{learner.email}</td>
                                        <td>{learner.last_active}</td>
                                        <td>{learner.signals.join("; ")}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
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
                <table tabindex="0">
                    <caption>"Top courses in the period"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Course"</th>
                            <th scope="col">"Recommended"</th>
                            <th scope="col">"Rated"</th>
                            <th scope="col">"Average rating"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {panel
                            .top
                            .into_iter()
                            .map(|course| {
                                view! {
                                    <tr>
                                        <td><A href=format!("/courses/{}", course.slug)>{course.title}</A></td>
                                        <td>{course.recommended}</td>
                                        <td>{course.rated}</td>
                                        <td>{one_decimal(course.average_rating)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
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

#[component]
fn SegmentHiddenFields(filter: SegmentFilter) -> impl IntoView {
    [
        ("seg_goal", filter.goal_contains),
        ("seg_level", filter.level),
        ("seg_min_hours", filter.min_hours),
        ("seg_joined_within", filter.joined_within_days),
        ("seg_interest", filter.interest),
    ]
    .into_iter()
    .filter(|(_, value)| !value.trim().is_empty())
    .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
    .collect_view()
}

#[component]
fn SegmentSection(filter: SegmentFilter, period: Period) -> impl IntoView {
    let asked = !filter.is_empty();
    let csv = format!("/admin/export/segment?{}", filter.query_string());
    let result = Resource::new(
        {
            let filter = filter.clone();
            move || filter.clone()
        },
        move |filter| async move {
            if asked {
                Some(admin_segment(filter).await)
            } else {
                None
            }
        },
    );
    view! {
        <section class="panel" aria-labelledby="segments-heading">
            <h2 id="segments-heading">"7. Segments"</h2>
            <form method="get" action="/admin#segments-heading" class="segment-form">
                <input type="hidden" name="from" value=period.from/>
                <input type="hidden" name="to" value=period.to/>
                <input type="hidden" name="within" value=period.within_days/>
                <div class="field">
                    <label for="seg_goal">"Goal contains"</label>
                    <input id="seg_goal" name="seg_goal" type="text" value=filter.goal_contains.clone()/>
                </div>
                <div class="field">
                    <label for="seg_level">"Level"</label>
                    <select id="seg_level" name="seg_level">
                        <option value="" selected=filter.level.is_empty()>"Any"</option>
                        {["beginner", "intermediate", "advanced"]
                            .into_iter()
                            .map(|level| view! { <option value=level selected=filter.level == level>{level}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="seg_min_hours">"Hours per week at least"</label>
                    <input id="seg_min_hours" name="seg_min_hours" type="number" min="1" max="168" value=filter.min_hours.clone()/>
                </div>
                <div class="field">
                    <label for="seg_joined_within">"Signed up within (days)"</label>
                    <input id="seg_joined_within" name="seg_joined_within" type="number" min="1" value=filter.joined_within_days.clone()/>
                </div>
                <div class="field">
                    <label for="seg_interest">"Interest"</label>
                    <input id="seg_interest" name="seg_interest" type="text" value=filter.interest.clone()/>
                </div>
                <button type="submit" class="button">"Count learners"</button>
            </form>
            <Transition fallback=|| view! { <p class="loading">"Counting…"</p> }>
                {move || {
                    let csv = csv.clone();
                    Suspend::new(async move {
                    match result.await {
                        None => view! { <p>"Set any conditions above to count the learners who match all of them."</p> }.into_any(),
                        Some(Err(error)) => view! { <ErrorNotice error/> }.into_any(),
                        Some(Ok(found)) => view! { <SegmentTable found csv/> }.into_any(),
                    }
                })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn SegmentTable(found: SegmentResult, csv: String) -> impl IntoView {
    view! {
        {found.notes.iter().map(|note| view! { <p class="notice">{note.clone()}</p> }).collect_view()}
        <p class="headline segment-count">{format!("{} learners match.", found.count)}</p>
        <LearnerTable rows=found.learners caption="Matching learners, newest first"/>
        <CsvLink href=csv/>
    }
}

#[component]
fn LearnerTable(rows: Vec<LearnerRow>, caption: &'static str) -> impl IntoView {
    view! {
        <table tabindex="0">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Level"</th>
                    <th scope="col">"Hours/week"</th>
                    <th scope="col">"Signed up"</th>
                    <th scope="col">"Last active"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| {
                        view! {
                            <tr>
                                <td><A href=format!("/admin/users/{}", row.id)>{row.email}</A></td>
                                <td>{row.level.unwrap_or_else(|| "–".to_owned())}</td>
                                <td>{row.hours_per_week.map_or_else(|| "–".to_owned(), |hours| hours.to_string())}</td>
                                <td>{row.signed_up}</td>
                                <td>{row.last_active}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// `/admin/users`: search, open a learner's history, deactivate/reactivate.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    view! {
        <Title text="Users · AcmeLearn"/>
        <section class="admin-page">
            <h1>"Users"</h1>
            <p class="admin-links">
                <A href="/admin">"Analytics"</A>
            </p>
            <RequireAdmin content=|_admin: CurrentUser| view! { <UserListView/> }/>
        </section>
    }
}

#[component]
fn UserListView() -> impl IntoView {
    let search = query_value("q");
    let page = query_value("page");
    let change = ServerAction::<SetUserActive>::new();
    let users = Resource::new(
        move || (search(), page(), change.version().get()),
        |(search, page, _)| {
            admin_users(
                search.unwrap_or_default(),
                page.and_then(|page| page.parse().ok()),
            )
        },
    );
    view! {
        <form method="get" action="/admin/users" class="user-search" role="search">
            <label for="q">"Email contains"</label>
            <input id="q" name="q" type="search" value=search().unwrap_or_default()/>
            <button type="submit" class="button">"Search"</button>
        </form>
        <FormProblem error=Signal::derive(move || change.value().get().and_then(Result::err))/>
        <Transition fallback=|| view! { <p class="loading">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => view! { <UserTable list change/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn UserTable(list: UserList, change: ServerAction<SetUserActive>) -> impl IntoView {
    let csv = format!(
        "/admin/export/users?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &list.search)
            .finish()
    );
    let page_link = {
        let search = list.search.clone();
        move |page: i64| {
            form_urlencoded::Serializer::new(String::from("/admin/users?"))
                .append_pair("q", &search)
                .append_pair("page", &page.to_string())
                .finish()
        }
    };
    let search = list.search.clone();
    view! {
        <p class="result-count">{format!("{} users · page {} of {}", list.total, list.page, list.page_count)}</p>
        <table class="user-table">
            <caption>"Users, newest first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Level"</th>
                    <th scope="col">"Signed up"</th>
                    <th scope="col">"Last active"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Action"</th>
                </tr>
            </thead>
            <tbody>
                {list
                    .users
                    .into_iter()
                    .map(|user| {
                        let search = search.clone();
                        let label = if user.is_active {
                            format!("Deactivate {}", user.email)
                        } else {
                            format!("Reactivate {}", user.email)
                        };
                        view! {
                            <tr>
                                <td>
                                    <A href=format!("/admin/users/{}", user.id)>{user.email.clone()}</A>
                                    {user.is_demo.then(|| view! { <span class="badge">"demo"</span> })}
                                </td>
                                <td>{user.role.clone()}</td>
                                <td>{user.level.clone().unwrap_or_else(|| "–".to_owned())}</td>
                                <td>{user.signed_up.clone()}</td>
                                <td>{user.last_active.clone()}</td>
                                <td>{if user.is_active { "active" } else { "deactivated" }}</td>
                                <td>
                                    <ActionForm action=change attr:class="inline-form">
                                        <input type="hidden" name="user_id" value=user.id.to_string()/>
                                        <input type="hidden" name="active" value=(!user.is_active).to_string()/>
                                        <input type="hidden" name="search" value=search/>
                                        <button type="submit" class="button secondary" aria-label=label>
                                            {if user.is_active { "Deactivate" } else { "Reactivate" }}
                                        </button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {(list.page > 1).then(|| view! { <a href=page_link(list.page - 1)>"Previous"</a> })}
            {(list.page < list.page_count).then(|| view! { <a href=page_link(list.page + 1)>"Next"</a> })}
        </nav>
        <CsvLink href=csv/>
    }
}

/// `/admin/users/:id`: one learner's profile history.
#[component]
pub fn AdminLearnerPage() -> impl IntoView {
    view! {
        <Title text="Learner · AcmeLearn"/>
        <section class="admin-page">
            <p class="admin-links">
                <A href="/admin/users">"All users"</A>
            </p>
            <RequireAdmin content=|_admin: CurrentUser| view! { <LearnerView/> }/>
        </section>
    }
}

#[component]
fn LearnerView() -> impl IntoView {
    let params = use_params_map();
    let learner = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        admin_learner,
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match learner.await {
                    Ok(found) => view! {
                        <h1>{found.user.email.clone()}</h1>
                        <p>
                            {format!(
                                "Signed up {} · last active {} · {}{}",
                                found.user.signed_up,
                                found.user.last_active,
                                if found.user.is_active { "active" } else { "deactivated" },
                                if found.user.is_demo { " · demo learner" } else { "" }
                            )}
                        </p>
                        <ol class="timeline" aria-label="Profile versions">
                            {found
                                .versions
                                .into_iter()
                                .map(|entry| {
                                    view! {
                                        <li class="timeline-entry">
                                            <h2>{format!("Version {}", entry.version)}</h2>
                                            <p class="timeline-date">{entry.saved_at}</p>
                                            <ul class="changes">
                                                {entry.changes.iter().map(|change| view! { <li>{change.to_string()}</li> }).collect_view()}
                                            </ul>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ol>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
