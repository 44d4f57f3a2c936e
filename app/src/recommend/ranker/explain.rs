//! What the learner reads: each pick's explanation and the list's summary,
//! written from the evidence the score used.

use std::collections::BTreeSet;

use super::words::Source;
use super::{Learner, MIN_COURSES, Scored};
use crate::catalog::{Difficulty, weeks_at_pace};
use crate::profile::Level;
use crate::ui::count_of;

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

pub(super) fn time_reason(duration_hours: i32, hours_per_week: Option<i32>) -> String {
    let hours = count_of(duration_hours, "hour", "hours");
    match hours_per_week {
        Some(pace) => format!(
            "{hours}: about {} at your {} a week.",
            count_of(weeks_at_pace(duration_hours, pace), "week", "weeks"),
            count_of(pace, "hour", "hours")
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

/// The explanation of one pick, from its evidence only.
pub(super) fn explain(learner: &Learner, entry: &Scored) -> String {
    let evidence = &entry.evidence;
    let mut reasons = Vec::new();
    // Only a course sharing an interest rounds out a short list.
    let related_by_interest = entry.related_only && !evidence.interests.is_empty();
    if related_by_interest {
        reasons.push(format!(
            "Not a close match: a related pick that shares your {} {}.",
            if evidence.interests.len() == 1 {
                "interest"
            } else {
                "interests"
            },
            list(&evidence.interests)
        ));
    }
    if !evidence.interests.is_empty() && !related_by_interest {
        let noun = if evidence.interests.len() == 1 {
            "interest"
        } else {
            "interests"
        };
        reasons.push(format!(
            "Matches your {noun} {}.",
            list(&evidence.interests)
        ));
    }
    if !evidence.asked_in_subject.is_empty() {
        reasons.push(format!(
            "About {}, as you asked.",
            list(&evidence.asked_in_subject)
        ));
    }
    if !evidence.asked_in_description.is_empty() {
        reasons.push(format!(
            "Touches on {}, from your question.",
            list(&evidence.asked_in_description)
        ));
    }
    if !evidence.aimed_in_subject.is_empty() {
        reasons.push(format!(
            "Covers {} from your goal.",
            list(&evidence.aimed_in_subject)
        ));
    }
    if !evidence.aimed_in_description.is_empty() {
        reasons.push(format!(
            "Mentions {} from your goal.",
            list(&evidence.aimed_in_description)
        ));
    }
    for (tags, words, source) in &evidence.bridged {
        let quoted: Vec<String> = words.iter().map(|word| format!("“{word}”")).collect();
        reasons.push(match source {
            Source::Question => format!(
                "Teaches {}, which is what {} in your question is about.",
                list(tags),
                list(&quoted)
            ),
            Source::Goal => format!(
                "Teaches {}, which {} in your goal points to.",
                list(tags),
                list(&quoted)
            ),
            Source::Interests => format!(
                "Teaches {}, close to your interest in {}.",
                list(tags),
                list(words)
            ),
        });
    }
    match &entry.assumes {
        Some(tag) => reasons.push(format!(
            "Written for people who already know {tag}: a step up until you do."
        )),
        None => reasons.push(level_reason(learner.level, entry.course.difficulty)),
    }
    reasons.push(time_reason(
        entry.course.duration_hours,
        learner.hours_per_week,
    ));
    reasons.join(" ")
}

pub(super) fn personal_summary(
    learner: &Learner,
    picked: &[Scored],
    close: usize,
    loose: bool,
) -> String {
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
    let mut summary = if count == 1 {
        format!("1 course picked for {}.", list(&about))
    } else {
        format!(
            "{count} courses picked for {}, the best match first.",
            list(&about)
        )
    };
    let related = count - close.min(count);
    if related > 0 {
        summary.push_str(&format!(
            " Only {} the catalog closely; {} related, not close, and {} marked as such.",
            match close {
                1 => "1 course matches".to_owned(),
                n => format!("{n} courses match"),
            },
            if related == 1 {
                "the last is"
            } else {
                "the last ones are"
            },
            if related == 1 { "is" } else { "are" },
        ));
    } else if loose {
        summary.push_str(&format!(
            " What you wrote matches the catalog only loosely, so only the closest {} listed; naming the topic or tool you want to learn gives a fuller list.",
            if count == 1 { "match is" } else { "matches are" }
        ));
    } else if count < MIN_COURSES {
        summary.push_str(" Nothing else in the catalog matches closely, so the list is short.");
    }
    let levels: BTreeSet<Difficulty> = picked.iter().map(|entry| entry.course.difficulty).collect();
    if levels.len() > 1 {
        summary.push_str(" The learning path puts them in an order to study them.");
    }
    let total: i32 = picked.iter().map(|entry| entry.course.duration_hours).sum();
    match learner.hours_per_week {
        Some(pace) => summary.push_str(&format!(
            " Together about {}, roughly {} at {} a week.",
            count_of(total, "hour", "hours"),
            count_of(weeks_at_pace(total, pace), "week", "weeks"),
            count_of(pace, "hour", "hours")
        )),
        None => summary.push_str(&format!(
            " Together about {}.",
            count_of(total, "hour", "hours")
        )),
    }
    summary
}
