//! `sfsync cold-start` and `sfsync bench` find the built bootstraps where cargo put them
//! (`<target dir>/lambda`, which follows CARGO_TARGET_DIR), and cold-start without an AWS
//! endpoint says what is missing and stops instead of timing functions that cannot start.
//! The bootstraps are the ones `sam build` made in scripts/test (dev profile, x86_64), laid
//! out as `cargo lambda build` lays them out in a target directory of their own.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Tells apart the target directories of tests running at once.
static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

const FUNCTIONS: [(&str, &str); 6] = [
    ("salesforce-poller", "SalesforcePollerFunction"),
    ("ipaas-webhook", "IpaasWebhookFunction"),
    ("account-to-ipaas", "AccountToIpaasFunction"),
    ("contact-to-ipaas", "ContactToIpaasFunction"),
    ("account-from-ipaas", "AccountFromIpaasFunction"),
    ("contact-from-ipaas", "ContactFromIpaasFunction"),
];

/// A target directory holding `lambda/<function>/bootstrap` for the six functions.
fn target_dir_with_bootstraps() -> PathBuf {
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/.aws-sam/build");
    let dir = std::env::temp_dir().join(format!(
        "sfsync-target-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    for (function, logical) in FUNCTIONS {
        let from = built.join(logical).join("bootstrap");
        assert!(
            from.exists(),
            "{} is missing: run scripts/test, which runs `sam build` first",
            from.display()
        );
        let to = dir.join("lambda").join(function);
        std::fs::create_dir_all(&to).unwrap();
        std::os::unix::fs::symlink(&from, to.join("bootstrap")).unwrap();
    }
    dir
}

fn run(args: &[&str], target: Option<&Path>) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfsync"));
    cmd.args(args).env_remove("AWS_ENDPOINT_URL");
    if let Some(t) = target {
        cmd.env("CARGO_TARGET_DIR", t);
    }
    let out = cmd.output().expect("run sfsync");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cold_start_without_an_aws_endpoint_says_what_is_missing_and_stops() {
    let (ok, stdout, stderr) = run(&["cold-start", "--runs", "1"], None);
    assert!(!ok);
    assert!(
        stderr.contains("needs an AWS endpoint") && stderr.contains("--aws-endpoint"),
        "{stderr}"
    );
    assert!(!stdout.contains("init ms"), "nothing was timed: {stdout}");
}

#[test]
fn cold_start_times_the_bootstraps_in_cargo_target_dir() {
    let target = target_dir_with_bootstraps();
    // scripts/test starts moto server and says where; without it this test cannot run.
    let endpoint = std::env::var("MOTO_ENDPOINT").expect(
        "MOTO_ENDPOINT is not set: run the tests with scripts/test, which starts moto server",
    );
    let (ok, stdout, stderr) = run(
        &["cold-start", "--runs", "1", "--aws-endpoint", &endpoint],
        Some(&target),
    );
    assert!(ok, "{stdout}\n{stderr}");
    for (function, _) in FUNCTIONS {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{function} ")))
            .unwrap_or_else(|| panic!("no row for {function}:\n{stdout}"));
        let cols: Vec<&str> = row.split_whitespace().collect();
        // size MiB, init ms and first-answer ms are numbers, and no note follows.
        for c in &cols[1..4] {
            assert!(c.parse::<f64>().is_ok(), "{function}: {row}");
        }
        assert_eq!(cols.len(), 4, "{function} answered its fixture: {row}");
    }
    // hello-lambda is not in this target directory: the note names where it looked.
    let hello = stdout
        .lines()
        .find(|l| l.starts_with("hello-lambda"))
        .unwrap();
    assert!(
        hello.contains(&target.join("lambda").display().to_string()),
        "{hello}"
    );
}

#[test]
fn bench_reports_the_sizes_of_the_bootstraps_in_cargo_target_dir() {
    let target = target_dir_with_bootstraps();
    let (ok, stdout, stderr) = run(
        &[
            "bench",
            "--records",
            "8",
            "--salesforce-latency-ms",
            "0",
            "--ipaas-latency-ms",
            "0",
        ],
        Some(&target),
    );
    assert!(ok, "{stdout}\n{stderr}");
    for (function, _) in FUNCTIONS {
        let row = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{function} ")))
            .unwrap_or_else(|| panic!("no row for {function}:\n{stdout}"));
        assert!(row.contains("MiB") && !row.contains("not built"), "{row}");
    }
}
