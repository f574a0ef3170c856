//! The firm's onboarding job, independent of any UI: the roster, the pipeline that
//! moves each trader through user, contact info and account, and the journal that
//! makes a run resumable after a crash.

pub mod journal;
pub mod pipeline;
pub mod prepare;
