-- A recommendation request takes one of the learner's daily slots before it
-- does any expensive work (candidate search, ranking, the model call), not
-- when its answer is stored: otherwise N parallel requests all pass the
-- check and make N model calls for one free slot.
--
-- A reservation is taken under a per-learner advisory lock and counted with
-- the learner's stored recommendations. When the request ends it is deleted
-- (in the same transaction that stores the recommendation, or because the
-- request failed or needed no slot), except when the model judged the
-- question off-topic: such answers cost the learner no request, but each was
-- a model call, so the row stays, marked off_topic_at, and counts in a
-- separate, larger allowance for 24 hours.
create table recommendation_reservations (
    user_id           uuid not null references users (id) on delete cascade,
    -- The form's one-time token: a second request with the same token waits
    -- for this one instead of doing the work again.
    request_id        uuid not null,
    reserved_at       timestamptz not null default now(),
    off_topic_at      timestamptz,
    -- What the model answered, so a repeat of the same token gets the same
    -- answer without another model call.
    off_topic_message text check (length(off_topic_message) <= 1000),
    primary key (user_id, request_id),
    check ((off_topic_at is null) = (off_topic_message is null))
);
