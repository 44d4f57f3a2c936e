//! `seed-courses`: fill a database with generated courses, to see how search
//! behaves at catalog sizes we do not have yet (the catalog benchmark uses
//! 100,000). Never for a database real learners use.
//!
//! Courses are built from the catalog's own tags and skills (import the real
//! catalog first), so search words, tag filters and related courses behave
//! as they would on a large real catalog. Deterministic for a given seed.
//! Every generated title ends in "(generated #N)", so nobody mistakes them.

use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgPool;
use uuid::Uuid;

use app::catalog::Difficulty;

use crate::ServerError;

/// Rows per INSERT: large enough to amortise round trips, small enough to
/// keep each statement's parameter arrays modest.
const BATCH: usize = 2_000;
const TAGS_PER_COURSE: usize = 5;
const SKILLS_PER_COURSE: usize = 5;

const ANGLES: [&str; 12] = [
    "Practical",
    "Applied",
    "Hands-on",
    "Modern",
    "Essential",
    "Professional",
    "Complete",
    "Effective",
    "Foundations of",
    "Mastering",
    "Intensive",
    "Introduction to",
];
const FORMATS: [&str; 8] = [
    "Workshop",
    "Bootcamp",
    "Field Guide",
    "Studio",
    "Masterclass",
    "Course",
    "Lab",
    "Clinic",
];

struct Vocabulary {
    tags: Vec<(Uuid, String)>,
    skills: Vec<(Uuid, String)>,
}

/// Generates `count` courses. Returns how many were written.
pub async fn seed_courses(pool: &PgPool, count: usize, seed: u64) -> Result<usize, ServerError> {
    let vocabulary = Vocabulary {
        tags: sqlx::query!("select id, name from tags order by name")
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|tag| (tag.id, tag.name))
            .collect(),
        skills: sqlx::query!("select id, name from skills order by lower(name)")
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|skill| (skill.id, skill.name))
            .collect(),
    };
    if vocabulary.tags.len() < TAGS_PER_COURSE || vocabulary.skills.len() < SKILLS_PER_COURSE {
        return Err(ServerError::EmptyCatalog);
    }
    let first_number = sqlx::query_scalar!(
        r#"select count(*) as "count!" from courses where title like '%(generated #%)'"#
    )
    .fetch_one(pool)
    .await?;

    let progress = ProgressBar::new(count as u64).with_style(
        ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} courses, {per_sec}, about {eta} left",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    progress.set_message("generating");

    let mut random = fastrand::Rng::with_seed(seed);
    let mut transaction = pool.begin().await?;
    let mut all_ids = Vec::with_capacity(count);
    let mut written = 0;
    while written < count {
        let size = BATCH.min(count - written);
        let batch: Vec<GeneratedCourse> = (0..size)
            .map(|offset| {
                generate(
                    &mut random,
                    &vocabulary,
                    first_number + (written + offset) as i64 + 1,
                )
            })
            .collect();
        let ids: Vec<Uuid> = sqlx::query_scalar!(
            r#"
            insert into courses (title, description, difficulty, duration, contents)
            select * from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[])
            returning id
            "#,
            &batch.iter().map(|c| c.title.as_str()).collect::<Vec<_>>() as &[&str],
            &batch
                .iter()
                .map(|c| c.description.as_str())
                .collect::<Vec<_>>() as &[&str],
            &batch
                .iter()
                .map(|c| c.difficulty.as_str())
                .collect::<Vec<_>>() as &[&str],
            &batch.iter().map(|c| c.duration).collect::<Vec<_>>(),
            &batch
                .iter()
                .map(|c| c.contents.as_str())
                .collect::<Vec<_>>() as &[&str],
        )
        .fetch_all(&mut *transaction)
        .await?;

        let mut tag_courses = Vec::new();
        let mut tag_ids = Vec::new();
        let mut skill_courses = Vec::new();
        let mut skill_ids = Vec::new();
        for (id, course) in ids.iter().zip(&batch) {
            for tag in &course.tag_ids {
                tag_courses.push(*id);
                tag_ids.push(*tag);
            }
            for skill in &course.skill_ids {
                skill_courses.push(*id);
                skill_ids.push(*skill);
            }
        }
        sqlx::query!(
            "insert into course_tags (course_id, tag_id) select * from unnest($1::uuid[], $2::uuid[])",
            &tag_courses,
            &tag_ids,
        )
        .execute(&mut *transaction)
        .await?;
        sqlx::query!(
            "insert into course_skills (course_id, skill_id) select * from unnest($1::uuid[], $2::uuid[])",
            &skill_courses,
            &skill_ids,
        )
        .execute(&mut *transaction)
        .await?;

        all_ids.extend(ids);
        written += size;
        progress.set_position(written as u64);
    }
    progress.set_message("indexing for search");
    sqlx::query!("select refresh_catalog_search($1)", &all_ids)
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    // Computing search documents rewrote every new row, leaving the table
    // twice its size; compact it (this is a load-test database), and give
    // the planner fresh statistics and index-only scans a visibility map.
    progress.set_message("compacting");
    // Utility statements: nothing for the macros to check.
    sqlx::query("vacuum (full, analyze) courses")
        .execute(pool)
        .await?;
    sqlx::query("vacuum analyze course_tags, course_skills, tags, search_terms")
        .execute(pool)
        .await?;
    progress.finish_with_message("done");
    Ok(written)
}

struct GeneratedCourse {
    title: String,
    description: String,
    difficulty: Difficulty,
    duration: i32,
    contents: String,
    tag_ids: Vec<Uuid>,
    skill_ids: Vec<Uuid>,
}

fn generate(random: &mut fastrand::Rng, vocabulary: &Vocabulary, number: i64) -> GeneratedCourse {
    let tags = pick(random, &vocabulary.tags, TAGS_PER_COURSE);
    let skills = pick(random, &vocabulary.skills, SKILLS_PER_COURSE);
    let topic = title_case(&tags[0].1);
    let difficulty = Difficulty::ALL[random.usize(..Difficulty::ALL.len())];
    let title = format!(
        "{} {topic} {} (generated #{number})",
        ANGLES[random.usize(..ANGLES.len())],
        FORMATS[random.usize(..FORMATS.len())],
    );
    let description = format!(
        "A {} course on {topic} for people who work with {} and {}. You will practise {}, {} and {} \
         on realistic projects, and finish with a piece of work you can show.",
        difficulty.as_str(),
        tags[1].1,
        tags[2].1,
        skills[0].1.to_lowercase(),
        skills[1].1.to_lowercase(),
        skills[2].1.to_lowercase(),
    );
    let contents = skills
        .iter()
        .enumerate()
        .map(|(index, (_, skill))| {
            format!(
                "Module {}: {skill} - working through {} with {} in small exercises.",
                index + 1,
                skill.to_lowercase(),
                tags[index % tags.len()].1
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    GeneratedCourse {
        title,
        description,
        difficulty,
        duration: random.i32(2..=120),
        contents,
        tag_ids: tags.iter().map(|(id, _)| *id).collect(),
        skill_ids: skills.iter().map(|(id, _)| *id).collect(),
    }
}

/// `count` different items, chosen at random.
fn pick<'a>(
    random: &mut fastrand::Rng,
    items: &'a [(Uuid, String)],
    count: usize,
) -> Vec<&'a (Uuid, String)> {
    let mut chosen: Vec<usize> = Vec::with_capacity(count);
    while chosen.len() < count.min(items.len()) {
        let index = random.usize(..items.len());
        if !chosen.contains(&index) {
            chosen.push(index);
        }
    }
    chosen.into_iter().map(|index| &items[index]).collect()
}

fn title_case(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        let names = |prefix: &str| {
            (0..8)
                .map(|n| (Uuid::from_u128(n), format!("{prefix} {n}")))
                .collect()
        };
        Vocabulary {
            tags: names("tag"),
            skills: names("Skill"),
        }
    }

    #[test]
    fn the_same_seed_generates_the_same_courses() {
        let vocabulary = vocabulary();
        let first = generate(&mut fastrand::Rng::with_seed(7), &vocabulary, 1);
        let again = generate(&mut fastrand::Rng::with_seed(7), &vocabulary, 1);
        assert_eq!(first.title, again.title);
        assert_eq!(first.tag_ids, again.tag_ids);
    }

    #[test]
    fn generated_courses_are_valid_and_marked() {
        let vocabulary = vocabulary();
        let mut random = fastrand::Rng::with_seed(1);
        for number in 1..200 {
            let course = generate(&mut random, &vocabulary, number);
            assert!(course.title.ends_with(&format!("(generated #{number})")));
            assert!((2..=120).contains(&course.duration));
            let mut tags = course.tag_ids.clone();
            tags.dedup();
            assert_eq!(tags.len(), TAGS_PER_COURSE);
            assert_eq!(
                app::catalog::parse_syllabus(&course.contents).len(),
                SKILLS_PER_COURSE
            );
        }
    }
}
