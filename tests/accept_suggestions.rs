//! Issue 9, item 1: suggestions accepted and saved, then asked for again, never take an id
//! the scenario already uses (the second run used to fail with `point id "new-1" is used
//! twice`), and two suggestions in one ward read apart by name.

use std::collections::HashSet;
use std::sync::atomic::AtomicBool;

use motcua::optimise::{ModelKind, Solver};
use motcua::scenario::{AreaOptions, PlacementRequest, StudyArea};

#[test]
fn suggestions_accepted_in_turn_keep_ids_and_names_apart() {
    let area = StudyArea::open("hanoi", &AreaOptions::default()).expect("hanoi opens");
    let quiet = |_: f64, _: &str| {};
    let cancel = AtomicBool::new(false);
    let mut scenario = area.baseline();
    let asks = [
        (ModelKind::Mclp, 3),
        (ModelKind::Mclp, 3),
        (ModelKind::Lscp, 0),
    ];
    for (model, add) in asks {
        let request = PlacementRequest {
            model,
            add,
            solver: Solver::Heuristic,
            ..PlacementRequest::default()
        };
        let plan = area
            .placement()
            .suggest(&scenario, &request, &quiet, &cancel)
            .unwrap_or_else(|e| panic!("{model} after earlier suggestions were accepted: {e}"));
        assert!(!plan.added.is_empty(), "{model} has something to add");
        scenario = plan.apply(&scenario);
        scenario.validate().expect("the accepted scenario saves");
        let ids: HashSet<&str> = scenario.points.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), scenario.points.len(), "ids are unique");
        let names: HashSet<&str> = scenario.points.iter().map(|p| p.name.as_str()).collect();
        let new_names: Vec<&str> = plan.added.iter().map(|s| s.point.name.as_str()).collect();
        assert_eq!(
            new_names.iter().collect::<HashSet<_>>().len(),
            new_names.len(),
            "suggestions of one run read apart: {new_names:?}"
        );
        assert!(new_names.iter().all(|n| names.contains(n)));
    }
}
