//! `/admin/users`: search the users, deactivate and reactivate them,
//! download the list.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{CsvLink, RequireAdmin, cells, headings, query_value};
use crate::account::CurrentUser;
use crate::admin::api::*;
use crate::admin::tables::{Export, LEARNER_COLUMNS};
use crate::admin::types::*;
use crate::ui::{FormProblem, Loaded};

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
        <Loaded resource=users loading="Loading users…" show=move |list| view! { <UserTable list change/> }/>
    }
}

#[component]
fn UserTable(list: UserList, change: ServerAction<SetUserActive>) -> impl IntoView {
    let csv = Export::Users.href(
        &form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &list.search)
            .finish(),
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
                    {headings(LEARNER_COLUMNS)}
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
                                {cells(&user, LEARNER_COLUMNS)}
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
