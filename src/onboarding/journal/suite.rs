//! One test suite, run against both backends: what the pipeline, the board and the
//! claims rely on must hold for the SQLite file and the team's PostgreSQL alike.
//! Each test opens several [`Journal`]s on one store, as separate processes would.

use super::{Action, Author, IntentOutcome, Journal, test_database::fresh_postgres_journal};
use crate::onboarding::claims::Exclusive;
use crate::onboarding::run_lock::{RunHolder, RunLock, RunLockError};
use crate::onboarding::watcher::{WatcherHeartbeat, WatcherLock, WatcherState};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;

/// Opens journals on one store (a file, or a schema of the test server).
struct Store {
    open: Box<dyn Fn(&str) -> Journal + Send + Sync>,
    /// Writes the store as a release before authors left it: the first schema and one
    /// line of history, Anna's "User created" on the sandbox.
    write_pre_author_journal: Box<dyn Fn() + Send + Sync>,
    _dir: Option<tempfile::TempDir>,
}

impl Store {
    fn journal(&self, environment: &str) -> Journal {
        (self.open)(environment)
    }
}

fn sqlite(_label: &str) -> Option<Store> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let old = path.clone();
    let write_pre_author_journal = Box::new(move || {
        let connection = rusqlite::Connection::open(&old).unwrap();
        // The history table as released before authors (the other tables are unchanged).
        connection
            .execute_batch(
                "CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, environment TEXT NOT NULL,
                 name TEXT NOT NULL, at TEXT NOT NULL, what TEXT NOT NULL)",
            )
            .unwrap();
        connection
            .execute(
                "INSERT INTO history (environment, name, at, what) VALUES ('sandbox', 'Anna', ?1, 'User created')",
                [Utc::now().to_rfc3339()],
            )
            .unwrap();
    });
    Some(Store {
        open: Box::new(move |environment| Journal::open(&path, environment).unwrap()),
        write_pre_author_journal,
        _dir: Some(dir),
    })
}

fn postgres(label: &str) -> Option<Store> {
    let url = fresh_postgres_journal(label)?;
    let old = url.clone();
    let write_pre_author_journal = Box::new(move || {
        let mut client = ::postgres::Client::connect(&old, ::postgres::NoTls).unwrap();
        client
            .batch_execute(
                "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL);
                 INSERT INTO schema_version VALUES (1, now());
                 -- The history table as version 1 made it (the only one version 2 changes),
                 -- and the traders table's key (version 3's change feed adds a trigger to it).
                 CREATE TABLE traders (environment TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (environment, name));
                 CREATE TABLE history (id BIGSERIAL PRIMARY KEY, environment TEXT NOT NULL,
                     name TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, what TEXT NOT NULL);
                 INSERT INTO history (environment, name, at, what) VALUES ('sandbox', 'Anna', now(), 'User created');",
            )
            .unwrap();
    });
    Some(Store {
        open: Box::new(move |environment| Journal::open_postgres(&url, environment).unwrap()),
        write_pre_author_journal,
        _dir: None,
    })
}

/// Instantiates every test of the suite for one backend.
macro_rules! suite {
    ($backend:ident) => {
        mod $backend {
            use super::*;

            fn store(label: &str) -> Option<Store> {
                super::$backend(&format!("{}_{label}", stringify!($backend)))
            }

            #[test]
            fn history_records_who_wrote_each_line_and_where() {
                let Some(store) = store("authors") else { return };
                super::history_records_who_wrote_each_line_and_where(&store);
            }

            #[test]
            fn an_old_journal_gains_authors_and_keeps_its_history() {
                let Some(store) = store("pre_author") else { return };
                super::an_old_journal_gains_authors_and_keeps_its_history(&store);
            }

            #[test]
            fn intents_stay_open_until_settled() {
                let Some(store) = store("intents") else { return };
                super::intents_stay_open_until_settled(&store);
            }

            #[test]
            fn progress_survives_reopening() {
                let Some(store) = store("reopen") else { return };
                super::progress_survives_reopening(&store);
            }

            #[test]
            fn stamps_are_set_once_and_kept_in_order() {
                let Some(store) = store("stamps") else { return };
                super::stamps_are_set_once_and_kept_in_order(&store);
            }

            #[test]
            fn a_second_grant_waits_while_the_first_is_in_flight() {
                let Some(store) = store("in_flight") else { return };
                super::a_second_grant_waits_while_the_first_is_in_flight(&store);
            }

            #[test]
            fn racing_claimants_start_one_grant() {
                let Some(store) = store("race") else { return };
                super::racing_claimants_start_one_grant(store);
            }

            #[test]
            fn an_interval_claim_is_granted_once_per_interval() {
                let Some(store) = store("interval") else { return };
                super::an_interval_claim_is_granted_once_per_interval(&store);
            }

            #[test]
            fn a_second_run_is_refused_and_names_the_holder() {
                let Some(store) = store("run_lock") else { return };
                super::a_second_run_is_refused_and_names_the_holder(&store);
            }

            #[test]
            fn a_refused_run_waits_for_the_holder_to_name_itself() {
                let Some(store) = store("naming") else { return };
                super::a_refused_run_waits_for_the_holder_to_name_itself(&store);
            }

            #[test]
            fn a_dead_holders_row_is_taken_over_and_reported() {
                let Some(store) = store("takeover") else { return };
                super::a_dead_holders_row_is_taken_over_and_reported(&store);
            }

            // --- The team's audit trail (issue 14, item 6) ---
            #[test]
            fn team_history_lists_every_traders_lines_newest_first() {
                let Some(store) = store("team_history") else { return };
                super::team_history_lists_every_traders_lines_newest_first(&store);
            }

            #[test]
            fn team_history_stops_at_its_limit_and_since() {
                let Some(store) = store("team_history_limit") else { return };
                super::team_history_stops_at_its_limit_and_since(&store);
            }

            #[test]
            fn an_environment_belongs_to_the_first_firm_signed_in() {
                let Some(store) = store("firm") else { return };
                super::an_environment_belongs_to_the_first_firm_signed_in(&store);
            }

            // --- The always-on watcher (`propdesk watch`) ---
            #[test]
            fn one_watcher_per_environment_is_active_beside_any_run() {
                let Some(store) = store("watcher_lock") else { return };
                super::one_watcher_per_environment_is_active_beside_any_run(&store);
            }

            #[test]
            fn the_watchers_heartbeat_is_read_back_by_every_journal() {
                let Some(store) = store("heartbeat") else { return };
                super::the_watchers_heartbeat_is_read_back_by_every_journal(&store);
            }

            // ---- Moving a journal into another ----

            #[test]
            fn moving_a_local_journal_copies_each_trader_once_with_its_history() {
                let Some(store) = store("move") else { return };
                super::moving_a_local_journal_copies_each_trader_once_with_its_history(&store);
            }

            #[test]
            fn a_move_never_mixes_two_firms_under_one_key() {
                let Some(store) = store("move_firms") else { return };
                super::a_move_never_mixes_two_firms_under_one_key(&store);
            }
        }
    };
}

suite!(sqlite);
suite!(postgres);

fn author(user: &str, host: &str) -> Author {
    Author { user: user.into(), host: host.into() }
}

fn history_records_who_wrote_each_line_and_where(store: &Store) {
    let anna = store.journal("sandbox").with_author(author("anna", "ops-laptop"));
    let bob = store.journal("sandbox").with_author(author("bob", "desk-7"));
    anna.upsert_trader("Carl", "c@x.com", "EVAL1").unwrap();
    anna.record_user("Carl", 5).unwrap();
    bob.record_error("Carl", "Contact info", "State is required").unwrap();
    bob.record_contact("Carl").unwrap();
    anna.record_signed("Carl", Utc::now()).unwrap();
    bob.record_history("Carl", "Risk rules updated").unwrap();
    let lines: Vec<(String, String)> =
        store.journal("sandbox").history("Carl").unwrap().into_iter().map(|h| (h.what, h.by.to_string())).collect();
    let expected = [
        ("User created", "anna@ops-laptop"),
        ("Contact info failed: State is required", "bob@desk-7"),
        ("Contact info set", "bob@desk-7"),
        ("Signed the market-data agreement", "anna@ops-laptop"),
        ("Risk rules updated", "bob@desk-7"),
    ]
    .map(|(what, by)| (what.to_string(), by.to_string()));
    assert_eq!(lines, expected);
}

fn an_old_journal_gains_authors_and_keeps_its_history(store: &Store) {
    (store.write_pre_author_journal)();
    let journal = store.journal("sandbox").with_author(author("anna", "ops-laptop"));
    journal.record_history("Anna", "Risk rules updated").unwrap();
    let lines: Vec<(String, String)> =
        journal.history("Anna").unwrap().into_iter().map(|h| (h.what, h.by.to_string())).collect();
    let expected = [("User created", "unknown@unknown"), ("Risk rules updated", "anna@ops-laptop")]
        .map(|(what, by)| (what.to_string(), by.to_string()));
    assert_eq!(lines, expected);
    // Opening again (another process) finds the migration done and applies nothing twice.
    assert_eq!(store.journal("sandbox").history("Anna").unwrap().len(), 2);
}

fn intents_stay_open_until_settled(store: &Store) {
    let journal = store.journal("sandbox");
    journal.upsert_trader("alice", "a@x.com", "EVAL1").unwrap();
    let ids = journal.begin(&["alice", "bob"], Action::CreateUser).unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(journal.open_intents().unwrap().len(), 2);
    journal.finish(&ids[..1], IntentOutcome::Unknown, None).unwrap();
    let other = store.journal("sandbox"); // another process sees the same intents
    assert_eq!(other.open_intents().unwrap()[0].action, Action::CreateUser);
    assert_eq!(other.open_intents().unwrap()[0].name, "alice");
    journal.finish(&ids, IntentOutcome::Done, None).unwrap();
    assert!(other.open_intents().unwrap().is_empty());
    assert!(store.journal("production").open_intents().unwrap().is_empty());
}

fn progress_survives_reopening(store: &Store) {
    {
        let journal = store.journal("staging");
        journal.upsert_trader("bob", "b@x.com", "EVAL2").unwrap();
        journal.record_user("bob", 42).unwrap();
        journal.record_error("bob", "Contact info", "State is required").unwrap();
    }
    let journal = store.journal("staging");
    let bob = journal.trader("bob").unwrap().unwrap();
    assert_eq!((bob.user_id, bob.email.as_str(), bob.account_name.as_str()), (Some(42), "b@x.com", "EVAL2"));
    assert_eq!(bob.last_error.as_deref(), Some("State is required"));
    assert_eq!(bob.error_stage.as_deref(), Some("Contact info"));
    journal.record_contact("bob").unwrap();
    let bob = journal.trader("bob").unwrap().unwrap();
    assert!(bob.contact_done);
    assert_eq!(bob.last_error, None);
    assert_eq!(journal.trader_by_user_id(42).unwrap().unwrap().name, "bob");
    journal.record_account("bob", 7, Some(70)).unwrap();
    let bob = journal.trader("bob").unwrap().unwrap();
    assert_eq!((bob.account_id, bob.trading_permission_id), (Some(7), Some(70)));
    // Environments are separate: Staging and Production never mix.
    let production = store.journal("production");
    assert!(production.trader("bob").unwrap().is_none());
    assert!(production.trader_by_user_id(42).unwrap().is_none());
    assert!(production.traders().unwrap().is_empty());
    let history: Vec<String> = journal.history("bob").unwrap().into_iter().map(|h| h.what).collect();
    assert_eq!(
        history,
        ["User created", "Contact info failed: State is required", "Contact info set", "Account created (id 7)"]
    );
}

fn stamps_are_set_once_and_kept_in_order(store: &Store) {
    let journal = store.journal("sandbox");
    for name in ["carol", "ann", "zed"] {
        journal.upsert_trader(name, &format!("{name}@x.com"), "EVAL").unwrap();
    }
    journal.upsert_trader("carol", "carol@new.com", "EVAL3").unwrap(); // an update keeps the place
    let names: Vec<String> = journal.traders().unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["carol", "ann", "zed"]);
    assert_eq!(journal.trader("carol").unwrap().unwrap().email, "carol@new.com");

    journal.record_error("carol", "Grant", "HTTP 500").unwrap();
    let signed = Utc::now() - chrono::Duration::minutes(5);
    assert!(journal.record_signed("carol", signed).unwrap());
    assert!(journal.record_entitled("carol", Utc::now()).unwrap());
    assert!(!journal.record_entitled("carol", Utc::now()).unwrap(), "a second grant stamp is not recorded");
    assert!(journal.record_revoked("carol", Utc::now()).unwrap());
    assert!(journal.record_cancelled("carol", Utc::now()).unwrap());
    assert!(!journal.record_cancelled("carol", Utc::now()).unwrap());
    let carol = journal.trader("carol").unwrap().unwrap();
    assert_eq!(carol.last_error, None, "the grant cleared its failure");
    let signed_back = carol.agreement_signed_at.unwrap();
    assert!((signed_back - signed).num_milliseconds().abs() < 1, "{signed_back} vs {signed}");
    assert!(carol.entitled_at.is_some() && carol.revoked_at.is_some() && carol.cancelled_at.is_some());
    assert!(journal.trader("ann").unwrap().unwrap().entitled_at.is_none());
    let history = journal.history("carol").unwrap();
    assert_eq!(history.iter().filter(|h| h.what == "T-Prop entitlement granted").count(), 1);
    assert_eq!(history.last().unwrap().what, "Everything cancelled");

    // A line of history alone (a risk-rule update) leaves the trader's stage as it was.
    let before = journal.trader("ann").unwrap().unwrap();
    journal.record_history("ann", "Risk rules updated (DEMOFIRM50K profile)").unwrap();
    assert_eq!(journal.history("ann").unwrap().last().unwrap().what, "Risk rules updated (DEMOFIRM50K profile)");
    assert_eq!(journal.trader("ann").unwrap().unwrap(), before);
}

fn a_second_grant_waits_while_the_first_is_in_flight(store: &Store) {
    let window = store.journal("sandbox");
    let terminal = store.journal("sandbox");
    let minute = Duration::from_secs(60);
    let Exclusive::Started { intent, interrupted } =
        window.begin_exclusive("ann", Action::GrantEntitlement, minute).unwrap()
    else {
        panic!("the first attempt starts");
    };
    assert!(interrupted.is_empty());
    assert_eq!(terminal.begin_exclusive("ann", Action::GrantEntitlement, minute).unwrap(), Exclusive::InFlight);
    // Another trader, or another environment, is not affected.
    assert!(matches!(
        terminal.begin_exclusive("bob", Action::GrantEntitlement, minute).unwrap(),
        Exclusive::Started { .. }
    ));
    assert!(matches!(
        store.journal("production").begin_exclusive("ann", Action::GrantEntitlement, minute).unwrap(),
        Exclusive::Started { .. }
    ));
    // An attempt older than the window is reported as interrupted, not in flight.
    match terminal.begin_exclusive("ann", Action::GrantEntitlement, Duration::ZERO).unwrap() {
        Exclusive::Started { interrupted, intent: second } => {
            assert_eq!(interrupted, vec![intent]);
            window.finish(&[intent, second], IntentOutcome::Done, None).unwrap();
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        window.begin_exclusive("ann", Action::GrantEntitlement, minute).unwrap(),
        Exclusive::Started { .. }
    ));
}

fn racing_claimants_start_one_grant(store: Store) {
    let store = Arc::new(store);
    let journals: Vec<Journal> = (0..6).map(|_| store.journal("sandbox")).collect();
    let barrier = Arc::new(std::sync::Barrier::new(journals.len()));
    let started: usize = std::thread::scope(|scope| {
        let racers: Vec<_> = journals
            .iter()
            .map(|journal| {
                let barrier = barrier.clone();
                scope.spawn(move || {
                    barrier.wait();
                    journal.begin_exclusive("ann", Action::GrantEntitlement, Duration::from_secs(60)).unwrap()
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).filter(|r| matches!(r, Exclusive::Started { .. })).count()
    });
    assert_eq!(started, 1, "exactly one of the racing claimants may send the grant");
}

fn an_interval_claim_is_granted_once_per_interval(store: &Store) {
    let journal = store.journal("sandbox");
    let other = store.journal("sandbox");
    let five_minutes = Duration::from_secs(300);
    let t0 = Utc::now();
    assert_eq!(journal.claim_interval("deps", t0, five_minutes).unwrap(), Ok(()));
    let later = t0 + chrono::Duration::seconds(60);
    let wait = other.claim_interval("deps", later, five_minutes).unwrap().unwrap_err();
    assert!(wait.abs_diff(Duration::from_secs(240)) < Duration::from_millis(1), "{wait:?}");
    assert_eq!(other.claim_interval("other", later, five_minutes).unwrap(), Ok(()));
    assert_eq!(store.journal("production").claim_interval("deps", later, five_minutes).unwrap(), Ok(()));
    let after = t0 + chrono::Duration::seconds(301);
    assert_eq!(other.claim_interval("deps", after, five_minutes).unwrap(), Ok(()));
    // A clock set far back does not lock the call out for hours.
    let past = t0 - chrono::Duration::hours(3);
    assert_eq!(journal.claim_interval("deps", past, five_minutes).unwrap(), Ok(()));
}

fn a_second_run_is_refused_and_names_the_holder(store: &Store) {
    let first = Arc::new(store.journal("staging"));
    let second = Arc::new(store.journal("staging"));
    assert!(first.is_shared());
    let held = RunLock::take(&first, "propdesk onboard").unwrap();
    match RunLock::take(&second, "the Propdesk window") {
        Err(RunLockError::Held(Some(holder))) => {
            assert_eq!((holder.pid, holder.program.as_str()), (std::process::id(), "propdesk onboard"));
        }
        other => panic!("expected a refusal naming the holder, got {:?}", other.map(|_| ())),
    }
    // Another environment in the same store is not blocked.
    let production = Arc::new(store.journal("production"));
    assert!(RunLock::take(&production, "propdesk onboard").is_ok());
    drop(held);
    let next = RunLock::take(&second, "the Propdesk window").unwrap();
    assert_eq!(next.took_over_from, None, "a holder that let go is not a takeover");
    drop(next);
    // A run started right after another ended finds the lock free, from any connection.
    for _ in 0..20 {
        drop(RunLock::take(&first, "propdesk onboard").expect("free once the last run ended"));
        drop(RunLock::take(&second, "the Propdesk window").expect("free once the last run ended"));
    }
}

fn a_dead_holders_row_is_taken_over_and_reported(store: &Store) {
    let journal = Arc::new(store.journal("staging"));
    let dead = RunHolder {
        pid: 999_999,
        program: "propdesk onboard".into(),
        host: "h".into(),
        since: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
    };
    journal.set_run_holder(&dead).unwrap(); // what a SIGKILLed holder leaves behind
    let lock = RunLock::take(&journal, "propdesk onboard").unwrap();
    assert_eq!(lock.took_over_from, Some(dead));
    assert_eq!(store.journal("staging").run_holder().unwrap().map(|h| h.pid), Some(std::process::id()));
    drop(lock);
    assert_eq!(journal.run_holder().unwrap(), None);
}

fn a_refused_run_waits_for_the_holder_to_name_itself(store: &Store) {
    // The moment between a run taking the lock and writing its row, as when two admins
    // start together: the refusal still names the holder instead of "not named yet".
    let holder_journal = store.journal("staging");
    let _lock = holder_journal.take_run_lock().unwrap().expect("the lock is free");
    let holder =
        RunHolder { pid: 4242, program: "propdesk onboard".into(), host: "anna-laptop".into(), since: Utc::now() };
    let naming = {
        let holder = holder.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            holder_journal.set_run_holder(&holder).unwrap();
            holder_journal
        })
    };
    match RunLock::take(&Arc::new(store.journal("staging")), "propdesk onboard") {
        Err(RunLockError::Held(Some(named))) => assert_eq!((named.pid, named.host), (4242, holder.host)),
        other => panic!("expected a refusal naming the holder, got {:?}", other.map(|_| ())),
    }
    drop(naming.join().unwrap());
}

// --- The team's audit trail (issue 14, item 6) ---

/// 09:00 UTC on a day of November 2026.
fn november(day: u32) -> chrono::DateTime<Utc> {
    use chrono::TimeZone;
    Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).unwrap()
}

/// Two admins write on staging, one on production: staging's trail has both admins'
/// lines, by when they happened, and nothing of production's.
fn team_history_lists_every_traders_lines_newest_first(store: &Store) {
    let anna = store.journal("staging").with_author(author("anna", "ops-laptop"));
    let ben = store.journal("staging").with_author(author("ben", "ops-desktop"));
    let production = store.journal("production").with_author(author("anna", "ops-laptop"));
    for (journal, name) in [(&anna, "Ada"), (&ben, "Bo"), (&production, "Ada")] {
        journal.upsert_trader(name, "", "").unwrap();
    }
    anna.record_signed("Ada", november(1)).unwrap();
    ben.record_signed("Bo", november(3)).unwrap();
    anna.record_entitled("Ada", november(2)).unwrap();
    production.record_signed("Ada", november(4)).unwrap();

    let lines = store.journal("staging").team_history(None, 100).unwrap();
    let seen: Vec<_> = lines.iter().map(|l| (l.at, l.trader.as_str(), l.what.as_str(), l.by.to_string())).collect();
    assert_eq!(
        seen,
        [
            (november(3), "Bo", "Signed the market-data agreement", "ben@ops-desktop".to_string()),
            (november(2), "Ada", "T-Prop entitlement granted", "anna@ops-laptop".to_string()),
            (november(1), "Ada", "Signed the market-data agreement", "anna@ops-laptop".to_string()),
        ]
    );
    assert_eq!(production.team_history(None, 100).unwrap().len(), 1, "production keeps to itself");
}

fn team_history_stops_at_its_limit_and_since(store: &Store) {
    let journal = store.journal("staging").with_author(author("anna", "ops-laptop"));
    for day in 1..=5 {
        let name = format!("T{day}");
        journal.upsert_trader(&name, "", "").unwrap();
        journal.record_signed(&name, november(day)).unwrap();
    }
    let traders = |lines: Vec<super::TeamHistoryLine>| lines.into_iter().map(|l| l.trader).collect::<Vec<_>>();
    assert_eq!(traders(journal.team_history(None, 2).unwrap()), ["T5", "T4"], "the newest two");
    assert_eq!(traders(journal.team_history(Some(november(4)), 100).unwrap()), ["T5", "T4"], "from the 4th on");
    assert_eq!(traders(journal.team_history(Some(november(2)), 2).unwrap()), ["T5", "T4"], "both bounds");
    assert_eq!(journal.team_history(None, 0).unwrap(), [], "a limit of nothing");
    assert_eq!(journal.team_history(None, usize::MAX).unwrap().len(), 5, "no limit");
}

// The firm in the key (journal/firm.rs).
fn an_environment_belongs_to_the_first_firm_signed_in(store: &Store) {
    let anna = store.journal("production");
    anna.bind_firm(Some("ACME Prop"), "Production").unwrap();
    anna.bind_firm(Some("ACME Prop"), "Production").unwrap();

    // Another process, signed in to another organization, is refused with both names.
    let other = store.journal("production");
    let refused = other.bind_firm(Some("Other Firm"), "Production").unwrap_err().to_string();
    let which = if other.path().is_some() { "journal" } else { "team journal" };
    assert!(
        refused.contains(&format!("This {which} holds Production for ACME Prop; you are signed in to Other Firm")),
        "{refused}"
    );
    // The refusal changed nothing: the first firm keeps the environment...
    store.journal("production").bind_firm(Some("ACME Prop"), "Production").unwrap();
    // ...and each environment key has a firm of its own.
    store.journal("staging").bind_firm(Some("Other Firm"), "Staging").unwrap();

    // A firm Tradovate did not name cannot be checked: a team journal refuses it, a file
    // on one computer lets it pass.
    let unknown = store.journal("production").bind_firm(None, "Production");
    if other.path().is_some() {
        unknown.unwrap();
    } else {
        assert!(unknown.unwrap_err().to_string().contains("did not say which organization"));
    }
}

// ---- Change feed (the live board, issue 14 item 4) ----

/// The change-feed tests, for one backend (a block of its own: merges stay easy).
macro_rules! change_feed_suite {
    ($backend:ident) => {
        mod $backend {
            fn store(label: &str) -> Option<super::super::Store> {
                super::super::$backend(label)
            }

            #[test]
            fn the_change_mark_moves_with_every_write_from_any_process() {
                let Some(store) = store("change_mark_moves") else { return };
                super::super::the_change_mark_moves_with_every_write_from_any_process(&store);
            }

            #[test]
            fn the_latest_change_of_each_trader_names_who_made_it() {
                let Some(store) = store("latest_change") else { return };
                super::super::the_latest_change_of_each_trader_names_who_made_it(&store);
            }
        }
    };
}

/// The feed's tests, for both backends (`change_feed::sqlite::…`, `change_feed::postgres::…`).
mod change_feed {
    change_feed_suite!(sqlite);
    change_feed_suite!(postgres);
}

fn the_change_mark_moves_with_every_write_from_any_process(store: &Store) {
    let window = store.journal("sandbox");
    let other = store.journal("sandbox").with_author(author("bob", "desk-7"));
    let elsewhere = store.journal("production");
    let mut seen = window.change_mark().unwrap();
    // Each write by another process (its own connection) moves the window's reading.
    let mut moved = |what: &str, write: &dyn Fn()| {
        write();
        let now = window.change_mark().unwrap();
        assert_ne!(now, seen, "{what} did not move the change mark");
        seen = now;
    };
    moved("a new trader", &|| other.upsert_trader("Carl", "c@x.com", "EVAL1").unwrap());
    moved("a changed email", &|| other.upsert_trader("Carl", "carl@x.com", "EVAL1").unwrap());
    moved("a created user", &|| other.record_user("Carl", 5).unwrap());
    moved("a failure", &|| other.record_error("Carl", "Contact info", "State is required").unwrap());
    moved("a signature", &|| assert!(other.record_signed("Carl", Utc::now()).unwrap()));
    moved("a grant", &|| assert!(other.record_entitled("Carl", Utc::now()).unwrap()));
    moved("a line of history", &|| other.record_history("Carl", "Risk rules updated").unwrap());

    // Reads, a stamp that was already set and other environments leave it where it was.
    let still = window.change_mark().unwrap();
    other.traders().unwrap();
    other.history("Carl").unwrap();
    other.latest_changes().unwrap();
    assert!(!other.record_signed("Carl", Utc::now()).unwrap());
    elsewhere.upsert_trader("Carl", "c@x.com", "EVAL1").unwrap();
    elsewhere.record_user("Carl", 9).unwrap();
    assert_eq!(window.change_mark().unwrap(), still, "nothing this environment shows changed");
    assert_ne!(elsewhere.change_mark().unwrap(), 0, "production has its own mark");
}

fn the_latest_change_of_each_trader_names_who_made_it(store: &Store) {
    let anna = store.journal("sandbox").with_author(author("anna", "ops-laptop"));
    let ben = store.journal("sandbox").with_author(author("ben", "ops-desk"));
    for name in ["Ann", "Bob", "Cid"] {
        anna.upsert_trader(name, &format!("{name}@x.com"), "EVAL").unwrap();
    }
    anna.record_user("Ann", 1).unwrap();
    anna.record_user("Bob", 2).unwrap();
    anna.record_signed("Ann", Utc::now()).unwrap();
    ben.record_entitled("Ann", Utc::now()).unwrap();
    store.journal("production").with_author(author("zoe", "prod")).record_user("Bob", 3).unwrap();

    let latest = store.journal("sandbox").latest_changes().unwrap();
    let mut lines: Vec<(String, String, String)> =
        latest.into_iter().map(|(name, entry)| (name, entry.what, entry.by.to_string())).collect();
    lines.sort();
    let expected = [("Ann", "T-Prop entitlement granted", "ben@ops-desk"), ("Bob", "User created", "anna@ops-laptop")]
        .map(|(name, what, by)| (name.to_string(), what.to_string(), by.to_string()));
    // Cid has no history yet (nothing happened to him at Tradovate): no line.
    assert_eq!(lines, expected);
}

// --- The always-on watcher (`propdesk watch`) ---

fn one_watcher_per_environment_is_active_beside_any_run(store: &Store) {
    let (ops_server, standby) = (store.journal("production"), store.journal("production"));
    let active = WatcherLock::try_take(&ops_server).unwrap().expect("the first watcher is active");
    assert!(WatcherLock::try_take(&standby).unwrap().is_none(), "a second watcher stands by");
    // Runs are not blocked by the watcher (nor the watcher by runs), and other
    // environments have watchers of their own.
    let run = RunLock::take(&Arc::new(store.journal("production")), "propdesk onboard").expect("a run starts");
    assert!(WatcherLock::try_take(&store.journal("staging")).unwrap().is_some());
    drop(active);
    let taken_over = WatcherLock::try_take(&standby).unwrap();
    assert!(taken_over.is_some(), "the standby takes over once the active watcher let go");
    drop(run);
}

fn the_watchers_heartbeat_is_read_back_by_every_journal(store: &Store) {
    let watcher = store.journal("production");
    assert_eq!(watcher.watcher_heartbeat().unwrap(), None, "no watcher ever ran");
    // Whole seconds: both backends keep at least that.
    let at = |seconds: i64| chrono::DateTime::from_timestamp(1_750_000_000 + seconds, 0).unwrap();
    let mut beat = WatcherHeartbeat {
        host: "ops-server".into(),
        user: "propdesk".into(),
        pid: 4242,
        state: WatcherState::Starting,
        started_at: at(0),
        beat_at: at(0),
        last_signal_at: None,
        last_grant_at: None,
    };
    watcher.write_watcher_heartbeat(&beat).unwrap();
    let window = store.journal("production");
    assert_eq!(window.watcher_heartbeat().unwrap().as_ref(), Some(&beat));
    beat.state = WatcherState::Reconnecting("socket closed".into());
    beat.beat_at = at(10);
    beat.last_signal_at = Some(at(7));
    beat.last_grant_at = Some(at(8));
    watcher.write_watcher_heartbeat(&beat).unwrap();
    assert_eq!(window.watcher_heartbeat().unwrap().as_ref(), Some(&beat), "one row, replaced");
    assert_eq!(store.journal("staging").watcher_heartbeat().unwrap(), None, "per environment");
}

// ---- Moving a journal into another (issue 14: local file -> team journal) ----

/// A trader and its history with times cut to microseconds (PostgreSQL's precision).
fn comparable(journal: &Journal, name: &str) -> (super::JournaledTrader, Vec<(i64, String, String)>) {
    let micros = |t: Option<chrono::DateTime<Utc>>| {
        t.map(|t| chrono::DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap())
    };
    let mut trader = journal.trader(name).unwrap().unwrap_or_else(|| panic!("{name} is in the journal"));
    trader.agreement_signed_at = micros(trader.agreement_signed_at);
    trader.entitled_at = micros(trader.entitled_at);
    trader.updated_at = micros(trader.updated_at);
    let history = journal
        .history(name)
        .unwrap()
        .into_iter()
        .map(|h| (h.at.timestamp_micros(), h.what, h.by.to_string()))
        .collect();
    (trader, history)
}

fn moving_a_local_journal_copies_each_trader_once_with_its_history(store: &Store) {
    use super::transfer;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("local.sqlite");
    let local = Journal::open(&file, "staging").unwrap().with_author(author("anna", "ops-laptop"));
    local.upsert_trader("Carl", "c@x.com", "EVAL1").unwrap();
    local.record_user("Carl", 5).unwrap();
    local.record_account("Carl", 50, Some(500)).unwrap();
    local.record_signed("Carl", Utc::now()).unwrap();
    local.record_error("Carl", "T-Prop", "Entitlement not found").unwrap();
    // A grant sent when the laptop's run stopped: the team's next run must reconcile it.
    local.begin(&["Carl"], Action::GrantEntitlement).unwrap();
    let settled = local.begin(&["Carl"], Action::CreateUser).unwrap();
    local.finish(&settled, IntentOutcome::Done, None).unwrap();
    local.upsert_trader("Dora", "dora@laptop.example", "EVAL2").unwrap();
    let production = Journal::open(&file, "production").unwrap();
    production.upsert_trader("Eve", "e@x.com", "EVAL3").unwrap();
    production.record_user("Eve", 9).unwrap();

    // Ben already onboarded Dora into the team journal: she is left as she is.
    let team = store.journal("staging").with_author(author("ben", "desk-7"));
    team.upsert_trader("Dora", "dora@team.example", "EVAL2").unwrap();

    let plan = transfer::plan(&local, &team).unwrap();
    assert_eq!(
        plan.summary(),
        vec![
            "Production: 1 trader, 1 history line to copy".to_string(),
            "Staging: 1 trader, 4 history lines to copy (with 1 unfinished write to reconcile); \
             1 trader already there is left as it is"
                .to_string(),
        ]
    );
    assert!(team.trader("Carl").unwrap().is_none(), "a dry run writes nothing");

    let mut steps = Vec::new();
    let report = transfer::copy(&local, &team, &mut |p| steps.push((p.done, p.total))).unwrap();
    assert_eq!(report.traders(), 2, "{report:?}");
    assert_eq!(steps.last(), Some(&(3, 3)), "progress ends at every trader: {steps:?}");
    assert_eq!(comparable(&team, "Carl"), comparable(&local, "Carl"), "ids, stamps, error and history");
    assert_eq!(team.history("Carl").unwrap()[0].by.to_string(), "anna@ops-laptop", "original authors");
    let open: Vec<_> = team.open_intents().unwrap().into_iter().map(|i| (i.name, i.action)).collect();
    assert_eq!(open, vec![("Carl".to_string(), Action::GrantEntitlement)], "only the unsettled write");
    assert_eq!(team.trader("Dora").unwrap().unwrap().email, "dora@team.example", "the team's Dora is kept");
    let team_production = store.journal("production");
    assert_eq!(comparable(&team_production, "Eve"), comparable(&production, "Eve"), "environments stay apart");
    assert!(team.trader("Eve").unwrap().is_none());

    // A second move finds everything there and copies nothing.
    let again = transfer::plan(&local, &team).unwrap();
    assert_eq!(again.traders_to_copy(), 0, "{again:?}");
    let report = transfer::copy(&local, &team, &mut |_| {}).unwrap();
    assert_eq!(report.traders(), 0);
    assert_eq!(report.summary(), "Copied nothing: the team journal already had every trader.");
    assert_eq!(team.history("Carl").unwrap().len(), 4, "no history line twice");
    assert_eq!(team.open_intents().unwrap().len(), 1, "no intent twice");
}

fn a_move_never_mixes_two_firms_under_one_key(store: &Store) {
    use super::transfer;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("local.sqlite");
    let local = Journal::open(&file, "staging").unwrap();
    local.bind_firm(Some("Acme Prop"), "Staging").unwrap();
    local.upsert_trader("Carl", "c@x.com", "EVAL1").unwrap();
    let local_production = Journal::open(&file, "production").unwrap();
    local_production.bind_firm(Some("Acme Prop"), "Production").unwrap();
    local_production.upsert_trader("Eve", "e@x.com", "EVAL3").unwrap();
    // The team's Staging key already belongs to another firm; its Production to none yet.
    let team = store.journal("staging");
    team.bind_firm(Some("Other Firm"), "Staging").unwrap();
    let team_production = store.journal("production");

    let plan = transfer::plan(&local, &team).unwrap();
    assert_eq!(plan.traders_to_copy(), 1, "{plan:?}");
    assert!(
        plan.summary()[1].starts_with("Staging: not copied, the team journal's belongs to the firm \"Other Firm\"")
    );
    let report = transfer::copy(&local, &team, &mut |_| {}).unwrap();
    assert_eq!(report.traders(), 1);
    assert!(team.trader("Carl").unwrap().is_none(), "Acme's trader is not put under Other Firm's key");
    assert!(team_production.trader("Eve").unwrap().is_some());
    // The Production key now belongs to Acme: another firm signing in there is refused.
    assert!(team_production.bind_firm(Some("Other Firm"), "Production").is_err());
}
