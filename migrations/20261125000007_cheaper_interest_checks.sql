-- Cheaper commit-time check for interest changes, same guarantee.
--
-- Before: every changed user_interests row re-ran the full snapshot check of
-- its profile at commit. Now an interest change only has to come in the same
-- transaction as an update (or insert) of its profile row; that row's own
-- deferred check then compares the snapshot with the profile and its
-- interests once. Interests changed without a new profile version are still
-- refused. (A profile row last written inside a savepoint carries the
-- savepoint's id and is refused too: strict, never lax.)

create or replace function check_interest_change_has_new_version() returns trigger
language plpgsql as $$
declare
    profile_id uuid := case when tg_op = 'DELETE' then old.user_profile_id else new.user_profile_id end;
begin
    if exists (select 1 from user_profiles where id = profile_id)
       and not exists (
           select 1 from user_profiles
           where id = profile_id and xmin = pg_current_xact_id()::xid) then
        raise exception 'interests of profile % changed without a new profile version', profile_id
            using errcode = 'integrity_constraint_violation';
    end if;
    return null;
end;
$$;

drop trigger user_interests_match_snapshots on user_interests;

create constraint trigger user_interests_come_with_a_new_version
    after insert or update or delete on user_interests
    deferrable initially deferred
    for each row execute function check_interest_change_has_new_version();
