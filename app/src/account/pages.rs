use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::{use_location, use_query_map};
use server_fn::ServerFn;

use super::api::*;
use super::types::{CurrentUser, PASSWORD_MIN_CHARS, Role, login_path_returning_to};
use crate::AppError;
use crate::ui::{ErrorNotice, FormField, FormProblem, field_error};

type UserResource = Resource<Result<Option<CurrentUser>, AppError>>;

/// The signed-in state every page shares.
///
/// Actions that change it belong to their pages: leptos hands a form's error
/// back after a no-JavaScript submission only to actions created inside
/// `<Routes>`. Pages report their actions with [`Auth::refresh_after`].
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: UserResource,
    pub log_out: ServerAction<LogOut>,
    changes: RwSignal<usize>,
}

impl Auth {
    /// Fetches the user again each time `action` succeeds. Not after a
    /// failure: refetching re-renders the page, which would wipe the form and
    /// the error the learner needs to see.
    pub fn refresh_after<A>(self, action: ServerAction<A>)
    where
        A: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
    {
        Effect::new(move |_| {
            if matches!(action.value().get(), Some(Ok(()))) {
                self.changes.update(|count| *count += 1);
            }
        });
    }
}

pub fn provide_auth() {
    let log_out = ServerAction::<LogOut>::new();
    let changes = RwSignal::new(0);
    let user = Resource::new(
        move || (log_out.version().get(), changes.get()),
        |_| signed_in_user(),
    );
    provide_context(Auth {
        user,
        log_out,
        changes,
    });
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// A page's server action whose completion may change who is signed in.
fn auth_action<A>() -> ServerAction<A>
where
    A: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    let action = ServerAction::<A>::new();
    use_auth().refresh_after(action);
    action
}

/// The error of an action's last submission, if it failed.
fn failure<A>(action: ServerAction<A>) -> Signal<Option<AppError>>
where
    A: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

fn query_flag(name: &'static str) -> Signal<bool> {
    let query = use_query_map();
    Signal::derive(move || query.read().get_str(name).is_some())
}

/// Header links: who is signed in, or the way to sign in.
#[component]
pub fn UserMenu() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(user)) => {
                        view! {
                            {(user.role == Role::Admin)
                                .then(|| {
                                    view! {
                                        <li>
                                            <A href="/admin">"Admin"</A>
                                        </li>
                                    }
                                })}
                            <li>
                                <A href="/profile">"Profile"</A>
                            </li>
                            <li>
                                <A href="/account">{user.email}</A>
                            </li>
                            <li>
                                <ActionForm action=auth.log_out attr:class="inline-form">
                                    <button type="submit" class="link-button">"Log out"</button>
                                </ActionForm>
                            </li>
                        }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <li>
                                <A href="/login">"Log in"</A>
                            </li>
                            <li>
                                <A href="/signup">"Sign up"</A>
                            </li>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Renders `content` for a signed-in user; sends anyone else to the login
/// page, which brings them back here afterwards.
#[component]
pub fn RequireUser<F, V>(content: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let auth = use_auth();
    let location = use_location();
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let content = content.clone();
                Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(user)) => content(user).into_any(),
                        Ok(None) => {
                            let here = format!(
                                "{}{}",
                                location.pathname.get_untracked(),
                                location.search.get_untracked(),
                            );
                            view! { <Redirect path=login_path_returning_to(&here)/> }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let sign_up = auth_action::<SignUp>();
    let error = failure(sign_up);
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text="Sign up · AcmeLearn"/>
        <section class="form-page">
            <h1>"Create your account"</h1>
            <p class="lede">"Tell us what you want to learn and get courses picked for you."</p>
            <ActionForm action=sign_up attr:class="stacked-form" attr:novalidate=true>
                <FormProblem error/>
                <input type="hidden" name="next" value=next/>
                <FormField label="Email" name="email" input_type="email" autocomplete="email"
                    error=field_error(error, "email")/>
                <FormField label="Password" name="password" input_type="password"
                    autocomplete="new-password"
                    hint="At least 8 characters. A few unrelated words make a strong one."
                    error=field_error(error, "password")/>
                <FormField label="Repeat the password" name="password_confirmation"
                    input_type="password" autocomplete="new-password"
                    error=field_error(error, "password_confirmation")/>
                <button type="submit" class="button">
                    "Create account"
                </button>
            </ActionForm>
            <p>"Already have an account? " <A href="/login">"Log in"</A></p>
        </section>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let log_in = auth_action::<LogIn>();
    let error = failure(log_in);
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let was_reset = query_flag("reset");
    let was_deactivated = query_flag("deactivated");
    view! {
        <Title text="Log in · AcmeLearn"/>
        <section class="form-page">
            <h1>"Log in"</h1>
            <Show when=move || was_reset.get()>
                <p class="notice" role="status">"Your password was changed. Log in with the new one."</p>
            </Show>
            <Show when=move || was_deactivated.get()>
                <p class="notice" role="status">"Your account is deactivated and you are logged out."</p>
            </Show>
            <ActionForm action=log_in attr:class="stacked-form" attr:novalidate=true>
                <FormProblem error/>
                <input type="hidden" name="next" value=next/>
                <FormField label="Email" name="email" input_type="email" autocomplete="email"
                    error=field_error(error, "email")/>
                <FormField label="Password" name="password" input_type="password"
                    autocomplete="current-password" error=field_error(error, "password")/>
                <button type="submit" class="button">
                    "Log in"
                </button>
            </ActionForm>
            <p><A href="/forgot-password">"Forgot your password?"</A></p>
            <p>"New here? " <A href="/signup">"Create an account"</A></p>
        </section>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Your account · AcmeLearn"/>
        <section class="form-page">
            <h1>"Your account"</h1>
            <RequireUser content=|user: CurrentUser| view! { <AccountSettingsForms user/> }/>
        </section>
    }
}

#[component]
fn AccountSettingsForms(user: CurrentUser) -> impl IntoView {
    let change_password = auth_action::<ChangePassword>();
    let deactivate = auth_action::<DeactivateAccount>();
    let changed = query_flag("changed");
    let password_error = failure(change_password);
    let deactivate_error = failure(deactivate);
    view! {
        <Show when=move || changed.get()>
            <p class="notice" role="status">
                "Your password was changed. Other devices have been logged out."
            </p>
        </Show>
        <p>"Logged in as " <strong>{user.email}</strong></p>

        <h2>"Change password"</h2>
        <ActionForm action=change_password attr:class="stacked-form" attr:novalidate=true>
            <FormProblem error=Signal::derive(move || {
                password_error.get().filter(|error| error.form_errors().is_none())
            })/>
            <FormField label="Current password" name="current_password" input_type="password"
                autocomplete="current-password" error=field_error(password_error, "current_password")/>
            <FormField label="New password" name="new_password" input_type="password"
                autocomplete="new-password"
                hint="At least 8 characters. Changing it logs out your other devices."
                error=field_error(password_error, "new_password")/>
            <FormField label="Repeat the new password" name="new_password_confirmation"
                input_type="password" autocomplete="new-password"
                error=field_error(password_error, "new_password_confirmation")/>
            <button type="submit" class="button">
                "Change password"
            </button>
        </ActionForm>

        <h2>"Deactivate account"</h2>
        <p>
            "You will be logged out everywhere and cannot log in again. "
            "Your learning history is kept, anonymous to other learners."
        </p>
        <ActionForm action=deactivate attr:class="stacked-form danger-zone" attr:novalidate=true>
            <FormProblem error=Signal::derive(move || {
                deactivate_error.get().filter(|error| error.form_errors().is_none())
            })/>
            <FormField label="Your password, to confirm" name="password" input_type="password"
                autocomplete="current-password" error=field_error(deactivate_error, "password")/>
            <button type="submit" class="button danger">
                "Deactivate my account"
            </button>
        </ActionForm>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let request = ServerAction::<RequestPasswordReset>::new();
    let error = failure(request);
    let sent = query_flag("sent");
    view! {
        <Title text="Forgot password · AcmeLearn"/>
        <section class="form-page">
            <h1>"Reset your password"</h1>
            <Show
                when=move || sent.get()
                fallback=move || {
                    view! {
                        <p>"Enter the email you signed up with and we will send you a link to choose a new password."</p>
                        <ActionForm action=request attr:class="stacked-form" attr:novalidate=true>
                            <FormProblem error/>
                            <FormField label="Email" name="email" input_type="email" autocomplete="email"
                                error=field_error(error, "email")/>
                            <button type="submit" class="button">
                                "Send reset link"
                            </button>
                        </ActionForm>
                    }
                }
            >
                <p class="notice" role="status">
                    "If an account exists for that email, we have sent it a link to reset the password. "
                    "The link works once, for one hour."
                </p>
            </Show>
            <p><A href="/login">"Back to log in"</A></p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let reset = auth_action::<ResetPassword>();
    let error = failure(reset);
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    view! {
        <Title text="Choose a new password · AcmeLearn"/>
        <section class="form-page">
            <h1>"Choose a new password"</h1>
            <Show
                when=move || !token().is_empty()
                fallback=|| {
                    view! {
                        <p class="notice error" role="alert">
                            "This page needs the link from your reset email. "
                            <A href="/forgot-password">"Ask for a new link"</A>
                        </p>
                    }
                }
            >
                <ActionForm action=reset attr:class="stacked-form" attr:novalidate=true>
                    <FormProblem error/>
                    <input type="hidden" name="token" value=token/>
                    <FormField label="New password" name="new_password" input_type="password"
                        autocomplete="new-password"
                        hint="At least 8 characters. Setting it logs out every device."
                        error=field_error(error, "new_password")/>
                    <FormField label="Repeat the new password" name="new_password_confirmation"
                        input_type="password" autocomplete="new-password"
                        error=field_error(error, "new_password_confirmation")/>
                    <button type="submit" class="button">
                        "Set new password"
                    </button>
                </ActionForm>
            </Show>
        </section>
    }
}

const _: () = assert!(PASSWORD_MIN_CHARS == 8, "the hints above say 8 characters");
