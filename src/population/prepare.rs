//! Census dasymetric builder: the 2019 census spread from ward points onto H3 cells.
//!
//! Hanoi has no gridded population product in usable form, so demand is built from the 2019
//! census (584 wards, 8,053,663 people), of which 92 % is known at a geocoded ward point and
//! 8 % only by district (wards merged on 2025-01-01). The method:
//!
//! 1. **District cells.** Each district polygon is covered with H3 cells whose centre lies inside
//!    it (a cell on a border belongs to exactly one district).
//! 2. **Ward areas.** Ward boundaries of 2019 are not available, so a ward's area is approximated
//!    by the Voronoi cell of its point clipped to its district: every cell of a district goes to
//!    the nearest ward point of that district. Wards that share one point share its cells. A
//!    ward point that wins no cell (wards smaller than a cell, as in the Old Quarter) gets the
//!    district cell nearest to its point.
//! 3. **Weights.** Inside a ward, people are spread in proportion to a weight per cell:
//!    `weight(cell) = L(cell) + floor · area(cell)`, where `L` is the road length in the cell
//!    weighted by road class ([`road_weight`]: residential streets count fully, arterials less,
//!    motorways not at all) and `floor` a road density every cell is granted (1 km per km² by
//!    default, against 10–20 km/km² in built-up Hanoi). Cells without mapped roads thus keep a
//!    small share; a ward with no mapped road at all is spread evenly by area; and a ward that
//!    the road data covers only in part is not crammed into its few mapped cells, because the
//!    floor of its many empty cells outweighs a short road.
//! 4. **Wards without a point** are spread over all cells of their district with the same rule.
//! 5. **Rounding.** Each ward's share is rounded to whole people by largest remainder (ties to
//!    the lower cell index), so every ward total, and therefore the grand total, is exact, and
//!    the output is deterministic.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use geo::{Distance, Haversine, InteriorPoint, Point};
use h3o::geom::{ContainmentMode, TilerBuilder};
use h3o::{CellIndex, LatLng, Resolution};
use serde_json::Value;

use super::csv_files::{io_or_csv, number};
use super::{PopulatedCell, PopulationError, PopulationGrid, cell_centre};
use crate::boundary::{RegionId, Regions};

/// A road polyline with its OSM `highway` class, used only as a proxy for where people live.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadLine {
    pub highway: String,
    /// Vertices as (lon, lat) WGS84 degrees.
    pub coords: Vec<(f64, f64)>,
}

/// One census ward.
#[derive(Debug, Clone, PartialEq)]
pub struct CensusWard {
    /// GADM 4.1 level-3 id, stable across the files of the census compilation.
    pub ward_id: String,
    /// Ward name as of 2024-11 ("Phường Hàng Đào").
    pub name: String,
    /// District name as in the district boundaries ("Quận Hoàn Kiếm").
    pub district: String,
    /// Residents on census day, 1 April 2019.
    pub population: u64,
    /// Geocoded ward point (lon, lat), absent for wards merged on 2025-01-01.
    pub point: Option<(f64, f64)>,
    /// Line of the record in its CSV (1-based; 0 when built in code), for error messages.
    pub line: u64,
}

/// Tunable parts of the method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrepareOptions {
    /// H3 resolution of the output grid (9 by default: cells of about 0.1 km²).
    pub resolution: Resolution,
    /// Weighted road length, in metres per km², that every cell counts on top of its mapped
    /// roads (see the module documentation).
    pub floor_road_m_per_km2: f64,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        PrepareOptions {
            resolution: Resolution::Nine,
            floor_road_m_per_km2: 1000.0,
        }
    }
}

/// Where one ward's people went.
#[derive(Debug, Clone, PartialEq)]
pub struct WardAllocation {
    /// Index of the ward in the input slice.
    pub ward: usize,
    /// Whole people per cell, sorted by cell; sums to the ward's census count.
    pub cells: Vec<(CellIndex, u64)>,
    /// True when the ward had no point and was spread over its whole district.
    pub spread_over_district: bool,
}

/// Figures about one build, for logs and the data README.
#[derive(Debug, Clone, PartialEq)]
pub struct PrepareSummary {
    pub total_population: u64,
    pub wards: usize,
    pub wards_at_points: usize,
    pub wards_spread_over_district: usize,
    /// Distinct ward points (wards sharing a point count once).
    pub ward_points: usize,
    /// Ward points that won no cell and were given the nearest one.
    pub ward_points_given_nearest_cell: usize,
    pub district_cells: usize,
    pub populated_cells: usize,
    /// District cells crossed by at least one weighted road.
    pub cells_with_roads: usize,
    /// Weighted road length inside Hanoi's cells, in metres.
    pub weighted_road_length_m: f64,
}

/// The result of [`build_census_grid`].
#[derive(Debug, Clone, PartialEq)]
pub struct CensusGrid {
    pub grid: PopulationGrid,
    pub wards: Vec<WardAllocation>,
    pub summary: PrepareSummary,
}

/// Weight of one metre of road of an OSM `highway` class as a sign of homes nearby.
///
/// | class | weight | why |
/// |---|---|---|
/// | residential, living_street | 1.0 | streets lined with houses |
/// | unclassified | 0.8 | village and minor streets |
/// | service | 0.5 | alleys (ngõ) and access roads, also car parks and yards |
/// | footway, path, pedestrian, steps | 0.3 | the narrowest ngõ are often mapped this way |
/// | tertiary | 0.6 | busy but built-up |
/// | secondary | 0.4 | arterials, shops on the ground floor |
/// | primary, trunk, track, road | 0.2 | long through roads, farm tracks, untyped |
/// | motorway, *_link, others | 0.0 | nobody lives on them |
pub fn road_weight(highway: &str) -> f64 {
    match highway {
        "residential" | "living_street" => 1.0,
        "unclassified" => 0.8,
        "tertiary" => 0.6,
        "service" => 0.5,
        "secondary" => 0.4,
        "footway" | "path" | "pedestrian" | "steps" => 0.3,
        "primary" | "trunk" | "track" | "road" => 0.2,
        _ => 0.0,
    }
}

/// Reads the census-at-ward-points CSV
/// (`data/population/hanoi_population_2019_ward_points.csv`): columns `gadm41_ward_id`,
/// `ward_2024_11`, `district_2024_11`, `total`, `lat`, `lon` (empty for unplaced wards).
pub fn read_census_wards(path: &Path) -> Result<Vec<CensusWard>, PopulationError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| io_or_csv(path, e))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|source| PopulationError::Csv {
            path: path.to_path_buf(),
            line: 1,
            source,
        })?
        .iter()
        .map(str::to_string)
        .collect();
    let column = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| PopulationError::MissingColumn {
            path: path.to_path_buf(),
            column: name.to_string(),
            found: header.clone(),
            expected: "the census ward-points CSV (gadm41_ward_id, ward_2024_11, district_2024_11, total, lat, lon)"
                .to_string(),
        })
    };
    let id_col = column("gadm41_ward_id")?;
    let name_col = column("ward_2024_11")?;
    let district_col = column("district_2024_11")?;
    let total_col = column("total")?;
    let lat_col = column("lat")?;
    let lon_col = column("lon")?;

    let mut wards = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|source| PopulationError::Csv {
            path: path.to_path_buf(),
            line: source.position().map_or(0, |p| p.line()),
            source,
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("");
        let total_text = field(total_col);
        let population = total_text
            .parse::<u64>()
            .map_err(|_| PopulationError::InvalidNumber {
                path: path.to_path_buf(),
                line,
                field: "total".into(),
                value: total_text.to_string(),
            })?;
        let point = if field(lat_col).is_empty() && field(lon_col).is_empty() {
            None
        } else {
            let lat = number(path, line, "lat", Some(field(lat_col)))?;
            let lon = number(path, line, "lon", Some(field(lon_col)))?;
            if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                return Err(PopulationError::CoordinateOutOfRange {
                    path: path.to_path_buf(),
                    line,
                    lon,
                    lat,
                });
            }
            Some((lon, lat))
        };
        wards.push(CensusWard {
            ward_id: field(id_col).to_string(),
            name: field(name_col).to_string(),
            district: field(district_col).to_string(),
            population,
            point,
            line,
        });
    }
    if wards.is_empty() {
        return Err(PopulationError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(wards)
}

/// Reads road lines from a GeoJSON FeatureCollection of LineString/MultiLineString features
/// with a `highway` property (such as the 2017 Hanoi export). Features of other geometry
/// types or without `highway` are skipped, since roads only steer weights.
pub fn read_road_lines_geojson(path: &Path) -> Result<Vec<RoadLine>, PopulationError> {
    let text = crate::text::read_text(path).map_err(|source| PopulationError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let root: Value = serde_json::from_str(&text).map_err(|source| PopulationError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    let features = root
        .get("features")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let position = |p: &Value| -> Option<(f64, f64)> {
        let a = p.as_array()?;
        Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?))
    };
    let line = |v: &Value| -> Vec<(f64, f64)> {
        v.as_array()
            .map_or_else(Vec::new, |ps| ps.iter().filter_map(position).collect())
    };
    let mut roads = Vec::new();
    for feature in features {
        let Some(highway) = feature
            .pointer("/properties/highway")
            .and_then(Value::as_str)
        else {
            continue;
        };
        let Some(geometry) = feature.get("geometry") else {
            continue;
        };
        let coordinates = &geometry["coordinates"];
        let parts = match geometry["type"].as_str() {
            Some("LineString") => vec![line(coordinates)],
            Some("MultiLineString") => coordinates
                .as_array()
                .map_or_else(Vec::new, |ls| ls.iter().map(line).collect()),
            _ => continue,
        };
        for coords in parts.into_iter().filter(|c| c.len() >= 2) {
            roads.push(RoadLine {
                highway: highway.to_string(),
                coords,
            });
        }
    }
    Ok(roads)
}

/// Weighted road length (metres × [`road_weight`]) per cell at `resolution`. Lines are cut into
/// pieces of at most a quarter of the cell edge and each piece is counted in the cell of its
/// midpoint.
pub fn road_length_by_cell(roads: &[RoadLine], resolution: Resolution) -> HashMap<CellIndex, f64> {
    let step_m = resolution.edge_length_m() / 4.0;
    let mut lengths: HashMap<CellIndex, f64> = HashMap::new();
    for road in roads {
        let weight = road_weight(&road.highway);
        if weight <= 0.0 {
            continue;
        }
        for pair in road.coords.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let length_m = Haversine.distance(Point::new(a.0, a.1), Point::new(b.0, b.1));
            if !length_m.is_finite() || length_m <= 0.0 {
                continue;
            }
            let pieces = (length_m / step_m).ceil().max(1.0);
            let piece_m = length_m / pieces;
            for k in 0..pieces as u32 {
                let t = (f64::from(k) + 0.5) / pieces;
                let (lon, lat) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                if let Ok(ll) = LatLng::new(lat, lon) {
                    *lengths.entry(ll.to_cell(resolution)).or_insert(0.0) += piece_m * weight;
                }
            }
        }
    }
    lengths
}

/// Cells whose centre lies in the district, sorted.
fn district_cells(
    districts: &Regions,
    id: RegionId,
    resolution: Resolution,
) -> Result<Vec<CellIndex>, PopulationError> {
    let Some(region) = districts.get(id) else {
        return Ok(Vec::new());
    };
    let tiling_error = |e: h3o::error::InvalidGeometry| PopulationError::Tiling {
        district: region.name.clone(),
        reason: e.to_string(),
    };
    let mut tiler = TilerBuilder::new(resolution)
        .containment_mode(ContainmentMode::ContainsCentroid)
        .build();
    tiler
        .add_batch(region.shape.0.iter().cloned())
        .map_err(tiling_error)?;
    let mut cells: Vec<CellIndex> = tiler.into_coverage().collect();
    if cells.is_empty() {
        // A district smaller than one cell still needs somewhere to put its people.
        if let Some(p) = region.shape.interior_point()
            && let Ok(ll) = LatLng::new(p.y(), p.x())
        {
            cells.push(ll.to_cell(resolution));
        }
    }
    cells.sort_unstable();
    cells.dedup();
    Ok(cells)
}

/// Squared distance from `a` to `b` in the local frame around `a`; enough to rank points a
/// few km apart.
fn planar_distance2(a: (f64, f64), b: (f64, f64)) -> f64 {
    let [x, y] = crate::graph::LocalProjection::around(a).to_metres(b);
    x * x + y * y
}

/// Splits `total` people over cells in proportion to `shares` (summing to 1), rounding by
/// largest remainder with ties to the earlier cell, so the parts sum to `total` exactly.
fn largest_remainder(total: u64, cells: &[CellIndex], shares: &[f64]) -> Vec<(CellIndex, u64)> {
    let exact: Vec<f64> = shares.iter().map(|s| s * total as f64).collect();
    let mut parts: Vec<u64> = exact.iter().map(|x| x.floor().max(0.0) as u64).collect();
    let assigned: u64 = parts.iter().sum();
    let mut left = total.saturating_sub(assigned);
    let mut order: Vec<usize> = (0..cells.len()).collect();
    order.sort_by(|&i, &j| {
        let (ri, rj) = (exact[i] - exact[i].floor(), exact[j] - exact[j].floor());
        rj.total_cmp(&ri).then(cells[i].cmp(&cells[j]))
    });
    for &i in order.iter().cycle().take(cells.len().max(1) * 2) {
        if left == 0 || cells.is_empty() {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    cells
        .iter()
        .copied()
        .zip(parts)
        .filter(|(_, p)| *p > 0)
        .collect()
}

/// Spreads `population` over `cells` in proportion to road length plus the floor.
fn spread(
    population: u64,
    cells: &[CellIndex],
    road_m: &HashMap<CellIndex, f64>,
    floor_m_per_km2: f64,
) -> Vec<(CellIndex, u64)> {
    let weights: Vec<f64> = cells
        .iter()
        .map(|c| road_m.get(c).copied().unwrap_or(0.0) + floor_m_per_km2 * c.area_km2())
        .collect();
    let sum: f64 = weights.iter().sum();
    let shares: Vec<f64> = if sum > 0.0 {
        weights.iter().map(|w| w / sum).collect()
    } else {
        vec![1.0 / cells.len() as f64; cells.len()]
    };
    largest_remainder(population, cells, &shares)
}

/// Builds the census grid: see the module documentation for the method.
///
/// `districts` must name regions exactly as [`CensusWard::district`] does (the dvhcvn district
/// file converted by [`crate::boundary::dvhcvn_to_geojson`] does, property `name`).
pub fn build_census_grid(
    wards: &[CensusWard],
    districts: &Regions,
    roads: &[RoadLine],
    options: &PrepareOptions,
) -> Result<CensusGrid, PopulationError> {
    let resolution = options.resolution;
    let floor_m_per_km2 = if options.floor_road_m_per_km2.is_finite() {
        options.floor_road_m_per_km2.max(0.0)
    } else {
        0.0
    };

    // Each ward's district, checked before any heavy work.
    let mut ward_district = Vec::with_capacity(wards.len());
    for ward in wards {
        let id = districts.find_by_name(&ward.district).ok_or_else(|| {
            PopulationError::UnknownDistrict {
                path: "census wards".into(),
                line: ward.line,
                ward: ward.name.clone(),
                district: ward.district.clone(),
            }
        })?;
        ward_district.push(id);
    }

    // Step 1: district cells; a cell already claimed by an earlier district stays there.
    let mut cells_of: Vec<Vec<CellIndex>> = vec![Vec::new(); districts.len()];
    let mut claimed: HashMap<CellIndex, RegionId> = HashMap::new();
    for (id, _) in districts.iter() {
        if !ward_district.contains(&id) {
            continue;
        }
        let mut cells = district_cells(districts, id, resolution)?;
        cells.retain(|c| *claimed.entry(*c).or_insert(id) == id);
        cells_of[id.index()] = cells;
    }
    let road_m = road_length_by_cell(roads, resolution);

    // Step 2: ward points (sites) per district, wards at one point sharing it.
    struct Site {
        point: (f64, f64),
        district: RegionId,
        cells: Vec<CellIndex>,
    }
    let mut sites: Vec<Site> = Vec::new();
    let mut site_of_ward: Vec<Option<usize>> = vec![None; wards.len()];
    let mut site_index: HashMap<(u32, u64, u64), usize> = HashMap::new();
    for (w, ward) in wards.iter().enumerate() {
        let Some(point) = ward.point else { continue };
        let district = ward_district[w];
        let key = (district.0, point.0.to_bits(), point.1.to_bits());
        let s = *site_index.entry(key).or_insert_with(|| {
            sites.push(Site {
                point,
                district,
                cells: Vec::new(),
            });
            sites.len() - 1
        });
        site_of_ward[w] = Some(s);
    }
    let mut sites_in: Vec<Vec<usize>> = vec![Vec::new(); districts.len()];
    for (s, site) in sites.iter().enumerate() {
        sites_in[site.district.index()].push(s);
    }
    for (d, cells) in cells_of.iter().enumerate() {
        if sites_in[d].is_empty() {
            continue;
        }
        for &cell in cells {
            let centre = cell_centre(cell);
            let nearest = sites_in[d].iter().copied().min_by(|&a, &b| {
                planar_distance2(centre, sites[a].point)
                    .total_cmp(&planar_distance2(centre, sites[b].point))
                    .then(a.cmp(&b))
            });
            if let Some(s) = nearest {
                sites[s].cells.push(cell);
            }
        }
    }
    let mut given_nearest = 0;
    for site in &mut sites {
        if site.cells.is_empty() {
            let cells = &cells_of[site.district.index()];
            if let Some(&cell) = cells.iter().min_by(|&&a, &&b| {
                planar_distance2(cell_centre(a), site.point)
                    .total_cmp(&planar_distance2(cell_centre(b), site.point))
            }) {
                site.cells.push(cell);
                given_nearest += 1;
            }
        }
    }

    // Steps 3 to 5: spread and round each ward.
    let mut allocations = Vec::with_capacity(wards.len());
    for (w, ward) in wards.iter().enumerate() {
        let (cells, spread_over_district) = match site_of_ward[w] {
            Some(s) => (&sites[s].cells, false),
            None => (&cells_of[ward_district[w].index()], true),
        };
        if cells.is_empty() && ward.population > 0 {
            return Err(PopulationError::WardWithoutCells {
                ward: ward.name.clone(),
                district: ward.district.clone(),
                population: ward.population,
            });
        }
        allocations.push(WardAllocation {
            ward: w,
            cells: spread(ward.population, cells, &road_m, floor_m_per_km2),
            spread_over_district,
        });
    }

    let mut totals: HashMap<CellIndex, u64> = HashMap::new();
    for allocation in &allocations {
        for &(cell, people) in &allocation.cells {
            *totals.entry(cell).or_insert(0) += people;
        }
    }
    let mut cells: Vec<PopulatedCell> = totals
        .into_iter()
        .filter(|(_, p)| *p > 0)
        .map(|(cell, p)| PopulatedCell {
            cell,
            population: p as f64,
        })
        .collect();
    cells.sort_unstable_by_key(|c| c.cell);

    let district_cell_count: usize = cells_of.iter().map(Vec::len).sum();
    let summary = PrepareSummary {
        total_population: wards.iter().map(|w| w.population).sum(),
        wards: wards.len(),
        wards_at_points: site_of_ward.iter().filter(|s| s.is_some()).count(),
        wards_spread_over_district: site_of_ward.iter().filter(|s| s.is_none()).count(),
        ward_points: sites.len(),
        ward_points_given_nearest_cell: given_nearest,
        district_cells: district_cell_count,
        populated_cells: cells.len(),
        cells_with_roads: cells_of
            .iter()
            .flatten()
            .filter(|c| road_m.contains_key(c))
            .count(),
        weighted_road_length_m: cells_of
            .iter()
            .flatten()
            .filter_map(|c| road_m.get(c))
            .sum(),
    };
    Ok(CensusGrid {
        grid: PopulationGrid { resolution, cells },
        wards: allocations,
        summary,
    })
}

/// Writes a grid as `h3,population` CSV sorted by cell (hex ids, as [`super::load_h3_csv`]
/// reads). Whole numbers are written without decimals, others rounded to 0.01.
pub fn write_h3_csv(grid: &PopulationGrid, path: &Path) -> Result<(), PopulationError> {
    let write_error = |source| PopulationError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut text = String::with_capacity(grid.len() * 24 + 16);
    text.push_str("h3,population\n");
    for c in grid {
        if c.population.fract() == 0.0 {
            text.push_str(&format!("{},{}\n", c.cell, c.population as u64));
        } else {
            text.push_str(&format!("{},{:.2}\n", c.cell, c.population));
        }
    }
    let mut file = std::fs::File::create(path).map_err(write_error)?;
    file.write_all(text.as_bytes()).map_err(write_error)?;
    Ok(())
}

/// The whole `prepare-population` step from files: census CSV + district GeoJSON (`name`
/// property) + road lines -> `h3,population` CSV. Returns the build summary.
pub fn prepare_population(
    census_csv: &Path,
    districts_geojson: &Path,
    roads: &[RoadLine],
    options: &PrepareOptions,
    output: &Path,
) -> Result<PrepareSummary, PopulationError> {
    let wards = read_census_wards(census_csv)?;
    let districts = Regions::from_geojson_file(districts_geojson, "name")?;
    let built = build_census_grid(&wards, &districts, roads, options).map_err(|e| match e {
        PopulationError::UnknownDistrict {
            line,
            ward,
            district,
            ..
        } => PopulationError::UnknownDistrict {
            path: census_csv.to_path_buf(),
            line,
            ward,
            district,
        },
        other => other,
    })?;
    write_h3_csv(&built.grid, output)?;
    Ok(built.summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::Region;
    use geo::{LineString, MultiPolygon, Polygon};
    use std::collections::BTreeMap;

    /// A 2 km x 2 km district with two ward points, west and east, and one residential street
    /// along the east half only:
    ///
    /// ```text
    ///   +-----------+-----------+
    ///   |           |  =======  |   ===  residential street
    ///   |   W *     |     * E   |
    ///   +-----------+-----------+
    /// ```
    fn sketch() -> (Vec<CensusWard>, Regions, Vec<RoadLine>) {
        let (x0, y0, dx, dy) = (105.80, 21.00, 0.0193, 0.018);
        let square = MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![
                (x0, y0),
                (x0 + dx, y0),
                (x0 + dx, y0 + dy),
                (x0, y0 + dy),
                (x0, y0),
            ]),
            vec![],
        )]);
        let districts = Regions::new(vec![Region::new(
            "Quận Thử".into(),
            BTreeMap::new(),
            square,
        )]);
        let ward = |name: &str, population, point| CensusWard {
            ward_id: name.into(),
            name: name.into(),
            district: "Quận Thử".into(),
            population,
            point,
            line: 0,
        };
        let wards = vec![
            ward("West", 10_000, Some((x0 + dx * 0.25, y0 + dy * 0.5))),
            ward("East", 20_001, Some((x0 + dx * 0.75, y0 + dy * 0.5))),
            ward("Merged", 999, None),
        ];
        let street = RoadLine {
            highway: "residential".into(),
            coords: vec![
                (x0 + dx * 0.6, y0 + dy * 0.7),
                (x0 + dx * 0.9, y0 + dy * 0.7),
            ],
        };
        (wards, districts, vec![street])
    }

    #[test]
    fn each_ward_keeps_its_census_count_and_roads_pull_people() {
        let (wards, districts, roads) = sketch();
        let built = build_census_grid(&wards, &districts, &roads, &PrepareOptions::default())
            .expect("builds");
        for (allocation, ward) in built.wards.iter().zip(&wards) {
            let sum: u64 = allocation.cells.iter().map(|(_, p)| p).sum();
            assert_eq!(sum, ward.population, "{}", ward.name);
        }
        assert_eq!(built.grid.total(), 31_000.0);
        built.grid.check_invariants().expect("invariants");

        // West has no road: uniform, so its largest and smallest cells differ by one person.
        let west = &built.wards[0].cells;
        let max = west.iter().map(|c| c.1).max().unwrap_or(0);
        let min = west.iter().map(|c| c.1).min().unwrap_or(0);
        assert!(max - min <= 1, "west is uniform: {min}..{max}");
        // East: cells crossed by the street hold far more people than the others, which keep
        // the floor.
        let road_m = road_length_by_cell(&roads, Resolution::Nine);
        let east = &built.wards[1].cells;
        let mean = |on: bool| {
            let picked: Vec<u64> = east
                .iter()
                .filter(|(c, _)| road_m.contains_key(c) == on)
                .map(|(_, p)| *p)
                .collect();
            picked.iter().sum::<u64>() as f64 / picked.len().max(1) as f64
        };
        assert!(
            mean(true) > 1.8 * mean(false),
            "on {} off {}",
            mean(true),
            mean(false)
        );
        assert!(
            east.iter().all(|(_, p)| *p > 0),
            "floor keeps every cell populated"
        );
        assert!(built.wards[2].spread_over_district);
    }

    #[test]
    fn largest_remainder_preserves_the_total_and_breaks_ties_by_cell() {
        let cells: Vec<CellIndex> = [(21.0, 105.8), (21.01, 105.8), (21.02, 105.8)]
            .iter()
            .map(|&(lat, lon)| {
                LatLng::new(lat, lon)
                    .expect("valid")
                    .to_cell(Resolution::Nine)
            })
            .collect();
        let mut sorted = cells.clone();
        sorted.sort_unstable();
        let parts = largest_remainder(10, &sorted, &[1.0 / 3.0; 3]);
        assert_eq!(parts.iter().map(|p| p.1).sum::<u64>(), 10);
        assert_eq!(parts[0], (sorted[0], 4));
        assert_eq!(largest_remainder(0, &sorted, &[1.0 / 3.0; 3]), vec![]);
    }

    proptest::proptest! {
        /// Rounding never loses or invents a person and never moves a cell by a whole person.
        #[test]
        fn largest_remainder_is_exact_and_within_one_of_the_share(
            total in 0u64..2_000_000,
            weights in proptest::collection::vec(0.0f64..1000.0, 1..40),
        ) {
            let sum: f64 = weights.iter().sum();
            let shares: Vec<f64> = if sum > 0.0 {
                weights.iter().map(|w| w / sum).collect()
            } else {
                vec![1.0 / weights.len() as f64; weights.len()]
            };
            let base = LatLng::new(21.0, 105.8).expect("valid").to_cell(Resolution::Nine);
            let mut cells: Vec<CellIndex> = base
                .grid_disk::<Vec<_>>(4)
                .into_iter()
                .take(weights.len())
                .collect();
            cells.sort_unstable();
            let parts = largest_remainder(total, &cells, &shares);
            proptest::prop_assert_eq!(parts.iter().map(|p| p.1).sum::<u64>(), total);
            for (cell, people) in parts {
                let i = cells.binary_search(&cell).expect("known cell");
                let exact = shares[i] * total as f64;
                proptest::prop_assert!((people as f64 - exact).abs() < 1.0 + 1e-6 * exact);
            }
        }
    }

    #[test]
    fn unknown_district_is_named() {
        let (mut wards, districts, roads) = sketch();
        wards[1].district = "Quận Không Có".into();
        let err = build_census_grid(&wards, &districts, &roads, &PrepareOptions::default())
            .expect_err("must fail");
        assert!(err.to_string().contains("Quận Không Có"), "{err}");
    }
}
