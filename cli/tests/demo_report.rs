//! `sfsync demo` as a person runs it: the report on stdout with each Error Log entry once
//! and the poller's by-design skips counted, the steps and progress on stderr, no log lines
//! unless `-v`; with `--data` the stories are off by default and the call figures are those
//! of the user's records.

use shared::catalog::CATALOG;
use std::process::Command;

struct Run {
    stdout: String,
    stderr: String,
}

fn demo(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_sfsync"))
        .arg("demo")
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run sfsync demo");
    let run = Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(out.status.success(), "{}\n{}", run.stdout, run.stderr);
    run
}

/// The count in a report row (`flow title` then the columns created … failed).
fn count(report: &str, flow_title: &str, column: &str) -> usize {
    let columns = [
        "created",
        "updated",
        "linked",
        "unchanged",
        "skipped",
        "stale",
        "failed",
    ];
    let i = columns.iter().position(|c| *c == column).unwrap();
    let row = report
        .lines()
        .find(|l| l.starts_with(flow_title))
        .unwrap_or_else(|| panic!("no row {flow_title} in\n{report}"));
    row[flow_title.len()..]
        .split_whitespace()
        .nth(i)
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn the_report_holds_each_entry_once_and_the_logs_stay_out() {
    let run = demo(&["--accounts", "20", "--contacts", "40", "--seed", "3"]);
    // Each Error Log entry is in the report, and nowhere else: no log line repeats it.
    assert!(
        run.stdout.contains("Error Logs (iPaaS.com"),
        "{}",
        run.stdout
    );
    for entry in CATALOG.iter() {
        let start: String = entry.text.chars().take(30).collect();
        let start = start.split('{').next().unwrap();
        assert!(
            !run.stderr.contains(start),
            "{} appears outside the report:\n{}",
            entry.slug,
            run.stderr
        );
    }
    assert!(
        !run.stderr.contains("ERROR") && !run.stderr.contains(" WARN "),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("Catalog messages raised: 10 of 10"),
        "{}",
        run.stdout
    );
    // Steps and progress go to stderr, the report alone to stdout.
    assert!(
        run.stderr.contains("1. People enter Accounts"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("messages worked"), "{}", run.stderr);
    assert!(!run.stdout.contains("1. People enter"), "{}", run.stdout);
    // 40 Contacts, one in twenty without an Account: the poller passes over two.
    assert!(
        count(&run.stdout, "Contact TO iPaaS.com", "skipped") >= 2,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("API calls of the stories"),
        "{}",
        run.stdout
    );
}

#[test]
fn with_data_the_stories_are_off_and_verbose_shows_the_log() {
    let dir = std::env::temp_dir().join(format!("sfsync-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("data.json");
    std::fs::write(
        &file,
        r#"{"salesforce": {"accounts": [{"Name": "Acme"}],
            "contacts": [{"parent": 0, "fields": {"LastName": "Lovelace", "Email": "ada@acme.example"}},
                         {"fields": {"LastName": "No Account"}}]}}"#,
    )
    .unwrap();
    let run = demo(&["-v", "--data", file.to_str().unwrap()]);
    assert!(
        !run.stdout.contains("Catalog messages raised"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("API calls of the stories"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("API calls for the 3 seeded records"),
        "{}",
        run.stdout
    );
    assert_eq!(count(&run.stdout, "Account TO iPaaS.com", "created"), 1);
    assert_eq!(count(&run.stdout, "Contact TO iPaaS.com", "created"), 1);
    assert_eq!(count(&run.stdout, "Contact TO iPaaS.com", "skipped"), 1);
    // -v: the log is on stderr.
    assert!(run.stderr.contains("INFO"), "{}", run.stderr);

    let run = demo(&["--data", file.to_str().unwrap(), "--stories"]);
    assert!(
        run.stdout.contains("Catalog messages raised"),
        "{}",
        run.stdout
    );
}
