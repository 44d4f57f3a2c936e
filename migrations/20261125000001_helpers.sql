-- Helpers shared by every table.
--
-- updated_at is kept by the database, not by application code, so no code path
-- (a manual fix in psql included) can forget it.
create or replace function set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

-- Attaches set_updated_at() to a table; every table with updated_at calls it.
create or replace function manage_updated_at(target regclass) returns void
language plpgsql as $$
begin
    execute format(
        'create trigger set_updated_at before update on %s
         for each row when (old is distinct from new) execute function set_updated_at()',
        target
    );
end;
$$;

-- Rejects any change to a history row: history is written once and then only read.
create or replace function reject_history_change() returns trigger
language plpgsql as $$
begin
    raise exception '% is insert-only: % is not allowed', tg_table_name, tg_op
        using errcode = 'restrict_violation';
end;
$$;
