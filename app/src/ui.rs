//! Small components shared by every feature.

use leptos::prelude::*;

use crate::AppError;
use crate::catalog::Difficulty;

#[component]
pub fn DifficultyBadge(difficulty: Difficulty) -> impl IntoView {
    view! {
        <span class=format!("badge difficulty-{}", difficulty.as_str())>{difficulty.label()}</span>
    }
}

/// A failed request, said plainly, with the way out.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <div class="notice error" role="alert">
            <p>{error.to_string()}</p>
        </div>
    }
}
