//! The team's concept map (`data/concepts.json`): which catalog tags a
//! learner's words mean when the catalog does not use them.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use serde::Deserialize;

use super::Learner;
use super::words::{Said, Source, Stems, source_weight};

/// One topic of the concept map (`data/concepts.json`): the words learners
/// use for it and the catalog tags that teach it.
#[derive(Debug, Deserialize)]
pub(super) struct Concept {
    // "topic" names the concept for people reading the file.
    /// The tag category the concept belongs to: the map's test checks that
    /// every category has concepts and every concept a real category. The
    /// ranking itself does not use it (a course merely in the same category
    /// is no longer a pick).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) category: String,
    pub(super) terms: Vec<String>,
    pub(super) tags: Vec<String>,
    /// Words the catalog itself uses for the topic where no tag says it
    /// ("pivottables" for "pivot tables"), found in titles, tags and skills.
    #[serde(default)]
    pub(super) catalog_words: Vec<String>,
    /// For a programming language: the tags that name it ("javascript",
    /// "typescript"). Empty for every other topic.
    #[serde(default)]
    pub(super) languages: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ConceptFile {
    concepts: Vec<Concept>,
}

/// One term of the concept map, as what a learner's text must hold.
pub(super) struct Term {
    /// The stems of its words but function words, in order.
    pub(super) stems: Vec<String>,
    /// A phrase that means what it means only with its function words
    /// ("on-call", "site down", "speed up", "one-on-ones"): the stems of all
    /// its words, which the learner must write in a row. Without them it
    /// would be one everyday word ("call", "site", "speed", "one").
    pub(super) exact: Option<Vec<String>>,
}

impl Term {
    pub(super) fn of(stems: &Stems, written: &str) -> Self {
        // Read as a learner's text is read, so the two compare stem for stem.
        let said = Said::of(stems, written);
        let content: Vec<String> = said.content.into_iter().map(|(stem, _)| stem).collect();
        let mut distinct = content.clone();
        distinct.sort();
        distinct.dedup();
        Term {
            exact: (said.all.len() > 1 && distinct.len() < 2).then_some(said.all),
            stems: content,
        }
    }

    /// Whether it is a phrase: several words, which bind each other.
    pub(super) fn is_phrase(&self) -> bool {
        self.stems.len() > 1 || self.exact.is_some()
    }

    /// Whether the learner wrote it: a word as a word; a phrase's words
    /// close together (at most one other word among them, function words
    /// aside), so "keeps breaking" is not found in "keep telling me … breaking
    /// their stuff"; a phrase resting on its function words exactly.
    pub(super) fn said_in(&self, said: &Said) -> bool {
        if let Some(sequence) = &self.exact {
            return said
                .all
                .windows(sequence.len())
                .any(|run| run == sequence.as_slice());
        }
        match self.stems.len() {
            0 => false,
            1 => said.content.iter().any(|(stem, _)| *stem == self.stems[0]),
            length => {
                let span = (length + 1).min(said.content.len());
                span >= length
                    && said.content.windows(span).any(|run| {
                        self.stems
                            .iter()
                            .all(|stem| run.iter().any(|(said_stem, _)| said_stem == stem))
                    })
            }
        }
    }
}

/// The concept map with every term as what a learner's text must hold.
pub(super) struct ConceptMap {
    pub(super) concepts: Vec<Concept>,
    /// Per concept: its terms.
    pub(super) terms: Vec<Vec<Term>>,
    /// Per concept: the stems of its catalog words.
    pub(super) catalog_words: Vec<Vec<String>>,
    /// The tags that name a programming language, of every concept.
    pub(super) language_tags: BTreeSet<String>,
}

/// Written by the team; compiled in, so the ranker needs no file at run time.
const CONCEPT_MAP_JSON: &str = include_str!("../../../../data/concepts.json");

pub(super) static CONCEPT_MAP: LazyLock<ConceptMap> = LazyLock::new(|| {
    // The file is part of the source and a unit test parses it, so a broken
    // map fails the build's tests; at run time it degrades to no map.
    let concepts = serde_json::from_str::<ConceptFile>(CONCEPT_MAP_JSON)
        .map(|file| file.concepts)
        .unwrap_or_else(|error| {
            tracing::error!(%error, "data/concepts.json is not readable; ranking without it");
            Vec::new()
        });
    let stems = Stems::new();
    let terms = concepts
        .iter()
        .map(|concept| {
            concept
                .terms
                .iter()
                .map(|term| Term::of(&stems, term))
                .collect()
        })
        .collect();
    let catalog_words = concepts
        .iter()
        .map(|concept| {
            concept
                .catalog_words
                .iter()
                .map(|word| stems.of_word(word))
                .collect()
        })
        .collect();
    let language_tags = concepts
        .iter()
        .flat_map(|concept| concept.languages.iter().cloned())
        .collect();
    ConceptMap {
        concepts,
        terms,
        catalog_words,
        language_tags,
    }
});

/// A concept the learner's words (or interests) point to.
pub(super) struct Fired {
    /// Its place in the map.
    pub(super) index: usize,
    pub(super) concept: &'static Concept,
    /// The learner's own words (or interest) that named it, as they wrote them.
    pub(super) named_by: Vec<String>,
    pub(super) source: Source,
    pub(super) weight: f64,
}

/// A source of the learner's words, its words, and which concepts'
/// phrases used each stem.
type SourceWords = (Source, Said, HashMap<String, Vec<usize>>);

/// The concepts the learner's words and interests name, strongest source
/// first. An interest names a concept when it is one of the concept's tags
/// or terms.
pub(super) fn fired_concepts(stems: &Stems, learner: &Learner) -> Vec<Fired> {
    let map: &'static ConceptMap = &CONCEPT_MAP;
    let has_question = learner.has_question();
    let mut fired: Vec<Fired> = Vec::new();
    // Per source: its words (all but function words; "real-time" needs
    // "time") as (stem, word), and which concepts' phrases used each stem.
    let mut sources: Vec<SourceWords> = Vec::new();
    for (source, text) in [
        (Source::Question, learner.question.as_deref()),
        (Source::Goal, learner.goal.as_deref()),
    ] {
        let said = text.map(|text| Said::of(stems, text)).unwrap_or_default();
        // A word inside a phrase the map knows ("ethical hacking") means what
        // the phrase means, not what it means alone ("ethics").
        let mut in_phrase: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, terms) in map.terms.iter().enumerate() {
            for term in terms.iter().filter(|term| term.is_phrase()) {
                if term.said_in(&said) {
                    for stem in &term.stems {
                        in_phrase.entry(stem.clone()).or_default().push(index);
                    }
                }
            }
        }
        sources.push((source, said, in_phrase));
    }
    for (index, concept) in map.concepts.iter().enumerate() {
        let mut best: Option<(Source, Vec<String>)> = None;
        for (source, said, in_phrase) in &sources {
            let mut named_by = Vec::new();
            for term in &map.terms[index] {
                let usable = term.is_phrase()
                    || term.stems.iter().all(|stem| {
                        in_phrase
                            .get(stem)
                            .is_none_or(|concepts| concepts.contains(&index))
                    });
                if !usable || !term.said_in(said) {
                    continue;
                }
                for stem in &term.stems {
                    if let Some((_, word)) =
                        said.content.iter().find(|(said_stem, _)| said_stem == stem)
                        && !named_by.contains(word)
                    {
                        named_by.push(word.clone());
                    }
                }
            }
            if !named_by.is_empty() {
                best = Some((*source, named_by));
                break;
            }
        }
        if best.is_none() {
            let named_by: Vec<String> = learner
                .interests
                .iter()
                .filter(|interest| {
                    concept.tags.contains(interest) || concept.terms.contains(interest)
                })
                .cloned()
                .collect();
            if !named_by.is_empty() {
                best = Some((Source::Interests, named_by));
            }
        }
        if let Some((source, named_by)) = best {
            fired.push(Fired {
                index,
                concept,
                named_by,
                source,
                weight: source_weight(source, has_question),
            });
        }
    }
    fired.sort_by_key(|entry| entry.source);
    fired
}

/// The catalog tags the learner's words point to through the concept map
/// (their interests aside): where to look for candidates beyond the words
/// themselves.
pub fn concept_tags(learner: &Learner) -> Vec<String> {
    let stems = Stems::new();
    let mut tags: Vec<String> = fired_concepts(&stems, learner)
        .into_iter()
        .flat_map(|fired| fired.concept.tags.iter().cloned())
        .filter(|tag| !learner.interests.contains(tag))
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

/// Whether the concept map knows `word` (a learner's topic word): the
/// catalog teaches it under another name.
pub fn concept_map_knows(word: &str) -> bool {
    let stems = Stems::new();
    let stem = stems.of_word(word);
    CONCEPT_MAP
        .terms
        .iter()
        .flatten()
        .any(|term| !term.is_phrase() && term.stems.len() == 1 && term.stems[0] == stem)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn the_concept_map_covers_every_tag_category_with_known_tags() {
        let categories: HashMap<String, String> =
            serde_json::from_str(include_str!("../../../../data/tag_categories.json"))
                .expect("tag categories");
        let map: &ConceptMap = &CONCEPT_MAP;
        assert!(map.concepts.len() >= 14, "the map was read");
        for concept in &map.concepts {
            assert!(!concept.terms.is_empty(), "{concept:?}");
            for tag in &concept.tags {
                assert!(categories.contains_key(tag), "{tag} is not a catalog tag");
            }
            assert!(
                categories
                    .values()
                    .any(|category| *category == concept.category),
                "{} is not a tag category",
                concept.category
            );
        }
        for category in categories.values() {
            assert!(
                map.concepts
                    .iter()
                    .any(|concept| concept.category == *category),
                "no concept in {category}"
            );
        }
    }

    /// The tags the concepts named by a question alone lead to.
    fn tags_for_question(question: &str) -> Vec<String> {
        concept_tags(&Learner {
            question: Some(question.into()),
            ..Learner::default()
        })
    }

    #[test]
    fn everyday_descriptions_of_problems_reach_the_topics_that_fix_them() {
        let reaches = |question: &str, tag: &str| {
            let tags = tags_for_question(question);
            assert!(
                tags.iter().any(|known| known == tag),
                "{question}: {tags:?}"
            );
        };
        reaches("the team keeps missing deadlines", "agile");
        reaches(
            "our site goes down and I get paged at night",
            "incident response",
        );
        reaches("my reports take forever to load", "performance");
        reaches("we got hacked last month", "cybersecurity");
        reaches(
            "users get lost in our app and complain",
            "usability testing",
        );
        reaches("I copy paste the same numbers every week", "automation");
        reaches("we overwrote each other's changes again", "version control");
        reaches(
            "I get so anxious when all eyes are on me",
            "public speaking",
        );
    }

    #[test]
    fn a_phrase_counts_only_as_written() {
        // A phrase resting on a function word is not its other word alone.
        assert!(tags_for_question("sleepless nights on-call").contains(&"sre".to_owned()));
        assert!(!tags_for_question("calling an api").contains(&"sre".to_owned()));
        assert!(!tags_for_question("one of my projects").contains(&"leadership".to_owned()));
        // A phrase's words must be close together.
        assert!(tags_for_question("our code is so hard to change").contains(&"testing".to_owned()));
        assert!(
            !tags_for_question("it was hard work, but I like change")
                .contains(&"testing".to_owned())
        );
    }

    #[test]
    fn graphics_words_do_not_reach_machine_learning_hardware() {
        let tags = concept_tags(&Learner {
            question: Some("graphics shaders and rendering".into()),
            ..Learner::default()
        });
        assert!(tags.contains(&"3d graphics".to_owned()), "{tags:?}");
        assert!(!tags.contains(&"gpu".to_owned()), "{tags:?}");
    }
}
