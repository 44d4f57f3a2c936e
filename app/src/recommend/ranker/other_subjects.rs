//! Everyday subjects the catalog does not teach (`data/other_subjects.json`):
//! a question about one of them that touches the catalog only through words
//! it uses in another sense ("my ball python won't eat", "pruning the
//! branches of my apple trees") is off-topic, not a request for Python or
//! Git courses.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde::Deserialize;

use super::concepts::Term;
use super::words::{Said, Stems};

#[derive(Debug, Deserialize)]
struct OtherSubjectsFile {
    subjects: Vec<Subject>,
    everyday_senses: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Subject {
    // "subject" names the group for people reading the file.
    cues: Vec<String>,
}

/// The file, read as learners' words are read.
struct OtherSubjects {
    /// Words and phrases that name a subject the catalog does not teach.
    cues: Vec<Term>,
    /// Stems of catalog words with a common sense outside the catalog.
    everyday_senses: BTreeSet<String>,
}

/// Written by the team; compiled in, so nothing is read at run time.
const OTHER_SUBJECTS_JSON: &str = include_str!("../../../../data/other_subjects.json");

static OTHER_SUBJECTS: LazyLock<OtherSubjects> = LazyLock::new(|| {
    // A unit test parses the file, so a broken one fails the tests; at run
    // time it degrades to no list (every question the catalog knows a word
    // of is answered, as before the list).
    let file =
        serde_json::from_str::<OtherSubjectsFile>(OTHER_SUBJECTS_JSON).unwrap_or_else(|error| {
            tracing::error!(%error, "data/other_subjects.json is not readable; going without it");
            OtherSubjectsFile {
                subjects: Vec::new(),
                everyday_senses: Vec::new(),
            }
        });
    let stems = Stems::new();
    OtherSubjects {
        cues: file
            .subjects
            .iter()
            .flat_map(|subject| &subject.cues)
            .map(|cue| Term::of(&stems, cue))
            .collect(),
        everyday_senses: file
            .everyday_senses
            .iter()
            .map(|word| stems.of_word(word))
            .collect(),
    }
});

/// Whether `question` is about an everyday subject the catalog does not
/// teach: it names one, and each of `catalog_words` (its words the catalog
/// or the concept map knows) is a word with an everyday sense. A single
/// catalog word without one ("sql", "spreadsheet", "website") keeps it a
/// question for the catalog, whatever else it mentions.
pub fn about_another_subject(question: &str, catalog_words: &[String]) -> bool {
    let subjects = &*OTHER_SUBJECTS;
    let stems = Stems::new();
    let said = Said::of(&stems, question);
    subjects.cues.iter().any(|cue| cue.said_in(&said))
        && catalog_words
            .iter()
            .all(|word| subjects.everyday_senses.contains(&stems.of_word(word)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(words: &[&str]) -> Vec<String> {
        words.iter().map(|word| (*word).to_owned()).collect()
    }

    #[test]
    fn the_file_parses_and_every_subject_has_cues() {
        let file: OtherSubjectsFile = serde_json::from_str(OTHER_SUBJECTS_JSON).unwrap();
        assert!(file.subjects.len() >= 10);
        assert!(file.subjects.iter().all(|subject| !subject.cues.is_empty()));
        assert!(!file.everyday_senses.is_empty());
    }

    #[test]
    fn a_catalog_word_in_its_everyday_sense_beside_another_subject_is_off_topic() {
        for (question, words) in [
            ("my ball python won't eat his frozen mice", &["python"][..]),
            (
                "should I prune the branches of my apple trees",
                &["branches", "trees"],
            ),
            ("how do I get rust off my car's brakes", &["rust"]),
            ("best java for a long road trip", &["java"]),
        ] {
            assert!(about_another_subject(question, &known(words)), "{question}");
        }
    }

    #[test]
    fn a_catalog_word_without_an_everyday_sense_keeps_a_question_on_topic() {
        for (question, words) in [
            // Another subject named, but the catalog's own words too.
            ("a database for my vet clinic's bookings", &["database"][..]),
            ("I run a dog grooming shop and want a website", &["website"]),
            ("track my gym members in a spreadsheet", &["spreadsheet"]),
            (
                "python script to sort my holiday photos",
                &["python", "script"],
            ),
        ] {
            assert!(
                !about_another_subject(question, &known(words)),
                "{question}"
            );
        }
    }

    #[test]
    fn everyday_senses_alone_are_not_another_subject() {
        // No subject outside the catalog is named: "python" is the language.
        assert!(!about_another_subject(
            "is python or java better for a beginner",
            &known(&["python", "java"])
        ));
        // A cue must be said as a phrase where the file has a phrase.
        assert!(!about_another_subject(
            "which tree structure fits a fruit catalogue",
            &known(&["tree"])
        ));
    }
}
