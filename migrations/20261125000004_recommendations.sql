-- Recommendations as given, with the profile version they were made from and
-- the model that made them, and the learner's rating of them.

create table recommendations (
    id                     uuid primary key default gen_random_uuid(),
    user_id                uuid not null references users (id) on delete restrict,
    -- The profile state the ranking saw; the foreign key guarantees that
    -- snapshot exists, so "rating by profile state" is always answerable.
    profile_version        integer not null,
    -- The learner's own question, if they asked one.
    query                  text check (length(query) <= 2000),
    -- Best first.
    recommended_course_ids uuid[] not null
        check (cardinality(recommended_course_ids) between 1 and 10
               and array_position(recommended_course_ids, null) is null),
    -- The overall summary shown above the list.
    explanation            text not null,
    -- Per course, in the same order: [{"course_id", "score", "explanation"}].
    course_explanations    jsonb not null default '[]' check (jsonb_typeof(course_explanations) = 'array'),
    -- What actually produced this row, e.g. "builtin-v1" or "gpt-4o-mini".
    llm_model              text not null check (btrim(llm_model) <> ''),
    user_rating            smallint check (user_rating between 1 and 5),
    user_feedback_text     text check (length(user_feedback_text) <= 2000),
    feedback_at            timestamptz,
    created_at             timestamptz not null default now(),
    foreign key (user_id, profile_version)
        references user_profile_snapshots (user_id, version) on delete restrict,
    -- Feedback always records when it was given.
    check (feedback_at is not null or (user_rating is null and user_feedback_text is null))
);
create index recommendations_user_id_created_at_idx on recommendations (user_id, created_at desc);
create index recommendations_llm_model_idx on recommendations (llm_model);
-- Serves the snapshot foreign key and "rating by profile version" analytics.
create index recommendations_user_id_profile_version_idx on recommendations (user_id, profile_version);
