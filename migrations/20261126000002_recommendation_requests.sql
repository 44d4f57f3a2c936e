-- What the recommendation engine needs beyond the original table: telling a
-- double-submitted request from a new one, what each request was assigned to
-- (A/B by model) versus what answered it, why a model was not used, and what
-- each answer cost.

-- The form's one-time token: the same token sent twice (a double click, a
-- resubmitted page) stores one recommendation, not two.
alter table recommendations add column request_id uuid;
create unique index recommendations_user_id_request_id_key
    on recommendations (user_id, request_id);

-- "personal": ranked from the learner's profile and question. "popular": the
-- profile said too little, so popular beginner courses were shown, labelled.
alter table recommendations add column kind text not null default 'personal'
    check (kind in ('personal', 'popular'));

-- The model the learner's A/B arm asked for; llm_model says what actually
-- answered ("builtin-v1" after a fallback). Both the same when it worked.
alter table recommendations add column requested_model text
    check (btrim(requested_model) <> '');
-- Why the requested model's answer was not used: timeout, HTTP error, rate
-- limit, invalid output. Null when it was (or when none was requested).
alter table recommendations add column fallback_reason text
    check (length(fallback_reason) <= 500);

alter table recommendations add column latency_ms integer check (latency_ms >= 0);
-- Reported by the model's API; null for the built-in ranker.
alter table recommendations add column prompt_tokens integer check (prompt_tokens >= 0);
alter table recommendations add column completion_tokens integer check (completion_tokens >= 0);
