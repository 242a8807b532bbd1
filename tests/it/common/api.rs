//! What the tests that drive the library's API client in-process share:
//! an emulator to talk to, and a create request the emulator accepts.

use aicall::api::{CallWindow, CreateTask, StartType, TaskSettings};
use aicall::emulator::{Config, Emulator};

/// A fresh in-memory emulator on 127.0.0.1:0 with `config`.
pub async fn emulator(config: Config) -> Emulator {
    Emulator::start(config).await.expect("the emulator starts")
}

/// A create of `name` with only what a task needs: an immediate start on
/// Mondays, 09:00–12:00.
pub fn simple_request(name: &str) -> CreateTask {
    let mut settings = TaskSettings::new(
        name,
        StartType::Immediate,
        vec!["MONDAY".to_owned()],
        vec![CallWindow::new("09:00:00", "12:00:00")],
    );
    settings.virtual_number = Some("0327121220001".to_owned());
    CreateTask {
        agent_id: Some("1180123456789012345".to_owned()),
        application_code: None,
        settings,
    }
}
