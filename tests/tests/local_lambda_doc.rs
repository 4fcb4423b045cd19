//! docs/local-lambda.md runs as written: its shell blocks, in order, as one bash script from
//! the repository root (with free ports in place of 5000 for moto server and 9000 for
//! `cargo lambda watch`), and each invocation answers what the page says it answers.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The page's ```sh blocks, in order.
fn shell_blocks(page: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in page.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), l) => {
                block.push_str(l);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_local_lambda_page_runs_as_written() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let page = std::fs::read_to_string(root.join("docs/local-lambda.md")).unwrap();
    let blocks = shell_blocks(&page);
    assert!(blocks.len() >= 4, "{blocks:#?}");
    let (moto, watch) = (free_port(), free_port());
    let script = format!("set -euo pipefail\n{}", blocks.join("\n"))
        .replace(":5000", &format!(":{moto}"))
        .replace("-p 5000", &format!("-p {moto}"))
        .replace("--invoke-port 9000", &format!("--invoke-port {watch}"));
    assert!(
        !script.contains("5000") && !script.contains("9000"),
        "{script}"
    );

    // Its own process group, so whatever the page starts is stopped with it.
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(&root)
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("MOTO_ENDPOINT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("run bash");
    let group = child.id();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let (out_reader, err_reader) = (read_all(Box::new(stdout)), read_all(Box::new(stderr)));
    // Bounded: the first invocations build the functions.
    let deadline = Instant::now() + Duration::from_secs(900);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let _ = Command::new("kill")
        .args(["-TERM", "--", &format!("-{group}")])
        .status();
    let (out, err) = (out_reader.join().unwrap(), err_reader.join().unwrap());
    let status =
        status.unwrap_or_else(|| panic!("the page did not finish in 15 minutes:\n{out}\n{err}"));
    assert!(
        status.success(),
        "{script}\n--- stdout\n{out}\n--- stderr\n{err}"
    );

    let answers: Vec<serde_json::Value> = out
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 7, "{out}");
    assert_eq!(answers[0]["account-to-ipaas"]["enqueued"], 1, "{out}");
    assert_eq!(answers[0]["contact-to-ipaas"]["enqueued"], 1, "{out}");
    assert_eq!(answers[1]["statusCode"], 202, "{out}");
    assert_eq!(answers[2]["statusCode"], 401, "{out}");
    for worker in &answers[3..] {
        assert_eq!(worker["batchItemFailures"], serde_json::json!([]), "{out}");
    }
}
