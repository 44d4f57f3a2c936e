//! The built-in ranker ("builtin-v1"): deterministic, pure Rust, no network.
//!
//! Every course gets four scores in 0..=1 — interests ↔ tags, goal and
//! question ↔ course text, level ↔ difficulty, hours per week ↔ duration —
//! and a weighted sum of them. The explanation of each course is written from
//! the same evidence the scores were computed from, so it never claims a
//! match the ranking did not use.

use std::collections::BTreeSet;

use rust_stemmers::{Algorithm, Stemmer};
use uuid::Uuid;

use super::model::{MAX_COURSES, MIN_COURSES};
use crate::catalog::Difficulty;
use crate::profile::Level;

pub const BUILTIN_MODEL: &str = "builtin-v1";

/// Courses scoring below this share of the best one are left out (down to
/// MIN_COURSES), so a short list of strong matches is not padded with weak ones.
const KEEP_RELATIVE_TO_BEST: f64 = 0.6;

/// A popular-courses answer lists this many.
const POPULAR_COUNT: usize = 5;

/// What the ranker knows about the learner.
#[derive(Debug, Clone, Default)]
pub struct Learner {
    pub goal: Option<String>,
    pub level: Option<Level>,
    pub hours_per_week: Option<i32>,
    /// Tag names.
    pub interests: Vec<String>,
    pub question: Option<String>,
}

impl Learner {
    /// Whether the profile says enough to rank for this learner: interests
    /// or a goal (a question alone also gives something to go on).
    pub fn has_preferences(&self) -> bool {
        !self.interests.is_empty()
            || self
                .goal
                .as_deref()
                .is_some_and(|goal| !topic_words(goal).is_empty())
            || self
                .question
                .as_deref()
                .is_some_and(|q| !topic_words(q).is_empty())
    }
}

/// A course the ranker may pick.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub difficulty: Difficulty,
    pub duration_hours: i32,
    pub tags: Vec<String>,
    pub skills: Vec<String>,
    /// How often it was recommended lately; orders the popular answer.
    pub popularity: i64,
}

/// One picked course: its place in the candidates, match score and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub course_id: Uuid,
    /// 0–100.
    pub score: u8,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub popular: bool,
    /// In learning order: easier courses first, then by score.
    pub picks: Vec<Pick>,
    pub summary: String,
}

/// Words people use to ask, which say nothing about the topic.
const ASKING_WORDS: &[&str] = &[
    "want",
    "wants",
    "wanted",
    "like",
    "would",
    "need",
    "needs",
    "get",
    "getting",
    "into",
    "learn",
    "learning",
    "learned",
    "study",
    "studying",
    "become",
    "becoming",
    "start",
    "starting",
    "begin",
    "help",
    "please",
    "show",
    "give",
    "tell",
    "make",
    "write",
    "recommend",
    "suggest",
    "course",
    "courses",
    "class",
    "classes",
    "career",
    "job",
    "move",
    "moving",
    "switch",
    "improve",
    "better",
    "good",
    "best",
    "know",
    "understand",
    "something",
    "thing",
    "things",
    "new",
    "also",
    "really",
    "able",
    "way",
    "ways",
    "next",
    "take",
    "find",
    "use",
    "using",
    "work",
    "working",
    "skill",
    "skills",
    "level",
    "go",
    "going",
    "try",
    "some",
    "any",
    "more",
    "most",
    "much",
    "many",
    "lot",
    "lots",
    "bit",
    "little",
    "currently",
    "now",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "time",
    "hour",
    "hours",
    "me",
    "my",
    "mine",
];

/// English function words; Postgres' english configuration drops the same kind.
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "are", "as",
    "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
    "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how",
    "i", "i'm", "if", "in", "is", "it", "its", "itself", "just", "let", "may", "might", "must",
    "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
    "out", "over", "own", "same", "she", "should", "so", "such", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
    "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
    "whom", "why", "will", "with", "you", "your", "yours", "yourself",
];

/// The words of `text` that name a topic, lowercased, in order, without
/// repeats: function words and asking words removed.
pub fn topic_words(text: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    words(text)
        .filter(|word| {
            !STOP_WORDS.contains(&word.as_str()) && !ASKING_WORDS.contains(&word.as_str())
        })
        // Numbers alone ("2", "10") are not topics.
        .filter(|word| word.chars().any(char::is_alphabetic))
        .filter(|word| seen.insert(word.clone()))
        .collect()
}

/// Lowercase words; '#' and '+' stay part of a word (c#, c++).
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '#' || c == '+' || c == '\''))
        .map(|word| word.trim_matches('\'').to_lowercase())
        .filter(|word| !word.is_empty())
}

/// Compares words by stem, so "pipelines" finds "pipeline" and "engineering"
/// finds "engineer".
struct Stems(Stemmer);

impl Stems {
    fn new() -> Self {
        Stems(Stemmer::create(Algorithm::English))
    }

    fn of_word(&self, word: &str) -> String {
        self.0.stem(word).into_owned()
    }

    fn of_text(&self, text: &str) -> BTreeSet<String> {
        words(text).map(|word| self.of_word(&word)).collect()
    }
}

/// A topic word of the learner's and its stem.
struct QueryWord {
    word: String,
    stem: String,
}

fn query_words(stems: &Stems, text: Option<&str>) -> Vec<QueryWord> {
    text.map(topic_words)
        .unwrap_or_default()
        .into_iter()
        .map(|word| QueryWord {
            stem: stems.of_word(&word),
            word,
        })
        .collect()
}

/// Where in a course a learner's words were found.
#[derive(Debug, Default)]
struct TextMatch {
    /// Found in the title, tags or skills: what the course is about.
    in_subject: Vec<String>,
    /// Found only in the description.
    in_description: Vec<String>,
    /// 0..=1: subject matches count fully, description matches a third.
    score: f64,
}

fn text_match(
    query: &[QueryWord],
    subject: &BTreeSet<String>,
    body: &BTreeSet<String>,
) -> TextMatch {
    let mut found = TextMatch::default();
    if query.is_empty() {
        return found;
    }
    let mut points = 0.0;
    for word in query {
        if subject.contains(&word.stem) {
            points += 1.0;
            found.in_subject.push(word.word.clone());
        } else if body.contains(&word.stem) {
            points += 1.0 / 3.0;
            found.in_description.push(word.word.clone());
        }
    }
    // Matching two or three topic words is already a strong match; long
    // questions should not make every course look weak.
    found.score = (points / (query.len().min(3) as f64)).min(1.0);
    found
}

/// How well a course's difficulty suits the learner's level; None rules the
/// course out (two steps away: an advanced learner is not sent to a
/// beginner course, nor a beginner to an advanced one).
fn level_fit(level: Option<Level>, difficulty: Difficulty) -> Option<f64> {
    use Difficulty as D;
    match (level, difficulty) {
        (Some(Level::Beginner), D::Beginner) => Some(1.0),
        (Some(Level::Beginner), D::Intermediate) => Some(0.45),
        (Some(Level::Beginner), D::Advanced) => None,
        (Some(Level::Intermediate), D::Beginner) => Some(0.35),
        (Some(Level::Intermediate), D::Intermediate) => Some(1.0),
        (Some(Level::Intermediate), D::Advanced) => Some(0.7),
        (Some(Level::Advanced), D::Beginner) => None,
        (Some(Level::Advanced), D::Intermediate) => Some(0.5),
        (Some(Level::Advanced), D::Advanced) => Some(1.0),
        // No level given: assume someone starting out, without ruling anything out.
        (None, D::Beginner) => Some(1.0),
        (None, D::Intermediate) => Some(0.7),
        (None, D::Advanced) => Some(0.4),
    }
}

fn level_reason(level: Option<Level>, difficulty: Difficulty) -> String {
    use Difficulty as D;
    match (level, difficulty) {
        (Some(Level::Beginner), D::Beginner) => {
            "A beginner course, right for where you are.".into()
        }
        (Some(Level::Beginner), D::Intermediate) => {
            "Intermediate: a step up once the basics feel easy.".into()
        }
        (Some(Level::Intermediate), D::Beginner) => {
            "A beginner course, useful to fill gaps before going further.".into()
        }
        (Some(Level::Intermediate), D::Intermediate) => "Intermediate, matching your level.".into(),
        (Some(Level::Intermediate), D::Advanced) => {
            "Advanced: a stretch that builds on an intermediate footing.".into()
        }
        (Some(Level::Advanced), D::Intermediate) => {
            "Intermediate: a quick refresher below your level.".into()
        }
        (Some(Level::Advanced), D::Advanced) => "Advanced, matching your level.".into(),
        (_, difficulty) => format!(
            "{} level; set your level in your profile for a closer fit.",
            difficulty.label()
        ),
    }
}

/// Weeks a course takes at the learner's pace, rounded up.
pub fn weeks_at_pace(duration_hours: i32, hours_per_week: i32) -> i32 {
    if hours_per_week <= 0 {
        return 0;
    }
    (duration_hours + hours_per_week - 1) / hours_per_week
}

fn time_fit(duration_hours: i32, hours_per_week: Option<i32>) -> f64 {
    match hours_per_week {
        None => 0.6,
        Some(hours) => match weeks_at_pace(duration_hours, hours) {
            0..=4 => 1.0,
            5..=8 => 0.8,
            9..=16 => 0.5,
            _ => 0.25,
        },
    }
}

fn plural(count: i32, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

fn time_reason(duration_hours: i32, hours_per_week: Option<i32>) -> String {
    let hours = plural(duration_hours, "hour", "hours");
    match hours_per_week {
        Some(pace) => format!(
            "{hours}: about {} at your {} a week.",
            plural(weeks_at_pace(duration_hours, pace), "week", "weeks"),
            plural(pace, "hour", "hours")
        ),
        None => format!("{hours} of study; add your hours per week to see how long it takes you."),
    }
}

/// "a", "a and b", "a, b and c".
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

struct Scored<'a> {
    course: &'a Candidate,
    score: f64,
    explanation: String,
}

/// Ranks `candidates` for `learner`. Candidates with no evidence of fitting
/// (no shared interest, none of the learner's words) are never picked.
pub fn rank(learner: &Learner, candidates: &[Candidate]) -> Ranking {
    if !learner.has_preferences() {
        return popular(learner, candidates, PROFILE_TOO_THIN);
    }
    let mut scored = score_candidates(learner, candidates);
    let best = scored.first().map_or(0.0, |first| first.score);
    let keep = scored
        .iter()
        .take_while(|entry| entry.score >= best * KEEP_RELATIVE_TO_BEST)
        .count()
        .clamp(MIN_COURSES, MAX_COURSES);
    scored.truncate(keep);
    if scored.is_empty() {
        return popular(learner, candidates, NOTHING_MATCHED);
    }
    if scored.len() < MIN_COURSES {
        round_out(learner, candidates, &mut scored);
    }
    // Foundations first; within a level, the better match first.
    scored.sort_by(|a, b| {
        a.course
            .difficulty
            .cmp(&b.course.difficulty)
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.course.title.cmp(&b.course.title))
    });
    let summary = personal_summary(learner, &scored);
    Ranking {
        popular: false,
        picks: scored
            .into_iter()
            .map(|entry| Pick {
                course_id: entry.course.id,
                score: (entry.score * 100.0).round().clamp(0.0, 100.0) as u8,
                explanation: entry.explanation,
            })
            .collect(),
        summary,
    }
}

/// The best-matching candidates, best first, at most `count`: what a
/// language model chooses from.
pub fn shortlist<'a>(
    learner: &Learner,
    candidates: &'a [Candidate],
    count: usize,
) -> Vec<&'a Candidate> {
    score_candidates(learner, candidates)
        .into_iter()
        .take(count)
        .map(|entry| entry.course)
        .collect()
}

/// Every candidate with evidence of fitting, scored and explained, best first.
fn score_candidates<'a>(learner: &Learner, candidates: &'a [Candidate]) -> Vec<Scored<'a>> {
    let stems = Stems::new();
    let question = query_words(&stems, learner.question.as_deref());
    let goal = query_words(&stems, learner.goal.as_deref());
    let interests: BTreeSet<&str> = learner.interests.iter().map(String::as_str).collect();

    // The question is what the learner wants now; it leads when given.
    let (mut interest_weight, mut text_weight) = if question.is_empty() {
        (0.45, 0.25)
    } else {
        (0.25, 0.45)
    };
    if interests.is_empty() {
        text_weight += interest_weight;
        interest_weight = 0.0;
    } else if question.is_empty() && goal.is_empty() {
        interest_weight += text_weight;
        text_weight = 0.0;
    }
    const LEVEL_WEIGHT: f64 = 0.2;
    const TIME_WEIGHT: f64 = 0.1;

    let mut scored: Vec<Scored> = Vec::new();
    for course in candidates {
        let Some(level_score) = level_fit(learner.level, course.difficulty) else {
            continue;
        };
        let shared: Vec<String> = course
            .tags
            .iter()
            .filter(|tag| interests.contains(tag.as_str()))
            .cloned()
            .collect();
        let mut subject = stems.of_text(&course.title);
        for name in course.tags.iter().chain(&course.skills) {
            subject.extend(stems.of_text(name));
        }
        let body = stems.of_text(&course.description);
        let asked = text_match(&question, &subject, &body);
        let aimed = text_match(&goal, &subject, &body);
        if shared.is_empty() && asked.score == 0.0 && aimed.score == 0.0 {
            continue;
        }
        let interest_score = match shared.len() {
            0 => 0.0,
            1 => 0.7,
            2 => 0.9,
            _ => 1.0,
        };
        let text_score = if question.is_empty() {
            aimed.score
        } else {
            0.75 * asked.score + 0.25 * aimed.score
        };
        let score = interest_weight * interest_score
            + text_weight * text_score
            + LEVEL_WEIGHT * level_score
            + TIME_WEIGHT * time_fit(course.duration_hours, learner.hours_per_week);

        let mut reasons = Vec::new();
        if !shared.is_empty() {
            let noun = if shared.len() == 1 {
                "interest"
            } else {
                "interests"
            };
            reasons.push(format!("Matches your {noun} {}.", list(&shared)));
        }
        if !asked.in_subject.is_empty() {
            reasons.push(format!("About {}, as you asked.", list(&asked.in_subject)));
        } else if !asked.in_description.is_empty() {
            reasons.push(format!(
                "Touches on {}, from your question.",
                list(&asked.in_description)
            ));
        }
        if !aimed.in_subject.is_empty() {
            reasons.push(format!(
                "Covers {} from your goal.",
                list(&aimed.in_subject)
            ));
        } else if !aimed.in_description.is_empty() {
            reasons.push(format!(
                "Mentions {} from your goal.",
                list(&aimed.in_description)
            ));
        }
        reasons.push(level_reason(learner.level, course.difficulty));
        reasons.push(time_reason(course.duration_hours, learner.hours_per_week));
        scored.push(Scored {
            course,
            score,
            explanation: reasons.join(" "),
        });
    }

    scored.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.course.title.cmp(&b.course.title))
    });
    scored
}

fn personal_summary(learner: &Learner, picked: &[Scored]) -> String {
    let mut about = Vec::new();
    if let Some(level) = learner.level {
        about.push(format!("your {} level", level.as_str()));
    }
    if !learner.interests.is_empty() {
        let shown: Vec<String> = learner.interests.iter().take(4).cloned().collect();
        let more = learner.interests.len().saturating_sub(shown.len());
        let mut text = format!("your interest in {}", list(&shown));
        if more > 0 {
            text.push_str(&format!(" (and {more} more)"));
        }
        about.push(text);
    }
    if learner
        .goal
        .as_deref()
        .is_some_and(|goal| !goal.trim().is_empty())
    {
        about.push("your goal".to_owned());
    }
    if learner.question.is_some() {
        about.push("your question".to_owned());
    }
    let count = picked.len();
    let mut summary = format!(
        "{count} courses picked for {}, in the order to take them",
        list(&about)
    );
    match (picked.first(), picked.last()) {
        (Some(first), Some(last)) if first.course.difficulty != last.course.difficulty => {
            summary.push_str(&format!(
                ": start with {} courses and work up to {}.",
                first.course.difficulty.as_str(),
                last.course.difficulty.as_str()
            ));
        }
        _ => summary.push('.'),
    }
    let total: i32 = picked.iter().map(|entry| entry.course.duration_hours).sum();
    match learner.hours_per_week {
        Some(pace) => summary.push_str(&format!(
            " Together about {}, roughly {} at {} a week.",
            plural(total, "hour", "hours"),
            plural(weeks_at_pace(total, pace), "week", "weeks"),
            plural(pace, "hour", "hours")
        )),
        None => summary.push_str(&format!(
            " Together about {}.",
            plural(total, "hour", "hours")
        )),
    }
    summary
}

/// Too few courses matched: adds popular courses at a fitting level, said
/// plainly, so the list still has MIN_COURSES.
fn round_out<'a>(learner: &Learner, candidates: &'a [Candidate], picked: &mut Vec<Scored<'a>>) {
    let mut fillers: Vec<(&Candidate, f64)> = candidates
        .iter()
        .filter(|course| !picked.iter().any(|entry| entry.course.id == course.id))
        .filter_map(|course| level_fit(learner.level, course.difficulty).map(|fit| (course, fit)))
        .collect();
    fillers.sort_by(|(a, a_fit), (b, b_fit)| {
        b_fit
            .total_cmp(a_fit)
            .then_with(|| b.popularity.cmp(&a.popularity))
            .then_with(|| a.duration_hours.cmp(&b.duration_hours))
            .then_with(|| a.title.cmp(&b.title))
    });
    for (course, fit) in fillers.into_iter().take(MIN_COURSES - picked.len()) {
        picked.push(Scored {
            course,
            score: 0.2 * fit + 0.1 * time_fit(course.duration_hours, learner.hours_per_week),
            explanation: format!(
                "Not a direct match for what you asked, but popular at a fitting level. {} {}",
                level_reason(learner.level, course.difficulty),
                time_reason(course.duration_hours, learner.hours_per_week)
            ),
        });
    }
}

const PROFILE_TOO_THIN: &str = "Your profile does not say what you want to learn yet, so these are popular beginner courses. Add your interests and a goal to your profile (or ask a question) for picks made for you.";
const NOTHING_MATCHED: &str = "Nothing in the catalog matches your interests, goal or question closely, so these are popular beginner courses. Try other interests or words.";

/// Popular beginner courses, for a learner whose profile says too little.
fn popular(learner: &Learner, candidates: &[Candidate], summary: &str) -> Ranking {
    let mut beginner: Vec<&Candidate> = candidates
        .iter()
        .filter(|course| course.difficulty == Difficulty::Beginner)
        .collect();
    beginner.sort_by(|a, b| {
        b.popularity
            .cmp(&a.popularity)
            .then_with(|| a.duration_hours.cmp(&b.duration_hours))
            .then_with(|| a.title.cmp(&b.title))
    });
    let picks = beginner
        .into_iter()
        .take(POPULAR_COUNT)
        .map(|course| Pick {
            course_id: course.id,
            // Nothing was matched, so no match is claimed.
            score: 0,
            explanation: format!(
                "A popular place to start: beginner level, no experience needed. {}",
                time_reason(course.duration_hours, learner.hours_per_week)
            ),
        })
        .collect();
    Ranking {
        popular: true,
        picks,
        summary: summary.to_owned(),
    }
}

#[cfg(test)]
mod tests;
