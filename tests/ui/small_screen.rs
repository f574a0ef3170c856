//! Every screen at 1024×640 (a 1366×768 laptop at 125 %): no two controls drawn over each
//! other, nothing pushed past the window's right edge.

use super::harness::{TestApp, runtime};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use propdesk::sandbox::SandboxConfig;
use propdesk::store::{Paths, SecretStore};
use propdesk::ui::{AppConfig, PropdeskApp, StartEnvironment, open_dialog, save_dialog};

const WIDTH: f32 = 1024.0;
const HEIGHT: f32 = 640.0;

const CONTROLS: [Role; 7] = [
    Role::Button,
    Role::TextInput,
    Role::MultilineTextInput,
    Role::CheckBox,
    Role::ComboBox,
    Role::Link,
    Role::RadioButton,
];

fn start_small() -> TestApp {
    let runtime = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mock = keyring_core::mock::Store::new().unwrap();
    let roster = dir.path().join("roster.csv");
    let mut text = String::from("name,email,password,firstName,lastName,country,accountName,initialBalance\n");
    text += "smallada,smallada@example.com,Str0ng!Passw0rd,Ada,Lovelace,GB,SMALL0001,50000\n";
    text += "smallbad,not-an-email,short,Ben,Bad,US,bad,0\n";
    std::fs::write(&roster, text).unwrap();
    let mut config = AppConfig::new(Paths::in_dir(dir.path()), runtime.handle().clone());
    config.secret_store = SecretStore::with_store(mock.clone(), "test keyring");
    config.start = StartEnvironment::Sandbox;
    config.sandbox_config = SandboxConfig::for_tests();
    config.save_dialog = save_dialog::fixed(dir.path().join("activity.csv"));
    config.file_picker = open_dialog::fixed(roster);
    let harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(WIDTH, HEIGHT))
        .build_eframe(move |cc| PropdeskApp::new(cc, config));
    TestApp { harness, mock, dir, _runtime: runtime }
}

/// Every pair of visible controls that overlap, and every node past the right edge.
/// `edge`: also check that nothing reaches past the window's right edge (not for screens
/// whose tables scroll sideways on purpose).
fn layout_problems(app: &TestApp, screen: &str, edge: bool) -> Vec<String> {
    let visible = |r: &egui::accesskit::Rect| r.y0 >= 0.0 && r.y1 <= HEIGHT as f64 && r.width() > 1.0;
    let controls: Vec<(String, egui::accesskit::Rect)> = app
        .harness
        .query_all_by(|node| CONTROLS.contains(&node.role()))
        .filter_map(|node| {
            let node = node.accesskit_node();
            let rect = node.bounding_box()?;
            let name = node.label().or_else(|| node.value()).unwrap_or_default();
            visible(&rect).then(|| (format!("{:?} {name:?}", node.role()), rect))
        })
        .collect();
    let mut problems = Vec::new();
    for (i, (a, ra)) in controls.iter().enumerate() {
        for (b, rb) in &controls[i + 1..] {
            let overlap_x = ra.x1.min(rb.x1) - ra.x0.max(rb.x0);
            let overlap_y = ra.y1.min(rb.y1) - ra.y0.max(rb.y0);
            // Nested nodes (a field inside its combo box) are one widget, not two.
            let nested = (ra.x0 <= rb.x0 && ra.x1 >= rb.x1 && ra.y0 <= rb.y0 && ra.y1 >= rb.y1)
                || (rb.x0 <= ra.x0 && rb.x1 >= ra.x1 && rb.y0 <= ra.y0 && rb.y1 >= ra.y1);
            if overlap_x > 1.0 && overlap_y > 1.0 && !nested {
                problems.push(format!("{screen}: {a} overlaps {b} ({ra:?} / {rb:?})"));
            }
        }
    }
    for node in app.harness.query_all_by(move |_| edge) {
        let node = node.accesskit_node();
        if let Some(rect) = node.bounding_box()
            && visible(&rect)
            && rect.x1 > WIDTH as f64 + 0.5
        {
            let name = node.label().or_else(|| node.value()).unwrap_or_default();
            problems.push(format!("{screen}: {:?} {name:?} cut off at the right edge ({rect:?})", node.role()));
        }
    }
    problems
}

#[test]
fn every_screen_fits_1024_by_640_without_overlaps() {
    let mut app = start_small();
    app.wait_for("the checklist, all chosen", |h| h.query_by_label_contains("Entitlement ·").is_some());
    // The template's risk rules can be set in the one-column layout too.
    app.wait_for_text("Risk rules · DEMOFIRM50K");
    let mut problems = layout_problems(&app, "Setup", true);

    app.click_nav("Traders");
    app.wait_for_text("Import file");
    app.harness.get_by_label_contains("Import file").click();
    app.wait_for_text("Imported 2 rows from roster.csv");
    // Open the invalid row in the editor: its problems sit beside the fields.
    app.harness.get_by_label("smallbad").click();
    app.harness.step();
    app.harness.step();
    problems.extend(layout_problems(&app, "Traders", false));

    for screen in ["Pipeline", "Subaccounts", "Activity"] {
        app.click_nav(screen);
        for _ in 0..5 {
            app.harness.step();
        }
        problems.extend(layout_problems(&app, screen, screen != "Pipeline"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
