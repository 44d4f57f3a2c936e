-- Makes a profile version without its matching snapshot impossible, whoever
-- writes: the service, a migration, or someone in psql.
--
-- 1. Any change to a profile's state must come with version = version + 1,
--    and the version can change only together with the state.
-- 2. At commit (deferred constraint triggers), the snapshot of the profile's
--    current version must exist and hold exactly the current state, interests
--    included. Changing interests therefore also needs a new version.

create or replace function enforce_profile_version_step() returns trigger
language plpgsql as $$
begin
    if (new.learning_goal, new.current_level, new.time_commitment)
           is distinct from (old.learning_goal, old.current_level, old.time_commitment) then
        if new.version <> old.version + 1 then
            raise exception 'a profile change must set version = version + 1 (was %, got %)',
                old.version, new.version using errcode = 'check_violation';
        end if;
    elsif new.version not in (old.version, old.version + 1) then
        raise exception 'profile version can only advance by one (was %, got %)',
            old.version, new.version using errcode = 'check_violation';
    end if;
    return new;
end;
$$;

create trigger user_profiles_version_step
    before update on user_profiles
    for each row execute function enforce_profile_version_step();

-- The profile's interests as the snapshot stores them: tag names, sorted.
create or replace function profile_interest_names(profile_id uuid) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(t.name order by t.name), '[]'::jsonb)
    from user_interests ui join tags t on t.id = ui.tag_id
    where ui.user_profile_id = profile_id
$$;

create or replace function check_profile_snapshot(profile_id uuid) returns void
language plpgsql as $$
declare
    profile user_profiles;
    snapshot user_profile_snapshots;
begin
    select * into profile from user_profiles where id = profile_id;
    if not found then
        return;
    end if;
    select * into snapshot from user_profile_snapshots
    where user_profile_id = profile_id and version = profile.version;
    if not found then
        raise exception 'profile % is at version % but has no snapshot of it',
            profile_id, profile.version using errcode = 'integrity_constraint_violation';
    end if;
    if (snapshot.learning_goal, snapshot.current_level, snapshot.time_commitment, snapshot.user_id)
           is distinct from (profile.learning_goal, profile.current_level, profile.time_commitment, profile.user_id)
       or snapshot.interests_snapshot <> profile_interest_names(profile_id) then
        raise exception 'the snapshot of profile % version % does not match the profile',
            profile_id, profile.version using errcode = 'integrity_constraint_violation';
    end if;
end;
$$;

create or replace function check_profile_snapshot_of_row() returns trigger
language plpgsql as $$
begin
    if tg_table_name = 'user_profiles' then
        perform check_profile_snapshot(new.id);
    elsif tg_op = 'DELETE' then
        perform check_profile_snapshot(old.user_profile_id);
    else
        perform check_profile_snapshot(new.user_profile_id);
    end if;
    return null;
end;
$$;

create constraint trigger user_profiles_have_snapshots
    after insert or update on user_profiles
    deferrable initially deferred
    for each row execute function check_profile_snapshot_of_row();

create constraint trigger user_interests_match_snapshots
    after insert or update or delete on user_interests
    deferrable initially deferred
    for each row execute function check_profile_snapshot_of_row();
