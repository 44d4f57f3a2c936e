-- The commit-time checks, each as one query run by the trigger itself: same
-- guarantees, same messages.
--
-- Before, the profile trigger reached its check through a nested call
-- (`perform check_profile_snapshot(id)`: a query that runs a function that
-- runs the query), and the interest trigger ran two queries. With saves
-- written in batches, these per-row checks were about a sixth of
-- PostgreSQL's work per save.

create or replace function check_profile_snapshot_of_row() returns trigger
language plpgsql as $$
declare
    profile_version integer;
    has_snapshot boolean;
    snapshot_matches boolean;
begin
    -- The profile as it is now, at commit (it may have changed again since
    -- this row event), against the snapshot of its current version.
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
    where p.id = new.id;
    if not found then
        return null;
    end if;
    if not has_snapshot then
        raise exception 'profile % is at version % but has no snapshot of it',
            new.id, profile_version using errcode = 'integrity_constraint_violation';
    end if;
    if snapshot_matches is not true then
        raise exception 'the snapshot of profile % version % does not match the profile',
            new.id, profile_version using errcode = 'integrity_constraint_violation';
    end if;
    return null;
end;
$$;

-- Only the profile trigger used it, and it now does the check itself.
drop function check_profile_snapshot(uuid);

create or replace function check_interest_change_has_new_version() returns trigger
language plpgsql as $$
declare
    profile_id uuid := case when tg_op = 'DELETE' then old.user_profile_id else new.user_profile_id end;
    profile_written_now boolean;
begin
    select xmin = pg_current_xact_id()::xid into profile_written_now
    from user_profiles where id = profile_id;
    if found and not profile_written_now then
        raise exception 'interests of profile % changed without a new profile version', profile_id
            using errcode = 'integrity_constraint_violation';
    end if;
    return null;
end;
$$;
