//! Panics in background tasks, caught and turned into text: a task that panics must end
//! with a report (a toast, a failed submission, a stopped watch), never in silence with
//! someone still waiting for it. The panic hook has already written the crash report.

use futures_util::FutureExt;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

/// Awaits `job`; a panic comes back as its message.
pub async fn caught<T>(job: impl Future<Output = T>) -> Result<T, String> {
    AssertUnwindSafe(job).catch_unwind().await.map_err(|payload| panic_text(&*payload))
}

/// The message a panicking job gave.
pub fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_comes_back_as_its_message_and_a_value_as_itself() {
        assert_eq!(caught(async { 7 }).await, Ok(7));
        let index = 3;
        let failed = caught(async move { panic!("row {index} is out of range") }).await;
        assert_eq!(failed, Err::<(), _>("row 3 is out of range".to_string()));
        assert_eq!(caught(async { std::panic::panic_any(42_u8) }).await, Err::<(), _>("no message".to_string()));
    }
}
