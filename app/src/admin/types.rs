//! What the admin dashboard shows, shared by server and browser, and the
//! period it covers, read from the URL.

use serde::{Deserialize, Serialize};

/// How far back the dashboard looks when the URL does not say.
pub const DEFAULT_PERIOD_DAYS: i64 = 90;
pub const DEFAULT_WITHIN_DAYS: i32 = 90;
/// At-risk learners listed on the page (the CSV has them all).
pub const AT_RISK_SHOWN: i64 = 50;

/// The dashboard's view: a period of whole days (UTC, both ends included)
/// and the "within N days of signing up" of the level panel. Dates are
/// ISO `YYYY-MM-DD` text, so they travel in URLs as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: String,
    pub to: String,
    pub within_days: i32,
    /// What was wrong with the URL's values and how it was corrected.
    pub notes: Vec<String>,
}

impl Period {
    /// "?from=2026-01-01&to=2026-03-31&within=90".
    pub fn query_string(&self) -> String {
        format!(
            "from={}&to={}&within={}",
            self.from, self.to, self.within_days
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelTransition {
    pub from_level: String,
    pub to_level: String,
    pub count: i64,
    pub average_days: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelPanel {
    pub transitions: Vec<LevelTransition>,
    /// Learners who signed up in the period and started as beginners…
    pub beginner_cohort: i64,
    /// …and of those, who reached intermediate within `within_days`.
    pub moved_within: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterestWeek {
    /// Monday of the week.
    pub week: String,
    pub added: i64,
    pub removed: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterestTrend {
    pub interest: String,
    pub added: i64,
    pub removed: i64,
}

impl InterestTrend {
    pub fn net(&self) -> i64 {
        self.added - self.removed
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterestPanel {
    pub weeks: Vec<InterestWeek>,
    pub risers: Vec<InterestTrend>,
    pub fallers: Vec<InterestTrend>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRow {
    pub model: String,
    /// None: all levels together.
    pub level: Option<String>,
    pub recommendations: i64,
    pub rated: i64,
    pub with_feedback: i64,
    pub average_rating: Option<f64>,
    /// How many 1, 2, 3, 4 and 5 star ratings.
    pub stars: [i64; 5],
}

impl ModelRow {
    /// Share of recommendations that were rated, 0–100.
    pub fn feedback_rate(&self) -> f64 {
        percent(self.rated, self.recommendations)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionRating {
    /// 10 stands for "10 and later".
    pub version: i32,
    pub rated: i64,
    pub average_rating: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalisationPanel {
    pub by_version: Vec<VersionRating>,
    /// Low ratings (≤ 2) given in the period.
    pub low_ratings: i64,
    /// …after which the learner updated the profile.
    pub updated_after: i64,
    /// …and rated the next recommendation after the update.
    pub next_rated: i64,
    pub next_average: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtRiskLearner {
    pub email: String,
    pub last_active: String,
    pub signals: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnPanel {
    pub hours_drop: i64,
    pub inactive: i64,
    pub negative_ratings: i64,
    pub narrowing: i64,
    /// Learners whose hours dropped in the period, at least 30 days ago…
    pub dropped_and_observed: i64,
    /// …and of those, who had no activity later than 30 days after the drop.
    pub dropped_then_inactive: i64,
    pub at_risk_total: i64,
    pub at_risk: Vec<AtRiskLearner>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoursePopularity {
    pub title: String,
    pub slug: String,
    pub recommended: i64,
    pub rated: i64,
    pub average_rating: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopularityPanel {
    pub top: Vec<CoursePopularity>,
    pub never_recommended: i64,
    pub never_examples: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub period: Period,
    /// When the figures were computed ("as of").
    pub refreshed_at: Option<String>,
    pub levels: LevelPanel,
    pub interests: InterestPanel,
    pub models: Vec<ModelRow>,
    pub personalisation: PersonalisationPanel,
    pub churn: ChurnPanel,
    pub popularity: PopularityPanel,
}

/// `part` of `whole` in percent, 0 when there is no whole.
pub fn percent(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// A learner as the admin pages list them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerRow {
    pub id: uuid::Uuid,
    pub email: String,
    pub role: String,
    pub level: Option<String>,
    pub hours_per_week: Option<i32>,
    pub signed_up: String,
    pub last_active: String,
    pub is_active: bool,
    pub is_demo: bool,
}

/// The segment builder's conditions, as typed into the form (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentFilter {
    pub goal_contains: String,
    pub level: String,
    pub min_hours: String,
    pub joined_within_days: String,
    pub interest: String,
}

impl SegmentFilter {
    pub fn is_empty(&self) -> bool {
        [
            &self.goal_contains,
            &self.level,
            &self.min_hours,
            &self.joined_within_days,
            &self.interest,
        ]
        .iter()
        .all(|value| value.trim().is_empty())
    }

    /// The filter as URL query pairs (seg_… names), for links and exports.
    pub fn query_string(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("seg_goal", &self.goal_contains),
            ("seg_level", &self.level),
            ("seg_min_hours", &self.min_hours),
            ("seg_joined_within", &self.joined_within_days),
            ("seg_interest", &self.interest),
        ] {
            if !value.trim().is_empty() {
                query.append_pair(name, value.trim());
            }
        }
        query.finish()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentResult {
    pub count: i64,
    /// The first matching learners, newest first (the CSV has them all).
    pub learners: Vec<LearnerRow>,
    /// Conditions that could not be used, and why.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserList {
    pub search: String,
    pub page: i64,
    pub page_count: i64,
    pub total: i64,
    pub users: Vec<LearnerRow>,
}

/// A learner's profile history as an admin sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerHistory {
    pub user: LearnerRow,
    pub versions: Vec<crate::profile::HistoryEntry>,
}
