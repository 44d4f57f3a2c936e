-- The read-only course catalog, imported from data/courses.json.
--
-- Tags and skills are normalised into their own tables (a tag is a thing
-- learners choose as an interest and filter by; renaming it must not touch
-- courses). The junction tables' primary keys serve lookups from the course
-- side; the extra indexes serve lookups from the tag/skill side.

create table courses (
    id          uuid primary key default gen_random_uuid(),
    -- Titles identify a course across imports (the file has no ids).
    title       text not null check (btrim(title) <> '' and length(title) <= 300),
    description text not null,
    difficulty  text not null check (difficulty in ('beginner', 'intermediate', 'advanced')),
    -- Whole hours of study.
    duration    integer not null check (duration > 0),
    -- The syllabus as written in the file ("Module 1: … - …").
    contents    text not null,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);
create unique index courses_title_key on courses (lower(title));
create index courses_difficulty_idx on courses (difficulty);
select manage_updated_at('courses');

create table tags (
    id         uuid primary key default gen_random_uuid(),
    -- Lowercase, trimmed, single-spaced: the import normalises before insert.
    name       text not null unique check (name = lower(btrim(name)) and name <> ''),
    -- Groups tags on the tag browser and the interest picker; "Other" when the
    -- category file does not mention the tag.
    category   text not null default 'Other' check (btrim(category) <> ''),
    created_at timestamptz not null default now()
);

create table skills (
    id         uuid primary key default gen_random_uuid(),
    -- Kept as first written ("SQL Joins"), unique regardless of case.
    name       text not null check (name = btrim(name) and name <> ''),
    created_at timestamptz not null default now()
);
create unique index skills_name_key on skills (lower(name));

create table course_tags (
    course_id uuid not null references courses (id) on delete cascade,
    tag_id    uuid not null references tags (id) on delete cascade,
    primary key (course_id, tag_id)
);
create index course_tags_tag_id_idx on course_tags (tag_id);

create table course_skills (
    course_id uuid not null references courses (id) on delete cascade,
    skill_id  uuid not null references skills (id) on delete cascade,
    primary key (course_id, skill_id)
);
create index course_skills_skill_id_idx on course_skills (skill_id);
