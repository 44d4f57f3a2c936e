-- Product analytics: demo learners that can be told apart and removed, and
-- pre-aggregated answers to the data strategy's questions.
--
-- The dashboard reads materialized views, refreshed by refresh_analytics()
-- (hourly by the server, after `seed-demo`, and on an admin's request).
-- Why views and not live queries: at a million learners and ten million
-- snapshots, pairing consecutive snapshots (lag over every learner's
-- history) takes seconds, and each panel must answer in well under a
-- second. The views do that pairing once; panels then read small daily
-- aggregates or one row per learner. The cost is freshness: figures are as
-- of the last refresh, which the dashboard shows.

-- Demo learners (written by `server seed-demo`) carry this flag and an
-- address at demo.acmelearn.invalid, so they cannot be mistaken for people.
alter table users add column is_demo boolean not null default false;
create index users_is_demo_idx on users (id) where is_demo;
create index users_created_at_idx on users (created_at);

-- History stays insert-only, with one exception: `seed-demo --purge` may
-- delete demo learners' snapshots, and only when it says so for its own
-- transaction (acmelearn.purge_demo = on). Real learners' history can never
-- be deleted, by anyone.
create or replace function reject_history_change() returns trigger
language plpgsql as $$
begin
    if tg_op = 'DELETE'
       and tg_table_name = 'user_profile_snapshots'
       and current_setting('acmelearn.purge_demo', true) = 'on'
       and exists (select 1 from users where id = old.user_id and is_demo) then
        return old;
    end if;
    raise exception '% is insert-only: % is not allowed', tg_table_name, tg_op
        using errcode = 'restrict_violation';
end;
$$;

-- Segments filter learners by their current goal text.
create index user_profiles_learning_goal_trigram_idx
    on user_profiles using gin (learning_goal gin_trgm_ops);
create index recommendations_created_at_idx on recommendations (created_at);

-- Every profile change: a snapshot paired with the one before it.
create materialized view analytics_profile_changes as
with paired as (
    select user_id, version, created_at as changed_at,
           lag(created_at) over history as previous_at,
           lag(current_level) over history as level_before,
           current_level as level_after,
           lag(time_commitment) over history as hours_before,
           time_commitment as hours_after,
           lag(interests_snapshot) over history as interests_before,
           interests_snapshot as interests_after
    from user_profile_snapshots
    window history as (partition by user_id order by version)
)
select user_id, version, changed_at, previous_at, level_before, level_after,
       hours_before, hours_after,
       jsonb_array_length(interests_before) as interest_count_before,
       jsonb_array_length(interests_after) as interest_count_after,
       array(select jsonb_array_elements_text(interests_after)
             except select jsonb_array_elements_text(interests_before)) as interests_added,
       array(select jsonb_array_elements_text(interests_before)
             except select jsonb_array_elements_text(interests_after)) as interests_removed
from paired
where version > 1;
create unique index analytics_profile_changes_key on analytics_profile_changes (user_id, version);

-- Level changes per day (UTC), with the time they took.
create materialized view analytics_daily_level_transitions as
select (changed_at at time zone 'UTC')::date as day, level_before, level_after,
       count(*) as transitions,
       sum(extract(epoch from changed_at - previous_at)) as seconds_between
from analytics_profile_changes
where level_before is not null and level_after is not null and level_before <> level_after
group by 1, 2, 3;
create unique index analytics_daily_level_transitions_key
    on analytics_daily_level_transitions (day, level_before, level_after);

-- Interests added and removed per day.
create materialized view analytics_daily_interest_changes as
select day, interest, sum(added)::bigint as added, sum(removed)::bigint as removed
from (
    select (changed_at at time zone 'UTC')::date as day, unnest(interests_added) as interest,
           1 as added, 0 as removed
    from analytics_profile_changes
    union all
    select (changed_at at time zone 'UTC')::date, unnest(interests_removed), 0, 1
    from analytics_profile_changes
) changes
group by 1, 2;
create unique index analytics_daily_interest_changes_key
    on analytics_daily_interest_changes (day, interest);

-- Recommendations per day, model and the learner's level at the time (from
-- the snapshot of the profile version the recommendation was made from).
create materialized view analytics_daily_model_ratings as
select (r.created_at at time zone 'UTC')::date as day, r.llm_model,
       coalesce(s.current_level, 'not set') as level,
       count(*) as recommendations,
       count(r.user_rating) as rated,
       count(r.user_feedback_text) as with_feedback,
       coalesce(sum(r.user_rating), 0) as rating_sum,
       count(*) filter (where r.user_rating = 1) as stars_1,
       count(*) filter (where r.user_rating = 2) as stars_2,
       count(*) filter (where r.user_rating = 3) as stars_3,
       count(*) filter (where r.user_rating = 4) as stars_4,
       count(*) filter (where r.user_rating = 5) as stars_5
from recommendations r
join user_profile_snapshots s on s.user_id = r.user_id and s.version = r.profile_version
group by 1, 2, 3;
create unique index analytics_daily_model_ratings_key
    on analytics_daily_model_ratings (day, llm_model, level);

-- Ratings per day and profile version (10 stands for 10 and later).
create materialized view analytics_daily_version_ratings as
select (created_at at time zone 'UTC')::date as day, least(profile_version, 10) as version,
       count(*) as recommendations, count(user_rating) as rated,
       coalesce(sum(user_rating), 0) as rating_sum
from recommendations
group by 1, 2;
create unique index analytics_daily_version_ratings_key
    on analytics_daily_version_ratings (day, version);

-- Each course's appearances in recommendations per day, and the ratings of
-- the recommendations it was part of.
create materialized view analytics_daily_course_popularity as
select (r.created_at at time zone 'UTC')::date as day, course_id,
       count(*) as recommended, count(r.user_rating) as rated,
       coalesce(sum(r.user_rating), 0) as rating_sum
from recommendations r, unnest(r.recommended_course_ids) as course_id
group by 1, 2;
create unique index analytics_daily_course_popularity_key
    on analytics_daily_course_popularity (day, course_id);
-- "Never recommended in the period" looks courses up one by one.
create index analytics_daily_course_popularity_course_idx
    on analytics_daily_course_popularity (course_id, day);

-- After a low rating (≤ 2), did the learner update the profile, and how did
-- they rate the next recommendation made after that update?
create materialized view analytics_low_rating_followups as
select low.id as recommendation_id, low.user_id, low.feedback_at as rated_at,
       low.user_rating as low_rating, updated.changed_at as profile_updated_at,
       next_one.user_rating as next_rating
from recommendations low
left join lateral (
    select c.changed_at from analytics_profile_changes c
    where c.user_id = low.user_id and c.changed_at > low.feedback_at
    order by c.changed_at limit 1
) updated on true
left join lateral (
    select r.user_rating from recommendations r
    where r.user_id = low.user_id and updated.changed_at is not null
      and r.created_at > updated.changed_at
    order by r.created_at limit 1
) next_one on true
where low.user_rating <= 2;
create unique index analytics_low_rating_followups_key
    on analytics_low_rating_followups (recommendation_id);

-- One row per learner: when they joined and were last active, and the first
-- time each journey or churn signal showed.
create materialized view analytics_learners as
with changes as (
    select user_id,
           min(changed_at) filter (where hours_after < hours_before * 0.5) as hours_drop_at,
           min(changed_at) filter (where interest_count_before >= 3 and interest_count_after = 1) as narrowed_at,
           min(changed_at) filter (where level_before = 'beginner' and level_after = 'intermediate') as beginner_to_intermediate_at
    from analytics_profile_changes
    group by user_id
), first_level as (
    select distinct on (user_id) user_id, current_level
    from user_profile_snapshots
    where current_level is not null
    order by user_id, version
), ratings as (
    select user_id, count(*) as negative_ratings, max(feedback_at) as last_negative_at
    from recommendations where user_rating <= 2
    group by user_id
)
select u.id as user_id, u.email, u.is_demo, u.is_active, u.created_at as signed_up_at,
       coalesce(u.last_seen_at, u.created_at) as last_active_at,
       first_level.current_level as first_level,
       changes.hours_drop_at, changes.narrowed_at, changes.beginner_to_intermediate_at,
       coalesce(ratings.negative_ratings, 0) as negative_ratings, ratings.last_negative_at
from users u
left join changes on changes.user_id = u.id
left join first_level on first_level.user_id = u.id
left join ratings on ratings.user_id = u.id
where u.role = 'learner';
create unique index analytics_learners_key on analytics_learners (user_id);
create index analytics_learners_signed_up_at_idx on analytics_learners (signed_up_at);
create index analytics_learners_at_risk_idx on analytics_learners (last_active_at)
    where hours_drop_at is not null or narrowed_at is not null or negative_ratings > 0;

-- When the views were last refreshed, for the dashboard to say.
create table analytics_refreshes (
    id           bigint generated always as identity primary key,
    refreshed_at timestamptz not null default now(),
    duration_ms  integer not null check (duration_ms >= 0)
);

-- Refreshes every view in dependency order. Concurrently: the dashboard
-- keeps reading the previous figures while new ones are computed.
create function refresh_analytics() returns void
language plpgsql as $$
declare
    started timestamptz := clock_timestamp();
begin
    refresh materialized view concurrently analytics_profile_changes;
    refresh materialized view concurrently analytics_daily_level_transitions;
    refresh materialized view concurrently analytics_daily_interest_changes;
    refresh materialized view concurrently analytics_daily_model_ratings;
    refresh materialized view concurrently analytics_daily_version_ratings;
    refresh materialized view concurrently analytics_daily_course_popularity;
    refresh materialized view concurrently analytics_low_rating_followups;
    refresh materialized view concurrently analytics_learners;
    insert into analytics_refreshes (duration_ms)
    values ((extract(epoch from clock_timestamp() - started) * 1000)::integer);
end;
$$;
