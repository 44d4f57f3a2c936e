//! Catalog search against PostgreSQL (a fresh database per test).

use super::*;
use crate::catalog::test_courses::{Course, insert};

const CATALOG: &[Course] = &[
    Course {
        title: "Python Basics",
        difficulty: "beginner",
        hours: 10,
        tags: &["python", "programming"],
        skills: &["Python Syntax", "Functions"],
        description: "Your first steps in programming, one small script at a time.",
    },
    Course {
        title: "Data Analysis with Python",
        difficulty: "intermediate",
        hours: 30,
        tags: &["python", "data analysis", "pandas"],
        skills: &["Data Cleaning", "Functions"],
        description: "Load, clean and summarise tables of data.",
    },
    Course {
        title: "Web Apps in a Weekend",
        difficulty: "beginner",
        hours: 8,
        tags: &["web", "html"],
        skills: &["Page Layout"],
        description: "Build a small website; the backend is written in Python.",
    },
    Course {
        title: "Distributed Data Pipelines",
        difficulty: "advanced",
        hours: 60,
        tags: &["data engineering", "python", "pandas"],
        skills: &["Stream Processing", "Data Cleaning"],
        description: "Move data reliably between systems at scale.",
    },
    Course {
        title: "User Research Essentials",
        difficulty: "beginner",
        hours: 12,
        tags: &["design", "research"],
        skills: &["Interviewing"],
        description: "Learn what people need before you design anything.",
    },
];

async fn catalog(pool: &PgPool) {
    insert(pool, CATALOG).await;
}

fn query(pairs: &[(&str, &str)]) -> CatalogQuery {
    let parsed = CatalogQuery::from_pairs(pairs);
    assert!(parsed.notes.is_empty(), "{:?}", parsed.notes);
    parsed.query
}

fn titles(page: &CatalogPage) -> Vec<String> {
    page.courses
        .iter()
        .map(|hit| hit.course.title.clone())
        .collect()
}

async fn titles_for(pool: &PgPool, pairs: &[(&str, &str)]) -> Vec<String> {
    titles(&search(pool, &query(pairs)).await.unwrap())
}

#[sqlx::test(migrations = "../migrations")]
async fn without_a_search_everything_is_listed_by_title(pool: PgPool) {
    catalog(&pool).await;
    let page = search(&pool, &CatalogQuery::default()).await.unwrap();
    assert_eq!(page.total, 5);
    assert_eq!((page.page, page.page_count), (1, 1));
    assert_eq!(
        titles(&page),
        [
            "Data Analysis with Python",
            "Distributed Data Pipelines",
            "Python Basics",
            "User Research Essentials",
            "Web Apps in a Weekend"
        ]
    );
    assert!(page.notes.is_empty());
    assert_eq!(page.courses[2].course.tags, ["programming", "python"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_exact_title_ranks_first_then_title_matches(pool: PgPool) {
    catalog(&pool).await;
    let found = titles_for(&pool, &[("q", "python basics")]).await;
    assert_eq!(found[0], "Python Basics");

    let found = titles_for(&pool, &[("q", "Data Analysis with Python")]).await;
    assert_eq!(found, ["Data Analysis with Python"]);

    // Title matches (weight A) outrank a mention in the description (C).
    let found = titles_for(&pool, &[("q", "python")]).await;
    assert_eq!(found.len(), 4);
    assert_eq!(found.last().unwrap(), "Web Apps in a Weekend");
}

#[sqlx::test(migrations = "../migrations")]
async fn tags_and_skills_are_searched_and_words_are_stemmed(pool: PgPool) {
    catalog(&pool).await;
    assert_eq!(
        titles_for(&pool, &[("q", "interviews")]).await,
        ["User Research Essentials"]
    );
    assert_eq!(
        titles_for(&pool, &[("q", "pandas")]).await.len(),
        2,
        "a tag is searchable"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn phrases_and_exclusions_follow_web_search_syntax(pool: PgPool) {
    catalog(&pool).await;
    assert_eq!(
        titles_for(&pool, &[("q", "\"data cleaning\" -pipelines")]).await,
        ["Data Analysis with Python"]
    );
    assert_eq!(
        titles_for(&pool, &[("q", "python -pandas")]).await,
        ["Python Basics", "Web Apps in a Weekend"]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn matches_are_highlighted(pool: PgPool) {
    catalog(&pool).await;
    let page = search(&pool, &query(&[("q", "weekend")])).await.unwrap();
    let title = &page.courses[0].title;
    assert_eq!(title.text(), "Web Apps in a Weekend");
    assert!(title.0.contains(&("Weekend".to_owned(), true)), "{title:?}");
    assert!(page.courses[0].snippet.text().contains("website"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_typo_is_corrected_when_nothing_matches(pool: PgPool) {
    catalog(&pool).await;
    let page = search(&pool, &query(&[("q", "pyhton")])).await.unwrap();
    assert_eq!(page.corrected_text.as_deref(), Some("python"));
    assert_eq!(page.total, 4);

    let page = search(&pool, &query(&[("q", "pyhton basics")]))
        .await
        .unwrap();
    assert_eq!(page.corrected_text.as_deref(), Some("python basics"));
    assert_eq!(titles(&page)[0], "Python Basics");

    // Real words are never "corrected", and nonsense finds nothing.
    let page = search(&pool, &query(&[("q", "python")])).await.unwrap();
    assert_eq!(page.corrected_text, None);
    let page = search(&pool, &query(&[("q", "zzzqqqxx")])).await.unwrap();
    assert_eq!((page.total, page.corrected_text), (0, None));
}

#[sqlx::test(migrations = "../migrations")]
async fn each_filter_narrows_alone_and_together(pool: PgPool) {
    catalog(&pool).await;
    assert_eq!(
        titles_for(&pool, &[("difficulty", "beginner")]).await,
        [
            "Python Basics",
            "User Research Essentials",
            "Web Apps in a Weekend"
        ]
    );
    // Tags combine with AND.
    assert_eq!(
        titles_for(&pool, &[("tag", "python"), ("tag", "pandas")]).await,
        ["Data Analysis with Python", "Distributed Data Pipelines"]
    );
    assert_eq!(
        titles_for(&pool, &[("tag", "python"), ("tag", "html")]).await,
        Vec::<String>::new()
    );
    assert_eq!(
        titles_for(&pool, &[("min_hours", "10"), ("max_hours", "30")]).await,
        [
            "Data Analysis with Python",
            "Python Basics",
            "User Research Essentials"
        ]
    );
    assert_eq!(
        titles_for(
            &pool,
            &[
                ("q", "data"),
                ("tag", "pandas"),
                ("difficulty", "advanced"),
                ("min_hours", "40")
            ]
        )
        .await,
        ["Distributed Data Pipelines"]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn every_sort_orders_as_named(pool: PgPool) {
    catalog(&pool).await;
    let shortest = titles_for(&pool, &[("sort", "shortest")]).await;
    assert_eq!(shortest[0], "Web Apps in a Weekend");
    assert_eq!(shortest[4], "Distributed Data Pipelines");
    let longest = titles_for(&pool, &[("sort", "longest")]).await;
    assert_eq!(longest[0], "Distributed Data Pipelines");
    let title = titles_for(&pool, &[("sort", "title")]).await;
    assert_eq!(title[0], "Data Analysis with Python");

    sqlx::query("update courses set created_at = now() + interval '1 day' where title = 'User Research Essentials'")
        .execute(&pool)
        .await
        .unwrap();
    let newest = titles_for(&pool, &[("sort", "newest")]).await;
    assert_eq!(newest[0], "User Research Essentials");
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_hold_twenty_and_a_page_past_the_end_shows_the_last(pool: PgPool) {
    let titles_owned: Vec<String> = (1..=45).map(|n| format!("Course {n:02}")).collect();
    let courses: Vec<Course> = titles_owned
        .iter()
        .map(|title| Course {
            title,
            difficulty: "beginner",
            hours: 5,
            tags: &["general"],
            skills: &["Basics"],
            description: "A course.",
        })
        .collect();
    insert(&pool, &courses).await;

    let first = search(&pool, &CatalogQuery::default()).await.unwrap();
    assert_eq!(
        (first.total, first.page_count, first.courses.len()),
        (45, 3, 20)
    );
    assert_eq!(first.courses[0].course.title, "Course 01");
    let third = search(&pool, &query(&[("page", "3")])).await.unwrap();
    assert_eq!(third.courses.len(), 5);
    assert_eq!(third.courses[0].course.title, "Course 41");

    let far = search(&pool, &query(&[("page", "9000000000")]))
        .await
        .unwrap();
    assert_eq!(far.page, 3);
    assert_eq!(far.courses.len(), 5);
    assert!(
        far.notes[0].contains("There is no page 9000000000"),
        "{:?}",
        far.notes
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn past_a_thousand_matches_the_count_says_so(pool: PgPool) {
    sqlx::query(
        "insert into courses (title, description, difficulty, duration, contents)
         select 'Course ' || n, 'About python.', 'beginner', 5, 'Module 1: A - b.'
         from generate_series(1, 1005) n",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("select refresh_catalog_search(array(select id from courses))")
        .execute(&pool)
        .await
        .unwrap();
    let page = search(&pool, &query(&[("q", "python")])).await.unwrap();
    assert_eq!((page.total, page.more_than_counted), (1_000, true));
    assert_eq!(page.page_count, 50);
    let page = search(&pool, &query(&[("q", "python"), ("max_hours", "4")]))
        .await
        .unwrap();
    assert_eq!((page.total, page.more_than_counted), (0, false));
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_tags_and_empty_searches_are_explained_not_errors(pool: PgPool) {
    catalog(&pool).await;
    let page = search(&pool, &query(&[("tag", "python"), ("tag", "cobol")]))
        .await
        .unwrap();
    assert_eq!(page.total, 3, "the unknown tag is left out");
    assert_eq!(
        page.notes,
        ["There is no tag “cobol”, so that filter was left out."]
    );

    let page = search(&pool, &query(&[("q", "the and of")])).await.unwrap();
    assert_eq!(page.total, 5);
    assert!(page.notes[0].contains("no words specific enough"));

    for odd in [
        "💥🔥",
        "'; drop table courses; --",
        "\"unclosed",
        "-",
        "!!!",
        "a & b | c",
        "ｐｙｔｈｏｎ",
        "\u{202e}nohtyp",
    ] {
        let page = search(&pool, &query(&[("q", odd)])).await;
        assert!(page.is_ok(), "{odd}: {page:?}");
    }

    let huge = CatalogQuery {
        text: "x".repeat(10_000),
        page: -4,
        tags: (0..500).map(|n| format!("tag {n}")).collect(),
        ..CatalogQuery::default()
    };
    let checked = huge.checked();
    assert_eq!(checked.query.text.len(), 200);
    assert_eq!(checked.query.page, 1);
    assert!(search(&pool, &checked.query).await.is_ok());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_course_page_has_its_details_and_related_courses(pool: PgPool) {
    catalog(&pool).await;
    let detail = course_detail(&pool, "data-analysis-with-python")
        .await
        .unwrap()
        .expect("found by slug");
    assert_eq!(detail.course.title, "Data Analysis with Python");
    assert_eq!(detail.skills, ["Data Cleaning", "Functions"]);
    assert_eq!(detail.syllabus.len(), 2);
    let related: Vec<&str> = detail.related.iter().map(|c| c.title.as_str()).collect();
    // Shares python, pandas and Data Cleaning with the pipelines course.
    assert_eq!(related[0], "Distributed Data Pipelines");
    assert!(!related.contains(&"User Research Essentials"));

    let by_id = course_detail(&pool, &detail.course.id.to_string())
        .await
        .unwrap()
        .expect("found by id");
    assert_eq!(by_id.course.slug, "data-analysis-with-python");

    assert_eq!(course_detail(&pool, "no-such-course").await.unwrap(), None);
    assert_eq!(
        course_detail(&pool, &Uuid::nil().to_string())
            .await
            .unwrap(),
        None
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn titles_that_slug_alike_get_distinct_addresses(pool: PgPool) {
    let course = |title| Course {
        title,
        difficulty: "beginner",
        hours: 5,
        tags: &["c++"],
        skills: &["Pointers"],
        description: "Systems programming.",
    };
    insert(
        &pool,
        &[
            course("C++ Basics!"),
            course("C Plus Plus: Basics"),
            course("C# Basics"),
        ],
    )
    .await;
    let slugs: Vec<String> =
        sqlx::query_scalar("select slug from courses order by created_at, slug")
            .fetch_all(&pool)
            .await
            .unwrap();
    let mut sorted = slugs.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "c-plus-plus-basics",
            "c-plus-plus-basics-2",
            "c-sharp-basics"
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn tag_choices_carry_course_counts(pool: PgPool) {
    catalog(&pool).await;
    let tags = tag_choices(&pool).await.unwrap();
    let python = tags.iter().find(|tag| tag.name == "python").unwrap();
    assert_eq!(python.course_count, 3);
    assert_eq!(python.category, "Topics");
    assert_eq!(tags.len(), 9);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_search_uses_its_indexes(pool: PgPool) {
    catalog(&pool).await;
    // Planner statistics for a small table favour scans; forbid them to see
    // that an index can serve each lookup at all.
    let mut connection = pool.acquire().await.unwrap();
    sqlx::query("set enable_seqscan = off")
        .execute(&mut *connection)
        .await
        .unwrap();
    let plan: Vec<String> = sqlx::query_scalar(
        "explain select id from courses where search_document @@ websearch_to_tsquery('english', 'python')",
    )
    .fetch_all(&mut *connection)
    .await
    .unwrap();
    assert!(
        plan.join("\n").contains("courses_search_document_idx"),
        "{plan:?}"
    );
    let plan: Vec<String> = sqlx::query_scalar(
        "explain select term from search_terms order by term <-> 'pyhton' limit 1",
    )
    .fetch_all(&mut *connection)
    .await
    .unwrap();
    assert!(
        plan.join("\n").contains("search_terms_trigram_idx"),
        "{plan:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_offline_copy_lists_every_course_newest_first_with_a_short_description(pool: PgPool) {
    catalog(&pool).await;
    let offline = offline_catalog(&pool).await.unwrap();
    let total: i64 = sqlx::query_scalar("select count(*) from courses")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(offline.len() as i64, total);
    let newest: String = sqlx::query_scalar(
        "select slug from courses order by created_at desc, lower(title) limit 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(offline[0].course.slug, newest);
    for entry in &offline {
        assert!(entry.description.chars().count() <= OFFLINE_DESCRIPTION_CHARS + 1);
    }
}

#[test]
fn a_long_description_is_cut_at_a_word_for_the_offline_copy() {
    let long = "word ".repeat(100);
    let excerpt = offline_excerpt(&long);
    assert!(excerpt.ends_with("word…"), "{excerpt}");
    assert!(excerpt.chars().count() <= OFFLINE_DESCRIPTION_CHARS + 1);
    assert_eq!(offline_excerpt("Short and whole."), "Short and whole.");
}
