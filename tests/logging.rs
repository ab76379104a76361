//! The log file and the panic hook, in a process of their own: both are
//! global (one subscriber, one hook per process).

use dutydesk::logging;
use tracing_subscriber::filter::LevelFilter;

#[test]
fn a_panic_is_logged_with_its_message_and_location() {
    let dir = tempfile::tempdir().unwrap();
    // Yesterday's file stays, one from 20 days ago is deleted at start.
    let today = chrono::Utc::now().date_naive();
    let old = |days: i64| {
        dir.path().join(format!(
            "{}.{}",
            logging::PREFIX,
            (today - chrono::Duration::days(days)).format("%Y-%m-%d")
        ))
    };
    std::fs::write(old(1), "yesterday\n").unwrap();
    std::fs::write(old(20), "long ago\n").unwrap();

    let file = logging::init(dir.path(), LevelFilter::INFO).unwrap();
    assert_eq!(logging::current_file(), Some(file.as_path()));
    assert!(old(1).exists() && !old(20).exists());
    logging::install_panic_hook();

    tracing::info!("visitor 王伟 110105199003074514 phone 13812345678");
    tracing::debug!("not at info");
    let line = line!() + 1;
    let caught = std::panic::catch_unwind(|| panic!("byte index 1 is not a char boundary in 7点"));
    assert!(caught.is_err());
    let _ = std::panic::take_hook();

    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("visitor 王伟 110105********4514 phone 138****5678"),
        "{text}"
    );
    assert!(!text.contains("not at info"), "{text}");
    assert!(
        text.contains("panic: byte index 1 is not a char boundary in 7点"),
        "{text}"
    );
    assert!(text.contains(&format!("tests/logging.rs:{line}")), "{text}");
}
