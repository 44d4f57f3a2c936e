-- Sign-ups and password-reset emails, counted per email and per client
-- address so a stranger cannot make the server hash passwords (argon2 at
-- 19 MiB each) or send reset emails to one inbox without limit.
--
-- A row is written before the work it allows, under advisory locks on both
-- keys (see app/src/account/throttle.rs), so parallel requests are counted
-- one by one. Logins keep their own table, login_failures, because a
-- successful login removes its account's rows there.
create table throttled_attempts (
    id             bigint generated always as identity primary key,
    action         text not null check (action in ('sign_up', 'password_reset')),
    -- The lowercased email as typed, whether or not an account has it: the
    -- count must not depend on (and so cannot reveal) whether one exists.
    email_key      text not null,
    client_address text not null,
    attempted_at   timestamptz not null default now()
);
create index throttled_attempts_email_key_idx
    on throttled_attempts (action, email_key, attempted_at);
create index throttled_attempts_client_address_idx
    on throttled_attempts (action, client_address, attempted_at);
