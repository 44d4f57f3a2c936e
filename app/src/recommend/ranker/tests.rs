//! Personas against a small hand-made catalog.

use super::*;

/// A stable id per title.
fn id_of(title: &str) -> Uuid {
    Uuid::from_u128(
        title
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u128, |hash, byte| {
                (hash ^ u128::from(byte)).wrapping_mul(0x0100_0000_01b3)
            }),
    )
}

fn course(
    title: &str,
    difficulty: Difficulty,
    hours: i32,
    tags: &[&str],
    skills: &[&str],
) -> Candidate {
    Candidate {
        id: id_of(title),
        title: title.to_owned(),
        description: format!("A course about {}.", tags.join(", ")),
        difficulty,
        duration_hours: hours,
        tags: tags.iter().map(|tag| (*tag).to_owned()).collect(),
        skills: skills.iter().map(|skill| (*skill).to_owned()).collect(),
        popularity: 0,
    }
}

fn catalog() -> Vec<Candidate> {
    use Difficulty::*;
    vec![
        course(
            "HTML and CSS from Scratch",
            Beginner,
            20,
            &["web development", "html", "css"],
            &["Semantic HTML", "Flexbox"],
        ),
        course(
            "JavaScript First Steps",
            Beginner,
            24,
            &["web development", "javascript"],
            &["DOM Events"],
        ),
        course(
            "Building Web Apps with React",
            Intermediate,
            30,
            &["web development", "javascript", "react"],
            &["Components", "Hooks"],
        ),
        course(
            "Web Performance at Scale",
            Advanced,
            28,
            &["web development", "performance"],
            &["Profiling"],
        ),
        course(
            "Excel Basics for Everyone",
            Beginner,
            8,
            &["spreadsheets", "data analysis"],
            &["Formulas", "Pivot Tables"],
        ),
        course(
            "SQL for Analysts",
            Intermediate,
            20,
            &["sql", "data analysis"],
            &["SQL Joins", "Window Functions"],
        ),
        course(
            "Data Pipelines with Airflow",
            Advanced,
            32,
            &["data engineering", "python"],
            &["DAG Design", "Orchestration"],
        ),
        course(
            "Streaming Data Engineering",
            Advanced,
            36,
            &["data engineering", "streaming"],
            &["Kafka", "Exactly-once Delivery"],
        ),
        course(
            "Data Warehouse Modelling",
            Intermediate,
            26,
            &["data engineering", "sql"],
            &["Star Schemas", "Slowly Changing Dimensions"],
        ),
        course(
            "Python Foundations",
            Beginner,
            24,
            &["python", "programming fundamentals"],
            &["Python Syntax"],
        ),
        course(
            "Brand Identity Design",
            Intermediate,
            18,
            &["design", "branding"],
            &["Logo Design"],
        ),
    ]
}

fn titles(ranking: &Ranking, candidates: &[Candidate]) -> Vec<String> {
    ranking
        .picks
        .iter()
        .map(|pick| {
            candidates
                .iter()
                .find(|course| course.id == pick.course_id)
                .map(|course| course.title.clone())
                .unwrap_or_default()
        })
        .collect()
}

fn difficulty_of(title: &str, candidates: &[Candidate]) -> Difficulty {
    candidates
        .iter()
        .find(|course| course.title == title)
        .map(|course| course.difficulty)
        .unwrap_or(Difficulty::Advanced)
}

#[test]
fn a_beginner_who_wants_web_development_gets_beginner_web_courses_first() {
    let candidates = catalog();
    let learner = Learner {
        goal: Some("Build my own website".into()),
        level: Some(Level::Beginner),
        hours_per_week: Some(5),
        interests: vec!["web development".into(), "javascript".into()],
        question: None,
    };
    let ranking = rank(&learner, &candidates);
    let picked = titles(&ranking, &candidates);
    assert!(!ranking.popular);
    assert!(
        (MIN_COURSES..=MAX_COURSES).contains(&picked.len()),
        "{picked:?}"
    );
    // Both interests at the learner's level: the best match.
    assert_eq!(picked[0], "JavaScript First Steps", "{picked:?}");
    assert!(
        picked.contains(&"HTML and CSS from Scratch".to_owned()),
        "{picked:?}"
    );
    // A beginner is never sent straight to advanced work.
    assert!(
        !picked.contains(&"Web Performance at Scale".to_owned()),
        "{picked:?}"
    );
    // Relevance decides the order (the learning path is a separate view).
    assert!(
        ranking
            .picks
            .windows(2)
            .all(|pair| pair[0].score >= pair[1].score),
        "{:?}",
        ranking.picks
    );
    // Nothing unrelated.
    assert!(
        !picked
            .iter()
            .any(|title| title.contains("Brand") || title.contains("Streaming")),
        "{picked:?}"
    );
}

#[test]
fn an_advanced_data_engineer_is_not_shown_beginner_excel() {
    let candidates = catalog();
    let learner = Learner {
        goal: Some("Run reliable data pipelines in production".into()),
        level: Some(Level::Advanced),
        hours_per_week: Some(10),
        interests: vec![
            "data engineering".into(),
            "data analysis".into(),
            "sql".into(),
        ],
        question: None,
    };
    let ranking = rank(&learner, &candidates);
    let picked = titles(&ranking, &candidates);
    assert!(
        !picked.contains(&"Excel Basics for Everyone".to_owned()),
        "{picked:?}"
    );
    assert!(
        !picked
            .iter()
            .any(|title| difficulty_of(title, &candidates) == Difficulty::Beginner),
        "{picked:?}"
    );
    assert!(
        picked.contains(&"Data Pipelines with Airflow".to_owned()),
        "{picked:?}"
    );
    assert!(
        picked.contains(&"Streaming Data Engineering".to_owned()),
        "{picked:?}"
    );
}

#[test]
fn the_question_leads_over_standing_interests() {
    let candidates = catalog();
    let learner = Learner {
        goal: None,
        level: Some(Level::Intermediate),
        hours_per_week: Some(6),
        interests: vec!["design".into(), "branding".into()],
        question: Some("I want to get into data engineering".into()),
    };
    let ranking = rank(&learner, &candidates);
    let picked = titles(&ranking, &candidates);
    // The best match comes first: no later pick scores higher (two picks
    // may tie once scores are rounded to whole numbers).
    let best = ranking.picks.first().expect("picks");
    assert!(
        ranking.picks.iter().all(|pick| pick.score <= best.score),
        "the best match comes first: {:?}",
        ranking.picks
    );
    let best_title = candidates
        .iter()
        .find(|course| course.id == best.course_id)
        .map(|course| course.title.as_str());
    assert!(
        best_title.is_some_and(|title| title.contains("Data")),
        "{picked:?}"
    );
    assert!(
        !picked.contains(&"Brand Identity Design".to_owned()),
        "{picked:?}"
    );
    let explanation = &best.explanation;
    assert!(
        explanation.contains("data and engineering, as you asked"),
        "{explanation}"
    );
}

#[test]
fn explanations_cite_interests_level_and_time() {
    let candidates = catalog();
    let learner = Learner {
        goal: None,
        level: Some(Level::Beginner),
        hours_per_week: Some(4),
        interests: vec!["python".into()],
        question: None,
    };
    let ranking = rank(&learner, &candidates);
    let python = id_of("Python Foundations");
    let pick = ranking
        .picks
        .iter()
        .find(|pick| pick.course_id == python)
        .expect("python picked");
    assert!(
        pick.explanation.contains("Matches your interest python."),
        "{}",
        pick.explanation
    );
    assert!(
        pick.explanation.contains("A beginner course"),
        "{}",
        pick.explanation
    );
    assert!(
        pick.explanation
            .contains("24 hours: about 6 weeks at your 4 hours a week."),
        "{}",
        pick.explanation
    );
    assert!(
        ranking.summary.contains("your beginner level"),
        "{}",
        ranking.summary
    );
    assert!(ranking.picks.iter().all(|pick| pick.score <= 100));
}

#[test]
fn stems_match_other_forms_of_a_word() {
    let candidates = catalog();
    let learner = Learner {
        question: Some("pipelines orchestrating".into()),
        level: Some(Level::Advanced),
        ..Learner::default()
    };
    let ranking = rank(&learner, &candidates);
    let picked = titles(&ranking, &candidates);
    assert_eq!(
        picked.first().map(String::as_str),
        Some("Data Pipelines with Airflow"),
        "{picked:?}"
    );
}

#[test]
fn an_empty_profile_gets_popular_beginner_courses_labelled_as_such() {
    let mut candidates = catalog();
    candidates[4].popularity = 50; // Excel
    let ranking = rank(&Learner::default(), &candidates);
    let picked = titles(&ranking, &candidates);
    assert!(ranking.popular);
    assert!(ranking.summary.contains("popular beginner courses"));
    assert_eq!(picked[0], "Excel Basics for Everyone");
    assert!(
        picked
            .iter()
            .all(|title| difficulty_of(title, &candidates) == Difficulty::Beginner)
    );
    assert!(ranking.picks.iter().all(|pick| pick.score == 0));
}

#[test]
fn a_short_list_is_not_padded_with_unrelated_courses() {
    let candidates = catalog();
    let learner = Learner {
        level: Some(Level::Intermediate),
        interests: vec!["branding".into()],
        ..Learner::default()
    };
    let ranking = rank(&learner, &candidates);
    let picked = titles(&ranking, &candidates);
    assert_eq!(picked, ["Brand Identity Design"]);
    assert!(
        ranking
            .summary
            .contains("Nothing else in the catalog matches closely"),
        "{}",
        ranking.summary
    );
}

#[test]
fn a_short_list_is_rounded_out_only_with_courses_sharing_an_interest_said_plainly() {
    let candidates = catalog();
    let learner = Learner {
        level: Some(Level::Advanced),
        goal: Some("kafka".into()),
        interests: vec!["data engineering".into()],
        ..Learner::default()
    };
    let ranking = rank(&learner, &candidates);
    let picked = titles(&ranking, &candidates);
    assert_eq!(picked[0], "Streaming Data Engineering", "{picked:?}");
    assert!(picked.len() > 1, "{picked:?}");
    for (pick, title) in ranking.picks.iter().zip(&picked).skip(1) {
        assert!(
            pick.explanation.starts_with(
                "Not a close match: a related pick that shares your interest data engineering."
            ),
            "{title}: {}",
            pick.explanation
        );
    }
    // Same tag category ("Data"), nothing in common with the learner.
    assert!(
        !picked
            .iter()
            .any(|title| title.contains("Excel") || title.contains("SQL")),
        "{picked:?}"
    );
}

#[test]
fn loose_evidence_lists_only_the_closest_matches_and_says_why() {
    let candidates = catalog();
    // "data" is in half the catalog's titles and tags: it says little about
    // which course is meant, so even the best match is a loose one.
    let learner = Learner {
        question: Some("something with data".into()),
        ..Learner::default()
    };
    let ranking = rank(&learner, &candidates);
    let mut picked = titles(&ranking, &candidates);
    picked.sort();
    // The courses with "data" in their titles tie; those with it only in a
    // tag ("data analysis": Excel Basics, SQL for Analysts) would be close
    // enough beside a strong match, but not beside a loose one.
    assert_eq!(
        picked,
        [
            "Data Pipelines with Airflow",
            "Data Warehouse Modelling",
            "Streaming Data Engineering"
        ]
    );
    assert!(
        ranking.summary.contains("matches the catalog only loosely"),
        "{}",
        ranking.summary
    );
    assert!(
        ranking
            .picks
            .iter()
            .all(|pick| !pick.explanation.starts_with("Not a close match")),
        "a loose answer is not rounded out: {:?}",
        ranking.picks
    );

    // A word only one course has is no loose evidence.
    let specific = Learner {
        question: Some("kafka".into()),
        ..Learner::default()
    };
    let ranking = rank(&specific, &candidates);
    assert_eq!(
        titles(&ranking, &candidates),
        ["Streaming Data Engineering"]
    );
    assert!(!ranking.summary.contains("loosely"), "{}", ranking.summary);
}

#[test]
fn a_question_is_not_padded_with_courses_that_answer_none_of_it() {
    let candidates = catalog();
    let learner = Learner {
        level: Some(Level::Advanced),
        question: Some("exactly-once kafka".into()),
        interests: vec!["data engineering".into()],
        ..Learner::default()
    };
    let ranking = rank(&learner, &candidates);
    let picked = titles(&ranking, &candidates);
    // The other data engineering courses share the interest but say
    // nothing about what was asked.
    assert_eq!(picked, ["Streaming Data Engineering"]);
    assert!(
        ranking
            .summary
            .contains("Nothing else in the catalog matches closely"),
        "{}",
        ranking.summary
    );
}

#[test]
fn words_nothing_knows_do_not_count_as_missing() {
    let candidates = catalog();
    let asked = |question: &str| Learner {
        level: Some(Level::Advanced),
        question: Some(question.into()),
        ..Learner::default()
    };
    let plain = rank(&asked("kafka"), &candidates);
    let with_noise = rank(&asked("kafka zqxvbnw"), &candidates);
    assert_eq!(
        titles(&plain, &candidates),
        titles(&with_noise, &candidates)
    );
    let scores =
        |ranking: &Ranking| -> Vec<u8> { ranking.picks.iter().map(|pick| pick.score).collect() };
    assert_eq!(scores(&plain), scores(&with_noise));
    // Coverage is in the relevance: the noise word leaves it as it was; a
    // word the catalog does use (here in another course) lowers it for a
    // course that lacks it.
    let relevance = |question: &str| {
        score_candidates(&asked(question), &candidates)
            .iter()
            .find(|entry| entry.course.title == "Streaming Data Engineering")
            .map(|entry| entry.relevance)
            .expect("the streaming course is scored")
    };
    assert_eq!(relevance("kafka"), relevance("kafka zqxvbnw"));
    assert!(relevance("kafka spreadsheets") < relevance("kafka"));
}

#[test]
fn go_counts_only_where_a_course_is_about_it() {
    use Difficulty::*;
    let mut python = course(
        "Python Concurrency",
        Intermediate,
        20,
        &["python", "concurrency"],
        &["Threads"],
    );
    python.description = "Threads and asyncio, and when to go parallel.".into();
    let candidates = vec![
        course(
            "Go Services",
            Intermediate,
            20,
            &["go", "concurrency"],
            &["Goroutines"],
        ),
        python,
    ];
    let learner = Learner {
        question: Some("concurrency in go".into()),
        ..Learner::default()
    };
    let ranking = rank(&learner, &candidates);
    assert_eq!(ranking.picks[0].course_id, id_of("Go Services"));
    for pick in ranking.picks.iter().skip(1) {
        assert!(!pick.explanation.contains("go,"), "{}", pick.explanation);
        assert!(!pick.explanation.contains(" go "), "{}", pick.explanation);
    }
}

#[test]
fn a_word_inside_a_phrase_of_the_map_counts_only_with_the_whole_phrase() {
    use Difficulty::*;
    let mut git = course(
        "Git Together",
        Beginner,
        10,
        &["git", "version control"],
        &["Pull Requests"],
    );
    git.description = "Share code with pull requests and review it together.".into();
    let mut rituals = course(
        "Team Rituals",
        Beginner,
        8,
        &["agile", "teamwork"],
        &["Collaborate in Stand-ups"],
    );
    rituals.description = "Stand-ups and retrospectives.".into();
    let candidates = vec![git, rituals];
    let learner = Learner {
        level: Some(Level::Beginner),
        question: Some("collaborate on code".into()),
        ..Learner::default()
    };
    let ranking = rank(&learner, &candidates);
    let picked = titles(&ranking, &candidates);
    // "collaborate" in "collaborate on code" is about version control, not
    // any collaboration.
    assert_eq!(picked, ["Git Together"]);
}

#[test]
fn a_beginner_is_told_when_a_course_assumes_what_they_have_not_said() {
    use Difficulty::*;
    let candidates = vec![
        course(
            "Kotlin Essentials for Java Developers",
            Beginner,
            18,
            &["kotlin", "java", "programming fundamentals"],
            &["Null Safety"],
        ),
        course(
            "Python Foundations",
            Beginner,
            24,
            &["python", "programming fundamentals"],
            &["Python Syntax"],
        ),
    ];
    let learner = Learner {
        level: Some(Level::Beginner),
        goal: Some("learn to program".into()),
        ..Learner::default()
    };
    let ranking = rank(&learner, &candidates);
    let picked = titles(&ranking, &candidates);
    assert_eq!(picked[0], "Python Foundations", "{picked:?}");
    let kotlin = ranking
        .picks
        .iter()
        .find(|pick| pick.course_id == id_of("Kotlin Essentials for Java Developers"))
        .expect("Kotlin is still a pick");
    assert!(
        kotlin
            .explanation
            .contains("Written for people who already know java"),
        "{}",
        kotlin.explanation
    );
    // A learner who knows Java is not told so.
    let java_developer = Learner {
        goal: Some("program in kotlin, I know java".into()),
        ..learner
    };
    let ranking = rank(&java_developer, &candidates);
    assert!(
        ranking
            .picks
            .iter()
            .all(|pick| !pick.explanation.contains("Written for people")),
        "{:?}",
        ranking.picks
    );
}

#[test]
fn the_concept_map_bridges_words_the_catalog_does_not_use() {
    let candidates = catalog();
    let learner = Learner {
        level: Some(Level::Intermediate),
        question: Some("queries for reports".into()),
        ..Learner::default()
    };
    let ranking = rank(&learner, &candidates);
    let picked = titles(&ranking, &candidates);
    assert_eq!(picked[0], "SQL for Analysts", "{picked:?}");
    let explanation = &ranking.picks[0].explanation;
    assert!(explanation.contains("Teaches sql"), "{explanation}");
    assert!(explanation.contains("“queries”"), "{explanation}");
    // Nothing claims a word that did not match.
    assert!(!explanation.contains("as you asked"), "{explanation}");
}

#[test]
fn ranking_is_deterministic() {
    let candidates = catalog();
    let learner = Learner {
        goal: Some("data".into()),
        level: None,
        hours_per_week: None,
        interests: vec!["sql".into(), "python".into()],
        question: Some("analytics and pipelines".into()),
    };
    assert_eq!(rank(&learner, &candidates), rank(&learner, &candidates));
    let mut reversed = candidates.clone();
    reversed.reverse();
    assert_eq!(
        titles(&rank(&learner, &candidates), &candidates),
        titles(&rank(&learner, &reversed), &reversed)
    );
}

#[test]
fn a_level_asked_for_in_the_question_rules_out_courses_two_steps_away() {
    let candidates = catalog();
    let asked = |question: &str| Learner {
        question: Some(question.into()),
        ..Learner::default()
    };
    let shortlisted = |learner: &Learner| -> Vec<String> {
        shortlist(learner, &candidates, 10)
            .iter()
            .map(|course| course.title.clone())
            .collect()
    };
    // No level in the profile: the advanced course is a candidate…
    assert!(shortlisted(&asked("web performance")).contains(&"Web Performance at Scale".into()));
    // …until the question says who it is for, as a beginner profile would.
    let for_beginners = asked("web performance for begginers");
    assert!(
        !shortlisted(&for_beginners).contains(&"Web Performance at Scale".into()),
        "{:?}",
        shortlisted(&for_beginners)
    );
    let ranking = rank(&for_beginners, &candidates);
    assert!(
        titles(&ranking, &candidates)
            .iter()
            .all(|title| difficulty_of(title, &candidates) != Difficulty::Advanced)
    );
    // The question's level is what they want now, over the profile's.
    let advanced_profile = Learner {
        level: Some(Level::Advanced),
        ..for_beginners
    };
    assert_eq!(
        advanced_profile.at_stated_level().level,
        Some(Level::Beginner)
    );
}

#[test]
fn a_course_naming_the_learners_words_only_in_its_description_is_no_close_match() {
    use Difficulty::*;
    let mut candidates = catalog();
    let mut blurb_only = course(
        "Narrative Craft",
        Advanced,
        6,
        &["storytelling"],
        &["Narrative Arcs"],
    );
    blurb_only.description = "Present streaming results in the boardroom.".into();
    candidates.push(blurb_only);
    let learner = Learner {
        level: Some(Level::Advanced),
        question: Some("streaming for the boardroom".into()),
        ..Learner::default()
    };
    // By relevance alone it would be kept: it holds both words, if only in
    // its blurb…
    let scored = score_candidates(&learner, &candidates);
    let best = scored
        .iter()
        .map(|entry| entry.relevance)
        .fold(0.0, f64::max);
    let blurb = scored
        .iter()
        .find(|entry| entry.course.title == "Narrative Craft")
        .expect("scored");
    assert!(blurb.relevance >= best * KEEP_RELATIVE_TO_BEST);
    // …but nothing it is about is anything the learner said.
    let picked = titles(&rank(&learner, &candidates), &candidates);
    assert_eq!(picked, ["Streaming Data Engineering"]);
}

#[test]
fn a_course_teaching_more_of_a_concept_is_closer_to_it() {
    use Difficulty::*;
    let candidates = vec![
        course(
            "Docs That Decide",
            Intermediate,
            10,
            &["leadership", "writing"],
            &[],
        ),
        course(
            "Running Rituals",
            Intermediate,
            10,
            &["management", "teamwork"],
            &[],
        ),
    ];
    let learner = Learner {
        question: Some("mentoring".into()),
        ..Learner::default()
    };
    // "mentoring" means leadership, management and teamwork: two of them
    // beat one, each tag as rare as the others.
    let scored = score_candidates(&learner, &candidates);
    let relevance = |title: &str| {
        scored
            .iter()
            .find(|entry| entry.course.title == title)
            .map(|entry| entry.relevance)
            .expect("scored")
    };
    assert!(relevance("Running Rituals") > relevance("Docs That Decide"));
}

#[test]
fn a_learner_who_names_a_language_is_not_sent_to_a_course_in_another() {
    use Difficulty::*;
    let candidates = vec![
        course(
            "JavaScript in Depth: Async and Modules",
            Intermediate,
            28,
            &["javascript", "async programming", "frontend"],
            &["Promises", "Async/Await"],
        ),
        course(
            "Advanced Rust: Async Runtimes",
            Advanced,
            40,
            &["rust", "async programming", "concurrency"],
            &["Async/Await", "Tokio"],
        ),
        course(
            "Concurrency Concepts",
            Intermediate,
            12,
            &["concurrency", "async programming"],
            &["Async/Await"],
        ),
    ];
    let asks = |question: &str| {
        let learner = Learner {
            question: Some(question.into()),
            ..Learner::default()
        };
        titles(&rank(&learner, &candidates), &candidates)
    };
    let picked = asks("javascript promises and async/await make no sense to me");
    assert!(
        !picked.contains(&"Advanced Rust: Async Runtimes".to_owned()),
        "{picked:?}"
    );
    assert_eq!(picked[0], "JavaScript in Depth: Async and Modules");
    // Naming both keeps both.
    let picked = asks("async/await in javascript or rust?");
    assert!(
        picked.contains(&"Advanced Rust: Async Runtimes".to_owned()),
        "{picked:?}"
    );
}

#[test]
fn a_learner_without_a_level_gets_an_advanced_course_only_when_it_matches_best() {
    use Difficulty::*;
    let candidates = vec![
        course(
            "Docker: From Containers to Compose",
            Beginner,
            16,
            &["docker", "containers", "devops"],
            &["Dockerfiles"],
        ),
        course(
            "Kubernetes: Deploying Workloads",
            Intermediate,
            30,
            &["kubernetes", "containers", "devops"],
            &["Deployments"],
        ),
        course(
            "Advanced Kubernetes: Operators",
            Advanced,
            34,
            &["kubernetes", "distributed systems"],
            &["Operators"],
        ),
    ];
    let for_level = |level: Option<Level>| {
        let learner = Learner {
            level,
            question: Some("docker or kubernetes, which first?".into()),
            ..Learner::default()
        };
        titles(&rank(&learner, &candidates), &candidates)
    };
    let picked = for_level(None);
    assert!(
        !picked.contains(&"Advanced Kubernetes: Operators".to_owned()),
        "{picked:?}"
    );
    assert!(
        picked.contains(&"Kubernetes: Deploying Workloads".to_owned()),
        "{picked:?}"
    );
    let picked = for_level(Some(Level::Advanced));
    assert!(
        picked.contains(&"Advanced Kubernetes: Operators".to_owned()),
        "{picked:?}"
    );
}
