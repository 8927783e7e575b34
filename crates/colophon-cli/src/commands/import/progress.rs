//! How an import shows its progress: an indicatif bar (bytes of input read, records, rate, ETA)
//! on a terminal; a plain log line every few seconds otherwise.

use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Counters shared by the reading thread and the reporter.
#[derive(Debug, Default)]
pub struct Counters {
    /// Input bytes consumed (compressed bytes for `.gz`).
    pub bytes: AtomicU64,
    /// Records read (imported or rejected).
    pub records: AtomicU64,
    /// Records rejected.
    pub rejected: AtomicU64,
}

/// Reports progress until dropped.
pub struct Progress {
    stop: Arc<std::sync::atomic::AtomicBool>,
    task: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// Starts reporting on stderr; `total_bytes` is the size of all inputs.
    pub fn start(counters: Arc<Counters>, total_bytes: u64) -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let terminal = std::io::stderr().is_terminal();
        let stop_flag = stop.clone();
        let task = std::thread::spawn(move || {
            let started = Instant::now();
            let bar = terminal.then(|| {
                let bar = ProgressBar::with_draw_target(
                    Some(total_bytes),
                    ProgressDrawTarget::stderr_with_hz(4),
                );
                bar.set_style(
                    ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} \
                         {msg} ETA {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar
            });
            let mut last_log = Instant::now();
            loop {
                let done = stop_flag.load(Ordering::Relaxed);
                let records = counters.records.load(Ordering::Relaxed);
                let rejected = counters.rejected.load(Ordering::Relaxed);
                let bytes = counters.bytes.load(Ordering::Relaxed);
                let secs = started.elapsed().as_secs_f64().max(1e-3);
                let rate = records as f64 / secs;
                match &bar {
                    Some(bar) => {
                        bar.set_position(bytes.min(total_bytes));
                        bar.set_message(format!(
                            "{records} records ({rejected} skipped), {rate:.0}/s"
                        ));
                    }
                    None if done || last_log.elapsed() >= Duration::from_secs(5) => {
                        last_log = Instant::now();
                        let pct = if total_bytes > 0 {
                            100.0 * bytes.min(total_bytes) as f64 / total_bytes as f64
                        } else {
                            100.0
                        };
                        eprintln!(
                            "import: {records} records read ({rejected} skipped), \
                             {pct:.1}% of input, {rate:.0} records/s"
                        );
                    }
                    None => {}
                }
                if done {
                    if let Some(bar) = bar {
                        bar.finish_and_clear();
                    }
                    return;
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        });
        Progress {
            stop,
            task: Some(task),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(task) = self.task.take() {
            let _ = task.join();
        }
    }
}

/// A reader that counts the bytes read through it.
pub struct Counted<R> {
    inner: R,
    counters: Arc<Counters>,
}

impl<R> Counted<R> {
    /// Counts `inner`'s bytes into `counters.bytes`.
    pub fn new(inner: R, counters: Arc<Counters>) -> Self {
        Counted { inner, counters }
    }
}

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
