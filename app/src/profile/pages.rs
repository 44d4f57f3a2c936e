use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::types::{Change, HistoryEntry, Level, MAX_GOAL_CHARS, MAX_INTERESTS, ProfileData};
use crate::account::{CurrentUser, RequireUser};
use crate::catalog::{TagCategory, TagChoice};
use crate::ui::{Field, FormProblem, Loaded, described_by, field_error, textarea_text};

/// `/profile`: the learner's goal, level, time and interests.
#[component]
pub fn ProfilePage() -> impl IntoView {
    view! {
        <Title text="Your profile · AcmeLearn"/>
        <section class="profile-page">
            <h1>"Your learning profile"</h1>
            <RequireUser content=|_user: CurrentUser| view! { <ProfileEditor/> }/>
        </section>
    }
}

/// The form posts to the server, which answers with this page again: after a
/// save it says what changed (`?saved=`), after a refusal it explains it
/// beside the fields, and the page script puts back what was typed.
#[component]
fn ProfileEditor() -> impl IntoView {
    let save = ServerAction::<SaveProfile>::new();
    let profile = Resource::new(|| (), |_| my_profile());
    view! {
        <Loaded resource=profile loading="Loading your profile…" show=move |data: ProfileData| {
            view! { <ProfileForm data save/> }
        }/>
    }
}

#[component]
fn SaveNotice(data: ProfileData) -> impl IntoView {
    let query = use_query_map();
    let saved_version = move || {
        query
            .read()
            .get("saved")
            .and_then(|v| v.parse::<i32>().ok())
    };
    let unchanged = move || query.read().get_str("unchanged").is_some();
    let welcome = move || query.read().get_str("welcome").is_some();
    let version = data.version;
    let changes = data.latest_changes.clone();
    view! {
        <Show when=welcome>
            <p class="notice" role="status">
                "Welcome to AcmeLearn! Tell us about yourself and we will find courses that fit."
            </p>
        </Show>
        <Show when=move || saved_version() == Some(version)>
            // After a save, focus goes to what it did (the form it came
            // from is a page behind).
            <div class="notice success" role="status" tabindex="-1" autofocus=true>
                <p>{format!("Saved. Your profile is now at version {version}.")}</p>
                <ChangeList changes=changes.clone()/>
            </div>
        </Show>
        <Show when=unchanged>
            <p class="notice" role="status">
                {format!("Nothing changed, so no new version was saved (still version {version}).")}
            </p>
        </Show>
    }
}

#[component]
fn ChangeList(changes: Vec<Change>) -> impl IntoView {
    view! {
        <ul class="changes">
            {changes
                .into_iter()
                .map(|change| {
                    let goal_texts = match &change {
                        Change::Goal { from, to } => Some((from.clone(), to.clone())),
                        _ => None,
                    };
                    view! {
                        <li>
                            {change.to_string()}
                            {goal_texts
                                .map(|(from, to)| {
                                    view! {
                                        <span class="goal-change">
                                            <span class="before">
                                                "was: " {from.unwrap_or_else(|| "(none)".to_owned())}
                                            </span>
                                            <span class="after">
                                                "now: " {to.unwrap_or_else(|| "(none)".to_owned())}
                                            </span>
                                        </span>
                                    }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn ProfileForm(data: ProfileData, save: ServerAction<SaveProfile>) -> impl IntoView {
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let state = data.state.clone();
    let level = state.current_level;
    let version = data.version;
    let goal_error = field_error(error, "learning_goal");
    let level_error = field_error(error, "current_level");
    let hours_error = field_error(error, "hours_per_week");

    view! {
        <SaveNotice data=data.clone()/>
        <p class="version-line">
            {format!("Version {version} · ")}
            <A href="/profile/history">"See how your profile changed"</A>
        </p>
        <ActionForm action=save attr:class="stacked-form profile-form" attr:novalidate=true>
            <FormProblem error/>
            <input type="hidden" name="expected_version" value=version/>

            <Field
                label="Learning goal"
                name="learning_goal"
                hint=format!("What do you want to be able to do? Up to {MAX_GOAL_CHARS} characters.")
                error=goal_error
            >
                <textarea
                    id="learning_goal"
                    name="learning_goal"
                    rows="3"
                    aria-invalid=move || goal_error.get().is_some().then_some("true")
                    aria-describedby=described_by("learning_goal", true, goal_error)
                >
                    {textarea_text(state.learning_goal.as_deref().unwrap_or_default())}
                </textarea>
            </Field>

            <Field label="Current level" name="current_level" error=level_error>
                <select
                    id="current_level"
                    name="current_level"
                    aria-invalid=move || level_error.get().is_some().then_some("true")
                    aria-describedby=described_by("current_level", false, level_error)
                >
                    <option value="" selected=level.is_none()>"Choose your level"</option>
                    {Level::ALL
                        .into_iter()
                        .map(|option| {
                            view! {
                                <option value=option.as_str() selected=level == Some(option)>
                                    {option.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </Field>

            <Field
                label="Hours per week"
                name="hours_per_week"
                hint="How many hours a week can you study? 1 to 168.".to_owned()
                error=hours_error
            >
                <input
                    id="hours_per_week"
                    name="hours_per_week"
                    type="number"
                    inputmode="numeric"
                    min="1"
                    max="168"
                    value=state.hours_per_week.map(|hours| hours.to_string()).unwrap_or_default()
                    aria-invalid=move || hours_error.get().is_some().then_some("true")
                    aria-describedby=described_by("hours_per_week", true, hours_error)
                />
            </Field>

            <InterestPicker chosen=state.interests.clone() error=field_error(error, "interests").get_untracked()>
                <TagGroups groups=data.tag_groups.clone() chosen=state.interests.clone()/>
            </InterestPicker>

            <button type="submit" class="button" data-busy-text="Saving…">"Save profile"</button>
        </ActionForm>
    }
}

/// Interests: checkboxes grouped by category, which work as plain HTML; live
/// (an island), a type-ahead filter and removable chips of the chosen ones.
/// The checkboxes are server HTML ([`TagGroups`], the island's children): the
/// island starts without building 169 of them again in the browser.
#[island]
fn InterestPicker(chosen: Vec<String>, error: Option<String>, children: Children) -> impl IntoView {
    let chosen = RwSignal::new(chosen);
    let picker = NodeRef::<leptos::html::Fieldset>::new();
    let has_error = error.is_some();
    // The chips follow the boxes as the page shows them when the island
    // starts: after a refused save the page script has put back what the
    // learner had ticked, which the saved profile does not have.
    Effect::new(move |_| {
        if let Some(picker) = picker.get() {
            chosen.set(interest_boxes::ticked(&picker));
        }
    });
    let toggle = move |tag: String, on: bool| {
        chosen.update(|list| {
            list.retain(|existing| existing != &tag);
            if on {
                list.push(tag);
                list.sort();
            }
        })
    };
    let remove = move |tag: String| {
        if let Some(picker) = picker.get_untracked() {
            interest_boxes::untick(&picker, &tag);
        }
        toggle(tag, false);
    };
    let ticked_or_unticked = move |event: leptos::ev::Event| {
        if let Some((interest, on)) = interest_boxes::changed(&event) {
            toggle(interest, on);
        }
    };
    let find = move |event: leptos::ev::Event| {
        if let Some(picker) = picker.get_untracked() {
            interest_boxes::show_matching(&picker, &event_target_value(&event));
        }
    };
    view! {
        <fieldset
            class="field interest-picker"
            class:has-error=has_error
            node_ref=picker
            on:change=ticked_or_unticked
        >
            <legend>"Interests"</legend>
            <p class="field-hint">
                {format!("Topics you want to learn about, up to {MAX_INTERESTS}. ")}
                <span class="chosen-count">{move || format!("{} chosen.", chosen.get().len())}</span>
            </p>
            {error.map(|message| view! { <p class="field-error" id="interests-error">{message}</p> })}
            <ul class="chips" aria-label="Chosen interests">
                {move || {
                    chosen
                        .get()
                        .into_iter()
                        .map(|tag| {
                            let label = format!("Remove {tag}");
                            let removed = tag.clone();
                            view! {
                                <li class="chip">
                                    {tag.clone()}
                                    <button
                                        type="button"
                                        aria-label=label
                                        on:click=move |_| remove(removed.clone())
                                    >
                                        "×"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <label class="tag-search">
                "Find a topic "
                <input type="search" placeholder="e.g. python, design, cloud" on:input=find/>
            </label>
            {children()}
        </fieldset>
    }
}

/// Every interest a learner can choose, as checkboxes grouped by category;
/// the ones in `chosen` ticked.
#[component]
fn TagGroups(groups: Vec<TagCategory>, chosen: Vec<String>) -> impl IntoView {
    view! {
        <div class="tag-groups">
            {groups
                .into_iter()
                .map(|group| {
                    view! {
                        <fieldset class="tag-group">
                            <legend>{group.name}</legend>
                            {group
                                .tags
                                .into_iter()
                                .map(|TagChoice { name: tag, .. }| {
                                    let ticked = chosen.contains(&tag);
                                    view! {
                                        <label class="tag-option">
                                            <input type="checkbox" name="interests[]" value=tag.clone() checked=ticked/>
                                            {tag}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// `/profile/history`: every version, newest first, with what changed.
#[component]
pub fn ProfileHistoryPage() -> impl IntoView {
    view! {
        <Title text="Profile history · AcmeLearn"/>
        <section class="profile-page">
            <h1>"How your profile changed"</h1>
            <p><A href="/profile">"Back to your profile"</A></p>
            <RequireUser content=|_user: CurrentUser| view! { <HistoryTimeline/> }/>
        </section>
    }
}

#[component]
fn HistoryTimeline() -> impl IntoView {
    let history = Resource::new(|| (), |_| my_profile_history());
    view! {
        <Loaded resource=history loading="Loading your history…" show=|entries| view! { <Timeline entries/> }/>
    }
}

#[component]
fn Timeline(entries: Vec<HistoryEntry>) -> impl IntoView {
    view! {
        <ol class="timeline" aria-label="Profile versions">
            {entries
                .into_iter()
                .map(|entry| {
                    let first = entry.version == 1;
                    view! {
                        <li class="timeline-entry">
                            <h2>{format!("Version {}", entry.version)}</h2>
                            <p class="timeline-date">{entry.saved_at}</p>
                            {if first {
                                view! { <p>"Profile created when you signed up."</p> }.into_any()
                            } else {
                                view! { <ChangeList changes=entry.changes/> }.into_any()
                            }}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// The interest checkboxes of a picker, in the browser (the server renders
/// them; nothing here runs there).
mod interest_boxes {
    use leptos::web_sys::HtmlFieldSetElement;

    /// The interests ticked now.
    pub fn ticked(picker: &HtmlFieldSetElement) -> Vec<String> {
        let mut ticked: Vec<String> = boxes(picker)
            .into_iter()
            .filter(|checkbox| checkbox.checked())
            .map(|checkbox| checkbox.value())
            .collect();
        ticked.sort();
        ticked
    }

    pub fn untick(picker: &HtmlFieldSetElement, interest: &str) {
        for checkbox in boxes(picker) {
            if checkbox.value() == interest {
                checkbox.set_checked(false);
            }
        }
    }

    /// The interest a change event ticked (`true`) or unticked, if it came
    /// from an interest's checkbox.
    #[cfg(feature = "hydrate")]
    pub fn changed(event: &leptos::ev::Event) -> Option<(String, bool)> {
        use wasm_bindgen::JsCast;
        let checkbox = event
            .target()?
            .dyn_into::<leptos::web_sys::HtmlInputElement>()
            .ok()?;
        (checkbox.type_() == "checkbox").then(|| (checkbox.value(), checkbox.checked()))
    }

    /// Shows the interests whose names contain `text` (every one when it is
    /// blank), and only the groups that have one to show.
    #[cfg(feature = "hydrate")]
    pub fn show_matching(picker: &HtmlFieldSetElement, text: &str) {
        use wasm_bindgen::JsCast;
        let wanted = text.trim().to_lowercase();
        for group in all::<leptos::web_sys::Element>(picker, ".tag-group") {
            let mut any_shown = false;
            for option in all::<leptos::web_sys::Element>(&group, ".tag-option") {
                let interest = option
                    .query_selector("input")
                    .ok()
                    .flatten()
                    .and_then(|input| input.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
                    .map(|input| input.value())
                    .unwrap_or_default();
                let shown = wanted.is_empty() || interest.contains(&wanted);
                any_shown |= shown;
                let _ = option.class_list().toggle_with_force("hidden", !shown);
            }
            let _ = group.class_list().toggle_with_force("hidden", !any_shown);
        }
    }

    #[cfg(feature = "hydrate")]
    fn boxes(picker: &HtmlFieldSetElement) -> Vec<leptos::web_sys::HtmlInputElement> {
        all(picker, "input[type=checkbox]")
    }

    /// The elements under `root` that `selector` finds, as `T`.
    #[cfg(feature = "hydrate")]
    fn all<T: wasm_bindgen::JsCast>(root: &leptos::web_sys::Element, selector: &str) -> Vec<T> {
        use wasm_bindgen::JsCast;
        let Ok(found) = root.query_selector_all(selector) else {
            return Vec::new();
        };
        (0..found.length())
            .filter_map(|index| found.item(index))
            .filter_map(|node| node.dyn_into().ok())
            .collect()
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn changed(_event: &leptos::ev::Event) -> Option<(String, bool)> {
        None
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn show_matching(_picker: &HtmlFieldSetElement, _text: &str) {}

    #[cfg(not(feature = "hydrate"))]
    fn boxes(_picker: &HtmlFieldSetElement) -> Vec<leptos::web_sys::HtmlInputElement> {
        Vec::new()
    }
}
