//! The admin pages, one file each: the analytics dashboard, its segment
//! builder, the user list and a learner's history. Here: what they share.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::tables::{Cell, Column};
use crate::AppError;
use crate::account::{CurrentUser, Role};
use crate::ui::ErrorNotice;

mod dashboard;
mod learner;
mod segments;
mod users;

pub use dashboard::AdminPage;
pub use learner::AdminLearnerPage;
pub use users::AdminUsersPage;

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

fn query_value(name: &'static str) -> impl Fn() -> Option<String> + Copy {
    let query = use_query_map();
    move || {
        query
            .read()
            .get(name)
            .filter(|value| !value.trim().is_empty())
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

/// A table of `rows` as `columns` describe it (the same columns write its CSV).
#[component]
fn DataTable<Row>(
    #[prop(into)] caption: String,
    rows: Vec<Row>,
    columns: &'static [Column<Row>],
) -> impl IntoView
where
    Row: Send + Sync + 'static,
{
    view! {
        <table tabindex="0">
            <caption>{caption}</caption>
            <thead>
                <tr>{headings(columns)}</tr>
            </thead>
            <tbody>
                {rows.iter().map(|row| view! { <tr>{cells(row, columns)}</tr> }).collect_view()}
            </tbody>
        </table>
    }
}

fn headings<Row>(columns: &[Column<Row>]) -> impl IntoView + use<Row> {
    columns
        .iter()
        .map(|column| view! { <th scope="col">{column.heading}</th> })
        .collect_view()
}

fn cells<Row>(row: &Row, columns: &[Column<Row>]) -> impl IntoView + use<Row> {
    columns
        .iter()
        .map(|column| {
            let Cell { text, link, .. } = (column.cell)(row);
            let content = match link {
                Some(href) => view! { <A href=href>{text}</A> }.into_any(),
                None => text.into_any(),
            };
            view! { <td>{content}</td> }
        })
        .collect_view()
}
