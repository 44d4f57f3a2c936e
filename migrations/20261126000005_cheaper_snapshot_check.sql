-- The commit-time snapshot check in one query, same guarantee and messages.
--
-- Before, the check read the profile and its snapshot separately and
-- compared interests through a SQL-language function, which PostgreSQL
-- plans afresh on every call: about 0.3 ms of every profile save, more than
-- the save itself. A query written inside PL/pgSQL keeps its plan for the
-- session.

create or replace function check_profile_snapshot(profile_id uuid) returns void
language plpgsql as $$
declare
    profile_version integer;
    has_snapshot boolean;
    snapshot_matches boolean;
begin
    select p.version,
           s.id is not null,
           (s.learning_goal, s.current_level, s.time_commitment, s.user_id)
               is not distinct from (p.learning_goal, p.current_level, p.time_commitment, p.user_id)
           and s.interests_snapshot = (
               select coalesce(jsonb_agg(t.name order by t.name), '[]'::jsonb)
               from user_interests ui join tags t on t.id = ui.tag_id
               where ui.user_profile_id = p.id)
      into profile_version, has_snapshot, snapshot_matches
    from user_profiles p
    left join user_profile_snapshots s on s.user_profile_id = p.id and s.version = p.version
    where p.id = profile_id;
    if not found then
        return;
    end if;
    if not has_snapshot then
        raise exception 'profile % is at version % but has no snapshot of it',
            profile_id, profile_version using errcode = 'integrity_constraint_violation';
    end if;
    if snapshot_matches is not true then
        raise exception 'the snapshot of profile % version % does not match the profile',
            profile_id, profile_version using errcode = 'integrity_constraint_violation';
    end if;
end;
$$;

-- Only the old check used it.
drop function profile_interest_names(uuid);
