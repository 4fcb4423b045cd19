//! The `sfsync` binary for tests that run it as a person would (its arguments, its exit
//! code, what it prints), built once per test process the way `cargo run -p sfsync` builds it.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

pub fn sfsync() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(&workspace)
            .args(["build", "-q", "-p", "sfsync"])
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build -p sfsync failed");
        // This test runs from <target>/debug/deps/; cargo put the binary in <target>/debug/.
        let exe = std::env::current_exe().expect("the test's path");
        let bin = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("<target>/debug")
            .join("sfsync");
        assert!(bin.exists(), "{} was not built", bin.display());
        bin
    })
    .clone()
}
