-- Each server instance keeps recent answers to "who is this session's user?"
-- in memory (app/src/account/user_checks.rs) and forgets a user when told
-- here. Only the columns that check reads notify; the hourly last_seen_at
-- stamp and profile edits do not. The payload is the user's id, or empty
-- when the whole table is emptied. NOTIFY is sent at commit, so listeners
-- hear only of changes that happened.
create function notify_users_changed() returns trigger
language plpgsql as $$
begin
    if tg_op = 'TRUNCATE' then
        perform pg_notify('users_changed', '');
    else
        perform pg_notify('users_changed', old.id::text);
    end if;
    return null;
end
$$;

create trigger users_changed
    after update of id, email, role, is_active, session_epoch or delete on users
    for each row execute function notify_users_changed();

create trigger users_emptied
    after truncate on users
    for each statement execute function notify_users_changed();
