//! Placeholder for the scenario facade: the exact public names the server calls, with simple
//! bodies (straight-line distances, a fixed population grid) so the server can be built and
//! tested before the real engine lands.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::coverage::{
    CellResult, CellStatus, Combine, CoverageReport, CoverageSummary, RadiusKind, RegionStats,
};
use crate::graph::TravelMode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PointKind {
    HeadOffice,
    Branch,
    WardDesk,
    FlexiblePoint,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReceivingPoint {
    pub id: String,
    pub name: String,
    pub kind: PointKind,
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub opening_hours: String,
    #[serde(default)]
    pub approximate: bool,
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RuleSpec {
    pub max_minutes: f64,
    pub radius_km: f64,
    #[serde(default)]
    pub radius_kind: RadiusKind,
    #[serde(default)]
    pub combine: Combine,
}

impl Default for RuleSpec {
    fn default() -> Self {
        RuleSpec {
            max_minutes: 30.0,
            radius_km: 5.0,
            radius_kind: RadiusKind::Straight,
            combine: Combine::Or,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scenario {
    pub name: String,
    pub mode: TravelMode,
    pub rule: RuleSpec,
    pub points: Vec<ReceivingPoint>,
}

impl Scenario {
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.points.is_empty() {
            return Err(ScenarioError::Invalid(
                "a scenario needs at least one receiving point".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for p in &self.points {
            if !seen.insert(p.id.as_str()) {
                return Err(ScenarioError::Invalid(format!(
                    "point id {:?} appears twice",
                    p.id
                )));
            }
            if !(-180.0..=180.0).contains(&p.lon) || !(-90.0..=90.0).contains(&p.lat) {
                return Err(ScenarioError::Invalid(format!(
                    "point {:?} has coordinates out of range",
                    p.id
                )));
            }
        }
        if !(self.rule.max_minutes > 0.0 && self.rule.max_minutes <= 240.0) {
            return Err(ScenarioError::Invalid(
                "rule.max_minutes must be in (0, 240]".into(),
            ));
        }
        if !(self.rule.radius_km >= 0.0 && self.rule.radius_km <= 100.0) {
            return Err(ScenarioError::Invalid(
                "rule.radius_km must be in [0, 100]".into(),
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AreaMeta {
    pub name: String,
    pub title: String,
    pub title_vi: String,
    pub roads_vintage: String,
    pub bbox: [f64; 4],
    pub center: [f64; 2],
    pub attribution: String,
}

#[derive(Clone, Debug)]
pub struct Evaluation {
    pub report: CoverageReport,
    pub timings_ms: BTreeMap<String, f64>,
    pub points_by_kind: BTreeMap<String, usize>,
    pub off_network_points: Vec<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NearestResult {
    pub point: ReceivingPoint,
    pub travel_s: f64,
    pub distance_m: f64,
    pub open_now: Option<bool>,
    pub route: Vec<[f64; 2]>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NearestAnswer {
    pub origin: [f64; 2],
    pub snap_distance_m: f64,
    #[schema(value_type = String)]
    pub mode: TravelMode,
    pub results: Vec<NearestResult>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Place {
    pub name: String,
    pub kind: String,
    pub lon: f64,
    pub lat: f64,
    pub bbox: Option<[f64; 4]>,
}

pub struct PlacementRequest {
    pub model: String,
    pub add: usize,
    pub consolidate: bool,
    pub keep: Option<usize>,
    pub seed: u64,
    pub time_limit_s: f64,
    pub solver: Solver,
}

/// Which solver runs (lives in `optimise` in the real engine).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Solver {
    Heuristic,
    Exact,
    #[default]
    Auto,
}

impl Default for PlacementRequest {
    fn default() -> Self {
        PlacementRequest {
            model: "mclp".into(),
            add: 5,
            consolidate: false,
            keep: None,
            seed: 0,
            time_limit_s: 20.0,
            solver: Solver::Heuristic,
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SuggestedPoint {
    pub point: ReceivingPoint,
    pub adds_population: f64,
    pub explanation: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlacementPlan {
    pub added: Vec<SuggestedPoint>,
    pub removed: Vec<String>,
    pub covered_before: f64,
    pub covered_after: f64,
    pub objective: f64,
    pub gap: Option<f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("unknown study area {0:?}: expected hanoi-urban or hanoi-central")]
    UnknownArea(String),
    #[error("invalid scenario: {0}")]
    Invalid(String),
    #[error("the placement run was cancelled")]
    Cancelled,
}

impl ScenarioError {
    pub fn is_user_error(&self) -> bool {
        !matches!(self, ScenarioError::Cancelled)
    }
}

pub struct StudyArea {
    meta: AreaMeta,
    points: Vec<ReceivingPoint>,
    ward_names: Vec<String>,
    roads: serde_json::Value,
    wards: serde_json::Value,
}

pub struct AreaOptions {
    pub data_dir: PathBuf,
    pub cache_dir: Option<PathBuf>,
    pub peak: bool,
}

impl Default for AreaOptions {
    fn default() -> Self {
        AreaOptions {
            data_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
            cache_dir: None,
            peak: false,
        }
    }
}

fn point(id: &str, name: &str, kind: PointKind, lon: f64, lat: f64) -> ReceivingPoint {
    ReceivingPoint {
        id: id.into(),
        name: name.into(),
        kind,
        lon,
        lat,
        opening_hours: "Mo-Fr 08:00-17:00; Sa 08:00-12:00".into(),
        approximate: true,
        address: None,
    }
}

fn straight_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let dla = la2 - la1;
    let dlo = (b[0] - a[0]).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

fn speed_m_s(mode: TravelMode) -> f64 {
    match mode {
        TravelMode::Motorbike => 7.0,
        TravelMode::Car => 6.0,
        TravelMode::Bicycle => 3.5,
        TravelMode::Walk => 1.3,
    }
}

impl StudyArea {
    pub fn open(name: &str, _opts: &AreaOptions) -> Result<StudyArea, ScenarioError> {
        let title = match name {
            "hanoi-urban" => "Urban Hanoi (roads of 2017)",
            "hanoi-central" => "Central Hanoi (roads of 2025)",
            other => return Err(ScenarioError::UnknownArea(other.into())),
        };
        Ok(StudyArea {
            meta: AreaMeta {
                name: name.into(),
                title: title.into(),
                title_vi: title.into(),
                roads_vintage: if name == "hanoi-urban" {
                    "2017"
                } else {
                    "2025"
                }
                .into(),
                bbox: [105.75, 20.95, 105.90, 21.08],
                center: [105.83, 21.02],
                attribution: "© OpenStreetMap contributors, ODbL 1.0".into(),
            },
            points: vec![
                point(
                    "head_office",
                    "Head office",
                    PointKind::HeadOffice,
                    105.8365,
                    21.0560,
                ),
                point(
                    "desk_hoan_kiem",
                    "Hoàn Kiếm ward desk",
                    PointKind::WardDesk,
                    105.8522,
                    21.0287,
                ),
                point(
                    "desk_cau_giay",
                    "Cầu Giấy ward desk",
                    PointKind::WardDesk,
                    105.7982,
                    21.0330,
                ),
                point(
                    "desk_dong_da",
                    "Đống Đa ward desk",
                    PointKind::WardDesk,
                    105.8270,
                    21.0140,
                ),
                point(
                    "branch_thanh_xuan",
                    "Thanh Xuân branch",
                    PointKind::Branch,
                    105.8140,
                    20.9940,
                ),
            ],
            ward_names: (0..6).map(|w| format!("Ward {w}")).collect(),
            roads: json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[105.80, 21.02], [105.85, 21.03]]}, "properties": {"class": "major", "name": "Placeholder road"}}
            ]}),
            wards: json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[105.80, 21.00], [105.85, 21.00], [105.85, 21.05], [105.80, 21.05], [105.80, 21.00]]]}, "properties": {"name": "Placeholder ward"}}
            ]}),
        })
    }

    pub fn available_areas(_data_dir: &Path) -> Vec<String> {
        vec!["hanoi-urban".into(), "hanoi-central".into()]
    }

    pub fn meta(&self) -> &AreaMeta {
        &self.meta
    }

    pub fn baseline(&self) -> Scenario {
        Scenario {
            name: "baseline".into(),
            mode: TravelMode::Motorbike,
            rule: RuleSpec::default(),
            points: self.points.clone(),
        }
    }

    pub fn evaluate(&self, s: &Scenario) -> Result<Evaluation, ScenarioError> {
        s.validate()?;
        let res = h3o::Resolution::Eight;
        let mut cells = Vec::new();
        for i in 0..6 {
            for j in 0..6 {
                let lon = 105.76 + 0.022 * i as f64;
                let lat = 20.96 + 0.02 * j as f64;
                let Ok(ll) = h3o::LatLng::new(lat, lon) else {
                    continue;
                };
                let (nearest, d) = s
                    .points
                    .iter()
                    .enumerate()
                    .map(|(k, p)| (k, straight_m([lon, lat], [p.lon, p.lat])))
                    .fold((0, f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a });
                let travel_s = d * 1.3 / speed_m_s(s.mode);
                let by_time = travel_s <= s.rule.max_minutes * 60.0;
                let by_radius = d <= s.rule.radius_km * 1000.0;
                let covered = match s.rule.combine {
                    Combine::Or => by_time || by_radius,
                    Combine::And => by_time && by_radius,
                };
                cells.push(CellResult {
                    cell: ll.to_cell(res),
                    population: 1000.0 + 100.0 * (i * j) as f64,
                    travel_s: Some(travel_s),
                    network_m: Some(d * 1.3),
                    straight_m: d,
                    nearest_point: Some(nearest),
                    by_time,
                    by_radius,
                    status: if covered {
                        CellStatus::Covered
                    } else {
                        CellStatus::Uncovered
                    },
                    ward: Some(i),
                    district: Some(i / 3),
                });
            }
        }
        let total: f64 = cells.iter().map(|c| c.population).sum();
        let covered: f64 = cells
            .iter()
            .filter(|c| c.status == CellStatus::Covered)
            .map(|c| c.population)
            .sum();
        let mean = cells
            .iter()
            .filter_map(|c| c.travel_s.map(|t| t * c.population))
            .sum::<f64>()
            / total;
        let region = |name: String, sel: &dyn Fn(&CellResult) -> bool| {
            let pop: f64 = cells.iter().filter(|c| sel(c)).map(|c| c.population).sum();
            let cov: f64 = cells
                .iter()
                .filter(|c| sel(c) && c.status == CellStatus::Covered)
                .map(|c| c.population)
                .sum();
            RegionStats {
                name,
                population: pop,
                covered: cov,
                uncovered: pop - cov,
                no_road_data: 0.0,
                covered_share: if pop > 0.0 { cov / pop } else { 0.0 },
                mean_travel_s: mean,
            }
        };
        let mut wards: Vec<_> = (0..6)
            .map(|w| region(format!("Ward {w}"), &|c| c.ward == Some(w)))
            .collect();
        wards.sort_by(|a, b| a.covered_share.total_cmp(&b.covered_share));
        let mut districts: Vec<_> = (0..2)
            .map(|d| region(format!("District {d}"), &|c| c.district == Some(d)))
            .collect();
        districts.sort_by(|a, b| a.covered_share.total_cmp(&b.covered_share));
        let mut points_by_kind = BTreeMap::new();
        for p in &s.points {
            let key = serde_json::to_value(p.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            *points_by_kind.entry(key).or_insert(0) += 1;
        }
        Ok(Evaluation {
            report: CoverageReport {
                summary: CoverageSummary {
                    population_total: total,
                    population_covered: covered,
                    population_uncovered: total - covered,
                    population_no_road_data: 0.0,
                    uncovered_by_time: 0.0,
                    uncovered_by_radius: 0.0,
                    uncovered_by_both: 0.0,
                    covered_share: covered / total,
                    mean_travel_s: mean,
                    p95_travel_s: mean * 1.5,
                    cells: cells.len(),
                },
                cells,
                wards,
                districts,
            },
            timings_ms: BTreeMap::from([("evaluate".to_string(), 0.1)]),
            points_by_kind,
            off_network_points: Vec::new(),
        })
    }

    pub fn nearest(
        &self,
        lon: f64,
        lat: f64,
        mode: TravelMode,
        k: usize,
        points: &[ReceivingPoint],
    ) -> Result<NearestAnswer, ScenarioError> {
        let mut results: Vec<NearestResult> = points
            .iter()
            .map(|p| {
                let d = straight_m([lon, lat], [p.lon, p.lat]);
                NearestResult {
                    point: p.clone(),
                    travel_s: d / speed_m_s(mode),
                    distance_m: d,
                    open_now: None,
                    route: vec![[lon, lat], [p.lon, p.lat]],
                }
            })
            .collect();
        results.sort_by(|a, b| a.travel_s.total_cmp(&b.travel_s));
        results.truncate(k);
        Ok(NearestAnswer {
            origin: [lon, lat],
            snap_distance_m: 0.0,
            mode,
            results,
        })
    }

    pub fn isochrones_geojson(
        &self,
        s: &Scenario,
        minutes: &[u32],
        _per_point: bool,
    ) -> Result<serde_json::Value, ScenarioError> {
        s.validate()?;
        let features: Vec<_> = minutes
            .iter()
            .map(|&m| {
                let r = m as f64 * 60.0 * speed_m_s(s.mode) / 111_000.0;
                let polys: Vec<_> = s
                    .points
                    .iter()
                    .map(|p| vec![vec![[p.lon - r, p.lat - r], [p.lon + r, p.lat - r], [p.lon + r, p.lat + r], [p.lon - r, p.lat + r], [p.lon - r, p.lat - r]]])
                    .collect();
                json!({"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": polys}, "properties": {"minutes": m, "point_id": "all"}})
            })
            .collect();
        Ok(json!({"type": "FeatureCollection", "features": features}))
    }

    pub fn search(&self, q: &str, limit: usize) -> Vec<Place> {
        let q = q.to_lowercase();
        self.points
            .iter()
            .filter(|p| p.name.to_lowercase().contains(&q))
            .take(limit)
            .map(|p| Place {
                name: p.name.clone(),
                kind: "point".into(),
                lon: p.lon,
                lat: p.lat,
                bbox: None,
            })
            .collect()
    }

    pub fn basemap_roads(&self) -> &serde_json::Value {
        &self.roads
    }

    pub fn basemap_wards(&self) -> &serde_json::Value {
        &self.wards
    }

    pub fn ward_names(&self) -> &[String] {
        &self.ward_names
    }

    pub fn suggest(
        &self,
        s: &Scenario,
        req: &PlacementRequest,
        progress: &(dyn Fn(f64, &str) + Sync),
        cancel: &AtomicBool,
    ) -> Result<PlacementPlan, ScenarioError> {
        s.validate()?;
        let steps = 10;
        for i in 0..steps {
            if cancel.load(Ordering::Relaxed) {
                return Err(ScenarioError::Cancelled);
            }
            progress(i as f64 / steps as f64, "searching candidate sites");
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
        let added = (0..req.add)
            .map(|i| SuggestedPoint {
                point: point(
                    &format!("new_{i}"),
                    &format!("New point {i}"),
                    PointKind::Branch,
                    105.78 + 0.01 * i as f64,
                    21.0,
                ),
                adds_population: 1000.0,
                explanation: "covers people now beyond 30 minutes".into(),
            })
            .collect();
        progress(1.0, "done");
        Ok(PlacementPlan {
            added,
            removed: vec![],
            covered_before: 0.8,
            covered_after: 0.9,
            objective: 1.0,
            gap: Some(0.0),
        })
    }
}
