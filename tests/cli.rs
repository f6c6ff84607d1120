//! The `motcua` binary as a user meets it: bad input gets one clear line naming the file, the
//! line or field and what was expected, and a non-zero exit; good input writes its outputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn motcua(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .env(
            "XDG_CACHE_HOME",
            std::env::temp_dir().join("motcua-cli-tests"),
        )
        .output()
        .expect("the binary runs")
}

/// Runs and expects failure with `needle` in the one-line error.
fn fails_with(args: &[&str], needles: &[&str]) {
    let out = motcua(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "expected failure for {args:?}; stderr: {stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "a panic reached the user: {stderr}"
    );
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "stderr of {args:?} lacks {needle:?}:\n{stderr}"
        );
    }
}

fn data(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(rel)
        .display()
        .to_string()
}

struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new() -> Self {
        Scratch(tempfile::tempdir().expect("temp dir"))
    }
    fn file(&self, name: &str, contents: &[u8]) -> String {
        let p: PathBuf = self.0.path().join(name);
        std::fs::write(&p, contents).expect("write fixture");
        p.display().to_string()
    }
    fn path(&self) -> String {
        self.0.path().display().to_string()
    }
}

#[test]
fn truncated_pbf_is_named() {
    let s = Scratch::new();
    let real = std::fs::read(data("areas/hanoi-urban/roads.osm.pbf")).expect("embedded roads");
    let cut = s.file("cut.osm.pbf", &real[..real.len() / 2]);
    fails_with(
        &["coverage", "--osm", &cut, "--out", &s.path()],
        &["cut.osm.pbf"],
    );
}

#[test]
fn empty_pbf_is_named() {
    let s = Scratch::new();
    let empty = s.file("empty.osm.pbf", b"");
    fails_with(
        &["coverage", "--osm", &empty, "--out", &s.path()],
        &["empty.osm.pbf", "empty"],
    );
}

#[test]
fn points_csv_without_coordinates_names_the_missing_columns() {
    let s = Scratch::new();
    let points = s.file("points.csv", b"id,name\na,Desk A\n");
    fails_with(
        &["coverage", "--points", &points, "--out", &s.path()],
        &["points.csv", "line 1", "lon, lat"],
    );
}

#[test]
fn non_numeric_and_nan_coordinates_name_line_and_field() {
    let s = Scratch::new();
    let points = s.file(
        "points.csv",
        b"id,name,lon,lat\na,Desk A,105.85,21.03\nb,Desk B,east,21.03\n",
    );
    fails_with(
        &["coverage", "--points", &points, "--out", &s.path()],
        &["line 3", "lon", "decimal number"],
    );
    let nan = s.file("nan.csv", b"id,name,lon,lat\na,Desk A,105.85,NaN\n");
    fails_with(
        &["coverage", "--points", &nan, "--out", &s.path()],
        &["nan.csv", "line 2", "lat"],
    );
}

#[test]
fn out_of_range_coordinates_are_rejected() {
    let s = Scratch::new();
    let points = s.file("points.csv", b"id,name,lon,lat\na,Desk A,205.85,21.03\n");
    fails_with(
        &["coverage", "--points", &points, "--out", &s.path()],
        &["line 2", "longitude 205.85"],
    );
    fails_with(
        &["nearest", "--lon", "105.85", "--lat", "95"],
        &["latitude 95"],
    );
}

#[test]
fn a_place_far_outside_the_road_data_is_told_so() {
    fails_with(
        &["nearest", "--lon", "106.7", "--lat", "10.78"],
        &["nearest road usable by motorbike", "hanoi"],
    );
}

#[test]
fn duplicate_point_ids_are_rejected() {
    let s = Scratch::new();
    let points = s.file(
        "points.csv",
        b"id,name,lon,lat\na,Desk A,105.85,21.03\na,Desk B,105.84,21.02\n",
    );
    fails_with(
        &["coverage", "--points", &points, "--out", &s.path()],
        &["\"a\" is used twice"],
    );
}

#[test]
fn negative_population_is_rejected() {
    let s = Scratch::new();
    let pop = s.file(
        "pop.csv",
        b"lon,lat,population\n105.85,21.03,100\n105.84,21.02,-5\n",
    );
    fails_with(
        &["coverage", "--population", &pop, "--out", &s.path()],
        &["pop.csv:3", "-5", "negative"],
    );
}

#[test]
fn unknown_h3_index_is_rejected() {
    let s = Scratch::new();
    let pop = s.file("pop.csv", b"h3,population\nnot-a-cell,100\n");
    fails_with(
        &["coverage", "--population", &pop, "--out", &s.path()],
        &["pop.csv:2", "not-a-cell", "H3 cell index"],
    );
}

#[test]
fn unknown_area_lists_the_known_ones() {
    fails_with(
        &["coverage", "--area", "saigon"],
        &["saigon", "hanoi-central", "hanoi-urban"],
    );
}

#[test]
fn unknown_point_set_lists_the_shipped_ones() {
    fails_with(
        &["coverage", "--points-set", "desks-1999"],
        &["desks-1999", "branches-2025", "communes-2025", "desks-2024"],
    );
}

#[test]
fn a_fixed_kind_the_points_lack_is_named() {
    let s = Scratch::new();
    fails_with(
        &[
            "optimise",
            "--consolidate",
            "--area",
            "hanoi-central",
            "--points-set",
            "communes-2025",
            "--fixed-kind",
            "branch",
            "--solver",
            "heuristic",
            "--out",
            &s.path(),
        ],
        &[
            "no receiving point of kind \"branch\"",
            "head_office, ward_desk",
        ],
    );
    fails_with(
        &["optimise", "--consolidate", "--fixed-kind", "palace"],
        &["unknown kind \"palace\"", "district_desk"],
    );
}

#[test]
fn coverage_json_has_the_documented_keys_and_writes_outputs() {
    let s = Scratch::new();
    let out = motcua(&["coverage", "--json", "--out", &s.path()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("one JSON object on stdout");
    for key in [
        "population_total",
        "population_covered",
        "population_uncovered",
        "population_unknown",
        "population_no_road_data",
        "covered_share",
        "unknown_share",
        "covered_share_of_decided",
        "population_in_file",
        "mean_travel_s",
        "p95_travel_s",
        "cells",
    ] {
        assert!(v[key].is_number(), "{key} missing in {v}");
    }
    // The whole city by default, and the scope says so.
    assert_eq!(v["area"], "hanoi");
    assert_eq!(
        v["population_total"].as_f64().map(f64::round),
        Some(8_053_663.0)
    );
    assert!(
        v["scope"].as_str().is_some_and(|s| s.contains("8,053,663")),
        "{}",
        v["scope"]
    );
    for stage in ["load", "graph", "search", "aggregate"] {
        assert!(v["timings_ms"][stage].is_number(), "timing {stage} missing");
    }
    for file in [
        "cells.parquet",
        "cells.geojson",
        "wards.csv",
        "districts.csv",
        "isochrones.geojson",
    ] {
        let p = s.0.path().join(file);
        assert!(
            p.metadata().map(|m| m.len() > 0).unwrap_or(false),
            "{file} not written"
        );
    }
}

#[test]
fn help_teaches_with_examples() {
    let out = motcua(&["--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("Examples:") && text.contains("motcua coverage") && text.contains("ODbL")
    );
}

#[test]
fn facilities_count_every_open_site() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/optimise");
    let (costs, demand) = (
        dir.join("costs.csv").display().to_string(),
        dir.join("demand.csv").display().to_string(),
    );
    let base = [
        "optimise",
        "--cost-matrix",
        &costs,
        "--demand",
        &demand,
        "--model",
        "mclp",
        "--radius",
        "1000",
        "--fixed",
        "school",
        "--json",
    ];
    let run = |extra: &[&str]| -> serde_json::Value {
        let out = motcua(&[&base[..], extra].concat());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("one JSON object")
    };
    // Two open sites, the fixed school one of them, as spopt's p_facilities counts.
    let p = run(&["--facilities", "2"]);
    assert_eq!(
        (p["open_sites"].as_u64(), p["new_sites"].as_u64()),
        (Some(2), Some(1))
    );
    // One new site on top of the school: the same plan.
    assert_eq!(run(&["--add", "1"])["selected"], p["selected"]);
    fails_with(
        &[&base[..], &["--facilities", "0"]].concat(),
        &[
            "facilities = 0 counts every open site",
            "1 are already fixed open",
        ],
    );
}

#[test]
fn errors_say_their_cause_once() {
    let s = Scratch::new();
    let missing = s.0.path().join("nowhere.csv").display().to_string();
    let out = motcua(&["coverage", "--points", &missing]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    let cause = "No such file or directory";
    assert_eq!(stderr.matches(cause).count(), 1, "{stderr}");
}

/// On the whole city, suggestions may serve cells without roads (within the straight radius):
/// each is described from the same demand cells the matrix holds.
#[test]
fn whole_city_suggestions_cover_cells_without_roads() {
    let s = Scratch::new();
    let out = motcua(&[
        "optimise",
        "--model",
        "mclp",
        "--add",
        "2",
        "--solver",
        "heuristic",
        "--json",
        "--out",
        &s.path(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let plan = &v["plan"];
    assert_eq!(plan["added"].as_array().map(Vec::len), Some(2), "{plan}");
    let (before, after) = (
        plan["covered_before"].as_f64().unwrap_or(0.0),
        plan["covered_after"].as_f64().unwrap_or(0.0),
    );
    assert!(after > before, "{before} -> {after}");
}

/// A plan says how many residents stay unknown and where, so a planner knows what a current
/// road extract would settle; the text gives the scope and never "100 %" while anyone is out.
#[test]
fn a_plan_names_the_unknown_residents_left_and_where() {
    let s = Scratch::new();
    let json = motcua(&[
        "optimise",
        "--model",
        "mclp",
        "--add",
        "1",
        "--solver",
        "heuristic",
        "--json",
        "--out",
        &s.path(),
    ]);
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("one JSON object");
    let unknown = v["unknown_after"].as_f64().expect("unknown_after");
    assert!(
        unknown > 0.0,
        "the shipped roads leave some residents unknown"
    );
    let wards = v["wards_most_unknown_after"].as_array().expect("wards");
    assert!(!wards.is_empty() && wards.len() <= 5);
    let shown: f64 = wards
        .iter()
        .map(|w| w["unknown"].as_f64().unwrap_or(0.0))
        .sum();
    assert!(shown <= unknown + 0.5);
    let counts: Vec<f64> = wards
        .iter()
        .map(|w| w["unknown"].as_f64().unwrap_or(0.0))
        .collect();
    assert!(
        counts.windows(2).all(|p| p[0] >= p[1]),
        "most first: {counts:?}"
    );

    let text = motcua(&[
        "optimise",
        "--model",
        "mclp",
        "--add",
        "1",
        "--solver",
        "heuristic",
        "--out",
        &s.path(),
    ]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(text.status.success(), "{stdout}");
    assert!(stdout.contains("8,053,663"), "the scope is given: {stdout}");
    assert!(stdout.contains("unknown (no road data)"), "{stdout}");
    let first_ward = wards[0]["ward"].as_str().expect("ward name");
    assert!(
        stdout.contains(first_ward),
        "the ward with most unknowns is named: {stdout}"
    );
    assert!(!stdout.contains("100.0 %"), "{stdout}");
}

/// Issue 11: `coverage --max-wait` writes each point's catchment, load, ρ, wait and counters
/// needed, and the JSON summary carries them; bad assumptions are one line naming the field.
#[test]
fn coverage_reports_load_per_point() {
    let s = Scratch::new();
    let out = motcua(&[
        "coverage",
        "--area",
        "hanoi-central",
        "--max-wait",
        "15",
        "--json",
        "--out",
        &s.path(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["service"]["load"]["max_wait_min"], 15.0);
    let csv = std::fs::read_to_string(s.0.path().join("points.csv")).expect("points.csv");
    let header = csv.lines().next().unwrap_or_default();
    for column in [
        "catchment_residents",
        "peak_arrivals_per_hour",
        "utilisation",
        "level",
        "wait_min",
        "counters_needed",
        "served_within_capacity",
    ] {
        assert!(header.contains(column), "{column} missing: {header}");
    }
    assert_eq!(
        csv.lines().count() - 1,
        v["service"]["points"].as_array().map_or(0, Vec::len)
    );
    for file in ["wards_service.csv", "catchment_wards.csv"] {
        assert!(s.0.path().join(file).is_file(), "{file} not written");
    }
    fails_with(
        &[
            "coverage",
            "--area",
            "hanoi-central",
            "--share-online",
            "1.5",
            "--out",
            &s.path(),
        ],
        &["share_online is 1.5", "0 % to 100 %"],
    );
    let points = s.file(
        "desks.csv",
        b"id,name,lon,lat,counters\na,Desk A,105.85,21.03,many\n",
    );
    fails_with(
        &["coverage", "--points", &points, "--out", &s.path()],
        &["desks.csv, line 2", "field counters is \"many\""],
    );
}

#[test]
fn coverage_at_a_time_lists_the_closed_points_and_the_week_writes_its_files() {
    let s = Scratch::new();
    let out = motcua(&[
        "coverage",
        "--area",
        "hanoi-central",
        "--at",
        "Su 10:00",
        "--json",
        "--out",
        &s.path(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(body["at"], "2026-12-13T10:00");
    assert_eq!(body["band"]["name"], "weekend");
    assert!(
        body["closed_points"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    assert_eq!(body["population_covered"], 0.0);

    fails_with(
        &[
            "coverage",
            "--area",
            "hanoi-central",
            "--at",
            "someday",
            "--out",
            &s.path(),
        ],
        &["field at", "\"someday\"", "Sa 10:00"],
    );

    let out = motcua(&[
        "coverage",
        "--area",
        "hanoi-central",
        "--week",
        "--out",
        &s.path(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(s.0.path().join("week.csv")).expect("week.csv");
    assert_eq!(csv.lines().count(), 169, "a header and 168 hours");
    let svg = std::fs::read_to_string(s.0.path().join("week.svg")).expect("week.svg");
    assert!(svg.starts_with("<svg") && svg.contains("polyline"));
    assert!(s.0.path().join("week_wards.csv").exists());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("worst hours"), "{stdout}");
}

#[test]
fn hours_not_understood_name_the_part() {
    let s = Scratch::new();
    let points = s.file(
        "points.csv",
        b"id,name,lon,lat,kind,opening_hours\nd,Desk,105.85,21.03,ward_desk,Mo-Fr 8h-17h\n",
    );
    fails_with(
        &[
            "coverage",
            "--area",
            "hanoi-central",
            "--points",
            &points,
            "--out",
            &s.path(),
        ],
        &["points.csv", "line 2", "\"8h-17h\" is not understood"],
    );
}

#[test]
fn optimise_over_the_week_counts_person_hours() {
    let s = Scratch::new();
    let out = motcua(&[
        "optimise",
        "--area",
        "hanoi-central",
        "--week",
        "--new-point-hours",
        "24/7",
        "--add",
        "1",
        "--solver",
        "heuristic",
        "--json",
        "--out",
        &s.path(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let plan = &body["plan"];
    assert_eq!(plan["measure"], "person_hours", "{plan}");
    let (before, after) = (
        plan["covered_before"].as_f64().expect("covered_before"),
        plan["covered_after"].as_f64().expect("covered_after"),
    );
    // A point open every hour adds people at the hours the desks are closed.
    assert!(after > before, "{before} -> {after}");
    assert_eq!(plan["added"][0]["point"]["opening_hours"], "24/7");
    assert!(
        plan["added"][0]["explanation_vi"]
            .as_str()
            .is_some_and(|e| e.contains("người·giờ mỗi tuần")),
        "{plan}"
    );

    fails_with(
        &[
            "optimise",
            "--area",
            "hanoi-central",
            "--new-point-hours",
            "sometimes",
            "--out",
            &s.path(),
        ],
        &["new_point_hours", "\"sometimes\""],
    );
}

/// `prepare-population --roads` reads every form `--osm` reads, through the same entry point:
/// one network as OSM XML, as Overpass JSON and as PBF weights the census cells alike.
#[test]
fn prepare_population_reads_roads_in_every_form() {
    let scratch = Scratch::new();
    let fixture = |name: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/ingest")
            .join(name)
            .display()
            .to_string()
    };
    let run = |roads: &str, out: &str| {
        let out = format!("{}/{out}", scratch.path());
        let o = motcua(&["prepare-population", "--roads", roads, "--out", &out]);
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(
            o.status.success(),
            "{roads}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let report = stdout.lines().next().unwrap_or_default().to_string();
        (report, std::fs::read(&out).expect("the grid is written"))
    };
    let (pbf_report, pbf_grid) = run(&fixture("hoan_kiem.osm.pbf"), "pbf.csv");
    let crossed: usize = pbf_report
        .split("; ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of cells crossed in {pbf_report:?}"));
    assert!(crossed > 0, "{pbf_report}");
    for form in ["hoan_kiem.osm", "hoan_kiem.json"] {
        let (report, grid) = run(&fixture(form), &format!("{form}.csv"));
        assert_eq!(report, pbf_report, "{form}");
        assert!(grid == pbf_grid, "{form}: the grid differs from the PBF's");
    }
    let garbage = scratch.file("roads.txt", b"not a road file\n");
    let out = format!("{}/garbage.csv", scratch.path());
    fails_with(
        &["prepare-population", "--roads", &garbage, "--out", &out],
        &["roads.txt", "none of the forms read"],
    );
}
