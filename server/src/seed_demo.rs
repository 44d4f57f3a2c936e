//! `seed-demo`: simulated learners with believable journeys, so the admin
//! dashboard has something to say before real learners arrive, and so its
//! queries can be measured at a million learners.
//!
//! Over D days learners sign up, fill in their profile, level up, add and
//! drop interests, narrow down to one topic, cut their hours, go quiet, and
//! ask for recommendations from several models, rating them by how well the
//! courses fit (with a small, fixed difference between models). Every
//! learner is flagged `is_demo` and lives at demo.acmelearn.invalid; nobody
//! can log in as one; `seed-demo --purge` removes them all.
//!
//! Deterministic for a given seed and end day: each learner's story comes
//! from a generator seeded with (seed, learner number), whatever the batch.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgPool;
use uuid::Uuid;

use app::admin::demo::{self, DEMO_EMAIL_DOMAIN, DemoLearner, DemoRecommendation, DemoVersion};

use crate::ServerError;

/// Learners per transaction: one COPY of each table per batch.
const BATCH: usize = 2_000;

const LEVELS: [&str; 3] = ["beginner", "intermediate", "advanced"];
const HOURS: [i32; 10] = [2, 3, 4, 5, 6, 8, 10, 12, 15, 20];
/// The models in the simulated A/B test and how much they add to a rating.
const MODELS: [(&str, f64); 3] = [
    ("builtin-v1", 0.0),
    ("gpt-4o-mini", 0.35),
    ("llama3.1:8b", -0.25),
];
const GOALS: [&str; 10] = [
    "Change careers into {}",
    "Get better at {} for my current job",
    "Build a portfolio project with {}",
    "Prepare for a role that needs {}",
    "Understand {} well enough to lead a team",
    "Learn {} from scratch",
    "Go deeper into {}",
    "Use {} to automate my work",
    "Pass an interview that covers {}",
    "Teach {} to others",
];
const PRAISE: [&str; 4] = [
    "Exactly the next steps I needed.",
    "Good order, the first course was a great start.",
    "Helpful, and the time estimates were right.",
    "Spot on for my level.",
];
const COMPLAINTS: [&str; 4] = [
    "Too basic for me.",
    "Not related to what I asked.",
    "Way too long for my schedule.",
    "I already took most of these.",
];

struct Course {
    id: Uuid,
    level: usize,
    tags: Vec<usize>,
}

/// The catalog as the simulation needs it.
struct Catalog {
    tags: Vec<String>,
    /// Tag indexes per category: a learner's interests cluster in one or two.
    categories: Vec<Vec<usize>>,
    courses: Vec<Course>,
    courses_by_tag: Vec<Vec<usize>>,
}

async fn catalog(pool: &PgPool) -> Result<Catalog, ServerError> {
    let tag_rows: Vec<(String, String)> =
        sqlx::query!("select name, category from tags order by name")
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|tag| (tag.name, tag.category))
            .collect();
    let course_rows: Vec<(Uuid, String, Vec<String>)> = sqlx::query!(
        r#"select c.id, c.difficulty,
                  coalesce(array_agg(t.name) filter (where t.name is not null), '{}') as "tags!"
           from courses c left join course_tags ct on ct.course_id = c.id left join tags t on t.id = ct.tag_id
           where c.title not like '%(generated #%'
           group by c.id order by c.title"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|course| (course.id, course.difficulty, course.tags))
    .collect();
    if tag_rows.is_empty() || course_rows.len() < 10 {
        return Err(ServerError::EmptyCatalog);
    }
    let index: HashMap<&str, usize> = tag_rows
        .iter()
        .enumerate()
        .map(|(position, (name, _))| (name.as_str(), position))
        .collect();
    let mut by_category: HashMap<&str, Vec<usize>> = HashMap::new();
    for (position, (_, category)) in tag_rows.iter().enumerate() {
        by_category
            .entry(category.as_str())
            .or_default()
            .push(position);
    }
    let mut categories: Vec<(&str, Vec<usize>)> = by_category.into_iter().collect();
    categories.sort();
    let mut categories: Vec<Vec<usize>> = categories
        .into_iter()
        .map(|(_, tags)| tags)
        .filter(|tags| tags.len() >= 2)
        .collect();
    if categories.is_empty() {
        categories.push((0..tag_rows.len()).collect());
    }
    let mut courses_by_tag = vec![Vec::new(); tag_rows.len()];
    let courses: Vec<Course> = course_rows
        .into_iter()
        .enumerate()
        .map(|(position, (id, difficulty, tags))| {
            let tags: Vec<usize> = tags
                .iter()
                .filter_map(|tag| index.get(tag.as_str()).copied())
                .collect();
            for tag in &tags {
                courses_by_tag[*tag].push(position);
            }
            Course {
                id,
                level: LEVELS
                    .iter()
                    .position(|level| *level == difficulty)
                    .unwrap_or(0),
                tags,
            }
        })
        .collect();
    Ok(Catalog {
        tags: tag_rows.into_iter().map(|(name, _)| name).collect(),
        categories,
        courses,
        courses_by_tag,
    })
}

/// The evolving profile of one simulated learner.
#[derive(Clone)]
struct State {
    goal: Option<String>,
    level: Option<usize>,
    hours: Option<i32>,
    interests: Vec<usize>,
}

impl State {
    fn version(&self, at: DateTime<Utc>, catalog: &Catalog) -> DemoVersion {
        let mut interests: Vec<String> = self
            .interests
            .iter()
            .map(|tag| catalog.tags[*tag].clone())
            .collect();
        interests.sort();
        DemoVersion {
            at,
            goal: self.goal.clone(),
            level: self.level.map(|level| LEVELS[level]),
            hours: self.hours,
            interests,
        }
    }
}

fn pick<T: Copy>(rng: &mut fastrand::Rng, items: &[T]) -> T {
    items[rng.usize(..items.len())]
}

/// Days until the next event, roughly exponential around `mean`.
fn gap(rng: &mut fastrand::Rng, mean: f64) -> Duration {
    let days = -mean * (1.0 - rng.f64()).ln();
    Duration::seconds((days * 86_400.0) as i64 + 60)
}

/// Courses for a recommendation: mostly matching an interest at a fitting
/// level, sometimes off; returns them with how well they fit (0..1).
fn recommend(rng: &mut fastrand::Rng, catalog: &Catalog, state: &State) -> (Vec<Uuid>, f64) {
    let count = rng.usize(3..=6);
    let level = state.level.unwrap_or(0);
    let mut chosen: Vec<usize> = Vec::new();
    let mut fitting = 0;
    for _ in 0..count * 4 {
        if chosen.len() == count {
            break;
        }
        let from_interest = !state.interests.is_empty() && rng.f64() < 0.8;
        let candidate = if from_interest {
            let tag = pick(rng, &state.interests);
            let pool = &catalog.courses_by_tag[tag];
            if pool.is_empty() {
                continue;
            }
            pick(rng, pool)
        } else {
            rng.usize(..catalog.courses.len())
        };
        if chosen.contains(&candidate) {
            continue;
        }
        let course = &catalog.courses[candidate];
        let shares = course.tags.iter().any(|tag| state.interests.contains(tag));
        if shares && course.level.abs_diff(level) <= 1 {
            fitting += 1;
        }
        chosen.push(candidate);
    }
    let fit = fitting as f64 / chosen.len().max(1) as f64;
    (
        chosen
            .into_iter()
            .map(|index| catalog.courses[index].id)
            .collect(),
        fit,
    )
}

/// One learner's whole story, from `start` over `days` days, up to `end`.
fn simulate(
    seed: u64,
    number: usize,
    catalog: &Catalog,
    start: DateTime<Utc>,
    days: i64,
    end: DateTime<Utc>,
) -> DemoLearner {
    let mut rng =
        fastrand::Rng::with_seed(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ number as u64);
    let signed_up_at = start + Duration::seconds(rng.i64(0..days.max(1) * 86_400));
    let mut state = State {
        goal: None,
        level: None,
        hours: None,
        interests: Vec::new(),
    };
    let mut versions = vec![state.version(signed_up_at, catalog)];
    let mut recommendations = Vec::new();
    let mut now = signed_up_at + Duration::minutes(rng.i64(2..120));
    // Some never come back after signing up.
    if rng.f64() < 0.85 && now < end {
        let category = &catalog.categories[rng.usize(..catalog.categories.len())];
        let wanted = rng.usize(2..=6).min(category.len());
        let mut interests: Vec<usize> = Vec::new();
        while interests.len() < wanted {
            let tag = pick(&mut rng, category);
            if !interests.contains(&tag) {
                interests.push(tag);
            }
        }
        let level = match rng.f64() {
            x if x < 0.6 => 0,
            x if x < 0.9 => 1,
            _ => 2,
        };
        state = State {
            goal: Some(pick(&mut rng, &GOALS).replace("{}", &catalog.tags[interests[0]])),
            level: Some(level),
            hours: Some(pick(&mut rng, &HOURS)),
            interests,
        };
        versions.push(state.version(now, catalog));
    }
    // Learners who will drift away stop after a while; the rest stay.
    let churns = rng.f64() < 0.35;
    let active_until = if churns {
        now + gap(&mut rng, 60.0)
    } else {
        end
    };
    let model = MODELS[number % MODELS.len()];
    let mut last_seen = now;
    loop {
        now += gap(&mut rng, 12.0);
        if now >= end || now >= active_until {
            break;
        }
        last_seen = now;
        if versions.len() > 1 && rng.f64() < 0.45 {
            let (course_ids, fit) = recommend(&mut rng, catalog, &state);
            let rated = rng.f64() < 0.7;
            let rating =
                ((1.2 + 3.6 * fit + model.1 + (rng.f64() - 0.5) * 1.6).round() as i16).clamp(1, 5);
            let rated_at = now + Duration::minutes(rng.i64(1..600));
            let feedback = (rated && rng.f64() < 0.3).then(|| {
                if rating >= 4 {
                    pick(&mut rng, &PRAISE)
                } else {
                    pick(&mut rng, &COMPLAINTS)
                }
                .to_owned()
            });
            recommendations.push(DemoRecommendation {
                at: now,
                profile_version: versions.len() as i32,
                model: model.0.to_owned(),
                course_ids,
                question: None,
                rating: rated.then_some(rating),
                feedback: if rated { feedback } else { None },
                rated_at: rated.then_some(rated_at.min(end)),
            });
            continue;
        }
        if versions.len() == 1 {
            continue;
        }
        let before = state.clone();
        match rng.usize(0..100) {
            // Level up.
            0..=24 => {
                if let Some(level) = state.level.filter(|level| *level < 2) {
                    state.level = Some(level + 1);
                }
            }
            // A new interest from the same area, or a neighbouring one.
            25..=49 => {
                if state.interests.len() < 12 {
                    let category = &catalog.categories[rng.usize(..catalog.categories.len())];
                    let tag = pick(&mut rng, category);
                    if !state.interests.contains(&tag) {
                        state.interests.push(tag);
                    }
                }
            }
            // Drop one interest.
            50..=64 => {
                if state.interests.len() > 1 {
                    let position = rng.usize(..state.interests.len());
                    state.interests.remove(position);
                }
            }
            // Narrow down to a single topic.
            65..=72 => {
                if state.interests.len() >= 3 {
                    state.interests.truncate(1);
                }
            }
            // Less time: often a first step towards leaving.
            73..=84 => {
                if let Some(hours) = state.hours.filter(|hours| *hours >= 4) {
                    state.hours = Some((hours / rng.i32(2..=4)).max(1));
                }
            }
            // More time.
            85..=92 => {
                state.hours = state.hours.map(|hours| (hours + rng.i32(1..=5)).min(40));
            }
            // A new goal.
            _ => {
                if let Some(&tag) = state.interests.first() {
                    state.goal = Some(pick(&mut rng, &GOALS).replace("{}", &catalog.tags[tag]));
                }
            }
        }
        let changed = state.goal != before.goal
            || state.level != before.level
            || state.hours != before.hours
            || {
                let mut a = state.interests.clone();
                let mut b = before.interests.clone();
                a.sort_unstable();
                b.sort_unstable();
                a != b
            };
        if changed {
            versions.push(state.version(now, catalog));
        }
    }
    DemoLearner {
        id: Uuid::from_u64_pair(seed, number as u64),
        email: format!("learner-{seed}-{number}@{DEMO_EMAIL_DOMAIN}"),
        signed_up_at,
        last_seen_at: Some(last_seen.min(end)),
        versions,
        recommendations,
    }
}

/// What `seed-demo` wrote.
pub struct Seeded {
    pub learners: usize,
    pub snapshots: usize,
    pub recommendations: usize,
    pub analytics_ms: i32,
}

/// Writes `users` simulated learners whose sign-ups spread over the `days`
/// days up to today (UTC midnight).
pub async fn seed_demo(
    pool: &PgPool,
    users: usize,
    days: u32,
    seed: u64,
) -> Result<Seeded, ServerError> {
    let catalog = catalog(pool).await?;
    let existing = sqlx::query_scalar!(
        r#"select count(*) as "count!" from users where is_demo and email like $1"#,
        format!("learner-{seed}-%@{DEMO_EMAIL_DOMAIN}"),
    )
    .fetch_one(pool)
    .await?;
    if existing > 0 {
        return Err(ServerError::DemoExists {
            seed,
            learners: existing,
        });
    }
    let tags = demo::tag_ids(pool).await?;
    let password_hash = app::account::service::unusable_password_hash()
        .await
        .map_err(|error| ServerError::Config(error.to_string()))?;
    let end = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let days = i64::from(days.max(1));
    let start = end - Duration::days(days);

    let progress = ProgressBar::new(users as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} learners  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut seeded = Seeded {
        learners: 0,
        snapshots: 0,
        recommendations: 0,
        analytics_ms: 0,
    };
    let mut number = 0;
    while number < users {
        let batch: Vec<DemoLearner> = (number..(number + BATCH).min(users))
            .map(|learner| simulate(seed, learner, &catalog, start, days, end))
            .collect();
        seeded.snapshots += batch
            .iter()
            .map(|learner| learner.versions.len())
            .sum::<usize>();
        seeded.recommendations += batch
            .iter()
            .map(|learner| learner.recommendations.len())
            .sum::<usize>();
        demo::write(pool, &batch, &password_hash, &tags).await?;
        number += batch.len();
        seeded.learners += batch.len();
        progress.set_position(number as u64);
    }
    progress.finish_and_clear();
    seeded.analytics_ms = app::admin::service::analytics::refresh(pool)
        .await
        .map_err(|error| ServerError::Config(error.to_string()))?;
    Ok(seeded)
}

/// Removes every demo learner; returns how many.
pub async fn purge(pool: &PgPool) -> Result<u64, ServerError> {
    let removed = demo::purge(pool).await?;
    app::admin::service::analytics::refresh(pool)
        .await
        .map_err(|error| ServerError::Config(error.to_string()))?;
    Ok(removed)
}
