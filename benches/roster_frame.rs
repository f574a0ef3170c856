//! Frame time of the Traders screen with 10,000 rows: import a generated roster through
//! the file-picker hook, then scroll through the grid in an egui_kittest harness (CPU
//! layout and tessellation-free frames, no GPU). Prints median and p99.
//!
//! `cargo bench --bench roster_frame`

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use propdesk::store::{Paths, SecretStore};
use propdesk::ui::{AppConfig, PropdeskApp, StartEnvironment, open_dialog};
use std::time::{Duration, Instant};

const ROWS: usize = 10_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
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
    let file = dir.path().join("roster.csv");
    std::fs::write(&file, text).unwrap();

    let mut config = AppConfig::new(Paths::in_dir(dir.path()), runtime.handle().clone());
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

    // Scroll down through the grid with the mouse wheel over it, timing each frame.
    let over_grid = egui::pos2(700.0, 500.0);
    let mut frames = Vec::new();
    for i in 0..600 {
        harness.hover_at(over_grid);
        let delta = if i < 500 { -240.0 } else { 2400.0 };
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, delta),
            modifiers: egui::Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
        });
        let start = Instant::now();
        harness.step();
        frames.push(start.elapsed());
    }
    frames.sort();
    let median = frames[frames.len() / 2];
    let p99 = frames[frames.len() * 99 / 100];
    let max = frames[frames.len() - 1];
    println!("Traders screen, {ROWS} rows, {} scrolled frames at 1280x800:", frames.len());
    println!("  median {:.2} ms, p99 {:.2} ms, max {:.2} ms", ms(median), ms(p99), ms(max));
    drop(harness);
    drop(runtime);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
