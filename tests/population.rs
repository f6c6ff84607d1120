//! Population and boundary modules: loaders on fixtures written by the tests, error messages
//! for bad input, and golden checks of the shipped Hanoi data and the census grid builder.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use h3o::{CellIndex, LatLng, Resolution};
use motcua::boundary::{BoundaryError, Regions, dvhcvn_to_geojson};
use motcua::population::prepare::{
    PrepareOptions, build_census_grid, read_census_wards, read_road_lines_geojson, write_h3_csv,
};
use motcua::population::{
    PopulationError, load_geotiff, load_h3_csv, load_point_csv, load_population,
};
use tiff::encoder::{TiffEncoder, colortype};
use tiff::tags::Tag;

const HANOI_TOTAL_2019: u64 = 8_053_663;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("temp dir is writable");
    path
}

fn cell_at(lon: f64, lat: f64, resolution: Resolution) -> CellIndex {
    LatLng::new(lat, lon)
        .expect("valid point")
        .to_cell(resolution)
}

// ---------------------------------------------------------------------------------------------
// Point CSV

#[test]
fn point_csv_sums_points_into_cells() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        &dir,
        "points.csv",
        "lon,lat,population\n105.8342,21.0278,10\n105.8342,21.0278,2.5\n105.80,21.00,0\n105.90,21.05,7\n",
    );
    let grid = load_point_csv(&path, Resolution::Nine).expect("loads");
    grid.check_invariants().expect("invariants");
    assert_eq!(grid.len(), 2, "zero-population cell dropped");
    assert_eq!(grid.total(), 19.5);
    assert_eq!(
        grid.population_of(cell_at(105.8342, 21.0278, Resolution::Nine)),
        12.5
    );
    // Auto-detection picks the same loader.
    assert_eq!(
        load_population(&path, Resolution::Nine).expect("loads"),
        grid
    );
}

fn point_error(text: &str) -> PopulationError {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(&dir, "points.csv", text);
    load_point_csv(&path, Resolution::Nine).expect_err("bad input must be rejected")
}

#[test]
fn point_csv_rejects_bad_input_with_file_line_and_field() {
    let err = point_error("lon,lat\n105.8,21.0\n");
    assert!(
        matches!(err, PopulationError::MissingColumn { ref column, .. } if column == "population"),
        "{err}"
    );
    assert!(err.to_string().contains("points.csv"), "{err}");

    let err = point_error("lon,lat,population\n105.8,21.0,12\n105.8,abc,3\n");
    assert!(
        matches!(err, PopulationError::InvalidNumber { line: 3, ref field, .. } if field == "lat"),
        "{err}"
    );
    assert!(err.to_string().contains(":3:"), "{err}");

    let err = point_error("lon,lat,population\n105.8,21.0,NaN\n");
    assert!(
        matches!(err, PopulationError::InvalidNumber { line: 2, ref field, .. } if field == "population"),
        "{err}"
    );

    let err = point_error("lon,lat,population\n105.8,21.0,-4\n");
    assert!(
        matches!(err, PopulationError::NegativePopulation { line: 2, .. }),
        "{err}"
    );

    // Swapped columns put latitude 105.8 out of range.
    let err = point_error("lat,lon,population\n105.8,21.0,4\n");
    assert!(
        matches!(err, PopulationError::CoordinateOutOfRange { line: 2, .. }),
        "{err}"
    );

    let err = point_error("lon,lat,population\n");
    assert!(matches!(err, PopulationError::Empty { .. }), "{err}");
    let err = point_error("");
    assert!(matches!(err, PopulationError::Empty { .. }), "{err}");

    let err = point_error("lon,lat,population\n105.8,21.0\n");
    assert!(matches!(err, PopulationError::Csv { line: 2, .. }), "{err}");
}

// ---------------------------------------------------------------------------------------------
// H3 CSV

#[test]
fn h3_csv_reaggregates_finer_cells_and_refuses_coarser_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fine = cell_at(105.8342, 21.0278, Resolution::Ten);
    let same = cell_at(105.8342, 21.0278, Resolution::Nine);
    let other = cell_at(105.80, 21.00, Resolution::Nine);
    let path = write(
        &dir,
        "kontur.csv",
        &format!("h3,population\n{fine},3\n{same},4\n{other},1.25\n"),
    );
    let grid = load_h3_csv(&path, Resolution::Nine).expect("loads");
    grid.check_invariants().expect("invariants");
    // A byte-order mark (spreadsheet exports) does not hide the header.
    let bom = write(
        &dir,
        "bom.csv",
        &format!("\u{feff}h3,population\n{same},4\n"),
    );
    assert_eq!(
        load_population(&bom, Resolution::Nine)
            .expect("loads")
            .total(),
        4.0
    );
    assert_eq!(grid.population_of(same), 7.0);
    assert_eq!(grid.population_of(other), 1.25);
    assert_eq!(
        load_population(&path, Resolution::Nine).expect("loads"),
        grid
    );

    let coarser = load_h3_csv(&path, Resolution::Seven).expect("loads at 7");
    assert_eq!(coarser.total(), 8.25);
    assert!(coarser.len() <= 2);

    let err = load_h3_csv(&path, Resolution::Ten).expect_err("resolution 9 data cannot be split");
    assert!(
        matches!(
            err,
            PopulationError::ResolutionTooFine {
                line: 3,
                cell_resolution: 9,
                requested: 10,
                ..
            }
        ),
        "{err}"
    );
}

fn h3_error(text: &str) -> PopulationError {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(&dir, "cells.csv", text);
    load_h3_csv(&path, Resolution::Nine).expect_err("bad input must be rejected")
}

#[test]
fn h3_csv_rejects_bad_input() {
    let cell = cell_at(105.8342, 21.0278, Resolution::Nine);
    let err = h3_error("h3,people\n");
    assert!(
        matches!(err, PopulationError::MissingColumn { .. }),
        "{err}"
    );
    let err = h3_error("h3,population\nnot-a-cell,4\n");
    assert!(
        matches!(err, PopulationError::InvalidH3 { line: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("not-a-cell"), "{err}");
    // A valid hex number that is not a cell index (mode bits wrong).
    let err = h3_error("h3,population\n1234567,4\n");
    assert!(
        matches!(err, PopulationError::InvalidH3 { line: 2, .. }),
        "{err}"
    );
    let err = h3_error(&format!("h3,population\n{cell},x\n"));
    assert!(
        matches!(err, PopulationError::InvalidNumber { line: 2, .. }),
        "{err}"
    );
    let err = h3_error(&format!("h3,population\n{cell},-1\n"));
    assert!(
        matches!(err, PopulationError::NegativePopulation { line: 2, .. }),
        "{err}"
    );
    let err = h3_error(&format!("h3,population\n{cell},inf\n"));
    assert!(
        matches!(err, PopulationError::InvalidNumber { .. }),
        "{err}"
    );
    let err = h3_error("h3,population\n");
    assert!(matches!(err, PopulationError::Empty { .. }), "{err}");
}

// ---------------------------------------------------------------------------------------------
// GeoTIFF

/// Geographic EPSG:4326, PixelIsArea.
const GEO_KEYS_4326: [u16; 16] = [1, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326];

/// Writes a float raster of `width` x `height` pixels of `step` degrees whose top-left corner
/// is (lon0, lat0).
fn write_f32_tiff(
    path: &Path,
    width: u32,
    data: &[f32],
    corner: (f64, f64),
    step: f64,
    nodata: Option<&str>,
    keys: &[u16],
) {
    let height = data.len() as u32 / width;
    let mut file = File::create(path).expect("temp file");
    let mut tiff = TiffEncoder::new(&mut file).expect("encoder");
    let mut image = tiff
        .new_image::<colortype::Gray32Float>(width, height)
        .expect("image");
    let dir = image.encoder();
    dir.write_tag(Tag::Unknown(33550), &[step, step, 0.0][..])
        .expect("scale");
    dir.write_tag(
        Tag::Unknown(33922),
        &[0.0, 0.0, 0.0, corner.0, corner.1, 0.0][..],
    )
    .expect("tiepoint");
    dir.write_tag(Tag::Unknown(34735), keys).expect("geokeys");
    if let Some(nodata) = nodata {
        dir.write_tag(Tag::Unknown(42113), nodata).expect("nodata");
    }
    image.write_data(data).expect("pixels");
}

#[test]
fn geotiff_assigns_each_pixel_to_the_cell_of_its_centre_and_skips_nodata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("worldpop.tif");
    // 3 x 2 pixels of 0.001° (~100 m) from (105.83, 21.03), nodata -99999.
    let data = [5.0f32, 0.0, -99999.0, 1.5, 2.5, f32::NAN];
    write_f32_tiff(
        &path,
        3,
        &data,
        (105.83, 21.03),
        0.001,
        Some("-99999"),
        &GEO_KEYS_4326,
    );
    let grid = load_geotiff(&path, Resolution::Nine).expect("loads");
    grid.check_invariants().expect("invariants");
    assert_eq!(grid.total(), 9.0);
    assert!(grid.population_of(cell_at(105.8305, 21.0295, Resolution::Nine)) >= 5.0);
    // At resolution 12 (~10 m cells) every pixel centre has its own cell: row 0 is the north
    // edge and pixel (row, col) is centred at (105.8305 + col·0.001, 21.0295 − row·0.001).
    let fine = load_geotiff(&path, Resolution::Twelve).expect("loads");
    assert_eq!(fine.len(), 3);
    assert_eq!(
        fine.population_of(cell_at(105.8305, 21.0295, Resolution::Twelve)),
        5.0
    );
    assert_eq!(
        fine.population_of(cell_at(105.8305, 21.0285, Resolution::Twelve)),
        1.5
    );
    assert_eq!(
        fine.population_of(cell_at(105.8315, 21.0285, Resolution::Twelve)),
        2.5
    );
    assert_eq!(
        load_population(&path, Resolution::Nine).expect("loads"),
        grid
    );

    // Integer rasters work too.
    let ints = dir.path().join("counts.tiff");
    let mut file = File::create(&ints).expect("temp file");
    let mut tiff = TiffEncoder::new(&mut file).expect("encoder");
    let mut image = tiff.new_image::<colortype::Gray16>(2, 1).expect("image");
    image
        .encoder()
        .write_tag(Tag::Unknown(33550), &[0.001, 0.001, 0.0][..])
        .expect("scale");
    image
        .encoder()
        .write_tag(
            Tag::Unknown(33922),
            &[0.0, 0.0, 0.0, 105.83, 21.03, 0.0][..],
        )
        .expect("tiepoint");
    image.write_data(&[7u16, 8][..]).expect("pixels");
    drop(file);
    assert_eq!(
        load_geotiff(&ints, Resolution::Eight)
            .expect("loads")
            .total(),
        15.0
    );
}

#[test]
fn geotiff_rejects_corrupt_projected_and_negative_rasters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.tif");
    let data = vec![1.0f32; 64 * 64];
    write_f32_tiff(
        &good,
        64,
        &data,
        (105.83, 21.03),
        0.001,
        None,
        &GEO_KEYS_4326,
    );
    // 64 rows of 256 bytes span several strips.
    assert_eq!(
        load_geotiff(&good, Resolution::Eight)
            .expect("loads")
            .total(),
        4096.0
    );
    let bytes = std::fs::read(&good).expect("read back");

    let truncated = dir.path().join("truncated.tif");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).expect("write");
    let err = load_geotiff(&truncated, Resolution::Nine).expect_err("truncated");
    assert!(matches!(err, PopulationError::Tiff { .. }), "{err}");
    assert!(err.to_string().contains("truncated.tif"), "{err}");

    let garbage = dir.path().join("garbage.tif");
    std::fs::write(&garbage, b"II*\0 this is not a tiff at all").expect("write");
    let err = load_population(&garbage, Resolution::Nine).expect_err("garbage");
    assert!(matches!(err, PopulationError::Tiff { .. }), "{err}");

    let utm = dir.path().join("utm.tif");
    let utm_keys = [1u16, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 32648];
    write_f32_tiff(
        &utm,
        2,
        &[1.0, 1.0],
        (585_000.0, 2_325_000.0),
        100.0,
        None,
        &utm_keys,
    );
    let err = load_geotiff(&utm, Resolution::Nine).expect_err("projected");
    assert!(
        matches!(err, PopulationError::UnsupportedRaster { .. }),
        "{err}"
    );

    let negative = dir.path().join("negative.tif");
    write_f32_tiff(
        &negative,
        2,
        &[1.0, -3.0],
        (105.83, 21.03),
        0.001,
        Some("-99999"),
        &GEO_KEYS_4326,
    );
    let err = load_geotiff(&negative, Resolution::Nine).expect_err("negative pixel");
    assert!(
        matches!(err, PopulationError::NegativePixel { row: 0, col: 1, .. }),
        "{err}"
    );

    let all_nodata = dir.path().join("empty.tif");
    write_f32_tiff(
        &all_nodata,
        2,
        &[-1.0, -1.0],
        (105.83, 21.03),
        0.001,
        Some("-1"),
        &GEO_KEYS_4326,
    );
    let err = load_geotiff(&all_nodata, Resolution::Nine).expect_err("no data");
    assert!(matches!(err, PopulationError::Empty { .. }), "{err}");
}

/// Issue 13, item 4: a pixel of +inf made the total infinite, printed as `null` in JSON.
#[test]
fn issue13_item4_infinite_pixel_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("inf.tif");
    write_f32_tiff(
        &path,
        2,
        &[1.0, 2.0, f32::INFINITY, 3.0],
        (105.8, 21.05),
        0.01,
        None,
        &GEO_KEYS_4326,
    );
    let err = load_geotiff(&path, Resolution::Nine).expect_err("refused");
    assert!(
        matches!(err, PopulationError::InfinitePixel { row: 1, col: 0, .. }),
        "{err}"
    );
}

#[test]
fn unknown_formats_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(&dir, "stops.csv", "stop_id,name\n1,Bến xe\n");
    let err = load_population(&path, Resolution::Nine).expect_err("not population");
    assert!(
        matches!(err, PopulationError::UnknownFormat { .. }),
        "{err}"
    );
    let err =
        load_population(&dir.path().join("missing.csv"), Resolution::Nine).expect_err("missing");
    assert!(matches!(err, PopulationError::Read { .. }), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Boundaries

fn boundary_error(text: &str) -> BoundaryError {
    Regions::from_geojson_str(text, Path::new("areas.geojson"), "name").expect_err("bad boundary")
}

#[test]
fn geojson_boundaries_load_and_reject_bad_features() {
    let square = "[[[105.8,21.0],[105.9,21.0],[105.9,21.1],[105.8,21.1],[105.8,21.0]]]";
    let text = format!(
        r#"{{"type":"FeatureCollection","features":[
        {{"type":"Feature","properties":{{"name":"A","code":"001"}},"geometry":{{"type":"Polygon","coordinates":{square}}}}},
        {{"type":"Feature","properties":{{"name":"B","code":2}},"geometry":{{"type":"MultiPolygon","coordinates":[[[[106.0,21.0],[106.1,21.0],[106.1,21.1],[106.0,21.0]]]]}}}}]}}"#
    );
    let regions =
        Regions::from_geojson_str(&text, Path::new("areas.geojson"), "name").expect("valid");
    assert_eq!(regions.len(), 2);
    let a = regions.locate(105.85, 21.05).expect("inside A");
    assert_eq!(regions.name(a), "A");
    assert_eq!(regions.get(a).and_then(|r| r.code()), Some("001"));
    assert_eq!(
        regions.locate(106.09, 21.01).map(|id| regions.name(id)),
        Some("B")
    );
    assert_eq!(regions.locate(106.01, 21.09), None, "outside the triangle");
    assert_eq!(
        regions
            .find_by_name("B")
            .and_then(|id| regions.get(id))
            .and_then(|r| r.code()),
        Some("2")
    );

    let err = boundary_error("{not json");
    assert!(matches!(err, BoundaryError::Json { .. }), "{err}");
    let err = boundary_error(r#"{"type":"Feature"}"#);
    assert!(
        matches!(err, BoundaryError::NotFeatureCollection { .. }),
        "{err}"
    );
    let err = boundary_error(r#"{"type":"FeatureCollection","features":[]}"#);
    assert!(matches!(err, BoundaryError::Empty { .. }), "{err}");
    let point = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"P"},"geometry":{"type":"Point","coordinates":[105.8,21.0]}}]}"#;
    let err = boundary_error(point);
    assert!(
        matches!(err, BoundaryError::NonPolygonGeometry { feature: 0, ref found, .. } if found == "Point"),
        "{err}"
    );
    let unnamed = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"ten":"A"}},"geometry":{{"type":"Polygon","coordinates":{square}}}}}]}}"#
    );
    let err = boundary_error(&unnamed);
    assert!(
        matches!(err, BoundaryError::MissingName { feature: 0, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("\"name\""), "{err}");
    let swapped = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A"},"geometry":{"type":"Polygon","coordinates":[[[21.0,105.8],[21.1,105.8],[21.1,105.9],[21.0,105.8]]]}}]}"#;
    let err = boundary_error(swapped);
    assert!(
        matches!(err, BoundaryError::CoordinateOutOfRange { feature: 0, .. }),
        "{err}"
    );
    let short = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A"},"geometry":{"type":"Polygon","coordinates":[[[105.8,21.0],[105.9,21.0],[105.8,21.0]]]}}]}"#;
    let err = boundary_error(short);
    assert!(
        matches!(err, BoundaryError::MalformedGeometry { feature: 0, .. }),
        "{err}"
    );
    let err = Regions::from_geojson_file(Path::new("/nonexistent/areas.geojson"), "name")
        .expect_err("missing");
    assert!(
        err.to_string().contains("/nonexistent/areas.geojson"),
        "{err}"
    );
}

#[test]
fn dvhcvn_layout_converts_to_named_district_features() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        &dir,
        "01.json",
        r#"{"level1_id":"01","name":"Thành phố Thử","type":"MultiPolygon","coordinates":[],"bbox":[],
            "level2s":[{"level2_id":"001","name":"Quận Một","type":"MultiPolygon","bbox":[],
              "coordinates":[[[[105.8,21.0],[105.9,21.0],[105.9,21.1],[105.8,21.10000000001],[105.8,21.0]]]]},
            {"level2_id":"250","name":"Huyện Hai","type":"MultiPolygon","bbox":[],
              "coordinates":[[[[105.9,21.0],[106.0,21.0],[106.0,21.1],[105.9,21.0]]]]}]}"#,
    );
    let output = dir.path().join("districts.geojson");
    let summary = dvhcvn_to_geojson(&input, &output).expect("converts");
    assert_eq!(summary.districts, 2);
    assert_eq!(summary.province, "Thành phố Thử");
    let regions = Regions::from_geojson_file(&output, "name").expect("reads back");
    let one = regions.locate(105.85, 21.05).expect("inside");
    let region = regions.get(one).expect("region");
    assert_eq!(region.name, "Quận Một");
    assert_eq!(region.code(), Some("001"));
    assert_eq!(
        region.properties.get("type").map(String::as_str),
        Some("Quận")
    );
    assert!(
        std::fs::read_to_string(&output)
            .expect("text")
            .contains("21.1]"),
        "rounded to 7 decimals"
    );

    let broken = write(
        &dir,
        "broken.json",
        r#"{"level1_id":"01","level2s":[{"name":"Quận Một","type":"MultiPolygon","coordinates":[]}]}"#,
    );
    let err = dvhcvn_to_geojson(&broken, &output).expect_err("no level2_id");
    assert!(
        matches!(err, BoundaryError::DvhcvnField { ref field, .. } if field == "level2_id"),
        "{err}"
    );
}

#[test]
fn shipped_boundaries_cover_hanoi() {
    let wards =
        Regions::from_geojson_file(&repo("data/boundaries/hanoi_wards_2025.geojson"), "name")
            .expect("wards");
    assert_eq!(wards.len(), 126);
    assert!(
        wards
            .iter()
            .all(|(_, w)| w.code().is_some_and(|c| c.len() == 5))
    );
    let ward_km2: f64 = wards.iter().map(|(_, w)| w.area_km2).sum();
    let districts = Regions::from_geojson_file(
        &repo("data/boundaries/hanoi_districts_2019.geojson"),
        "name",
    )
    .expect("districts");
    assert_eq!(districts.len(), 30);
    let district_km2: f64 = districts.iter().map(|(_, d)| d.area_km2).sum();
    let province =
        Regions::from_geojson_file(&repo("data/boundaries/hanoi_province.geojson"), "name")
            .expect("province");
    assert_eq!(province.len(), 1);
    for km2 in [
        ward_km2,
        district_km2,
        province.area_km2(motcua::boundary::RegionId(0)),
    ] {
        assert!(
            (3_300.0..3_420.0).contains(&km2),
            "Hanoi is about 3,360 km², got {km2}"
        );
    }
    // Hoàn Kiếm Lake lies in Phường Hoàn Kiếm (2025) and Quận Hoàn Kiếm (2019).
    assert_eq!(
        wards.locate(105.8522, 21.0287).map(|id| wards.name(id)),
        Some("Phường Hoàn Kiếm")
    );
    assert_eq!(
        districts
            .locate(105.8522, 21.0287)
            .map(|id| districts.name(id)),
        Some("Quận Hoàn Kiếm")
    );

    // The indexed lookup agrees with a plain polygon test of every region.
    for regions in [&wards, &districts, &province] {
        for i in 0..3_000u32 {
            let lon = 105.28 + f64::from(i % 60) * 0.01237;
            let lat = 20.56 + f64::from(i / 60) * 0.01653;
            let brute = regions
                .iter()
                .find(|(_, r)| geo::Intersects::intersects(&r.shape, &geo::Point::new(lon, lat)))
                .map(|(id, _)| id);
            assert_eq!(regions.locate(lon, lat), brute, "({lon}, {lat})");
        }
    }

    // Census ward points fall in their own district (525 of 526 legacy points do; allow 2).
    let census = read_census_wards(&repo(
        "data/population/hanoi_population_2019_ward_points.csv",
    ))
    .expect("census");
    let misplaced = census
        .iter()
        .filter_map(|w| w.point.map(|p| (w, p)))
        .filter(|(w, (lon, lat))| {
            districts.locate(*lon, *lat).map(|id| districts.name(id)) != Some(w.district.as_str())
        })
        .count();
    assert!(
        misplaced <= 2,
        "{misplaced} ward points outside their district"
    );
}

// ---------------------------------------------------------------------------------------------
// Census grid

fn census_inputs() -> (Vec<motcua::population::prepare::CensusWard>, Regions) {
    let census = read_census_wards(&repo(
        "data/population/hanoi_population_2019_ward_points.csv",
    ))
    .expect("census");
    let districts = Regions::from_geojson_file(
        &repo("data/boundaries/hanoi_districts_2019.geojson"),
        "name",
    )
    .expect("districts");
    (census, districts)
}

#[test]
fn census_grid_preserves_totals_stays_in_hanoi_and_is_deterministic() {
    let (census, districts) = census_inputs();
    assert_eq!(census.len(), 584);
    assert_eq!(
        census.iter().map(|w| w.population).sum::<u64>(),
        HANOI_TOTAL_2019
    );
    let roads = read_road_lines_geojson(&repo(
        "tests/fixtures/population/roads_hoan_kiem_2017.geojson",
    ))
    .expect("roads");
    let options = PrepareOptions::default();
    let built = build_census_grid(&census, &districts, &roads, &options).expect("builds");

    built.grid.check_invariants().expect("invariants");
    assert_eq!(built.grid.resolution, Resolution::Nine);
    assert_eq!(built.grid.total(), HANOI_TOTAL_2019 as f64);
    for allocation in &built.wards {
        let ward = &census[allocation.ward];
        let sum: u64 = allocation.cells.iter().map(|(_, p)| p).sum();
        assert_eq!(
            sum, ward.population,
            "ward {} of {}",
            ward.name, ward.district
        );
        assert_eq!(allocation.spread_over_district, ward.point.is_none());
    }
    for cell in &built.grid {
        let (lon, lat) = cell.centre();
        assert!(
            districts.locate(lon, lat).is_some(),
            "cell {} centre ({lon}, {lat}) outside Hanoi",
            cell.cell
        );
    }
    assert_eq!(built.summary.wards_spread_over_district, 78);

    // Same inputs, same bytes.
    let dir = tempfile::tempdir().expect("tempdir");
    let (first, second) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    write_h3_csv(&built.grid, &first).expect("write");
    let again = build_census_grid(&census, &districts, &roads, &options).expect("builds again");
    write_h3_csv(&again.grid, &second).expect("write");
    assert_eq!(
        std::fs::read(&first).expect("a"),
        std::fs::read(&second).expect("b")
    );
    // And the file reads back as the same grid.
    assert_eq!(
        load_h3_csv(&first, Resolution::Nine).expect("reads back"),
        built.grid
    );
}

/// Golden file at resolution 8: any change to the method changes this file, and the test fails
/// until a person has looked at the difference and re-blessed it with
/// `MOTCUA_BLESS=1 cargo test --release --test population golden`.
#[test]
fn census_grid_matches_golden_file() {
    let (census, districts) = census_inputs();
    let roads = read_road_lines_geojson(&repo(
        "tests/fixtures/population/roads_hoan_kiem_2017.geojson",
    ))
    .expect("roads");
    let options = PrepareOptions {
        resolution: Resolution::Eight,
        ..PrepareOptions::default()
    };
    let built = build_census_grid(&census, &districts, &roads, &options).expect("builds");
    let dir = tempfile::tempdir().expect("tempdir");
    let actual_path = dir.path().join("actual.csv");
    write_h3_csv(&built.grid, &actual_path).expect("write");
    let actual = std::fs::read_to_string(&actual_path).expect("read");
    let golden = repo("tests/fixtures/population/census_grid_r8_golden.csv");
    if std::env::var_os("MOTCUA_BLESS").is_some() {
        std::fs::write(&golden, &actual).expect("bless golden file");
    }
    let expected = std::fs::read_to_string(&golden).expect("golden file exists (bless it once)");
    if actual != expected {
        let changed: Vec<_> = actual
            .lines()
            .zip(expected.lines())
            .filter(|(a, e)| a != e)
            .take(5)
            .collect();
        panic!(
            "census grid differs from {} ({} vs {} lines); first differences (actual, expected): {changed:?}",
            golden.display(),
            actual.lines().count(),
            expected.lines().count()
        );
    }
}

#[test]
fn shipped_census_grid_is_valid_and_complete() {
    let path = repo("data/population/hanoi_population_2019_h3r9.csv");
    let grid = load_population(&path, Resolution::Nine).expect("shipped grid loads");
    grid.check_invariants().expect("invariants");
    assert_eq!(grid.total(), HANOI_TOTAL_2019 as f64);
    let districts = Regions::from_geojson_file(
        &repo("data/boundaries/hanoi_districts_2019.geojson"),
        "name",
    )
    .expect("districts");
    let mut by_district: HashMap<String, f64> = HashMap::new();
    for cell in &grid {
        let (lon, lat) = cell.centre();
        let id = districts
            .locate(lon, lat)
            .expect("every cell centre lies in a Hanoi district");
        *by_district
            .entry(districts.name(id).to_string())
            .or_default() += cell.population;
    }
    // District totals equal the census sums of their wards.
    let census = read_census_wards(&repo(
        "data/population/hanoi_population_2019_ward_points.csv",
    ))
    .expect("census");
    let mut expected: HashMap<String, f64> = HashMap::new();
    for ward in &census {
        *expected.entry(ward.district.clone()).or_default() += ward.population as f64;
    }
    assert_eq!(by_district, expected);
}

/// Issue 16 item 3: `place=*` nodes with a `population` tag are a population file. The city
/// node is left out because its wards carry their own people (it would count them twice), the
/// hamlet's "about 500" is no count; the wards' 20,500 and 15,000 remain, each on its cell.
#[test]
fn osm_place_nodes_with_a_population_are_a_grid() {
    let places = repo("tests/fixtures/ingest/places.osm");
    let grid = load_population(&places, Resolution::Nine).expect("places load");
    assert_eq!(grid.len(), 2);
    assert_eq!(grid.total(), 35_500.0);
    let ward = LatLng::new(21.0287, 105.8520)
        .unwrap()
        .to_cell(Resolution::Nine);
    assert_eq!(grid.population_of(ward), 20_500.0);
    grid.check_invariants().expect("invariants");

    // The same as Overpass JSON and gzip-compressed XML.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&places).unwrap();
    let gz = dir.path().join("places.osm.gz");
    let mut encoder =
        flate2::write::GzEncoder::new(File::create(&gz).unwrap(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, text.as_bytes()).unwrap();
    encoder.finish().unwrap();
    assert_eq!(load_population(&gz, Resolution::Nine).unwrap(), grid);
    let json = write(
        &dir,
        "places.json",
        r#"{"version": 0.6, "elements": [
            {"type": "node", "id": 1, "lat": 21.0285, "lon": 105.8542, "tags": {"place": "city", "population": "8053663"}}
        ]}"#,
    );
    // Only the city: it is taken, there being no finer place to count.
    let city = load_population(&json, Resolution::Nine).unwrap();
    assert_eq!(city.total(), 8_053_663.0);

    // An extract of roads alone names no place: one line saying what was expected.
    let roads = repo("tests/fixtures/ingest/offices.osm");
    let err = load_population(&roads, Resolution::Nine).unwrap_err();
    assert!(matches!(err, PopulationError::NoOsmPlaces { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("offices.osm") && text.contains("place=*"),
        "{text}"
    );
    assert!(!text.contains('\n'));
}
