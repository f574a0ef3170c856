//! The progress bar on stderr (hidden when stderr is not a terminal).

use crate::onboarding::pipeline::PipelineEvent;
use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(total: usize) -> Self {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{bar:32}] {pos}/{len} traders · {msg} · {eta} left")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Self { bar }
    }

    pub fn show(&self, event: &PipelineEvent) {
        match event {
            PipelineEvent::Progress { done, failed, calls, .. } => {
                self.bar.set_position((done + failed) as u64);
                self.bar.set_message(format!("{failed} failed · {calls} API calls"));
            }
            PipelineEvent::Notice(text) => self.bar.println(format!("propdesk: {text}")),
            PipelineEvent::Finished(_) => self.bar.finish_and_clear(),
            PipelineEvent::Row(_) => {}
        }
    }
}
