//! The learner's words: topic words, stems, and what each weighs.

use std::collections::BTreeSet;

use rust_stemmers::{Algorithm, Stemmer};

use super::concepts::CONCEPT_MAP;
use super::{CourseText, DESCRIPTION_WEIGHT, Learner};
use crate::profile::Level;

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
    "first",
    "build",
    "building",
    "create",
    "beginner",
    "beginners",
    "begginer",
    "begginers",
    "basics",
    "newbie",
    "novice",
    "teach",
    "teaches",
    "teaching",
    "run",
    "running",
    "spend",
    "less",
    "stop",
    "keep",
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
    let all: Vec<String> = words(text).collect();
    all.iter()
        .enumerate()
        .filter(|(place, word)| {
            (!STOP_WORDS.contains(&word.as_str()) && !ASKING_WORDS.contains(&word.as_str()))
                || (word.as_str() == "go" && names_the_go_language(&all, *place))
        })
        .map(|(_, word)| word.clone())
        // Numbers alone ("2", "10") are not topics.
        .filter(|word| word.chars().any(char::is_alphabetic))
        .filter(|word| seen.insert(word.clone()))
        .collect()
}

/// "go" is usually a verb ("I want to go into data"); it names the
/// language after "in", "with", "learn", "about", "of", "is" ("is go worth
/// it"), or a comparison ("rust or go", "python vs go"), and before
/// "language", "programming", "developer", "backend" or a comparison.
fn names_the_go_language(words: &[String], place: usize) -> bool {
    let before = place
        .checked_sub(1)
        .and_then(|index| words.get(index))
        .map(String::as_str);
    let after = words.get(place + 1).map(String::as_str);
    matches!(
        before,
        Some(
            "in" | "with"
                | "learn"
                | "about"
                | "of"
                | "using"
                | "is"
                | "or"
                | "vs"
                | "versus"
                | "than"
        )
    ) || matches!(
        after,
        Some(
            "language"
                | "programming"
                | "developer"
                | "developers"
                | "backend"
                | "lang"
                | "vs"
                | "versus"
        )
    )
}

/// Lowercase words; '#' and '+' stay part of a word (c#, c++).
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '#' || c == '+' || c == '\''))
        .map(|word| word.trim_matches('\'').to_lowercase())
        .filter(|word| !word.is_empty())
}

/// Words that say what level a learner wants ("kubernetes for beginners",
/// "advanced SQL"), typos people make in them included.
const BEGINNER_WORDS: &[&str] = &[
    "beginner",
    "beginners",
    "begginer",
    "begginers",
    "beginers",
    "newbie",
    "newbies",
    "novice",
    "novices",
    "basics",
    "basic",
    "intro",
    "introduction",
    "introductory",
    "noob",
    "dummies",
];
const ADVANCED_WORDS: &[&str] = &["advanced", "expert", "experts", "senior", "mastery"];

/// The level `text` asks for in so many words, if it does: "for beginners"
/// rules out advanced courses as surely as a beginner profile does.
pub(super) fn stated_level(text: &str) -> Option<Level> {
    let mut stated = None;
    for word in words(text) {
        if BEGINNER_WORDS.contains(&word.as_str()) {
            stated = Some(Level::Beginner);
        } else if ADVANCED_WORDS.contains(&word.as_str()) {
            stated = Some(Level::Advanced);
        }
    }
    stated
}

/// Words the English stemmer folds into another word's stem although they
/// mean something else, each with the stem it keeps instead: "production"
/// is not "product", "experience" is not "experiment", "documentation" is
/// not a database's "documents", "modeling" a schema is not a "model".
/// Forms of one meaning share a stem here too ("experiments" and
/// "experimentation").
const STEM_EXCEPTIONS: &[(&str, &str)] = &[
    ("production", "production"),
    ("productionise", "production"),
    ("productionize", "production"),
    ("productive", "productiv"),
    ("productivity", "productiv"),
    ("experience", "experienc"),
    ("experiences", "experienc"),
    ("experienced", "experienc"),
    ("experiment", "experiment"),
    ("experiments", "experiment"),
    ("experimental", "experiment"),
    ("experimenting", "experiment"),
    ("experimentation", "experiment"),
    ("modeling", "modeling"),
    ("modelling", "modeling"),
    ("documentation", "documentation"),
    ("documented", "documentation"),
    ("documenting", "documentation"),
];

/// Compares words by stem, so "pipelines" finds "pipeline" and "engineering"
/// finds "engineer".
pub(super) struct Stems(Stemmer);

impl Stems {
    pub(super) fn new() -> Self {
        Stems(Stemmer::create(Algorithm::English))
    }

    pub(super) fn of_word(&self, word: &str) -> String {
        if let Some((_, stem)) = STEM_EXCEPTIONS.iter().find(|(known, _)| *known == word) {
            return (*stem).to_owned();
        }
        self.0.stem(word).into_owned()
    }

    pub(super) fn of_text(&self, text: &str) -> BTreeSet<String> {
        words(text).map(|word| self.of_word(&word)).collect()
    }
}

/// What the learner wrote, as stems in order: every word, and the words but
/// function words with each word as written.
#[derive(Default)]
pub(super) struct Said {
    pub(super) all: Vec<String>,
    pub(super) content: Vec<(String, String)>,
}

impl Said {
    pub(super) fn of(stems: &Stems, text: &str) -> Self {
        let mut said = Said::default();
        for word in words(text) {
            let stem = stems.of_word(&word);
            said.all.push(stem.clone());
            if !STOP_WORDS.contains(&word.as_str()) {
                said.content.push((stem, word));
            }
        }
        said
    }
}

/// A topic word of the learner's, its stem, and how much it counts.
pub(super) struct QueryWord {
    pub(super) word: String,
    pub(super) stem: String,
    /// Where it came from.
    pub(super) source: Source,
    pub(super) weight: f64,
    /// A word that is mostly something else in prose ("go" the language is
    /// "go" the verb in a description): it counts only in a course's title,
    /// tags and skills.
    pub(super) subject_only: bool,
    /// The concept map's phrases the learner wrote that hold this word
    /// ("collaborate on code"), as stems: inside such a phrase the word means
    /// what the phrase means (as it does for the concepts it names), so it
    /// counts on a course only when the course holds every word of one of
    /// them. Empty: the word counts alone.
    pub(super) phrases: Vec<Vec<String>>,
}

impl QueryWord {
    /// The weight of the fields of `text` holding this word in the sense the
    /// learner used it, and whether one of them is the title, a tag or a
    /// skill; 0 when none does.
    pub(super) fn field_weight_in(&self, text: &CourseText) -> (f64, bool) {
        let (weight, in_subject) = text.field_weight(&self.stem);
        if !self.phrases.is_empty()
            && !self
                .phrases
                .iter()
                .any(|phrase| phrase.iter().all(|stem| text.contains(stem)))
        {
            return (0.0, false);
        }
        if !self.subject_only {
            return (weight, in_subject);
        }
        if !in_subject {
            return (0.0, false);
        }
        let description = if text.description.contains(&self.stem) {
            DESCRIPTION_WEIGHT
        } else {
            0.0
        };
        (weight - description, true)
    }

    pub(super) fn found_in(&self, text: &CourseText) -> bool {
        self.field_weight_in(text).0 > 0.0
    }
}

/// Which part of what the learner said a piece of evidence comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Source {
    Question,
    Goal,
    Interests,
}

/// The question is what the learner wants now: when there is one, the goal
/// and the standing interests count for less.
pub(super) fn source_weight(source: Source, has_question: bool) -> f64 {
    match (source, has_question) {
        (Source::Question, _) => 1.0,
        (Source::Goal, true) => 0.5,
        (Source::Goal, false) => 1.0,
        (Source::Interests, true) => 0.45,
        (Source::Interests, false) => 0.9,
    }
}

/// The learner's topic words from the question and the goal, one per stem
/// (the question's when both have it).
pub(super) fn query_words(stems: &Stems, learner: &Learner) -> Vec<QueryWord> {
    let has_question = learner.has_question();
    let mut seen = BTreeSet::new();
    let mut query = Vec::new();
    for (source, text) in [
        (Source::Question, learner.question.as_deref()),
        (Source::Goal, learner.goal.as_deref()),
    ] {
        // Every word of the text: a phrase of the map may hold an asking
        // word ("machine learning") or rest on a function word ("on-call").
        let said = text.map(|text| Said::of(stems, text)).unwrap_or_default();
        // "iphone and android" names two things, each meaning itself: only
        // compounds ("ethical hacking", "collaborate on code") bind words.
        let phrases_used: Vec<&Vec<String>> = CONCEPT_MAP
            .concepts
            .iter()
            .zip(&CONCEPT_MAP.terms)
            .flat_map(|(concept, terms)| concept.terms.iter().zip(terms))
            .filter(|(written, term)| {
                term.stems.len() > 1
                    && !written.split_whitespace().any(|word| word == "and")
                    && term.said_in(&said)
            })
            .map(|(_, term)| &term.stems)
            .collect();
        for word in text.map(topic_words).unwrap_or_default() {
            let stem = stems.of_word(&word);
            if seen.insert(stem.clone()) {
                let mut phrases: Vec<Vec<String>> = Vec::new();
                for phrase in phrases_used.iter().filter(|phrase| phrase.contains(&stem)) {
                    if !phrases.contains(phrase) {
                        phrases.push((*phrase).clone());
                    }
                }
                query.push(QueryWord {
                    phrases,
                    subject_only: word == "go",
                    word,
                    stem,
                    source,
                    weight: source_weight(source, has_question),
                });
            }
        }
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_keep_apart_words_of_different_meaning() {
        let stems = Stems::new();
        assert_ne!(stems.of_word("production"), stems.of_word("product"));
        assert_ne!(stems.of_word("experience"), stems.of_word("experiments"));
        assert_ne!(stems.of_word("documentation"), stems.of_word("documents"));
        assert_ne!(stems.of_word("productivity"), stems.of_word("products"));
        assert_eq!(
            stems.of_word("experiments"),
            stems.of_word("experimentation")
        );
        // Everything else is stemmed as usual.
        assert_eq!(stems.of_word("pipelines"), stems.of_word("pipeline"));
    }

    #[test]
    fn the_level_asked_for_is_read_from_the_words() {
        assert_eq!(
            stated_level("kubernets for begginers"),
            Some(Level::Beginner)
        );
        assert_eq!(stated_level("advanced SQL tuning"), Some(Level::Advanced));
        assert_eq!(stated_level("deploy my app to the cloud"), None);
    }

    #[test]
    fn go_is_a_topic_only_when_it_names_the_language() {
        assert_eq!(topic_words("concurrency in go"), ["concurrency", "go"]);
        assert_eq!(topic_words("I want to go into data"), ["data"]);
        assert_eq!(topic_words("is go worth it"), ["go", "worth"]);
        assert_eq!(
            topic_words("rust or go for services"),
            ["rust", "go", "services"]
        );
        assert!(topic_words("go vs rust").contains(&"go".to_owned()));
    }

    #[test]
    fn topic_words_leave_out_how_people_ask() {
        assert_eq!(
            topic_words("I want to get into data engineering!"),
            ["data", "engineering"]
        );
        assert_eq!(topic_words("write me a poem"), ["poem"]);
        assert_eq!(
            topic_words("Help me learn C# and C++ in 2 weeks"),
            ["c#", "c++"]
        );
        assert!(topic_words("I want to learn something").is_empty());
    }
}
