//! How good the built-in ranker's answers are, on the labelled personas of
//! `data/recommendation_eval.json`: each persona becomes a learner with that
//! profile, asks through the same entry point the recommendations page uses
//! (`service::recommend`, built-in ranker, stored like any answer), and the
//! answer is scored against the persona's graded courses. Every persona
//! asks with no earlier answer stored, so its answer depends on the ranker
//! and the catalog only, not on the personas asked before it.
//!
//! Prints, per part of the set (each `split`: tuning, held-out, fresh, fresh2,
//! fresh3, fresh4, fresh5) and overall: mean
//! nDCG@5, mean precision@3, the share of lists with a course graded 0 in
//! the top 3, and how the off-topic questions were answered; then the same
//! figures for a human advisor's lists where the set has them
//! (`recommendation_eval_advisor.json` beside it); then one row per
//! persona. Run through `make eval-recommendations`, which prepares a fresh
//! database with the shipped catalog. Arguments: [EVAL_FILE]; the database
//! comes from DATABASE_URL. `EVAL_SHOW=tuning` prints the rows of the tuning
//! half only (so tuning never looks at a held-out persona's answer; the
//! figures of both halves are always printed), `EVAL_EXPLAIN=1` adds each
//! pick's score and explanation, the evidence it was ranked on.

use std::collections::HashMap;

use app::profile::{Level, ProfileState};
use app::recommend::service::recommend;
use app::recommend::{RecommendOutcome, RecommendSettings};
use serde::Deserialize;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

#[derive(Deserialize)]
struct EvalSet {
    personas: Vec<Persona>,
}

#[derive(Deserialize)]
struct Persona {
    id: String,
    split: String,
    #[serde(default)]
    note: String,
    level: Option<String>,
    hours_per_week: Option<i32>,
    goal: Option<String>,
    #[serde(default)]
    interests: Vec<String>,
    question: Option<String>,
    /// "courses" or "off-topic".
    expect: String,
    /// Course title → 2 (take next) or 1 (relevant); unlisted courses are 0.
    #[serde(default)]
    grades: HashMap<String, u8>,
}

impl Persona {
    /// A course's grade for this persona: unlisted courses are 0.
    fn grade_of(&self, title: &str) -> u8 {
        self.grades.get(title).copied().unwrap_or(0)
    }
}

/// How one persona's answer scored.
struct Row {
    id: String,
    split: String,
    note: String,
    outcome: Outcome,
}

enum Outcome {
    Ranked {
        ndcg5: f64,
        precision3: f64,
        zero_in_top3: bool,
        /// Title and grade of each course, in the order given.
        listed: Vec<(String, u8)>,
        /// Score and explanation of each course, in the same order.
        explained: Vec<(u8, String)>,
    },
    /// Turned away as off-topic although courses were expected.
    WronglyTurnedAway,
    /// An off-topic question: whether it got the off-topic answer.
    OffTopic { turned_away: bool },
}

fn discounted_gain(grades: impl Iterator<Item = u8>) -> f64 {
    grades
        .take(5)
        .enumerate()
        .map(|(place, grade)| (2f64.powi(i32::from(grade)) - 1.0) / ((place + 2) as f64).log2())
        .sum()
}

fn ndcg_at_5(listed: &[u8], graded: &HashMap<String, u8>) -> f64 {
    let mut ideal: Vec<u8> = graded.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = discounted_gain(ideal.into_iter());
    if best == 0.0 {
        return 0.0;
    }
    discounted_gain(listed.iter().copied()) / best
}

/// A human advisor's lists for some personas (`…_advisor.json` beside the
/// set): id → titles, best first, or "off-topic".
#[derive(Deserialize)]
struct AdvisorLists {
    lists: HashMap<String, AdvisorAnswer>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AdvisorAnswer {
    Courses(Vec<String>),
    /// Always "off-topic".
    OffTopic(String),
}

/// The scores of a list whose courses, best first, have these grades.
fn ranked(
    grades: &[u8],
    persona: &Persona,
    listed: Vec<(String, u8)>,
    explained: Vec<(u8, String)>,
) -> Outcome {
    Outcome::Ranked {
        ndcg5: ndcg_at_5(grades, &persona.grades),
        precision3: grades.iter().take(3).filter(|grade| **grade > 0).count() as f64 / 3.0,
        zero_in_top3: grades.iter().take(3).any(|grade| *grade == 0),
        listed,
        explained,
    }
}

/// Prints, for each part a human advisor answered, their lists scored the
/// same way as the ranker's: how far a second careful person agrees with
/// the grades, which is what a target on that part can be read against.
fn advisor_baseline(path: &str, set: &EvalSet, splits: &[&str]) {
    let advisor_path = path.replace(".json", "_advisor.json");
    let Ok(text) = std::fs::read_to_string(&advisor_path) else {
        return;
    };
    let advisor: AdvisorLists = serde_json::from_str(&text).expect("valid advisor lists");
    let rows: Vec<Row> = set
        .personas
        .iter()
        .filter_map(|persona| {
            let answer = advisor.lists.get(&persona.id)?;
            if let AdvisorAnswer::OffTopic(word) = answer {
                assert_eq!(word, "off-topic", "{}: a list or \"off-topic\"", persona.id);
            }
            let outcome = match (persona.expect.as_str(), answer) {
                ("off-topic", AdvisorAnswer::OffTopic(_)) => {
                    Outcome::OffTopic { turned_away: true }
                }
                ("off-topic", AdvisorAnswer::Courses(_)) => {
                    Outcome::OffTopic { turned_away: false }
                }
                (_, AdvisorAnswer::OffTopic(_)) => Outcome::WronglyTurnedAway,
                (_, AdvisorAnswer::Courses(titles)) => {
                    let grades: Vec<u8> =
                        titles.iter().map(|title| persona.grade_of(title)).collect();
                    ranked(&grades, persona, Vec::new(), Vec::new())
                }
            };
            Some(Row {
                id: persona.id.clone(),
                split: persona.split.clone(),
                note: persona.note.clone(),
                outcome,
            })
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    println!("a human advisor's lists on the same personas ({advisor_path}):");
    for split in splits {
        let part: Vec<&Row> = rows.iter().filter(|row| row.split == *split).collect();
        if !part.is_empty() {
            summary(split, &part);
        }
    }
}

fn short(title: &str) -> String {
    let head: String = title.chars().take(34).collect();
    if head.len() < title.len() {
        format!("{head}…")
    } else {
        head
    }
}

fn summary(label: &str, rows: &[&Row]) {
    let ranked: Vec<(f64, f64, bool)> = rows
        .iter()
        .filter_map(|row| match &row.outcome {
            Outcome::Ranked {
                ndcg5,
                precision3,
                zero_in_top3,
                ..
            } => Some((*ndcg5, *precision3, *zero_in_top3)),
            Outcome::WronglyTurnedAway => Some((0.0, 0.0, true)),
            Outcome::OffTopic { .. } => None,
        })
        .collect();
    let count = ranked.len().max(1) as f64;
    let ndcg = ranked.iter().map(|(n, _, _)| n).sum::<f64>() / count;
    let precision = ranked.iter().map(|(_, p, _)| p).sum::<f64>() / count;
    let with_zero = ranked.iter().filter(|(_, _, zero)| *zero).count();
    let off_topic: Vec<bool> = rows
        .iter()
        .filter_map(|row| match row.outcome {
            Outcome::OffTopic { turned_away } => Some(turned_away),
            _ => None,
        })
        .collect();
    println!(
        "{label:<9} {:>2} ranked  nDCG@5 {ndcg:.3}  precision@3 {precision:.3}  zero-graded in top 3: {with_zero}/{} ({:.1}%)  off-topic turned away: {}/{}",
        ranked.len(),
        ranked.len(),
        100.0 * with_zero as f64 / count,
        off_topic.iter().filter(|turned| **turned).count(),
        off_topic.len(),
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let path = std::env::args()
        .skip(1)
        .find(|arg| arg != "--bench")
        .unwrap_or_else(|| {
            format!(
                "{}/../data/recommendation_eval.json",
                env!("CARGO_MANIFEST_DIR")
            )
        });
    let text = std::fs::read_to_string(&path).expect("the evaluation set");
    let set: EvalSet = serde_json::from_str(&text).expect("a valid evaluation set");
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&url)
        .await
        .expect("database");
    let titles: HashMap<Uuid, String> =
        sqlx::query_as::<_, (Uuid, String)>("select id, title from courses")
            .fetch_all(&pool)
            .await
            .expect("courses")
            .into_iter()
            .collect();
    let known: std::collections::HashSet<&str> = titles.values().map(String::as_str).collect();
    for persona in &set.personas {
        for title in persona.grades.keys() {
            assert!(
                known.contains(title.as_str()),
                "{}: no course titled {title:?}",
                persona.id
            );
        }
    }
    let settings = RecommendSettings {
        daily_limit: 1_000,
        provider: None,
    };
    let run = Uuid::new_v4().simple().to_string();
    let mut rows = Vec::new();
    for persona in &set.personas {
        // Each persona asks as the first learner of a fresh deployment: the
        // answers stored for the personas before it are removed. Stored
        // answers feed the candidates (the most recommended courses, tied
        // by random course ids), and the candidates the rarity of words, so
        // without this a persona's answer depended on who asked before it
        // and borderline picks flipped between runs of an unchanged ranker.
        sqlx::query("delete from recommendations")
            .execute(&pool)
            .await
            .expect("earlier answers removed");
        let email = format!("eval-{}-{}@eval.acmelearn.invalid", persona.id, &run[..8]);
        let password = "evaluation passphrase";
        let user_id = app::account::service::register(&pool, &email, password, password)
            .await
            .expect("an evaluation learner")
            .user
            .id;
        let state = ProfileState {
            learning_goal: persona.goal.clone(),
            current_level: persona
                .level
                .as_deref()
                .map(|level| level.parse::<Level>().expect("a level")),
            hours_per_week: persona.hours_per_week,
            interests: {
                let mut interests = persona.interests.clone();
                interests.sort();
                interests
            },
        };
        app::profile::service::save(&pool, user_id, 1, state)
            .await
            .expect("the persona's profile");
        let outcome = recommend(
            &pool,
            &app::read_pool::ReadPool::primary_only(pool.clone()),
            &settings,
            user_id,
            Uuid::new_v4(),
            persona.question.clone(),
        )
        .await
        .expect("an answer");
        let outcome = match (persona.expect.as_str(), outcome) {
            ("off-topic", RecommendOutcome::OffTopic { .. }) => {
                Outcome::OffTopic { turned_away: true }
            }
            ("off-topic", RecommendOutcome::Recommended(_)) => {
                Outcome::OffTopic { turned_away: false }
            }
            (_, RecommendOutcome::OffTopic { .. }) => Outcome::WronglyTurnedAway,
            (_, RecommendOutcome::Recommended(recommendation)) => {
                let listed: Vec<(String, u8)> = recommendation
                    .courses
                    .iter()
                    .map(|course| {
                        let grade = persona.grade_of(&course.title);
                        // Picks that round out a short list say so first.
                        let related = if course.explanation.starts_with("Not a close match") {
                            " (related)"
                        } else {
                            ""
                        };
                        (format!("{}{related}", short(&course.title)), grade)
                    })
                    .collect();
                let explained: Vec<(u8, String)> = recommendation
                    .courses
                    .iter()
                    .map(|course| (course.score, course.explanation.clone()))
                    .collect();
                let grades: Vec<u8> = listed.iter().map(|(_, grade)| *grade).collect();
                ranked(&grades, persona, listed, explained)
            }
        };
        rows.push(Row {
            id: persona.id.clone(),
            split: persona.split.clone(),
            note: persona.note.clone(),
            outcome,
        });
    }

    println!("built-in ranker on {} personas ({path})", rows.len());
    // Each part of the set in the order it first appears (tuning, held-out,
    // and any later set kept apart, such as one written after a tuning round).
    let mut splits: Vec<&str> = Vec::new();
    for row in &rows {
        if !splits.contains(&row.split.as_str()) {
            splits.push(&row.split);
        }
    }
    for split in &splits {
        let part: Vec<&Row> = rows.iter().filter(|row| row.split == *split).collect();
        summary(split, &part);
    }
    summary("all", &rows.iter().collect::<Vec<_>>());
    advisor_baseline(&path, &set, &splits);
    println!();
    let shown_split = std::env::var("EVAL_SHOW")
        .ok()
        .filter(|split| split != "all");
    let explain = std::env::var("EVAL_EXPLAIN").is_ok_and(|value| value == "1");
    for (persona, row) in set.personas.iter().zip(&rows) {
        if shown_split
            .as_ref()
            .is_some_and(|split| *split != row.split)
        {
            continue;
        }
        let asked = persona
            .question
            .as_deref()
            .map(|question| format!("asks “{question}”"))
            .unwrap_or_else(|| "no question".to_owned());
        let profile = format!(
            "{} {}h goal={} interests=[{}]",
            persona.level.as_deref().unwrap_or("-"),
            persona
                .hours_per_week
                .map_or("-".to_owned(), |hours| hours.to_string()),
            persona.goal.as_deref().unwrap_or("-"),
            persona.interests.join(", ")
        );
        match &row.outcome {
            Outcome::Ranked {
                ndcg5,
                precision3,
                zero_in_top3,
                listed,
                explained,
            } => {
                println!(
                    "{} {:<8} nDCG@5 {ndcg5:.2}  P@3 {precision3:.2}{}  {profile}; {asked} ({})",
                    row.id,
                    row.split,
                    if *zero_in_top3 { "  ZERO-IN-TOP-3" } else { "" },
                    row.note
                );
                let shown: Vec<String> = listed
                    .iter()
                    .map(|(title, grade)| format!("[{grade}] {title}"))
                    .collect();
                println!("      {}", shown.join(" | "));
                if explain {
                    for ((title, grade), (score, explanation)) in listed.iter().zip(explained) {
                        println!("        [{grade}] {title} {score}: {explanation}");
                    }
                }
            }
            Outcome::WronglyTurnedAway => println!(
                "{} {:<8} TURNED AWAY as off-topic; expected courses  {profile}; {asked} ({})",
                row.id, row.split, row.note
            ),
            Outcome::OffTopic { turned_away } => println!(
                "{} {:<8} off-topic question {}  {profile}; {asked}",
                row.id,
                row.split,
                if *turned_away {
                    "turned away (right)"
                } else {
                    "ANSWERED WITH COURSES (wrong)"
                }
            ),
        }
    }
}
