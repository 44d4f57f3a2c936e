-- Accounts: ending sessions, password resets and login throttling.
--
-- Sessions themselves live in tower-sessions' own table (created by its store
-- at start-up). A session remembers the user's session_epoch at login; bumping
-- the epoch (password change or reset, deactivation, role change) ends every
-- session started before, without having to find them.
alter table users add column session_epoch integer not null default 0;

-- A reset link's token is kept only as a SHA-256 hash: a leaked table cannot
-- be used to reset anyone's password. Single use (used_at), one hour (expires_at).
create table password_reset_tokens (
    id         uuid primary key default gen_random_uuid(),
    user_id    uuid not null references users (id) on delete cascade,
    token_hash bytea not null unique check (length(token_hash) = 32),
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at    timestamptz
);
create index password_reset_tokens_user_id_idx on password_reset_tokens (user_id);

-- Failed logins, counted per account and per client address to slow down
-- guessing; kept in the database so every server instance sees them.
-- email_key is the lowercased email as typed, whether or not an account has it.
create table login_failures (
    id             bigint generated always as identity primary key,
    email_key      text not null,
    client_address text not null,
    failed_at      timestamptz not null default now()
);
create index login_failures_email_key_idx on login_failures (email_key, failed_at);
create index login_failures_client_address_idx on login_failures (client_address, failed_at);
