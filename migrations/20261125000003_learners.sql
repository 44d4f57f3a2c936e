-- Learners, their current profile, and the insert-only history of it.
--
-- users are never deleted (deactivation sets is_active = false), and the
-- foreign keys from history rows RESTRICT deletes, so analytics history can
-- not disappear by accident.

create table users (
    id            uuid primary key default gen_random_uuid(),
    -- Stored as typed (trimmed); unique regardless of case.
    email         text not null check (email = btrim(email) and email like '_%@_%'),
    password_hash text not null,
    role          text not null default 'learner' check (role in ('learner', 'admin')),
    is_active     boolean not null default true,
    -- Real activity (a signed-in request), updated at most hourly. updated_at
    -- only says when the row changed, which is not the same thing.
    last_seen_at  timestamptz,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));
select manage_updated_at('users');

-- Current state, one row per user, updated in place for fast reads.
create table user_profiles (
    id              uuid primary key default gen_random_uuid(),
    user_id         uuid not null unique references users (id) on delete restrict,
    learning_goal   text check (length(learning_goal) <= 500),
    current_level   text check (current_level in ('beginner', 'intermediate', 'advanced')),
    -- Hours per week the learner can give.
    time_commitment integer check (time_commitment between 1 and 168),
    -- 1 at sign-up, +1 on every change; snapshot N holds the state at version N.
    version         integer not null default 1 check (version >= 1),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now()
);
select manage_updated_at('user_profiles');

-- The profile's interests: tags from the catalog.
create table user_interests (
    user_profile_id uuid not null references user_profiles (id) on delete cascade,
    tag_id          uuid not null references tags (id) on delete restrict,
    created_at      timestamptz not null default now(),
    primary key (user_profile_id, tag_id)
);
create index user_interests_tag_id_idx on user_interests (tag_id);

-- One row per profile version, holding the NEW state at that version.
-- user_id is here (not only via the profile) because every analytics query
-- starts from the learner.
create table user_profile_snapshots (
    id                 uuid primary key default gen_random_uuid(),
    user_profile_id    uuid not null references user_profiles (id) on delete restrict,
    user_id            uuid not null references users (id) on delete restrict,
    version            integer not null check (version >= 1),
    learning_goal      text check (length(learning_goal) <= 500),
    current_level      text check (current_level in ('beginner', 'intermediate', 'advanced')),
    time_commitment    integer check (time_commitment between 1 and 168),
    -- Tag names, as a JSON array, so the state at that version survives tag renames.
    interests_snapshot jsonb not null default '[]' check (jsonb_typeof(interests_snapshot) = 'array'),
    created_at         timestamptz not null default now(),
    unique (user_profile_id, version),
    -- One profile per user, so this is equally unique; recommendations refer to it.
    unique (user_id, version)
);

create trigger user_profile_snapshots_insert_only
    before update or delete on user_profile_snapshots
    for each row execute function reject_history_change();
-- TRUNCATE bypasses row triggers; forbid it too.
create trigger user_profile_snapshots_no_truncate
    before truncate on user_profile_snapshots
    for each statement execute function reject_history_change();
