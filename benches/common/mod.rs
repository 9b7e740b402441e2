//! Shared bench harness: a peak-tracking allocator, a timing loop, synthetic manifests, git.
//!
//! Benches report medians and peak heap next to a baseline measured in the same run, as
//! ratios; nothing here asserts a time.

#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct PeakAlloc;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

/// Timing and memory of one measured operation.
pub struct Stats {
    pub name: String,
    pub median: Duration,
    pub min: Duration,
    /// Peak heap above what was allocated before the operation started.
    pub peak_bytes: usize,
}

/// Runs `f` `runs` times (after one warm-up) and reports the median, the minimum and the
/// peak heap growth of one run.
pub fn measure<T>(name: &str, runs: usize, mut f: impl FnMut() -> T) -> Stats {
    drop(std::hint::black_box(f()));
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    drop(std::hint::black_box(f()));
    let peak_bytes = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let out = f();
        times.push(start.elapsed());
        drop(std::hint::black_box(out));
    }
    times.sort();
    Stats { name: name.to_string(), median: times[times.len() / 2], min: times[0], peak_bytes }
}

pub fn report(title: &str, baseline: &Stats, rows: &[&Stats]) {
    println!("\n{title}");
    println!("{:<44} {:>11} {:>11} {:>12} {:>8} {:>8}", "", "median", "min", "peak heap", "time x", "heap x");
    for s in std::iter::once(baseline).chain(rows.iter().copied()) {
        println!(
            "{:<44} {:>9.2}ms {:>9.2}ms {:>10.1}MB {:>8.2} {:>8.2}",
            s.name,
            s.median.as_secs_f64() * 1e3,
            s.min.as_secs_f64() * 1e3,
            s.peak_bytes as f64 / 1e6,
            s.median.as_secs_f64() / baseline.median.as_secs_f64(),
            s.peak_bytes as f64 / baseline.peak_bytes.max(1) as f64,
        );
    }
}

/// A valid manifest with one service of `entities` entities and `fields` declared fields
/// each, cycling through every field type, with a relation from each entity to the
/// previous one and a many-to-many every tenth entity.
pub fn big_manifest(entities: usize, fields: usize) -> String {
    let mut out = String::from("version: 1\nproject: big\nservices:\n  - name: big\n    entities:\n");
    for e in 0..entities {
        out.push_str(&format!("      - name: Entity{e}\n        description: Entity number {e}\n        fields:\n"));
        let mut declared = 0;
        if e > 0 {
            out.push_str(&format!(
                "          - name: parent{e}\n            type: Lookup\n            target: Entity{}\n            relation: many-to-one\n            inverse: children{e}\n",
                e - 1
            ));
            declared += 1;
        }
        if e % 10 == 5 {
            out.push_str(&format!(
                "          - name: peers{e}\n            type: Lookup\n            target: Entity{}\n            relation: many-to-many\n            inverse: peersOf{e}\n",
                e - 5
            ));
            declared += 1;
        }
        let mut i = 0;
        while declared < fields {
            let name = format!("field{i}");
            let body = match i % 11 {
                0 => "type: SingleLineText\n            required: true\n            searchable: true\n            maxLength: 120".to_string(),
                1 => "type: MultiLineText".to_string(),
                2 => "type: Email\n            unique: true".to_string(),
                3 => "type: WholeNumber\n            min: 0\n            max: 1000".to_string(),
                4 => "type: DecimalNumber\n            min: 0\n            precision: 2".to_string(),
                5 => "type: DateTime\n            searchable: true".to_string(),
                6 => "type: Boolean".to_string(),
                7 => "type: Json".to_string(),
                8 => "type: OptionSet\n            options: [draft, active, { value: archived, label: Archived }]".to_string(),
                9 => "type: MultiSelectOptionSet\n            options: [red, green, blue]".to_string(),
                _ => "type: File\n            description: An attachment".to_string(),
            };
            out.push_str(&format!("          - name: {name}\n            {body}\n"));
            declared += 1;
            i += 1;
        }
    }
    out
}

/// Runs git in `dir` with a fixed identity and no global config; returns trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
