//! Reading a learner's words as the catalog would: which are about
//! something it teaches, and which are slips of a catalog word. Server-only.

use std::collections::HashMap;

use sqlx::PgPool;

use crate::recommend::ranker::{self, Learner};

/// Typed words shorter than this are never corrected: too many near misses.
const MIN_CORRECTED_CHARS: usize = 6;

/// Reads the learner's words the way the catalog would: a topic word that no
/// course is about (in its title, tags or skills) and the concept map does
/// not know is replaced by the nearest catalog word when that is a slip of
/// one or two letters ("pyhton" → "python", "kubernets" → "kubernetes").
/// Returns whether the question (if any) is about something the catalog
/// teaches: a topic word some course is about, directly or through the
/// concept map, unless the question is about an everyday subject the catalog
/// does not teach and its only such words have an everyday sense ("my ball
/// python won't eat"). The stored question stays as the learner typed it.
pub async fn understand(pool: &PgPool, learner: &mut Learner) -> Result<bool, sqlx::Error> {
    let question_words = learner
        .question
        .as_deref()
        .map(ranker::topic_words)
        .unwrap_or_default();
    let mut words: Vec<String> = question_words.clone();
    for word in learner
        .goal
        .as_deref()
        .map(ranker::topic_words)
        .unwrap_or_default()
    {
        if !words.contains(&word) {
            words.push(word);
        }
    }
    if words.is_empty() {
        return Ok(true);
    }
    let found = sqlx::query!(
        r#"
        select typed.word as "word!",
               exists (
                   select 1 from courses
                   where search_document @@ (
                       select string_agg(quote_literal(lexeme) || ':AB', ' | ')::tsquery
                       from unnest(tsvector_to_array(to_tsvector('english', typed.word))) as lexeme)
               ) as "covered!",
               case when length(typed.word) >= $2 then
                   array(select term from search_terms order by term <-> typed.word limit 3)
               else '{}' end as "nearest!"
        from unnest($1::text[]) as typed (word)
        "#,
        &words,
        MIN_CORRECTED_CHARS as i32,
    )
    .fetch_all(pool)
    .await?;
    let mut corrections: HashMap<String, String> = HashMap::new();
    // The question's words the catalog knows (corrected where slipped).
    let mut question_known: Vec<String> = Vec::new();
    for row in found {
        let (word, covered, nearest) = (row.word, row.covered, row.nearest);
        let known = covered || ranker::concept_map_knows(&word);
        let correction = (!known)
            .then(|| {
                nearest
                    .into_iter()
                    .find(|term| term != &word && is_slip_of(&word, term))
            })
            .flatten();
        if question_words.contains(&word) && (known || correction.is_some()) {
            question_known.push(correction.clone().unwrap_or_else(|| word.clone()));
        }
        if let Some(term) = correction {
            corrections.insert(word, term);
        }
    }
    if !corrections.is_empty() {
        learner.question = learner
            .question
            .as_deref()
            .map(|text| corrected(text, &corrections));
        learner.goal = learner
            .goal
            .as_deref()
            .map(|text| corrected(text, &corrections));
    }
    let about_the_catalog = !question_known.is_empty()
        && !learner
            .question
            .as_deref()
            .is_some_and(|question| ranker::about_another_subject(question, &question_known));
    Ok(question_words.is_empty() || about_the_catalog)
}

/// Whether `typed` is `term` with a letter or two wrong, missing, extra or
/// swapped (one for words under nine letters), the first letter aside: people
/// rarely get a word's first letter wrong, and a word that differs there is
/// usually another word ("falling" is not a slip of "calling").
fn is_slip_of(typed: &str, term: &str) -> bool {
    let allowed = if typed.chars().count() >= 9 { 2 } else { 1 };
    typed.chars().next() == term.chars().next() && edit_distance(typed, term) <= allowed
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and swaps of neighbouring letters each count one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// `text` with each corrected word replaced, the rest as typed.
fn corrected(text: &str, corrections: &HashMap<String, String>) -> String {
    text.split_whitespace()
        .map(|token| {
            let bare = token
                .trim_matches(|c: char| !(c.is_alphanumeric() || c == '#' || c == '+'))
                .to_lowercase();
            corrections
                .get(&bare)
                .cloned()
                .unwrap_or_else(|| token.to_owned())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::is_slip_of;

    #[test]
    fn a_slip_keeps_the_first_letter() {
        assert!(is_slip_of("pyhton", "python"));
        assert!(is_slip_of("kubernets", "kubernetes"));
        assert!(!is_slip_of("falling", "calling"));
    }
}
