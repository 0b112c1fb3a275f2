//! Timing helpers shared by every benchmark: wall-clock percentiles, the process CPU time
//! they used, and the machine's load average, printed in one table format.

use std::future::Future;
use std::time::{Duration, Instant};

/// Wall times of each run, and the process CPU time they used in all.
pub struct Timings {
    wall: Vec<Duration>,
    cpu: Option<Duration>,
}

/// CPU time (user + system) this process has used so far, where the OS tells it cheaply.
/// Wall times on a shared machine include waiting for a core; CPU time does not.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at state, field 3.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some(Duration::from_millis(ticks * 10))
}

/// The 1, 5 and 15 minute load averages, as the OS reports them (Linux only).
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "n/a".to_owned())
}

/// Timed runs of one query stop after this long (at least `MIN_RUNS` run), so that a slow
/// query reports its figures in reasonable time instead of holding the benchmark for hours.
const BUDGET: Duration = Duration::from_secs(30);
const MIN_RUNS: usize = 5;

/// Runs `f` once untimed, then `runs` times timed (fewer if they pass the time budget).
pub async fn time<F, Fut, T>(runs: usize, mut f: F) -> Timings
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    // One untimed run warms the page cache and the statement caches.
    std::hint::black_box(f().await);
    let mut wall = Vec::with_capacity(runs);
    let cpu_before = cpu_time();
    let began = Instant::now();
    for i in 0..runs {
        if i >= MIN_RUNS && began.elapsed() > BUDGET {
            break;
        }
        let start = Instant::now();
        std::hint::black_box(f().await);
        wall.push(start.elapsed());
    }
    let cpu = cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    Timings { wall, cpu }
}

pub fn header() {
    println!(
        "\n{:<50} {:>9} {:>9} {:>9}",
        "query", "p50 ms", "p99 ms", "cpu ms"
    );
}

pub fn report(label: &str, mut t: Timings) {
    t.wall.sort();
    let runs = t.wall.len();
    let at = |q: f64| {
        let i = ((runs as f64 * q).ceil() as usize).clamp(1, runs) - 1;
        t.wall[i].as_secs_f64() * 1000.0
    };
    let cpu = t
        .cpu
        .map(|c| format!("{:>9.2}", c.as_secs_f64() * 1000.0 / runs as f64))
        .unwrap_or_else(|| format!("{:>9}", "n/a"));
    println!(
        "{label:<50} {:>9.2} {:>9.2} {cpu}   ({runs} runs)",
        at(0.50),
        at(0.99)
    );
}
