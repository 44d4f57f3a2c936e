//! The dashboard's segment builder: learners whose current profile matches
//! every condition, counted and listed.

use leptos::prelude::*;

use super::{CsvLink, DataTable};
use crate::admin::api::*;
use crate::admin::tables::{Export, LEARNER_COLUMNS};
use crate::admin::types::*;
use crate::ui::ErrorNotice;

#[component]
pub(super) fn SegmentHiddenFields(filter: SegmentFilter) -> impl IntoView {
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
pub(super) fn SegmentSection(filter: SegmentFilter, period: Period) -> impl IntoView {
    let asked = !filter.is_empty();
    let csv = Export::Segment.href(&filter.query_string());
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
        <DataTable caption="Matching learners, newest first" rows=found.learners columns=LEARNER_COLUMNS/>
        <CsvLink href=csv/>
    }
}
