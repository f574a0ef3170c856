//! Frame time of the Traders screen with 10,000 rows, the way the real window runs it:
//! `egui::Context::run_ui` calling the app's `logic` and `ui` (no tessellation, no GPU),
//! once plainly (no screen reader) and once with AccessKit on (as when one is running).
//! Each pass measures scrolling the grid, typing into a cell of the row editor, sorting
//! by a column and typing into the filter. Prints p50, p99 and max per scenario.
//!
//! First, without a window: the UI-thread work of the frame in which a journal change
//! lands (the change feed moved; the Traders screen's re-read arrived), with the same
//! roster checked against a journal of 10,000 other traders and another admin granting
//! one of them. The window bench below has no journal, so this part stands for it.
//!
//! An egui_kittest harness only sets the screen up (import, find where things are);
//! the measured frames are driven here with pointer and keyboard events.
//!
//! `cargo bench --bench roster_frame`

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use propdesk::store::{Paths, SecretStore};
use propdesk::ui::{AppConfig, PropdeskApp, StartEnvironment, open_dialog};
use std::time::{Duration, Instant};

const ROWS: usize = 10_000;

/// Where the measured frames click, found once through the harness's AccessKit tree.
struct Targets {
    grid: egui::Pos2,
    first_row: egui::Pos2,
    cell: egui::Pos2,
    sort_header: egui::Pos2,
    filter: egui::Pos2,
}

/// Drives the app's frames directly, as eframe does.
struct Driver<'h> {
    harness: &'h mut Harness<'static, PropdeskApp>,
    frame: eframe::Frame,
    input: egui::RawInput,
    time: f64,
    /// Whether AccessKit is on for the measured frames.
    accesskit: bool,
}

impl Driver<'_> {
    /// Runs one frame with these events and returns how long `run_ui` took.
    fn frame(&mut self, events: Vec<egui::Event>) -> Duration {
        let ctx = self.harness.ctx.clone();
        self.time += 1.0 / 60.0;
        let mut input = self.input.clone();
        input.time = Some(self.time);
        input.events = events;
        let app = self.harness.state_mut();
        let frame = &mut self.frame;
        let start = Instant::now();
        let mut output = ctx.run_ui(input, |ui| {
            eframe::App::logic(app, ui.ctx(), frame);
            eframe::App::ui(app, ui, frame);
        });
        let took = start.elapsed();
        // No GPU here: the font atlas updates go nowhere.
        output.textures_delta.clear();
        took
    }

    fn click(&mut self, at: egui::Pos2) -> Duration {
        let button = |pressed| egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        };
        // Press and release in frames of their own, as a real click arrives (a button
        // only reacts to a release after a press it has seen).
        self.frame(vec![egui::Event::PointerMoved(at), button(true)]) + self.frame(vec![button(false)])
    }

    /// A few frames with no input, so the previous scenario's work has settled.
    fn settle(&mut self) {
        for _ in 0..5 {
            self.frame(Vec::new());
        }
    }
}

fn key(key: egui::Key) -> egui::Event {
    egui::Event::Key { key, physical_key: None, pressed: true, repeat: false, modifiers: egui::Modifiers::NONE }
}

fn main() {
    measure_journal_change();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut harness = imported_roster(&runtime, dir.path());
    let targets = find_targets(&mut harness);
    let input = harness.input_mut().clone();
    let mut driver =
        Driver { harness: &mut harness, frame: eframe::Frame::_new_kittest(), input, time: 1000.0, accesskit: false };
    println!("Traders screen, {ROWS} rows, 1280x800, time of egui::Context::run_ui per frame:");
    for accesskit in [false, true] {
        driver.accesskit = accesskit;
        if accesskit {
            driver.harness.ctx.enable_accesskit();
        } else {
            driver.harness.ctx.disable_accesskit();
        }
        println!("AccessKit {}:", if accesskit { "on" } else { "off (plain)" });
        measure(&mut driver, &targets);
    }
    drop(harness);
    drop(runtime);
}

/// `RosterCheck::journal_changed` on a 10,000-row roster with the template's ladder
/// judged, each time with a journal in which one other trader (not in the roster) was
/// just granted, as the change feed delivers another admin's grant every ~2 s.
fn measure_journal_change() {
    use propdesk::onboarding::journal::JournaledTrader;
    use propdesk::onboarding::prepare::{JournaledTraders, RosterCheck};
    use propdesk::onboarding::risk::{RiskProfile, RiskRules, TemplateRules};
    use propdesk::onboarding::{Roster, import_csv};
    use std::sync::Arc;

    let mut roster = Roster::new();
    import_csv(&mut roster, roster_csv().as_bytes()).unwrap();
    let others: Vec<JournaledTrader> = (0..ROWS)
        .map(|i| JournaledTrader {
            name: format!("other{i}"),
            email: format!("other{i}@example.com"),
            account_name: format!("OTHER{i:05}"),
            user_id: Some(i as i64 + 1),
            account_id: Some(i as i64 + 1),
            ..Default::default()
        })
        .collect();
    let journal = |granted: usize| {
        let mut traders = others.clone();
        traders[granted].entitled_at = Some(chrono::Utc::now());
        Arc::new(JournaledTraders::from_traders(traders))
    };
    let mut profile = RiskProfile { template: "DEMOFIRM50K".into(), ..Default::default() };
    profile.post_trade_risk.daily_loss_auto_liq = Some(2000.0);
    let template = TemplateRules {
        template_id: 7,
        template_name: "DEMOFIRM50K".into(),
        rules: RiskRules::Profile(Box::new(profile)),
    };
    let mut check = RosterCheck::against(&roster, journal(0));
    check.set_risk_rules(&roster, template);
    // The journals are read off the UI thread: build them outside the measured calls.
    let journals: Vec<_> = (1..=40).map(journal).collect();
    let mut frames = Vec::new();
    for journaled in journals {
        let start = Instant::now();
        let _ = check.journal_changed(&roster, journaled);
        frames.push(start.elapsed());
    }
    println!(
        "Traders screen, {ROWS} rows, UI-thread work when the journal changes (another admin granted one trader):"
    );
    report("journal", frames);
}

fn measure(driver: &mut Driver<'_>, targets: &Targets) {
    driver.settle();
    // Scrolling: the mouse wheel over the grid, down through the rows then back up.
    let mut frames = Vec::new();
    for i in 0..400 {
        let delta = if i < 340 { -240.0 } else { 1400.0 };
        let wheel = egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, delta),
            modifiers: egui::Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
        };
        frames.push(driver.frame(vec![egui::Event::PointerMoved(targets.grid), wheel]));
    }
    report("scroll", frames);

    // Typing into a cell: the first row's user name in the row editor, one character a
    // frame (a letter, then Backspace, so the value stays realistic).
    driver.settle();
    driver.click(targets.first_row);
    driver.settle();
    driver.click(targets.cell);
    driver.settle();
    let mut frames = Vec::new();
    for i in 0..300 {
        let event = if i % 2 == 0 { egui::Event::Text("x".into()) } else { key(egui::Key::Backspace) };
        frames.push(driver.frame(vec![event]));
    }
    report("typing", frames);
    assert_cell_takes_text(driver);

    // Sorting: click the user-name header (ascending, descending, ...); the click's frames and
    // the one after, where the sorted rows are drawn.
    driver.settle();
    let sort_header = locate(driver, "name", egui::accesskit::Role::Button).unwrap_or(targets.sort_header);
    let mut frames = Vec::new();
    for _ in 0..10 {
        let click = driver.click(sort_header);
        frames.push(click + driver.frame(Vec::new()));
        driver.settle();
    }
    report("sort", frames);
    assert_sorted_by_name(driver);

    // Filtering: type a filter one character a frame, then erase it.
    driver.click(targets.filter);
    driver.settle();
    let mut frames = Vec::new();
    for _ in 0..5 {
        for c in "trader12".chars() {
            frames.push(driver.frame(vec![egui::Event::Text(c.to_string())]));
        }
        for _ in 0.."trader12".len() {
            frames.push(driver.frame(vec![key(egui::Key::Backspace)]));
        }
    }
    report("filter", frames);
    driver.click(targets.grid);
}

/// The typed characters did reach the user-name cell (not some other widget).
fn assert_cell_takes_text(driver: &mut Driver<'_>) {
    driver.frame(vec![egui::Event::Text("q".into())]);
    driver.harness.ctx.enable_accesskit();
    // The harness's frame keeps the clock moving forwards (egui insists).
    driver.time += 1.0 / 60.0;
    driver.harness.input_mut().time = Some(driver.time);
    driver.harness.step();
    driver.time += 1.0 / 60.0;
    let role = egui::accesskit::Role::TextInput;
    let cell = driver.harness.query_all_by_label("User name").find(|n| n.accesskit_node().role() == role);
    let value = cell.and_then(|n| n.value()).unwrap_or_default();
    assert!(value.starts_with("trader") && value.ends_with('q'), "typing went elsewhere: {value:?}");
    if !driver.accesskit {
        driver.harness.ctx.disable_accesskit();
    }
    driver.frame(vec![key(egui::Key::Backspace)]);
}

/// The header clicks did sort (the header shows the order's arrow).
fn assert_sorted_by_name(driver: &mut Driver<'_>) {
    let role = egui::accesskit::Role::Button;
    let sorted = ["name ⏶", "name ⏷"].iter().any(|l| locate(driver, l, role).is_some());
    let labels: Vec<String> =
        driver.harness.query_all_by_label_contains("name").filter_map(|n| n.accesskit_node().label()).collect();
    assert!(sorted, "the header clicks did not sort: {labels:?}");
}

/// Where a widget is now, through one harness frame with AccessKit on.
fn locate(driver: &mut Driver<'_>, label: &str, role: egui::accesskit::Role) -> Option<egui::Pos2> {
    driver.harness.ctx.enable_accesskit();
    // The harness's frame keeps the clock moving forwards (egui insists).
    driver.time += 1.0 / 60.0;
    driver.harness.input_mut().time = Some(driver.time);
    driver.harness.step();
    driver.time += 1.0 / 60.0;
    let found =
        driver.harness.query_all_by_label(label).find(|n| n.accesskit_node().role() == role).map(|n| n.rect().center());
    if !driver.accesskit {
        driver.harness.ctx.disable_accesskit();
    }
    found
}

fn report(what: &str, mut frames: Vec<Duration>) {
    if std::env::var_os("ROSTER_FRAME_SLOW").is_some() {
        let slow: Vec<(usize, u128)> =
            frames.iter().enumerate().filter(|(_, d)| d.as_millis() > 100).map(|(i, d)| (i, d.as_millis())).collect();
        println!("  slow frames of {what}: {slow:?}");
    }
    frames.sort();
    let at = |q: usize| ms(frames[(frames.len() * q / 100).min(frames.len() - 1)]);
    println!(
        "  {what:<7} {:>4} frames: p50 {:>7.2} ms, p99 {:>7.2} ms, max {:>7.2} ms",
        frames.len(),
        at(50),
        at(99),
        ms(frames[frames.len() - 1])
    );
}

/// The generated 10,000-row roster, as a CSV file's text.
fn roster_csv() -> String {
    let mut text = String::from(
        "name,email,password,firstName,lastName,streetAddress1,city,state,postCode,country,phone,accountName,initialBalance\n",
    );
    for i in 0..ROWS {
        // Every 7th row has a problem, so tinted cells are part of the measurement.
        let state = if i % 7 == 0 { "" } else { "NY" };
        text.push_str(&format!(
            "trader{i},trader{i}@example.com,Str0ng!Passw0rd,Jamie,Rivera,123 Maple Avenue,Albany,{state},12207,US,+1-518-555-0199,TRADER{i:05},50000\n"
        ));
    }
    text
}

/// A signed-out app on the Traders screen with a generated 10,000-row roster imported
/// through the file-picker hook.
fn imported_roster(runtime: &tokio::runtime::Runtime, dir: &std::path::Path) -> Harness<'static, PropdeskApp> {
    let file = dir.join("roster.csv");
    std::fs::write(&file, roster_csv()).unwrap();

    let mut config = AppConfig::new(Paths::in_dir(dir), runtime.handle().clone());
    config.secret_store = SecretStore::with_store(keyring_core::mock::Store::new().unwrap(), "bench keyring");
    config.start = StartEnvironment::SignedOut;
    config.file_picker = open_dialog::fixed(file);
    let mut harness: Harness<'static, PropdeskApp> =
        Harness::builder().with_size(egui::vec2(1280.0, 800.0)).build_eframe(move |cc| PropdeskApp::new(cc, config));
    harness.step();
    let nav = harness
        .query_all_by_label_contains("Traders")
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .expect("navigation");
    nav.click();
    let deadline = Instant::now() + Duration::from_secs(30);
    while harness.query_all_by_label_contains("Import file").next().is_none() {
        harness.step();
        assert!(Instant::now() < deadline, "the Traders screen did not open");
    }
    harness.query_all_by_label_contains("Import file").next().unwrap().click();
    let deadline = Instant::now() + Duration::from_secs(120);
    while harness.query_all_by_label_contains(&format!("{ROWS} traders")).next().is_none() {
        harness.step();
        assert!(Instant::now() < deadline, "import did not finish");
        std::thread::sleep(Duration::from_millis(5));
    }
    for _ in 0..5 {
        harness.step();
    }
    harness
}

fn find_targets(harness: &mut Harness<'static, PropdeskApp>) -> Targets {
    let center = |harness: &Harness<'static, PropdeskApp>, label: &str, role: egui::accesskit::Role| {
        harness
            .query_all_by_label(label)
            .find(|n| n.accesskit_node().role() == role)
            .unwrap_or_else(|| panic!("no {role:?} labelled {label}"))
            .rect()
            .center()
    };
    let first_row = center(harness, "trader0", egui::accesskit::Role::Label);
    let sort_header = center(harness, "name", egui::accesskit::Role::Button);
    let filter = center(harness, "🔍 Filter", egui::accesskit::Role::TextInput);
    harness.get_by_label("trader0").click();
    let deadline = Instant::now() + Duration::from_secs(10);
    let role = egui::accesskit::Role::TextInput;
    while harness.query_all_by_label("User name").find(|n| n.accesskit_node().role() == role).is_none() {
        harness.step();
        assert!(Instant::now() < deadline, "the row editor did not open");
    }
    let cell = center(harness, "User name", role);
    let grid = egui::pos2(first_row.x + 300.0, first_row.y + 60.0);
    Targets { grid, first_row, cell, sort_header, filter }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
