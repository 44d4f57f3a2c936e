//! The built-in ranker ("builtin-v1"): deterministic, pure Rust, no network.
//!
//! A course's relevance is BM25-style evidence: the learner's words found in
//! its title, tags, skills and description (rarer words counting for more,
//! repeats with diminishing returns), their interests among its tags, and
//! the tags the team's concept map (`data/concepts.json`) says their words
//! mean ("hacking" → security, "queries" → SQL). The list is ordered by that
//! relevance blended with level ↔ difficulty and hours per week ↔ duration,
//! the best match first; an order of study is the learning path's job
//! (`super::types::learning_path`). The explanation of each course is written
//! from the same evidence, so it never claims a match the ranking did not use.
//!
//! Here: what the ranker takes and gives, and the scoring. `words` reads the
//! learner's words (topic words, stems, phrases), `concepts` holds the
//! concept map and which of its concepts the learner named, `explain` writes
//! the explanations and the summary.

use std::collections::{BTreeSet, HashMap};

use uuid::Uuid;

use super::types::{MAX_COURSES, MIN_COURSES};
use crate::catalog::{Difficulty, weeks_at_pace};
use crate::profile::Level;

mod concepts;
mod explain;
mod other_subjects;
mod words;

use concepts::{CONCEPT_MAP, fired_concepts};
pub use concepts::{concept_map_knows, concept_tags};
use explain::{explain, personal_summary, time_reason};
pub use other_subjects::about_another_subject;
pub use words::topic_words;
use words::{Source, Stems, query_words, source_weight, stated_level};

pub const BUILTIN_MODEL: &str = "builtin-v1";

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

    /// The learner with the level they asked for in so many words ("for
    /// beginners"): the question's, which is what they want now, over the
    /// profile's, over the goal's.
    fn at_stated_level(&self) -> Learner {
        let level = self
            .question
            .as_deref()
            .and_then(stated_level)
            .or(self.level)
            .or_else(|| self.goal.as_deref().and_then(stated_level));
        Learner {
            level,
            ..self.clone()
        }
    }

    /// Whether the learner asked about something (a question with topic words).
    fn has_question(&self) -> bool {
        self.question
            .as_deref()
            .is_some_and(|question| !topic_words(question).is_empty())
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
    /// The best match first.
    pub picks: Vec<Pick>,
    pub summary: String,
}

/// BM25's term-frequency saturation (k1 = 1.2): a word found in several
/// fields of a course counts for more, with diminishing returns.
fn saturate(field_weight: f64) -> f64 {
    const K1: f64 = 1.2;
    field_weight * (K1 + 1.0) / (field_weight + K1)
}

/// BM25's inverse document frequency: rare, specific words count for more
/// than common ones.
fn inverse_frequency(documents: usize, containing: usize) -> f64 {
    let n = documents as f64;
    let df = containing as f64;
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// Where in a course a word can be found, and what each place is worth:
/// the title says most about what a course is about, the description least.
const TITLE_WEIGHT: f64 = 2.0;
const TAG_WEIGHT: f64 = 1.5;
const SKILL_WEIGHT: f64 = 1.0;
const DESCRIPTION_WEIGHT: f64 = 0.5;
/// A tag reached through the concept map counts this much of a learner's
/// own word.
const BRIDGE_WEIGHT: f64 = 0.7;
/// A concept's tags count this much when the learner's words that named it
/// are already words of the catalog.
const DIRECT_WORD_BRIDGE_DAMPING: f64 = 0.4;
/// How much more a concept's bridge counts on a course carrying all of the
/// concept's tags than on one carrying a single one (0: no difference).
const CONCEPT_SHARE_WEIGHT: f64 = 0.5;
/// How strongly covering only part of what the learner said lowers a
/// course's relevance (0: not at all).
const COVERAGE_EXPONENT: f64 = 1.0;

/// A course's words by field, as stems.
struct CourseText {
    title: BTreeSet<String>,
    tags: BTreeSet<String>,
    skills: BTreeSet<String>,
    description: BTreeSet<String>,
}

impl CourseText {
    fn of(stems: &Stems, course: &Candidate) -> Self {
        let mut tags = BTreeSet::new();
        for tag in &course.tags {
            tags.extend(stems.of_text(tag));
        }
        let mut skills = BTreeSet::new();
        for skill in &course.skills {
            skills.extend(stems.of_text(skill));
        }
        CourseText {
            title: stems.of_text(&course.title),
            tags,
            skills,
            description: stems.of_text(&course.description),
        }
    }

    /// The weight of the fields holding `stem`; 0 when none does.
    fn field_weight(&self, stem: &str) -> (f64, bool) {
        let mut weight = 0.0;
        let mut in_subject = false;
        if self.title.contains(stem) {
            weight += TITLE_WEIGHT;
            in_subject = true;
        }
        if self.tags.contains(stem) {
            weight += TAG_WEIGHT;
            in_subject = true;
        }
        if self.skills.contains(stem) {
            weight += SKILL_WEIGHT;
            in_subject = true;
        }
        if self.description.contains(stem) {
            weight += DESCRIPTION_WEIGHT;
        }
        (weight, in_subject)
    }

    fn contains(&self, stem: &str) -> bool {
        self.field_weight(stem).0 > 0.0
    }
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
        // No level given: lean towards someone starting out, without ruling
        // anything out or letting level outweigh what they asked for.
        (None, D::Beginner) => Some(1.0),
        (None, D::Intermediate) => Some(0.85),
        (None, D::Advanced) => Some(0.6),
    }
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

/// What a course was found to share with the learner: the score is computed
/// from it and the explanation written from it, so neither claims more.
#[derive(Debug, Default)]
struct Evidence {
    interests: Vec<String>,
    asked_in_subject: Vec<String>,
    asked_in_description: Vec<String>,
    aimed_in_subject: Vec<String>,
    aimed_in_description: Vec<String>,
    /// Tags reached through the concept map: the tags, the learner's words
    /// that led there and where those words were.
    bridged: Vec<(Vec<String>, Vec<String>, Source)>,
}

impl Evidence {
    /// Whether the course is about something the learner said: an interest,
    /// one of their words in its title, tags or skills, or a concept they
    /// named among its tags. Their words only in its description ("present",
    /// "executives" in a dashboards course's blurb) make it no close match.
    fn is_about_the_learner(&self) -> bool {
        !self.interests.is_empty()
            || !self.asked_in_subject.is_empty()
            || !self.aimed_in_subject.is_empty()
            || !self.bridged.is_empty()
    }

    /// Whether the course answers part of the learner's question: one of
    /// its words in the course's title, tags or skills, or a concept it
    /// names among the course's tags. A word found only in a description is
    /// not enough.
    fn answers_the_question(&self) -> bool {
        !self.asked_in_subject.is_empty()
            || self
                .bridged
                .iter()
                .any(|(_, _, source)| *source == Source::Question)
    }
}

struct Scored<'a> {
    course: &'a Candidate,
    /// BM25-style: the weighted evidence, rarer words counting for more.
    relevance: f64,
    /// 0..=1: relevance (relative to the best course) blended with level and
    /// time fit; orders the list.
    score: f64,
    evidence: Evidence,
    /// Added to round out a short list, not a close match.
    related_only: bool,
    /// What the course's title says its learners already know ("Kotlin
    /// Essentials for Java Developers"), when a beginner has not said they
    /// know it.
    assumes: Option<String>,
}

/// The tag a course's title says its learners already know: "… for Java
/// Developers" assumes Java. Only a tag of the course counts, so "for New
/// Programmers" assumes nothing.
fn assumed_knowledge(course: &Candidate) -> Option<&str> {
    let title = course.title.to_lowercase();
    let (_, audience) = title.split_once(" for ")?;
    let audience = audience.split(':').next()?.trim();
    let known = ["developers", "engineers", "programmers"]
        .iter()
        .find_map(|role| audience.strip_suffix(role))?
        .trim();
    course
        .tags
        .iter()
        .find(|tag| tag.as_str() == known)
        .map(String::as_str)
}

/// Whether the learner said anything about `tag`: as an interest or in
/// their question or goal.
fn learner_mentions(stems: &Stems, learner: &Learner, tag: &str) -> bool {
    if learner.interests.iter().any(|interest| interest == tag) {
        return true;
    }
    let tag_stems = stems.of_text(tag);
    [learner.question.as_deref(), learner.goal.as_deref()]
        .into_iter()
        .flatten()
        .any(|text| tag_stems.is_subset(&stems.of_text(text)))
}

/// The level fit, for a beginner, of a course assuming knowledge they have
/// not said they have: that of an intermediate course.
const ASSUMES_KNOWLEDGE_FIT: f64 = 0.45;

/// Courses whose relevance is below this share of the best one's are not
/// close matches.
const KEEP_RELATIVE_TO_BEST: f64 = 0.45;
/// Evidence is loose when even the best course's relevance is below this
/// share of what one rare word of the learner's in a course's title gives
/// (a word only that course has). On the labelled personas such answers
/// (a symptom in everyday words, "our api keeps falling over whenever
/// traffic spikes"; a long story around the point) had the right course
/// first and mostly unrelated ones after it.
const LOOSE_EVIDENCE_SHARE: f64 = 0.5;
/// When the evidence is loose, only courses about as relevant as the best
/// one are kept, and the list is not rounded out.
const KEEP_RELATIVE_TO_LOOSE_BEST: f64 = 0.9;
const RELEVANCE_WEIGHT: f64 = 0.7;
const LEVEL_WEIGHT: f64 = 0.2;
const TIME_WEIGHT: f64 = 0.1;

/// Ranks `candidates` for `learner`, best match first. Candidates with no
/// evidence of fitting are never picked; when fewer than MIN_COURSES match
/// closely, the list is rounded out only with courses sharing one of the
/// learner's interests (and says so) that, when the learner asked a
/// question, also answer part of it; otherwise it is left short. A course
/// merely in the same tag category as what the learner said is not enough:
/// on the labelled personas such picks were mostly ones a person would call
/// unrelated ("Advanced Python" for concurrency in Go). Never picked either:
/// a course in another programming language than the one the learner named
/// (`score_candidates`), and, for a learner who has not said their level,
/// an advanced course when something below advanced matches as well.
pub fn rank(learner: &Learner, candidates: &[Candidate]) -> Ranking {
    let learner = &learner.at_stated_level();
    if !learner.has_preferences() {
        return popular(learner, candidates, PROFILE_TOO_THIN);
    }
    let scored = score_candidates(learner, candidates);
    let best = scored
        .iter()
        .map(|entry| entry.relevance)
        .fold(0.0, f64::max);
    if best <= 0.0 {
        return popular(learner, candidates, NOTHING_MATCHED);
    }
    let loose = best
        < LOOSE_EVIDENCE_SHARE * saturate(TITLE_WEIGHT) * inverse_frequency(candidates.len(), 1);
    let keep_share = if loose {
        KEEP_RELATIVE_TO_LOOSE_BEST
    } else {
        KEEP_RELATIVE_TO_BEST
    };
    // Where nothing is more than a mention in a description, such mentions
    // are all there is to go on.
    let any_about_the_learner = scored
        .iter()
        .any(|entry| entry.evidence.is_about_the_learner());
    let eligible = |entry: &Scored| !any_about_the_learner || entry.evidence.is_about_the_learner();
    let best_about = scored
        .iter()
        .filter(|entry| eligible(entry))
        .map(|entry| entry.relevance)
        .fold(0.0, f64::max);
    let close_enough =
        |entry: &Scored| eligible(entry) && entry.relevance >= best_about * keep_share;
    // A learner who has not said their level is taken as starting out: an
    // advanced course is a pick only when nothing below advanced matches as
    // well ("docker or kubernetes first?" is not asking for multi-cluster
    // operators).
    let best_below_advanced = scored
        .iter()
        .filter(|entry| entry.course.difficulty != Difficulty::Advanced && close_enough(entry))
        .map(|entry| entry.relevance)
        .fold(0.0, f64::max);
    let suits_the_level = |entry: &Scored| {
        learner.level.is_some()
            || entry.course.difficulty != Difficulty::Advanced
            || entry.relevance >= best_below_advanced
    };
    let (mut picked, rest): (Vec<Scored>, Vec<Scored>) = scored
        .into_iter()
        .partition(|entry| close_enough(entry) && suits_the_level(entry));
    picked.truncate(MAX_COURSES);
    let close = picked.len();
    if close < MIN_COURSES && !loose {
        let has_question = learner.has_question();
        picked.extend(
            rest.into_iter()
                .filter(|entry| {
                    !entry.evidence.interests.is_empty()
                        && (!has_question || entry.evidence.answers_the_question())
                        && suits_the_level(entry)
                })
                .take(MIN_COURSES - close)
                .map(|entry| Scored {
                    related_only: true,
                    ..entry
                }),
        );
    }
    let summary = personal_summary(learner, &picked, close, loose);
    Ranking {
        popular: false,
        picks: picked
            .into_iter()
            .map(|entry| Pick {
                course_id: entry.course.id,
                score: (entry.score * 100.0).round().clamp(0.0, 100.0) as u8,
                explanation: explain(learner, &entry),
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
    score_candidates(&learner.at_stated_level(), candidates)
        .into_iter()
        .take(count)
        .map(|entry| entry.course)
        .collect()
}

/// Every candidate with evidence of fitting, scored, best first.
fn score_candidates<'a>(learner: &Learner, candidates: &'a [Candidate]) -> Vec<Scored<'a>> {
    let stems = Stems::new();
    let query = query_words(&stems, learner);
    let fired = fired_concepts(&stems, learner);
    let interest_weight = source_weight(Source::Interests, learner.has_question());
    let interests: BTreeSet<&str> = learner.interests.iter().map(String::as_str).collect();

    let texts: Vec<CourseText> = candidates
        .iter()
        .map(|course| CourseText::of(&stems, course))
        .collect();
    // Document frequencies over the candidates: with the shipped catalog
    // that is nearly every course; with a large one, a sample of those
    // sharing the learner's words and tags.
    let documents = candidates.len();
    let word_rarity: Vec<f64> = query
        .iter()
        .map(|word| {
            let containing = texts.iter().filter(|text| word.found_in(text)).count();
            inverse_frequency(documents, containing)
        })
        .collect();
    let mut tag_counts: HashMap<&str, usize> = HashMap::new();
    for course in candidates {
        for tag in &course.tags {
            *tag_counts.entry(tag.as_str()).or_default() += 1;
        }
    }
    let tag_rarity =
        |tag: &str| inverse_frequency(documents, tag_counts.get(tag).copied().unwrap_or(0));
    let stem_rarity = |stem: &str| {
        inverse_frequency(
            documents,
            texts.iter().filter(|text| text.contains(stem)).count(),
        )
    };
    // The map bridges vocabulary the catalog lacks: where the learner's own
    // words are already what courses are about ("api"), the words lead and
    // the concept's wider tags count for less.
    let bridge_damping: Vec<f64> = fired
        .iter()
        .map(|entry| {
            let direct = entry.source != Source::Interests
                && entry.named_by.iter().all(|word| {
                    let stem = stems.of_word(word);
                    texts.iter().any(|text| {
                        text.title.contains(&stem)
                            || text.tags.contains(&stem)
                            || text.skills.contains(&stem)
                    })
                });
            if direct {
                DIRECT_WORD_BRIDGE_DAMPING
            } else {
                1.0
            }
        })
        .collect();
    // A word no candidate holds and no concept of the map takes up ("sea",
    // a name, a typo nothing corrected) says nothing about any course: it is
    // noise, not a part of the request the courses fail to cover, so it
    // weighs nothing in coverage. With a large catalog the candidates include
    // courses holding each of the learner's words, so a word none of them
    // holds is one the catalog does not use.
    let total_weight: f64 = query
        .iter()
        .filter(|word| {
            texts.iter().any(|text| word.found_in(text))
                || fired
                    .iter()
                    .any(|entry| entry.source == word.source && entry.named_by.contains(&word.word))
        })
        .map(|word| word.weight)
        .sum::<f64>()
        + interest_weight * learner.interests.len() as f64;

    // The programming languages the learner named in their question or
    // goal (their standing interests aside): a course in another language is
    // no answer to "javascript promises make zero sense to me", however much
    // it says about async code.
    let languages = &CONCEPT_MAP.language_tags;
    let named_languages: BTreeSet<&str> = fired
        .iter()
        .filter(|entry| entry.source != Source::Interests)
        .flat_map(|entry| entry.concept.languages.iter().map(String::as_str))
        .chain(
            query
                .iter()
                .filter_map(|word| languages.get(word.word.as_str()).map(String::as_str)),
        )
        .collect();
    let in_another_language = |course: &Candidate| {
        !named_languages.is_empty()
            && course
                .tags
                .iter()
                .any(|tag| languages.contains(tag.as_str()))
            && !course
                .tags
                .iter()
                .any(|tag| named_languages.contains(tag.as_str()))
    };

    let mut scored: Vec<Scored> = Vec::new();
    for (course, text) in candidates.iter().zip(&texts) {
        if level_fit(learner.level, course.difficulty).is_none() || in_another_language(course) {
            continue;
        }
        let mut evidence = Evidence::default();
        let mut relevance = 0.0;
        for (word, rarity) in query.iter().zip(&word_rarity) {
            let (field_weight, in_subject) = word.field_weight_in(text);
            if field_weight == 0.0 {
                continue;
            }
            relevance += word.weight * rarity * saturate(field_weight);
            let found = match (word.source, in_subject) {
                (Source::Question, true) => &mut evidence.asked_in_subject,
                (Source::Question, false) => &mut evidence.asked_in_description,
                (_, true) => &mut evidence.aimed_in_subject,
                (_, false) => &mut evidence.aimed_in_description,
            };
            found.push(word.word.clone());
        }
        for tag in &course.tags {
            if interests.contains(tag.as_str()) {
                relevance += interest_weight * tag_rarity(tag) * saturate(TAG_WEIGHT);
                evidence.interests.push(tag.clone());
            }
        }
        // What of the learner's the course covers, by weight: a course that
        // answers all of what was said beats one that shares a single word.
        let mut covered: BTreeSet<&str> = BTreeSet::new();
        for word in &query {
            if word.found_in(text) {
                covered.insert(word.stem.as_str());
            }
        }
        let mut interests_covered: BTreeSet<&str> =
            evidence.interests.iter().map(String::as_str).collect();
        for (fired_index, entry) in fired.iter().enumerate() {
            // A concept tag the learner also has as an interest is scored as
            // the interest, but still shows the course covers their words.
            let on_course = course
                .tags
                .iter()
                .any(|tag| entry.concept.tags.contains(tag));
            let mut reached: Vec<String> = course
                .tags
                .iter()
                .filter(|tag| entry.concept.tags.contains(tag) && !interests.contains(tag.as_str()))
                .cloned()
                .collect();
            // A course teaching more of what the concept means is closer to
            // it: "lead a team" is leadership, management and teamwork, and
            // a course with one of the three (a design-docs course tagged
            // leadership) is further from it than one with all of them.
            let taught = entry
                .concept
                .tags
                .iter()
                .filter(|tag| course.tags.contains(tag))
                .count();
            // One tag counts as it always did; each further one adds, up to
            // CONCEPT_SHARE_WEIGHT more for all of them, so courses sharing
            // a single tag keep their place relative to word matches.
            let further = taught.saturating_sub(1) as f64
                / entry.concept.tags.len().saturating_sub(1).max(1) as f64;
            let rarity = reached
                .iter()
                .map(|tag| tag_rarity(tag))
                .fold(0.0, f64::max)
                * (1.0 + CONCEPT_SHARE_WEIGHT * further);
            let mut word_rarity = 0.0_f64;
            for (word, stem) in entry
                .concept
                .catalog_words
                .iter()
                .zip(&CONCEPT_MAP.catalog_words[entry.index])
            {
                if text.title.contains(stem)
                    || text.tags.contains(stem)
                    || text.skills.contains(stem)
                {
                    word_rarity = word_rarity.max(stem_rarity(stem));
                    reached.push(word.clone());
                }
            }
            if !on_course && reached.is_empty() {
                continue;
            }
            for word in &entry.named_by {
                if entry.source == Source::Interests {
                    interests_covered.insert(word.as_str());
                } else if let Some(known) = query.iter().find(|known| known.word == *word) {
                    covered.insert(known.stem.as_str());
                }
            }
            if reached.is_empty() {
                continue;
            }
            relevance += entry.weight
                * BRIDGE_WEIGHT
                * bridge_damping[fired_index]
                * (rarity + word_rarity)
                * saturate(TAG_WEIGHT);
            if let Some((known, _, _)) = evidence
                .bridged
                .iter_mut()
                .find(|(_, words, source)| *words == entry.named_by && *source == entry.source)
            {
                for tag in reached {
                    if !known.contains(&tag) {
                        known.push(tag);
                    }
                }
            } else {
                evidence
                    .bridged
                    .push((reached, entry.named_by.clone(), entry.source));
            }
        }
        let covered_weight: f64 = query
            .iter()
            .filter(|word| covered.contains(word.stem.as_str()))
            .map(|word| word.weight)
            .sum::<f64>()
            + interest_weight * interests_covered.len() as f64;
        if total_weight > 0.0 {
            relevance *= (covered_weight / total_weight)
                .min(1.0)
                .powf(COVERAGE_EXPONENT);
        }
        if relevance <= 0.0 {
            continue;
        }
        scored.push(Scored {
            course,
            relevance,
            score: 0.0,
            evidence,
            related_only: false,
            assumes: (learner.level == Some(Level::Beginner))
                .then(|| assumed_knowledge(course))
                .flatten()
                .filter(|tag| !learner_mentions(&stems, learner, tag))
                .map(str::to_owned),
        });
    }
    let best = scored
        .iter()
        .map(|entry| entry.relevance)
        .fold(0.0, f64::max);
    for entry in &mut scored {
        let level_score = if entry.assumes.is_some() {
            ASSUMES_KNOWLEDGE_FIT
        } else {
            level_fit(learner.level, entry.course.difficulty).unwrap_or(0.0)
        };
        entry.score = RELEVANCE_WEIGHT * entry.relevance / best
            + LEVEL_WEIGHT * level_score
            + TIME_WEIGHT * time_fit(entry.course.duration_hours, learner.hours_per_week);
    }
    scored.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.course.title.cmp(&b.course.title))
    });
    scored
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
