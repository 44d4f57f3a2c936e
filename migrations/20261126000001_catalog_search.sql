-- Catalog search: ranked full-text search, typo tolerance, readable course
-- addresses and per-tag course counts.
--
-- The catalog is read-only for the app and written only by the import (and
-- the benchmark's generator), so the derived columns below are refreshed by
-- those writers through refresh_catalog_search(), inside their transaction,
-- instead of by row triggers: one set-based statement for a whole import
-- beats recomputing a course's document once per tag link.

create extension if not exists pg_trgm;

-- Readable addresses: /courses/python-foundations-from-zero-to-scripts.
-- Assigned once, when the course is inserted, and never changed, so links
-- people shared keep working.
create function course_slug_base(title text) returns text
language sql immutable parallel safe as $$
    select coalesce(
        nullif(left(btrim(regexp_replace(
            replace(replace(lower(title), '#', ' sharp'), '+', ' plus'),
            '[^a-z0-9]+', '-', 'g'), '-'), 80), ''),
        'course')
$$;

-- Titles are unique regardless of case, but two titles can still differ only
-- in punctuation ("C++ Basics" / "C Plus Plus Basics"); later ones get -2, -3…
-- A row-level BEFORE trigger sees the rows its own statement inserted
-- earlier, so a multi-row import resolves clashes among its own rows too.
create function assign_course_slug() returns trigger
language plpgsql as $$
declare
    base      text := course_slug_base(new.title);
    candidate text := base;
    suffix    integer := 1;
begin
    if new.slug is null then
        while exists (select 1 from courses where slug = candidate) loop
            suffix := suffix + 1;
            candidate := base || '-' || suffix;
        end loop;
        new.slug := candidate;
    end if;
    return new;
end;
$$;

alter table courses add column slug text;
do $$
declare
    course record;
    base      text;
    candidate text;
    suffix    integer;
begin
    for course in select id, title from courses order by created_at, lower(title) loop
        base := course_slug_base(course.title);
        candidate := base;
        suffix := 1;
        while exists (select 1 from courses where slug = candidate) loop
            suffix := suffix + 1;
            candidate := base || '-' || suffix;
        end loop;
        update courses set slug = candidate where id = course.id;
    end loop;
end;
$$;
alter table courses alter column slug set not null;
create unique index courses_slug_key on courses (slug);
create trigger assign_course_slug before insert on courses
    for each row execute function assign_course_slug();

-- What full-text search matches and ranks: title (weight A), tags and skills
-- (B), description (C), syllabus (D).
alter table courses add column search_document tsvector not null default ''::tsvector;
create index courses_search_document_idx on courses using gin (search_document);
-- Sorting and the duration range.
create index courses_duration_idx on courses (duration, lower(title));
create index courses_created_at_idx on courses (created_at desc, lower(title));
-- The tag filter looks tags up by name and courses up by tag (course_tags_tag_id_idx).

-- Shown beside every tag choice; refreshed with the search documents.
alter table tags add column course_count integer not null default 0 check (course_count >= 0);

-- Words of titles, tags and skills: the vocabulary "did you mean" corrects
-- a mistyped search word to, by trigram distance (GiST answers nearest-first).
create table search_terms (
    term text primary key check (term = lower(term) and length(term) >= 3)
);
create index search_terms_trigram_idx on search_terms using gist (term gist_trgm_ops);
-- Typo-tolerant lookups straight on names, for type-ahead over tags and skills.
create index tags_name_trigram_idx on tags using gin (name gin_trgm_ops);
create index skills_name_trigram_idx on skills using gin (lower(name) gin_trgm_ops);

-- Recomputes what search derives from the given courses, their tag counts and
-- the vocabulary. Rows whose derived values are already right are not
-- written, so re-importing an unchanged catalog changes no row.
create function refresh_catalog_search(course_ids uuid[]) returns void
language sql as $$
    with fresh as (
        select c.id,
               setweight(to_tsvector('english', c.title), 'A')
            || setweight(to_tsvector('english', coalesce(
                   (select string_agg(t.name, ' ') from course_tags ct
                    join tags t on t.id = ct.tag_id where ct.course_id = c.id), '')), 'B')
            || setweight(to_tsvector('english', coalesce(
                   (select string_agg(s.name, ' ') from course_skills cs
                    join skills s on s.id = cs.skill_id where cs.course_id = c.id), '')), 'B')
            || setweight(to_tsvector('english', c.description), 'C')
            || setweight(to_tsvector('english', c.contents), 'D') as document
        -- A join, not "= any(course_ids)": the array can hold 100,000 ids.
        from courses c join unnest(course_ids) as refreshed (id) on refreshed.id = c.id
    )
    update courses c set search_document = fresh.document
    from fresh
    where c.id = fresh.id and c.search_document is distinct from fresh.document;

    update tags t set course_count = counted.course_count
    from (select tags.id, count(ct.course_id)::integer as course_count
          from tags left join course_tags ct on ct.tag_id = tags.id
          group by tags.id) counted
    where t.id = counted.id and t.course_count <> counted.course_count;

    insert into search_terms (term)
    select distinct word
    from (select regexp_split_to_table(lower(c.title), '[^[:alnum:]#+]+')
          from courses c join unnest(course_ids) as refreshed (id) on refreshed.id = c.id
          union all
          select regexp_split_to_table(name, '[^[:alnum:]#+]+') from tags
          union all
          select regexp_split_to_table(lower(name), '[^[:alnum:]#+]+') from skills) words (word)
    -- Words, not numbers: "#42" or "2024" is never a typo worth correcting.
    where length(word) >= 3 and word ~ '[[:alpha:]]'
    on conflict (term) do nothing;
$$;

select refresh_catalog_search(array(select id from courses));
