//! Runs functions under the real `cargo lambda watch` (installed into .venv by
//! scripts/test-tools) and invokes them through its Lambda invoke API, the endpoint
//! `cargo lambda invoke` uses.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Watch {
    child: Child,
    pub port: u16,
    /// Where the watcher's output (and so each function's stdout and stderr) goes.
    log: std::path::PathBuf,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn workspace() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

impl Watch {
    /// Starts `cargo lambda watch` for `package` with `env` passed to the function.
    pub fn start(package: &str, env: &[(&str, String)]) -> Watch {
        Self::spawn(Some(package), env)
    }

    /// Starts `cargo lambda watch` for every function of the workspace (each is built on its
    /// first invocation), with `env` passed to all of them.
    pub fn start_all(env: &[(&str, String)]) -> Watch {
        Self::spawn(None, env)
    }

    fn spawn(package: Option<&str>, env: &[(&str, String)]) -> Watch {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let venv = workspace().join(".venv/bin");
        assert!(
            venv.join("cargo-lambda").exists(),
            "cargo-lambda is not installed: run scripts/test (scripts/test-tools installs it)"
        );
        let path = format!(
            "{}:{}",
            venv.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let vars: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let log =
            std::env::temp_dir().join(format!("lambda-watch-{}-{port}.log", std::process::id()));
        let out = std::fs::File::create(&log).expect("the watch log");
        let mut cmd = Command::new("cargo");
        cmd.current_dir(workspace())
            .env("PATH", path)
            .args([
                "lambda",
                "watch",
                "--invoke-address",
                "127.0.0.1",
                "--invoke-port",
                &port.to_string(),
            ])
            .stdout(Stdio::from(out.try_clone().expect("the watch log")))
            .stderr(Stdio::from(out));
        if let Some(p) = package {
            cmd.args(["-p", p]);
        }
        for v in &vars {
            cmd.args(["--env-var", v]);
        }
        let child = cmd.spawn().expect("start cargo lambda watch");
        let w = Watch { child, port, log };
        // Ready when the invoke API accepts connections (bounded wait, no fixed sleep).
        // Generous: on a loaded machine the watcher itself may take minutes to come up.
        let deadline = Instant::now() + Duration::from_secs(900);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "cargo lambda watch did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        w
    }

    /// Everything the watcher and its functions printed so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Invokes `function` with `event` and returns the function's JSON answer.
    pub async fn invoke(&self, function: &str, event: &serde_json::Value) -> serde_json::Value {
        let url = format!(
            "http://127.0.0.1:{}/2015-03-31/functions/{function}/invocations",
            self.port
        );
        let resp = reqwest::Client::builder()
            // The first invocation builds the function (cargo lambda watch compiles on demand):
            // minutes on a loaded 2-core machine. A guard against a hang, not a measurement.
            .timeout(Duration::from_secs(1500))
            .build()
            .unwrap()
            .post(url)
            .json(event)
            .send()
            .await
            .expect("invoke");
        resp.json().await.expect("function answer is JSON")
    }
}

/// A fixture from `functions/<package>/events/`.
pub fn fixture(package: &str, name: &str) -> serde_json::Value {
    let p = workspace()
        .join("functions")
        .join(package)
        .join("events")
        .join(name);
    serde_json::from_str(
        &std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
    .unwrap()
}
