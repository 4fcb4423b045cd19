//! What `--help` says where the issue found it silent: the simulators' port 0, connect's
//! timeout and --create, cold-start's required endpoint, the demo's stories and -v.

use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sfsync"))
        .args(args)
        .arg("--help")
        .output()
        .expect("run sfsync --help");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_help_of_each_command_explains_its_options() {
    let sim = help(&["sim"]);
    assert_eq!(sim.matches("0 = any free port").count(), 2, "{sim}");
    let connect = help(&["connect"]);
    let timeout = connect
        .split("--timeout-secs")
        .nth(1)
        .expect("--timeout-secs is listed");
    assert!(timeout.contains("Seconds to wait"), "{connect}");
    assert!(connect.contains("--create"), "{connect}");
    let cold = help(&["cold-start"]);
    assert!(
        cold.contains("Required") && cold.contains("CARGO_TARGET_DIR"),
        "{cold}"
    );
    let demo = help(&["demo"]);
    assert!(
        demo.contains("--no-stories") && demo.contains("--verbose"),
        "{demo}"
    );
}
