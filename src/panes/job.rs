//! The one way long work runs: on a worker thread with its own database
//! connection, reporting progress through a channel the app polls on its
//! tick, with a flag the worker checks to stop early. Exports, the roster
//! import and sync all use it, so each shows the same progress bar and
//! answers Esc the same way.

use crate::i18n::{tr, trf};
use crate::ui::{dialog, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Widget};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

/// What the worker holds: where to report progress, and whether to stop.
#[derive(Clone)]
pub struct JobHandle {
    progress: Sender<(u64, u64)>,
    cancel: Arc<AtomicBool>,
}

impl JobHandle {
    /// `done` of `total` steps (rows, events, files).
    pub fn progress(&self, done: u64, total: u64) {
        let _ = self.progress.send((done, total));
    }

    /// True once the user has cancelled: the worker should stop before it
    /// writes anything more.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// A ledger export reports to the job's progress bar and stops on Esc.
impl crate::report::ledger::Watch for JobHandle {
    fn progress(&self, done: u64, total: u64) {
        JobHandle::progress(self, done, total);
    }
    fn cancelled(&self) -> bool {
        JobHandle::cancelled(self)
    }
}

pub struct Job<T> {
    /// Catalog key of what is running ("正在导出登记表").
    pub title: &'static str,
    progress_rx: Receiver<(u64, u64)>,
    result_rx: Receiver<Result<T, String>>,
    cancel: Arc<AtomicBool>,
    pub progress: Option<(u64, u64)>,
}

impl<T: Send + 'static> Job<T> {
    /// A job with nothing reported yet, the sender for its result and the
    /// handle its worker holds.
    fn new(title: &'static str) -> (Job<T>, Sender<Result<T, String>>, JobHandle) {
        let (ptx, progress_rx) = channel();
        let (rtx, result_rx) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let handle = JobHandle {
            progress: ptx,
            cancel: cancel.clone(),
        };
        let job = Job {
            title,
            progress_rx,
            result_rx,
            cancel,
            progress: None,
        };
        (job, rtx, handle)
    }

    /// Starts `work` on a worker thread.
    pub fn spawn(
        title: &'static str,
        work: impl FnOnce(&JobHandle) -> Result<T, String> + Send + 'static,
    ) -> Job<T> {
        let (job, rtx, handle) = Job::new(title);
        std::thread::spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&handle)))
                .unwrap_or_else(|_| Err(tr("job.failed")));
            let _ = rtx.send(r);
        });
        job
    }

    /// Work that cannot leave this thread (a database held only in memory):
    /// done at once, shown as finished.
    pub fn inline(
        title: &'static str,
        work: impl FnOnce(&JobHandle) -> Result<T, String>,
    ) -> Job<T> {
        let (job, rtx, handle) = Job::new(title);
        let _ = rtx.send(work(&handle));
        job
    }

    /// Takes the worker's news: (something changed, the result if done).
    pub fn poll(&mut self) -> (bool, Option<Result<T, String>>) {
        let mut changed = false;
        while let Ok(p) = self.progress_rx.try_recv() {
            self.progress = Some(p);
            changed = true;
        }
        match self.result_rx.try_recv() {
            Ok(r) => (true, Some(r)),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => (true, Some(Err(tr("job.failed")))),
            Err(std::sync::mpsc::TryRecvError::Empty) => (changed, None),
        }
    }

    /// Asks the worker to stop; its result (usually "cancelled") still comes.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn cancelling(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Share done, when the worker has said how much there is.
    pub fn ratio(&self) -> Option<f64> {
        self.progress
            .filter(|(_, t)| *t > 0)
            .map(|(d, t)| (d as f64 / t as f64).clamp(0.0, 1.0))
    }

    /// Percent for the status bar.
    pub fn percent(&self) -> u64 {
        self.ratio().map(|r| (r * 100.0) as u64).unwrap_or(0)
    }
}

/// The progress dialog every job shows: what runs, a bar, and how to stop.
pub fn render<T: Send + 'static>(job: &Job<T>, area: Rect, buf: &mut Buffer) {
    let status = if job.cancelling() {
        tr("job.cancelling")
    } else {
        match job.progress {
            Some((d, t)) if t > 0 => trf(
                "job.progress",
                &[("done", d.to_string()), ("total", t.to_string())],
            ),
            _ => tr("job.working"),
        }
    };
    let inner = dialog(
        area,
        buf,
        &tr(job.title),
        vec![
            Line::from(status),
            Line::from(""),
            Line::from(""),
            Line::from(Span::styled(tr("job.esc_cancels"), theme::muted())),
        ],
        56,
        4,
    );
    if inner.height > 2 {
        let bar = Rect::new(inner.x, inner.y + 2, inner.width, 1);
        let ratio = job.ratio().unwrap_or(0.0);
        Gauge::default()
            .gauge_style(theme::focus())
            .ratio(ratio)
            .render(bar, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait<T: Send + 'static>(job: &mut Job<T>) -> Result<T, String> {
        for _ in 0..500 {
            if let (_, Some(r)) = job.poll() {
                return r;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("job did not finish");
    }

    #[test]
    fn progress_and_result_come_back() {
        let mut job = Job::spawn("job.working", |h| {
            for i in 1..=3 {
                h.progress(i, 3);
            }
            Ok(42)
        });
        assert_eq!(wait(&mut job), Ok(42));
        job.poll();
        assert_eq!(job.progress, Some((3, 3)));
        assert_eq!(job.percent(), 100);
    }

    #[test]
    fn cancel_reaches_the_worker() {
        let (go_tx, go_rx) = channel::<()>();
        let mut job = Job::spawn("job.working", move |h| {
            let _ = go_rx.recv();
            if h.cancelled() {
                Err("cancelled".into())
            } else {
                Ok(())
            }
        });
        job.cancel();
        go_tx.send(()).unwrap();
        assert_eq!(wait(&mut job), Err("cancelled".into()));
    }

    #[test]
    fn a_panicking_worker_is_a_failure_not_a_hang() {
        let mut job: Job<()> = Job::spawn("job.working", |_| panic!("boom"));
        assert!(wait(&mut job).is_err());
    }
}
