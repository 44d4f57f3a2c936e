-- The at-risk list (least recently active first, 50 at a time) walks active
-- learners in order of last activity and stops at the first 50 with a
-- warning sign in the period; half of all learners have one, so that takes
-- a few index entries instead of sorting every flagged learner. The index it
-- replaces carried a condition the query could not use.
-- Measured with `make bench-analytics` (1,000,000 learners).

drop index if exists analytics_learners_at_risk_idx;
create index analytics_learners_last_active_idx on analytics_learners (last_active_at, email) where is_active;
