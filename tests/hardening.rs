//! Regressions of issue 13 ("no panic from any input"): each test is named after the item of
//! the issue it pins, and feeds the input that once panicked, hung or misled. (The infinite
//! GeoTIFF pixel of item 4 is in `population.rs`, beside the raster writer it needs.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use h3o::Resolution;
use motcua::boundary::{BoundaryError, Regions};
use motcua::optimise::ModelKind;
use motcua::optimise::OptimiseError;
use motcua::optimise::io::{MatrixRunArgs, read_problem, solve_from_files};
use motcua::population::{PopulationError, load_geotiff, load_h3_csv, load_point_csv};
use motcua::scenario::{ScenarioError, read_points};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn fixture(name: &str) -> PathBuf {
    repo("tests/fixtures/optimise").join(name)
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

fn motcua(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_motcua"));
    command.args(args).env(
        "XDG_CACHE_HOME",
        std::env::temp_dir().join("motcua-cli-tests"),
    );
    command
}

fn run(args: &[&str]) -> Output {
    motcua(args).output().expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The cost-matrix run of the fixtures, as `motcua optimise` takes it.
fn matrix_args(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "optimise",
        "--cost-matrix",
        &fixture("costs.csv").display().to_string(),
        "--demand",
        &fixture("demand.csv").display().to_string(),
        "--model",
        "mclp",
        "--facilities",
        "1",
        "--radius",
        "1800",
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

// ---------------------------------------------------------------------------------------------
// Item 1: --time-limit inf

#[test]
fn issue13_item1_time_limit_inf_is_refused() {
    for limit in [f64::INFINITY, 1e20, f64::NAN, -1.0, 0.0] {
        let mut args =
            MatrixRunArgs::new(fixture("costs.csv"), fixture("demand.csv"), ModelKind::Mclp);
        args.facilities = Some(1);
        args.radius = Some(1800.0);
        args.time_limit_s = limit;
        let err = solve_from_files(&args).expect_err("refused");
        assert!(
            matches!(err, OptimiseError::InvalidTimeLimit { .. }),
            "{limit}: {err}"
        );
    }
    for limit in ["inf", "1e20"] {
        let args = matrix_args(&["--time-limit", limit]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains("time limit") && err.contains("86400"), "{err}");
    }
    // Area mode refuses it before building any matrix, against the placement request's limit.
    let out = run(&["optimise", "--add", "1", "--time-limit", "1e20"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("time limit 1e20 s is out of range"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Item 2: closed or full stdout

#[test]
fn issue13_item2_closed_stdout_exits_quietly() {
    let args = matrix_args(&[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = motcua(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    // Nobody reads: the pipe's read end is closed before the run prints.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(141), "{err}");
    assert!(err.is_empty(), "a closed pipe ends quietly: {err}");
}

#[test]
fn issue13_item2_full_stdout_is_one_error_line() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let args = matrix_args(&[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = motcua(&args)
        .stdout(Stdio::from(full))
        .output()
        .expect("runs");
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: cannot write to stdout"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Items 3 and 4: GeoTIFF sizes and infinite pixels

/// A little-endian TIFF of 8-bit grey pixels with the given size and rows per strip, one strip
/// of `data` bytes at offset 8: only the header, as a lying file has.
fn tiff_header(width: u32, height: u32, rows_per_strip: u32, data: &[u8]) -> Vec<u8> {
    let mut out = b"II*\0".to_vec();
    let ifd_offset = 8 + data.len() as u32;
    out.extend_from_slice(&ifd_offset.to_le_bytes());
    out.extend_from_slice(data);
    let entries: [(u16, u16, u32, u32); 8] = [
        (256, 4, 1, width),             // ImageWidth
        (257, 4, 1, height),            // ImageLength
        (258, 3, 1, 8),                 // BitsPerSample
        (259, 3, 1, 1),                 // Compression: none
        (262, 3, 1, 1),                 // Photometric: black is zero
        (273, 4, 1, 8),                 // StripOffsets
        (278, 4, 1, rows_per_strip),    // RowsPerStrip
        (279, 4, 1, data.len() as u32), // StripByteCounts
    ];
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, count, value) in entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out
}

#[test]
fn issue13_item3_geotiff_declared_size_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 200,000 x 200,000 pixels in one strip, declared by a file of a few hundred bytes.
    let path = write(
        &dir,
        "huge.tif",
        tiff_header(200_000, 200_000, 200_000, &[0; 16]),
    );
    let started = Instant::now();
    let err = load_geotiff(&path, Resolution::Nine).expect_err("refused");
    assert!(
        matches!(
            err,
            PopulationError::RasterTooLarge {
                width: 200_000,
                height: 200_000,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("at most 1000000000 pixels"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn issue13_item3_geotiff_decoded_size_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 5,000 x 5,000 pixels (within the raster limit) in one strip of 25 M pixels.
    let path = write(
        &dir,
        "one_strip.tif",
        tiff_header(5_000, 5_000, 5_000, &[0; 16]),
    );
    let err = load_geotiff(&path, Resolution::Nine).expect_err("refused");
    assert!(
        matches!(err, PopulationError::UnsupportedRaster { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("TILED=YES"), "{err}");
}

#[test]
fn issue13_item4_population_rows_adding_up_to_infinity_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let points = write(
        &dir,
        "points.csv",
        "lon,lat,population\n105.85,21.03,1e308\n105.85,21.03,1e308\n",
    );
    let err = load_point_csv(&points, Resolution::Nine).expect_err("refused");
    assert!(
        matches!(err, PopulationError::InfiniteTotal { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("adds up to infinity"), "{err}");
    let cells = write(
        &dir,
        "cells.csv",
        "h3,population\n8941430920bffff,1e308\n89414309203ffff,1e308\n",
    );
    let err = load_h3_csv(&cells, Resolution::Nine).expect_err("refused");
    assert!(
        matches!(err, PopulationError::InfiniteTotal { .. }),
        "{err}"
    );
}

#[test]
fn issue13_item4_cost_matrix_infinite_totals_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demand = write(
        &dir,
        "demand.csv",
        "demand_id,weight\ncell_a,1e308\ncell_b,1e308\ncell_c,1\ncell_d,1\ncell_e,0\n",
    );
    let args = MatrixRunArgs::new(fixture("costs.csv"), demand, ModelKind::PMedian);
    let err = read_problem(&args).expect_err("refused");
    assert!(
        matches!(err, OptimiseError::InfiniteTotalWeight { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("the largest is 1e308"), "{err}");

    let costs = write(
        &dir,
        "costs.csv",
        "demand_id,candidate_id,cost\ncell_a,ward_office,1e308\ncell_b,school,1e308\n",
    );
    let args = MatrixRunArgs::new(costs, fixture("demand.csv"), ModelKind::PMedian);
    let err = read_problem(&args).expect_err("refused");
    assert!(
        matches!(err, OptimiseError::InfiniteTotalCost { .. }),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Item 6: huge and self-intersecting boundary polygons

/// A FeatureCollection of one polygon with the given ring.
fn polygon_geojson(ring: &[(f64, f64)]) -> String {
    let coords: Vec<String> = ring
        .iter()
        .chain(ring.first())
        .map(|(x, y)| format!("[{x},{y}]"))
        .collect();
    format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[{{\"type\":\"Feature\",\"properties\":{{\"name\":\"w\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[{}]]}}}}]}}",
        coords.join(",")
    )
}

/// `n` vertices scattered over a 0.1° box: a ring that crosses itself everywhere.
fn scribble(n: usize) -> Vec<(f64, f64)> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| (105.8 + 0.1 * next(), 21.0 + 0.1 * next()))
        .collect()
}

fn circle(n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            (105.85 + 0.05 * a.cos(), 21.03 + 0.05 * a.sin())
        })
        .collect()
}

fn load_boundary(text: &str) -> Result<Regions, BoundaryError> {
    Regions::from_geojson_str(text, Path::new("wards.geojson"), "name")
}

#[test]
fn issue13_item6_self_intersecting_boundary_is_refused_fast() {
    let started = Instant::now();
    let err = load_boundary(&polygon_geojson(&scribble(20_000))).expect_err("crosses itself");
    assert!(
        matches!(err, BoundaryError::InvalidPolygon { feature: 0, .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("ring 0 crosses itself near ("),
        "{err}"
    );
    let err = load_boundary(&polygon_geojson(&scribble(200_000))).expect_err("too large");
    assert!(err.to_string().contains("200001 vertices"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn issue13_item6_large_valid_boundary_loads_and_locates_fast() {
    let started = Instant::now();
    let regions = load_boundary(&polygon_geojson(&circle(90_000))).expect("a valid circle");
    let mut inside = 0;
    for i in 0..10_000 {
        let lon = 105.79 + (i % 100) as f64 * 0.0012;
        let lat = 20.97 + (i / 100) as f64 * 0.0012;
        inside += usize::from(regions.locate(lon, lat).is_some());
    }
    // The circle covers pi * 0.05² of the 0.12° x 0.12° grid: about 55 % of its points.
    assert!((5_000..6_000).contains(&inside), "{inside}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// Item 13: messages a person can act on

#[test]
fn issue13_item13_invalid_utf8_names_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(
        &dir,
        "points.csv",
        b"id,name,lon,lat\na,Hoan Kiem,105.85,21.03\nb,Caf\xe9,105.86,21.04\n",
    );
    let err = read_points(&path).expect_err("Latin-1");
    assert!(err.to_string().contains("invalid UTF-8 at line 3"), "{err}");
    let boundary = write(&dir, "wards.geojson", b"{\"type\":\n\"\xff\"}");
    let err = Regions::from_geojson_file(&boundary, "name").expect_err("not UTF-8");
    assert!(err.to_string().contains("invalid UTF-8 at line 2"), "{err}");
}

#[test]
fn issue13_item13_points_geojson_errors_have_a_real_position() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(
        &dir,
        "points.geojson",
        "{\"type\": \"FeatureCollection\",\n \"features\": [}",
    );
    let err = read_points(&path).expect_err("broken JSON");
    let text = err.to_string();
    assert!(!text.contains("line 0"), "{text}");
    assert!(text.contains("line 2 column"), "{text}");
    let path = write(
        &dir,
        "points.geojson",
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[]}}]}",
    );
    let err = read_points(&path).expect_err("not a point");
    assert!(
        matches!(err, ScenarioError::PointsFileContent { .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .ends_with("feature 0: geometry is not a Point"),
        "{err}"
    );
}

#[test]
fn issue13_item13_huge_numbers_are_printed_readably() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(&dir, "points.csv", "lon,lat,population\n1e308,21.03,5\n");
    let err = load_point_csv(&path, Resolution::Nine).expect_err("out of range");
    assert!(err.to_string().contains("lon 1e308"), "{err}");
    assert!(err.to_string().len() < 300, "{err}");
}

#[test]
fn issue13_item13_a_bom_is_accepted_in_geojson() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = "\u{feff}".to_string();
    text.push_str(&polygon_geojson(&circle(8)));
    let boundary = write(&dir, "wards.geojson", &text);
    let regions = Regions::from_geojson_file(&boundary, "name").expect("BOM accepted");
    assert_eq!(regions.len(), 1);
    let points = write(
        &dir,
        "points.geojson",
        "\u{feff}{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[105.85,21.03]},\"properties\":{\"id\":\"a\"}}]}",
    );
    assert_eq!(read_points(&points).expect("BOM accepted").len(), 1);
}

#[test]
fn issue13_item13_semicolon_csvs_are_parsed_with_semicolons() {
    let dir = tempfile::tempdir().expect("temp dir");
    let population = write(
        &dir,
        "population.csv",
        "lon;lat;population\n105.85;21.03;120\n105.86;21.04;80\n",
    );
    let grid = load_point_csv(&population, Resolution::Nine).expect("; population");
    assert_eq!(grid.total(), 200.0);
    let points = write(
        &dir,
        "points.csv",
        "id;name;lon;lat\na;Hoàn Kiếm, phố Hàng Đào;105.85;21.03\n",
    );
    let points = read_points(&points).expect("; points");
    assert_eq!(points[0].name, "Hoàn Kiếm, phố Hàng Đào");
    let demand = write(
        &dir,
        "demand.csv",
        "demand_id;weight\ncell_a;1200\ncell_b;800\ncell_c;300\ncell_d;50\ncell_e;0\n",
    );
    let args = MatrixRunArgs::new(fixture("costs.csv"), demand, ModelKind::PMedian);
    assert_eq!(
        read_problem(&args).expect("; demand").total_weight(),
        2350.0
    );
}

#[test]
fn issue13_item13_missing_data_dir_says_what_was_expected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("nowhere");
    let missing = missing.display().to_string();
    let out = run(&["coverage", "--data-dir", &missing]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("no study areas in"), "{err}");
    assert!(err.contains("areas/<name>/area.toml"), "{err}");
    assert!(
        !err.contains("available: \n") && !err.ends_with("available: "),
        "{err}"
    );
}

#[test]
fn issue13_item13_cost_matrix_headers_ignore_case_and_name_the_columns_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    let costs = write(
        &dir,
        "costs.csv",
        "Demand_ID,Candidate_ID,COST\ncell_a,ward_office,600\ncell_b,school,900\n",
    );
    let args = MatrixRunArgs::new(costs, fixture("demand.csv"), ModelKind::PMedian);
    assert_eq!(read_problem(&args).expect("any case").n_candidates(), 2);
    let costs = write(&dir, "costs.csv", "from,to,cost\ncell_a,ward_office,600\n");
    let args = MatrixRunArgs::new(costs, fixture("demand.csv"), ModelKind::PMedian);
    let err = read_problem(&args).expect_err("wrong header");
    assert!(err.to_string().contains("(found: from, to, cost)"), "{err}");
}

#[test]
fn issue13_item13_logs_carry_no_colour_codes_when_redirected() {
    // A cache folder that is a file: the graph is built but not cached, and a warning is logged.
    let dir = tempfile::tempdir().expect("temp dir");
    let not_a_folder = write(&dir, "cache", "a file");
    let not_a_folder = not_a_folder.display().to_string();
    let out = run(&[
        "nearest",
        "--lon",
        "105.8525",
        "--lat",
        "21.03",
        "--cache-dir",
        &not_a_folder,
    ]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("graph cache not written"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "colour codes in a redirected log: {err:?}"
    );
}
