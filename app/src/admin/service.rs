//! The dashboard's reads, server-only: the analytics panels (`analytics`)
//! and the learners list, segments and one learner's history (`learners`).

pub mod analytics;
pub mod learners;
