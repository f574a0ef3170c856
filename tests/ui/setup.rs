//! First start: the Sandbox, signed in, with the firm's setup data.

use super::harness::TestApp;
use egui::accesskit::Toggled;
use egui_kittest::kittest::{NodeT, Queryable};
use propdesk::ui::StartEnvironment;

#[test]
fn first_start_shows_the_sandbox_signed_in_with_its_setup_data() {
    let mut app = TestApp::start(StartEnvironment::Sandbox);
    app.wait_for_text("Sandbox · offline");
    app.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());
    app.wait_for_text("Plan · DEMOFIRM_MONTHLY");
    let plan = app.harness.get_by_label("DEMOFIRM_MONTHLY");
    assert_eq!(plan.accesskit_node().toggled(), Some(Toggled::True), "the *_MONTHLY plan is preselected");
    app.wait_for_text("Entitlement · Tradovate Prop");
    app.wait_for("the template accounts", |h| h.query_by_label("DEMOFIRM50K").is_some());
    assert!(app.harness.query_by_label("DEMOFIRM150K").is_some());
    // The top bar says who is signed in.
    assert!(app.harness.query_all_by_label("demofirm_admin").count() >= 1);
}

#[test]
fn activity_lists_the_calls_made() {
    let mut app = TestApp::start(StartEnvironment::Sandbox);
    app.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());
    app.click_nav("Activity");
    app.wait_for_text("tradovateSubscriptionPlan/list");
    assert!(app.harness.query_by_label("auth/accesstokenrequest").is_some());
    assert!(app.harness.query_by_label("entitlement/list").is_some());
    // Filtering by endpoint hides the others.
    app.type_into("Endpoint contains", "entitlement");
    app.wait_for("the filter", |h| h.query_by_label("tradovateSubscriptionPlan/list").is_none());
    assert!(app.harness.query_by_label("entitlement/list").is_some());
    // Export writes the rows shown (the test's save dialog answers a temp path).
    app.harness.get_by_label("Export CSV…").click();
    app.wait_for_text("Saved 1 calls");
    let csv = std::fs::read_to_string(app.dir.path().join("activity.csv")).expect("the CSV was written");
    assert!(csv.starts_with("time,endpoint,domain,outcome"), "{csv}");
    assert!(csv.contains("entitlement/list") && !csv.contains("tradovateSubscriptionPlan"), "{csv}");
}

#[test]
fn the_last_screen_and_theme_are_remembered() {
    let mut first = TestApp::start(StartEnvironment::Sandbox);
    first.wait_for("the firm's plan", |h| h.query_by_label("DEMOFIRM_MONTHLY").is_some());
    first.click_nav("Activity");
    first.harness.get_by_label("Dark").click();
    let settings = first.dir.path().join("settings.json");
    first.wait_for("the settings file", move |_| {
        std::fs::read_to_string(&settings)
            .is_ok_and(|s| s.contains("\"last_screen\": \"activity\"") && s.contains("\"theme\": \"Dark\""))
    });
    let TestApp { harness, mock, dir, _runtime } = first;
    drop(harness);
    let mut second = TestApp::start_in(dir, mock, StartEnvironment::LastUsed, super::harness::runtime(), None);
    second.wait_for_text("Endpoint contains");
    second.wait_for_text("tradovateSubscriptionPlan/list");
    assert_eq!(second.harness.ctx.options(|o| o.theme_preference), egui::ThemePreference::Dark);
    drop(_runtime);
}
