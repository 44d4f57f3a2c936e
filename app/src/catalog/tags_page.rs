use leptos::prelude::*;
use leptos_meta::Title;

use super::{CatalogQuery, group_by_category, tag_choices};
use crate::ui::ErrorNotice;
use crate::ui::count_of;

/// `/tags`: every tag by category, with how many courses carry it.
#[component]
pub fn TagsPage() -> impl IntoView {
    let tags = OnceResource::new(tag_choices());
    view! {
        <Title text="Tags · AcmeLearn"/>
        <section class="tags-page">
            <header class="page-header">
                <h1>"Browse by tag"</h1>
                <p class="lede">"Pick a topic to see every course about it."</p>
            </header>
            <Suspense fallback=|| view! { <p class="loading">"Loading tags…"</p> }>
                {move || Suspend::new(async move {
                    match tags.await {
                        Ok(tags) => {
                            group_by_category(tags)
                                .into_iter()
                                .map(|category| {
                                    let heading_id = format!(
                                        "category-{}",
                                        category.name.to_lowercase().replace(|c: char| !c.is_alphanumeric(), "-"),
                                    );
                                    let labelled_by = heading_id.clone();
                                    view! {
                                        <section class="tag-category" aria-labelledby=labelled_by>
                                            <h2 id=heading_id>{category.name}</h2>
                                            <ul class="tag-index">
                                                {category
                                                    .tags
                                                    .into_iter()
                                                    .map(|tag| {
                                                        let href = CatalogQuery::for_tag(&tag.name).url();
                                                        let count = count_of(tag.course_count, "course", "courses");
                                                        view! {
                                                            <li>
                                                                <a href=href>{tag.name}</a>
                                                                " "
                                                                <span class="count">{count}</span>
                                                            </li>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </ul>
                                        </section>
                                    }
                                })
                                .collect_view()
                                .into_any()
                        }
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
