//! Small components shared by every feature.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

mod header;
pub use header::SiteHeader;

use crate::AppError;

/// "Nothing here", with the way back to the catalog. The caller sets the
/// 404 status.
#[component]
pub fn NotFoundNotice(heading: &'static str, message: &'static str) -> impl IntoView {
    view! {
        <Title text=format!("{heading} · AcmeLearn")/>
        <section class="not-found">
            <h1>{heading}</h1>
            <p>{message}</p>
            <p>
                <A href="/courses">"Browse the catalog"</A>
            </p>
        </section>
    }
}

/// "1 course", "3 courses".
pub fn count_of(count: impl Into<i64>, one: &str, many: &str) -> String {
    match count.into() {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// What a resource loaded, shown by `show`; meanwhile `loading` (if any)
/// on the first load (later loads keep the old content, as a `Transition`
/// does), and the error explained if it failed.
#[component]
pub fn Loaded<T, V, F>(
    resource: Resource<Result<T, AppError>>,
    #[prop(optional)] loading: Option<&'static str>,
    show: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Transition fallback=move || loading.map(|text| view! { <p class="loading">{text}</p> })>
            {move || {
                let show = show.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => show(value).into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <div class="notice error" role="alert">
            <p>{error.to_string()}</p>
        </div>
    }
}

/// A labelled form control with its hint and its error message beside it.
/// The control (`children`) has `id = name` and is described by
/// [`described_by`], which ties the hint and the error to it for screen
/// readers.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(optional_no_strip, into)] hint: Option<String>,
    #[prop(into)] error: Signal<Option<String>>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=name>{label}</label>
            {hint.map(|hint| view! { <p class="field-hint" id=format!("{name}-hint")>{hint}</p> })}
            {children()}
            {move || {
                error
                    .get()
                    .map(|message| view! { <p class="field-error" id=format!("{name}-error")>{message}</p> })
            }}
        </div>
    }
}

/// The `aria-describedby` of the control of a [`Field`]: its hint, if it
/// has one, and its error while there is one.
pub fn described_by(
    name: &'static str,
    has_hint: bool,
    error: Signal<Option<String>>,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        let mut ids = Vec::new();
        if has_hint {
            ids.push(format!("{name}-hint"));
        }
        if error.get().is_some() {
            ids.push(format!("{name}-error"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// A required text input in a [`Field`].
#[component]
pub fn FormField(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional, into)] value: Option<Signal<String>>,
) -> impl IntoView {
    view! {
        <Field label name hint=(!hint.is_empty()).then(|| hint.to_owned()) error>
            <input
                id=name
                name=name
                type=input_type
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                required=true
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by(name, !hint.is_empty(), error)
                // An attribute, not a property: hydration leaves attributes
                // alone, so whatever was typed before the app went live stays.
                value=move || value.map(|value| value.get())
            />
        </Field>
    }
}

/// The form-level part of a failed submission: anything not tied to one field.
#[component]
pub fn FormProblem(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().and_then(|error| {
            let message = match &error {
                AppError::Invalid(errors) => errors.message.clone(),
                other => Some(other.to_string()),
            };
            message.map(|message| {
                view! {
                    <div class="notice error" role="alert">
                        <p>{message}</p>
                    </div>
                }
            })
        })
    }
}

/// The message for one field of a failed form submission, if it has one.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || {
        error
            .get()
            .and_then(|error| error.form_errors().and_then(|errors| errors.field(field)))
    })
}

/// One bar of a [`BarChart`]: its label, its length and the figure printed
/// beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

/// Labels longer than this are shortened in the chart (the table beside it
/// has them whole).
const BAR_LABEL_CHARS: usize = 30;

/// A horizontal bar chart drawn as SVG on the server: readable without
/// JavaScript, printable, and described for screen readers.
#[component]
pub fn BarChart(#[prop(into)] title: String, bars: Vec<Bar>) -> impl IntoView {
    if bars.is_empty() {
        return view! { <p class="empty-chart">"No data in this period."</p> }.into_any();
    }
    const ROW: usize = 28;
    const LABEL_WIDTH: f64 = 230.0;
    const BAR_SPACE: f64 = 330.0;
    let largest = bars.iter().map(|bar| bar.value).fold(0.0_f64, f64::max);
    let height = bars.len() * ROW + 8;
    let label = format!("{title}. ");
    let description = bars
        .iter()
        .map(|bar| format!("{}: {}", bar.label, bar.shown))
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <svg
            class="bar-chart"
            viewBox=format!("0 0 760 {height}")
            role="img"
            aria-label=format!("{label}{description}")
        >
            // The title element repeats it for tooltips and printouts.
            <title>{title}</title>
            {bars
                .into_iter()
                .enumerate()
                .map(|(index, bar)| {
                    let top = index * ROW + 4;
                    let length = if largest > 0.0 { bar.value.max(0.0) / largest * BAR_SPACE } else { 0.0 };
                    let label = if bar.label.chars().count() > BAR_LABEL_CHARS {
                        format!("{}…", bar.label.chars().take(BAR_LABEL_CHARS - 1).collect::<String>())
                    } else {
                        bar.label
                    };
                    view! {
                        <g>
                            <text x="0" y=(top + 17).to_string() class="bar-label">{label}</text>
                            <rect
                                x=LABEL_WIDTH.to_string()
                                y=top.to_string()
                                width=format!("{length:.1}")
                                height="20"
                                rx="3"
                                class="bar"
                            ></rect>
                            <text x=format!("{:.1}", LABEL_WIDTH + length + 6.0) y=(top + 17).to_string() class="bar-value">
                                {bar.shown}
                            </text>
                        </g>
                    }
                })
                .collect_view()}
        </svg>
    }
    .into_any()
}

/// What goes between `<textarea>` and `</textarea>`.
///
/// Leptos writes a textarea's children into server-rendered HTML unescaped,
/// as it does for `<script>`, so text a learner typed (`</textarea><script>…`)
/// would become markup there. Escaped, the browser shows the same characters
/// and parses no tags. In the browser the text goes into a text node, which is
/// never markup, and it must equal what that node already holds when the page
/// hydrates, so it stays as typed.
pub fn textarea_text(text: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        html_escape::encode_text(text).into_owned()
    }
    #[cfg(not(feature = "ssr"))]
    {
        text.to_owned()
    }
}
