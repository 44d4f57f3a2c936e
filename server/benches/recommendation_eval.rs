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
//! figures for human answers where the set has them: an advisor's lists
//! (`recommendation_eval_advisor.json` beside it) and a second grader's own
//! order (`recommendation_eval_second_grading.json`), scored against the
//! set's grades, and the ranker's and the advisor's lists scored against
//! the second grading; then what the language-model path has to work with
//! (the provider is an HTTP double that reads the shortlist each prompt
//! offers and answers as an unavailable model does, so every answer is the
//! ranker's own): how many graded courses the shortlist holds and how far a
//! list chosen from it alone could go; then one row per persona (each
//! pick's grade, and the second grader's after a slash where there is
//! one). Run through
//! `make eval-recommendations`, which prepares a fresh database with the
//! shipped catalog. Arguments: [EVAL_FILE]; the database
//! comes from DATABASE_URL. `EVAL_SHOW=tuning` prints the rows of the tuning
//! half only (so tuning never looks at a held-out persona's answer; the
//! figures of both halves are always printed), `EVAL_EXPLAIN=1` adds each
//! pick's score and explanation, the evidence it was ranked on.

use std::collections::HashMap;

use app::profile::{Level, ProfileState};
use app::recommend::llm::{ModelProvider, parse_model_arms};
use app::recommend::service::recommend;
use app::recommend::{MIN_COURSES, RecommendOutcome, RecommendSettings, RecommendationKind};
use serde::Deserialize;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;
use wiremock::matchers::{method, path as wiremock_path};
use wiremock::{Mock, MockServer, ResponseTemplate};

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

/// One answer to a persona, whoever gave it: the ranker, an advisor, or a
/// second grader's own order.
#[derive(Clone)]
enum Answer {
    /// Course titles, best first.
    Courses(Vec<String>),
    /// The polite off-topic reply.
    OffTopic,
}

/// A grading of one persona: whether the question is off-topic, and each
/// course's grade (2 = take next, 1 = relevant; unlisted courses are 0).
struct Grading<'a> {
    expects_off_topic: bool,
    grades: &'a HashMap<String, u8>,
}

impl Persona {
    /// The set's own grading of this persona.
    fn grading(&self) -> Grading<'_> {
        Grading {
            expects_off_topic: self.expect == "off-topic",
            grades: &self.grades,
        }
    }
}

/// The set's own grading, for `scored`.
fn set_grading(persona: &Persona) -> Option<Grading<'_>> {
    Some(persona.grading())
}

/// How one persona's answer scored.
struct Row {
    id: String,
    split: String,
    outcome: Outcome,
}

enum Outcome {
    Ranked {
        ndcg5: f64,
        precision3: f64,
        zero_in_top3: bool,
        /// The grade of each course, in the order given.
        grades: Vec<u8>,
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

/// How an answer scores against a grading.
fn score(answer: &Answer, grading: &Grading) -> Outcome {
    match (grading.expects_off_topic, answer) {
        (true, Answer::OffTopic) => Outcome::OffTopic { turned_away: true },
        (true, Answer::Courses(_)) => Outcome::OffTopic { turned_away: false },
        (false, Answer::OffTopic) => Outcome::WronglyTurnedAway,
        (false, Answer::Courses(titles)) => {
            let grades: Vec<u8> = titles
                .iter()
                .map(|title| grading.grades.get(title).copied().unwrap_or(0))
                .collect();
            Outcome::Ranked {
                ndcg5: ndcg_at_5(&grades, grading.grades),
                precision3: grades.iter().take(3).filter(|grade| **grade > 0).count() as f64 / 3.0,
                zero_in_top3: grades.iter().take(3).any(|grade| *grade == 0),
                grades,
            }
        }
    }
}

/// The answers some personas got, scored against a grading of each persona
/// (personas without an answer or a grading are left out).
fn scored<'a>(
    set: &'a EvalSet,
    answers: &HashMap<String, Answer>,
    grading: impl Fn(&'a Persona) -> Option<Grading<'a>>,
) -> Vec<Row> {
    set.personas
        .iter()
        .filter_map(|persona| {
            let answer = answers.get(&persona.id)?;
            Some(Row {
                id: persona.id.clone(),
                split: persona.split.clone(),
                outcome: score(answer, &grading(persona)?),
            })
        })
        .collect()
}

/// Prints a heading and the summary of each part that has rows.
fn summaries(heading: &str, rows: &[Row], splits: &[&str]) {
    if rows.is_empty() {
        return;
    }
    println!("{heading}");
    for split in splits {
        let part: Vec<&Row> = rows.iter().filter(|row| row.split == *split).collect();
        if !part.is_empty() {
            summary(split, &part);
        }
    }
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

/// The human answers in `…_{kind}.json` beside the set at `path`, if there
/// is such a file, with its path.
fn beside_the_set<T: serde::de::DeserializeOwned>(path: &str, kind: &str) -> Option<(String, T)> {
    let beside = path.replace(".json", &format!("_{kind}.json"));
    let text = std::fs::read_to_string(&beside).ok()?;
    let parsed = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{beside} is not a valid {kind} file: {error}"));
    Some((beside, parsed))
}

/// The advisor's answers, if the set has an advisor file beside it.
fn advisor_answers(path: &str) -> Option<(String, HashMap<String, Answer>)> {
    let (advisor_path, advisor): (String, AdvisorLists) = beside_the_set(path, "advisor")?;
    let answers = advisor
        .lists
        .into_iter()
        .map(|(id, answer)| {
            let answer = match answer {
                AdvisorAnswer::Courses(titles) => Answer::Courses(titles),
                AdvisorAnswer::OffTopic(word) => {
                    assert_eq!(word, "off-topic", "{id}: a list or \"off-topic\"");
                    Answer::OffTopic
                }
            };
            (id, answer)
        })
        .collect();
    Some((advisor_path, answers))
}

/// A second, independent grading of some personas (`…_second_grading.json`
/// beside the set), by someone who never saw the set's grades, the ranker
/// or its answers.
#[derive(Deserialize)]
struct SecondGrading {
    personas: Vec<SecondGrades>,
}

#[derive(Deserialize)]
struct SecondGrades {
    id: String,
    /// "courses" or "off-topic".
    expect: String,
    /// The courses graded 1 or 2, in the grader's order, best first.
    #[serde(default)]
    ranked: Vec<GradedCourse>,
}

#[derive(Deserialize)]
struct GradedCourse {
    course: String,
    grade: u8,
}

/// One persona as the second grader graded it.
struct SecondGraded {
    expects_off_topic: bool,
    /// The courses they graded 1 or 2, best first.
    order: Vec<String>,
    grades: HashMap<String, u8>,
}

/// The second grading, by persona id.
struct SecondGrader {
    path: String,
    personas: HashMap<String, SecondGraded>,
}

fn second_grader(path: &str) -> Option<SecondGrader> {
    let (second_path, second): (String, SecondGrading) = beside_the_set(path, "second_grading")?;
    let personas = second
        .personas
        .into_iter()
        .map(|persona| {
            let expects_off_topic = persona.expect == "off-topic";
            assert!(
                expects_off_topic || persona.expect == "courses",
                "{}: expect \"courses\" or \"off-topic\"",
                persona.id
            );
            for course in &persona.ranked {
                assert!(
                    matches!(course.grade, 1 | 2),
                    "{}: grades are 1 or 2",
                    persona.id
                );
            }
            let graded = SecondGraded {
                expects_off_topic,
                order: persona.ranked.iter().map(|c| c.course.clone()).collect(),
                grades: persona
                    .ranked
                    .into_iter()
                    .map(|course| (course.course, course.grade))
                    .collect(),
            };
            (persona.id, graded)
        })
        .collect();
    Some(SecondGrader {
        path: second_path,
        personas,
    })
}

impl SecondGrader {
    /// Their own order as an answer, keeping the courses `keep` accepts
    /// (by place, from 0, and grade).
    fn answers(&self, keep: impl Fn(usize, u8) -> bool) -> HashMap<String, Answer> {
        self.personas
            .iter()
            .map(|(id, graded)| {
                let answer = if graded.expects_off_topic {
                    Answer::OffTopic
                } else {
                    Answer::Courses(
                        graded
                            .order
                            .iter()
                            .enumerate()
                            .filter(|(place, title)| keep(*place, graded.grades[*title]))
                            .map(|(_, title)| title.clone())
                            .collect(),
                    )
                };
                (id.clone(), answer)
            })
            .collect()
    }

    fn grading(&self, persona: &Persona) -> Option<Grading<'_>> {
        let graded = self.personas.get(&persona.id)?;
        Some(Grading {
            expects_off_topic: graded.expects_off_topic,
            grades: &graded.grades,
        })
    }
}

/// Prints how far the human answers agree with the set's grades, which is
/// what a target on a part can be read against: an advisor's lists, and a
/// second grader's own order, scored like the ranker's; then the ranker's
/// and the advisor's lists scored against the second grading.
fn human_baselines(
    set: &EvalSet,
    ranker: &HashMap<String, Answer>,
    advisor: Option<&(String, HashMap<String, Answer>)>,
    second: Option<&SecondGrader>,
    splits: &[&str],
) {
    if let Some((advisor_path, answers)) = advisor {
        summaries(
            &format!("a human advisor's lists on the same personas ({advisor_path}):"),
            &scored(set, answers, set_grading),
            splits,
        );
    }
    let Some(second) = second else {
        return;
    };
    summaries(
        &format!(
            "a second grader's own order (the courses they graded 1–2, best first), scored against the set's grades ({}):",
            second.path
        ),
        &scored(set, &second.answers(|_, _| true), set_grading),
        splits,
    );
    summaries(
        "the same, their first two only:",
        &scored(set, &second.answers(|place, _| place < 2), set_grading),
        splits,
    );
    summaries(
        "the same, their grade-2 courses only:",
        &scored(set, &second.answers(|_, grade| grade == 2), set_grading),
        splits,
    );
    summaries(
        "the ranker's lists scored against the second grading:",
        &scored(set, ranker, |persona| second.grading(persona)),
        splits,
    );
    if let Some((_, answers)) = advisor {
        summaries(
            "the advisor's lists scored against the second grading:",
            &scored(set, answers, |persona| second.grading(persona)),
            splits,
        );
    }
}

/// The course titles a chat-completion request offered the model, in the
/// order offered (the prompt's "- id c1: Title | level | …" lines).
fn offered_titles(body: &[u8]) -> Vec<String> {
    let request: serde_json::Value = serde_json::from_slice(body).expect("a JSON request");
    let prompt = request["messages"][1]["content"]
        .as_str()
        .expect("the learner's message");
    prompt
        .lines()
        .filter_map(|line| line.strip_prefix("- id c"))
        .map(|line| {
            let (_, rest) = line.split_once(": ").expect("an id and a title");
            rest.split(" | ").next().expect("a title").to_owned()
        })
        .collect()
}

/// Prints what the language-model path has to work with: how many of the
/// set's graded courses are in the shortlist a model is shown, and how far
/// a list chosen from that shortlist alone could go: at best (the shown
/// courses in the set's own order, a ceiling no model can pass), and as a
/// person would choose (the second grader's order and the advisor's lists,
/// kept to the shown courses). Personas for whom no model is asked keep the
/// ranker's answer.
fn model_input(
    set: &EvalSet,
    ranker: &HashMap<String, Answer>,
    shown_to_model: &HashMap<String, Vec<String>>,
    advisor: Option<&(String, HashMap<String, Answer>)>,
    second: Option<&SecondGrader>,
    splits: &[&str],
) {
    if shown_to_model.is_empty() {
        return;
    }
    println!(
        "what a language model is shown: the ranker's shortlist (read by an HTTP double standing in for the provider):"
    );
    for split in splits {
        let asked: Vec<(&Persona, &Vec<String>)> = set
            .personas
            .iter()
            .filter(|persona| persona.split == *split)
            .filter_map(|persona| Some((persona, shown_to_model.get(&persona.id)?)))
            .collect();
        let expecting = set
            .personas
            .iter()
            .filter(|persona| persona.split == *split && persona.expect == "courses")
            .count();
        // How many of the courses graded `grade` were shown: anywhere in the
        // shortlist, and among its first ten (what a shorter prompt keeps).
        let shown = |grade: u8| {
            let graded = asked
                .iter()
                .flat_map(|(persona, _)| persona.grades.values())
                .filter(|graded| **graded == grade)
                .count();
            let places: Vec<usize> = asked
                .iter()
                .flat_map(|(persona, shortlist)| {
                    shortlist
                        .iter()
                        .enumerate()
                        .filter(|(_, title)| persona.grades.get(*title) == Some(&grade))
                        .map(|(place, _)| place)
                })
                .collect();
            format!(
                "{}/{graded} ({:.0}%, {} in the first ten)",
                places.len(),
                100.0 * places.len() as f64 / graded.max(1) as f64,
                places.iter().filter(|place| **place < 10).count(),
            )
        };
        let expecting_asked = asked
            .iter()
            .filter(|(persona, _)| persona.expect == "courses")
            .count();
        let longest = asked.iter().map(|(_, shortlist)| shortlist.len()).max();
        println!(
            "{split:<9} a model asked for {expecting_asked} of {expecting} personas expecting courses{}, shown up to {} courses; their graded courses shown: grade 2 {}, grade 1 {}",
            match asked.len() - expecting_asked {
                0 => String::new(),
                off_topic => format!(" (and {off_topic} off-topic the ranker did not turn away)"),
            },
            longest.unwrap_or(0),
            shown(2),
            shown(1),
        );
    }
    // Each answer kept to the courses the model was shown and, as a model
    // must return at least MIN_COURSES, rounded out with the shortlist's
    // next courses when shorter; where no model was asked, the learner gets
    // the ranker's answer whoever else answered.
    let kept_to_shortlist = |answers: &HashMap<String, Answer>| -> HashMap<String, Answer> {
        answers
            .iter()
            .filter_map(|(id, answer)| {
                let kept = match (shown_to_model.get(id), answer) {
                    (Some(shortlist), Answer::Courses(titles)) => {
                        let mut kept: Vec<String> = titles
                            .iter()
                            .filter(|title| shortlist.contains(title))
                            .cloned()
                            .collect();
                        for title in shortlist {
                            if kept.len() >= MIN_COURSES {
                                break;
                            }
                            if !kept.contains(title) {
                                kept.push(title.clone());
                            }
                        }
                        Answer::Courses(kept)
                    }
                    (Some(_), Answer::OffTopic) => Answer::OffTopic,
                    (None, _) => ranker.get(id)?.clone(),
                };
                Some((id.clone(), kept))
            })
            .collect()
    };
    let best_from_shortlist: HashMap<String, Answer> = set
        .personas
        .iter()
        .filter_map(|persona| {
            let best = match shown_to_model.get(&persona.id) {
                // A model may answer that the question is not about learning.
                Some(_) if persona.expect == "off-topic" => Answer::OffTopic,
                Some(shortlist) => {
                    let mut graded: Vec<&String> = shortlist
                        .iter()
                        .filter(|title| persona.grades.contains_key(*title))
                        .collect();
                    graded.sort_by_key(|title| std::cmp::Reverse(persona.grades[*title]));
                    Answer::Courses(graded.into_iter().cloned().collect())
                }
                None => ranker.get(&persona.id)?.clone(),
            };
            Some((persona.id.clone(), best))
        })
        .collect();
    summaries(
        &format!(
            "the best list a model could return from it (the shown courses the set grades, in grade order, rounded out to the {MIN_COURSES} courses a model must return with the shortlist's next ones: a ceiling, not a model; the ranker's answer where no model was asked), scored against the set's grades:"
        ),
        &scored(set, &kept_to_shortlist(&best_from_shortlist), set_grading),
        splits,
    );
    if let Some(second) = second {
        summaries(
            "the second grader's own order, kept to the shown courses and rounded out the same way (the ranker's answer where no model was asked):",
            &scored(
                set,
                &kept_to_shortlist(&second.answers(|_, _| true)),
                set_grading,
            ),
            splits,
        );
    }
    if let Some((_, answers)) = advisor {
        summaries(
            "the advisor's lists, kept to the shown courses and rounded out the same way (the ranker's answer where no model was asked):",
            &scored(set, &kept_to_shortlist(answers), set_grading),
            splits,
        );
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
    let known_persona = |id: &str| set.personas.iter().any(|persona| persona.id == id);
    let known_course = |id: &str, title: &str| {
        assert!(known.contains(title), "{id}: no course titled {title:?}");
    };
    for persona in &set.personas {
        for title in persona.grades.keys() {
            known_course(&persona.id, title);
        }
    }
    let advisor = advisor_answers(&path);
    let second = second_grader(&path);
    // Every title a human wrote must be a course: a misspelt one would
    // silently count as unrelated.
    let second_order = second.as_ref().map(|second| second.answers(|_, _| true));
    let human_answers = advisor
        .iter()
        .map(|(_, answers)| answers)
        .chain(second_order.as_ref());
    for answers in human_answers {
        for (id, answer) in answers {
            assert!(known_persona(id), "{id}: no such persona");
            if let Answer::Courses(listed) = answer {
                for title in listed {
                    known_course(id, title);
                }
            }
        }
    }
    // The provider is an HTTP double that reads what a language model would
    // be shown (the ranker's shortlist, in the prompt) and then answers as an
    // unavailable model does, so every learner gets the built-in ranker's
    // own list, exactly as with no provider configured.
    let model_double = MockServer::start().await;
    Mock::given(method("POST"))
        .and(wiremock_path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&model_double)
        .await;
    let settings = RecommendSettings {
        daily_limit: 1_000,
        provider: Some(
            ModelProvider::new(
                &format!("{}/v1", model_double.uri()),
                None,
                parse_model_arms("eval-shortlist-reader").expect("one model"),
                std::time::Duration::from_secs(10),
            )
            .expect("the double's address"),
        ),
    };
    // What the model was shown, per persona asked (not asked: an off-topic
    // question, or a popular list, which has nothing personal to choose from).
    let mut shown_to_model: HashMap<String, Vec<String>> = HashMap::new();
    // How many requests the double had received before the current persona.
    let mut model_requests_before = 0;
    let run = Uuid::new_v4().simple().to_string();
    let mut answers = HashMap::new();
    // Each pick's shown title (marked when it only rounds out the list),
    // score and explanation, per persona (for the per-persona rows).
    let mut picks: HashMap<String, Vec<(String, u8, String)>> = HashMap::new();
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
        let model_requests = model_double
            .received_requests()
            .await
            .expect("the double records requests");
        match &model_requests[model_requests_before..] {
            [] => {}
            [request] => {
                let offered = offered_titles(&request.body);
                for title in &offered {
                    known_course(&persona.id, title);
                }
                shown_to_model.insert(persona.id.clone(), offered);
            }
            more => panic!(
                "{}: {} model requests for one answer",
                persona.id,
                more.len()
            ),
        }
        model_requests_before = model_requests.len();
        let answer = match outcome {
            RecommendOutcome::OffTopic { .. } => Answer::OffTopic,
            RecommendOutcome::Recommended(recommendation) => {
                // Only a popular list is made without asking the model; a
                // personal one that reached no double means the request went
                // elsewhere (a proxy, say) and the model figures would be empty.
                assert!(
                    matches!(recommendation.kind, RecommendationKind::Popular)
                        || shown_to_model.contains_key(&persona.id),
                    "{}: a personal answer, but the model double got no request",
                    persona.id
                );
                picks.insert(
                    persona.id.clone(),
                    recommendation
                        .courses
                        .iter()
                        .map(|course| {
                            // Picks that round out a short list say so first.
                            let related = if course.explanation.starts_with("Not a close match") {
                                " (related)"
                            } else {
                                ""
                            };
                            (
                                format!("{}{related}", short(&course.title)),
                                course.score,
                                course.explanation.clone(),
                            )
                        })
                        .collect(),
                );
                Answer::Courses(
                    recommendation
                        .courses
                        .into_iter()
                        .map(|course| course.title)
                        .collect(),
                )
            }
        };
        answers.insert(persona.id.clone(), answer);
    }
    let rows = scored(&set, &answers, set_grading);

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
    human_baselines(&set, &answers, advisor.as_ref(), second.as_ref(), &splits);
    model_input(
        &set,
        &answers,
        &shown_to_model,
        advisor.as_ref(),
        second.as_ref(),
        &splits,
    );
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
                grades,
            } => {
                println!(
                    "{} {:<8} nDCG@5 {ndcg5:.2}  P@3 {precision3:.2}{}  {profile}; {asked} ({})",
                    row.id,
                    row.split,
                    if *zero_in_top3 { "  ZERO-IN-TOP-3" } else { "" },
                    persona.note
                );
                let listed = picks.get(&row.id).map(Vec::as_slice).unwrap_or_default();
                // "[set's grade/second grader's grade]" where the persona has
                // a second grading, so a disagreement shows at a glance.
                let second_grading = second.as_ref().and_then(|second| second.grading(persona));
                let graded: Vec<String> = match (answers.get(&row.id), second_grading) {
                    (Some(Answer::Courses(titles)), Some(second_grading)) => titles
                        .iter()
                        .zip(grades)
                        .map(|(title, grade)| {
                            let second_grade =
                                second_grading.grades.get(title).copied().unwrap_or(0);
                            format!("[{grade}/{second_grade}]")
                        })
                        .collect(),
                    _ => grades.iter().map(|grade| format!("[{grade}]")).collect(),
                };
                let shown: Vec<String> = listed
                    .iter()
                    .zip(&graded)
                    .map(|((title, _, _), graded)| format!("{graded} {title}"))
                    .collect();
                println!("      {}", shown.join(" | "));
                if explain {
                    for ((title, score, explanation), graded) in listed.iter().zip(&graded) {
                        println!("        {graded} {title} {score}: {explanation}");
                    }
                }
            }
            Outcome::WronglyTurnedAway => println!(
                "{} {:<8} TURNED AWAY as off-topic; expected courses  {profile}; {asked} ({})",
                row.id, row.split, persona.note
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
