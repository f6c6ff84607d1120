//! A loaded study area and the questions asked of it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use h3o::Resolution;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::point::read_points;
use super::search::{Place, SearchIndex};
use super::{
    IsochroneRequest, NearestRequest, ReceivingPoint, Scenario, ScenarioError, SearchRequest, hours,
};
use crate::boundary::Regions;
use crate::coverage::{CellInput, CoverageReport, PreparedCells};
use crate::graph::{RoadGraph, SnapIndex, SpeedProfile, TravelMode, cache};
use crate::ingest::OsmData;
use crate::routing::{self, Attachment, Direction, Metric, isochrone, nearest};

/// The manifest `data/areas/<name>/area.toml`. Paths are relative to it.
#[derive(Clone, Debug, Deserialize)]
struct Manifest {
    name: String,
    title: String,
    title_vi: String,
    roads: PathBuf,
    roads_vintage: String,
    roads_note: String,
    /// The area's own points file ...
    receiving_points: Option<PathBuf>,
    /// ... or a shipped point set by name.
    point_set: Option<String>,
    population: PathBuf,
    /// What the population file holds: "Hanoi, 2019 census".
    population_scope: String,
    population_scope_vi: String,
    wards: PathBuf,
    districts: PathBuf,
    /// The study extent as a box (west, south, east, north) ...
    extent: Option<[f64; 4]>,
    /// ... or as the polygons of a boundary file (the province outline).
    outline: Option<PathBuf>,
}

/// What a user sees about the area: its name, age of its roads, where it is, whose data it is.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AreaMeta {
    pub name: String,
    pub title: String,
    pub title_vi: String,
    pub roads_vintage: String,
    pub roads_note: String,
    pub bbox: [f64; 4],
    pub center: [f64; 2],
    pub attribution: String,
    /// The study extent is an outline (the province) rather than a box.
    pub extent_is_outline: bool,
    /// What the population figures are of: "Hanoi, 2019 census".
    pub population_scope: String,
    pub population_scope_vi: String,
    /// Everyone in the population file.
    pub population_in_file: f64,
    /// Of them, the people in populated cells inside the study extent: what every figure is of.
    pub population_in_study_area: f64,
    /// The people of the file outside the study extent, left out of every figure.
    pub population_outside_extent: f64,
    /// "in the study area: 4,001,563 of the 8,053,663 residents of Hanoi, 2019 census".
    pub scope: String,
    pub scope_vi: String,
    /// Where the receiving points come from: a shipped set's name or a file.
    pub points_source: String,
}

/// The OpenStreetMap attribution every output carries (ODbL 1.0 requires it).
pub const OSM_ATTRIBUTION: &str =
    "© OpenStreetMap contributors, ODbL 1.0 (openstreetmap.org/copyright)";

/// How to open an area: where data lives and which parts a user replaced with their own files.
#[derive(Clone, Debug)]
pub struct AreaOptions {
    pub data_dir: PathBuf,
    /// Where built road graphs are cached; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// Evaluate at the weekday morning peak ([`super::request::PEAK_AT`]) when a question
    /// names no time: the speed band of that moment, on the one graph of each mode.
    pub peak: bool,
    /// H3 resolution of the population grid (9 by default: cells of about 0.1 km²).
    pub resolution: Resolution,
    pub roads: Option<PathBuf>,
    pub population: Option<PathBuf>,
    pub points: Option<PathBuf>,
    /// A shipped point set (`data/point_sets/<name>.csv`, names joined by commas for several)
    /// instead of the area's own points; not together with `points`.
    pub point_set: Option<String>,
    pub wards: Option<PathBuf>,
    pub districts: Option<PathBuf>,
    pub profiles_dir: Option<PathBuf>,
    /// Receiving points taken from OpenStreetMap's tagged offices.
    pub osm_points: Option<super::OsmPointsRequest>,
    /// The OSM file [`StudyArea::osm_offices`] searches, in any form the roads are read in;
    /// `None` searches the roads file. The shipped roads are highway extracts that map no
    /// offices, so a server given a full extract of the offices names it here.
    pub offices_osm: Option<PathBuf>,
}

impl Default for AreaOptions {
    fn default() -> Self {
        AreaOptions {
            data_dir: super::default_data_dir(),
            cache_dir: default_cache_dir(),
            peak: false,
            resolution: Resolution::Nine,
            roads: None,
            population: None,
            points: None,
            point_set: None,
            wards: None,
            districts: None,
            profiles_dir: None,
            osm_points: None,
            offices_osm: None,
        }
    }
}

/// `$XDG_CACHE_HOME/motcua`, else `~/.cache/motcua`.
pub fn default_cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|d| d.join("motcua"))
}

/// The road graph of one travel mode with everything evaluations reuse.
pub struct ModeNetwork {
    pub graph: RoadGraph,
    pub index: SnapIndex,
    pub profile: SpeedProfile,
    pub cells: PreparedCells,
    pub cache: cache::CacheStatus,
    pub build_ms: f64,
}

impl ModeNetwork {
    /// Attaches a place to this mode's roads, or `None` beyond `max_snap_m`.
    pub fn attach(&self, lon: f64, lat: f64, max_snap_m: f64) -> Option<Attachment> {
        Attachment::new(
            &self.graph,
            &self.index,
            lon,
            lat,
            self.profile.access_speed_kmh(),
            max_snap_m,
        )
    }

    /// Attaches receiving points with the limit beyond which they count for the radius only.
    pub fn attach_points(&self, points: &[ReceivingPoint]) -> Vec<Option<Attachment>> {
        points
            .iter()
            .map(|p| self.attach(p.lon, p.lat, crate::coverage::DEFAULT_MAX_SNAP_M))
            .collect()
    }
}

/// A coverage evaluation with what the reports print beside it.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub report: CoverageReport,
    pub timings_ms: BTreeMap<String, f64>,
    pub points_by_kind: BTreeMap<String, usize>,
    /// Receiving points farther than the snapping limit from any usable road: they count for
    /// the radius only.
    pub off_network_points: Vec<String>,
    /// Catchments, load, queues and fairness, when asked for ([`StudyArea::evaluate_service`]).
    pub service: Option<crate::coverage::ServiceReport>,
    /// Coverage within the rule and the points' capacities, with `service`.
    pub capacity: Option<super::CapacityCoverage>,
}

/// Points whose isochrones are drawn together: id, name and the attached points.
type IsochroneGroup<'a> = (String, String, Vec<(usize, &'a Attachment)>);

/// One receiving point reached from a citizen's position.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NearestResult {
    pub point: ReceivingPoint,
    pub travel_s: f64,
    pub distance_m: f64,
    /// Open on arrival, leaving now or at the request's time (Hanoi time); null when the hours
    /// are unknown.
    pub open_now: Option<bool>,
    /// When it next opens (Hanoi time, `2026-12-14T08:00`; now when open), within eight days;
    /// null when the hours are unknown or it stays closed that long.
    pub next_open: Option<String>,
    /// The route, (lon, lat) pairs from the citizen to the point.
    pub route: Vec<[f64; 2]>,
}

/// The answer to "where is my nearest receiving point?".
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NearestAnswer {
    pub origin: [f64; 2],
    pub snap_distance_m: f64,
    #[schema(value_type = String)]
    pub mode: TravelMode,
    pub results: Vec<NearestResult>,
}

/// One phase of the reorganisation, evaluated.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PhaseResult {
    pub phase: super::DecisionPhase,
    pub points: usize,
    pub points_by_kind: BTreeMap<String, usize>,
    pub summary: crate::coverage::CoverageSummary,
}

/// One loaded study area.
pub struct StudyArea {
    meta: AreaMeta,
    roads_path: PathBuf,
    points: Vec<ReceivingPoint>,
    osm_points: Option<super::OsmPointsSummary>,
    cells: Vec<CellInput>,
    ward_names: Vec<String>,
    district_names: Vec<String>,
    /// Per ward (by index): the study extent leaves some of its populated cells out.
    ward_cut_by_extent: Vec<bool>,
    district_cut_by_extent: Vec<bool>,
    extent: super::StudyExtent,
    /// Where the roads file has roads: the convex hull of its road nodes (`None` without any).
    road_data: Option<geo::Polygon>,
    /// The shipped point sets present in the data directory, in the Decision's order.
    point_sets: Vec<super::PointSetInfo>,
    /// Their points, read on first use and kept: the scenario list asks for them often.
    point_set_points: Mutex<HashMap<String, Arc<Vec<ReceivingPoint>>>>,
    /// The offices found per tag list asked ([`StudyArea::osm_offices`]), kept: reading a
    /// whole-city extract takes seconds, and planners ask the same list again.
    osm_places: Mutex<HashMap<String, Arc<super::osm_points::FoundPlaces>>>,
    wards_geojson: Value,
    /// The former districts touching the study extent, for the district table's GeoJSON.
    districts_geojson: Value,
    roads_geojson: Value,
    search: SearchIndex,
    options: AreaOptions,
    /// One slot per travel mode, filled on first use by one build however many ask at once.
    networks: HashMap<TravelMode, NetworkSlot>,
    /// Road graphs built or read from the cache so far (each mode once).
    network_builds: AtomicUsize,
    load_ms: f64,
}

/// A mode's network once built, and the lock its one builder holds meanwhile, so concurrent
/// first requests wait for that build instead of each building the graph again.
#[derive(Default)]
struct NetworkSlot {
    ready: OnceLock<Arc<ModeNetwork>>,
    building: Mutex<()>,
}

/// Citizens further than this from any road are told they are outside the area.
const MAX_CITIZEN_SNAP_M: f64 = 1_000.0;

impl StudyArea {
    /// Names of the areas under `data_dir/areas`.
    pub fn available_areas(data_dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(data_dir.join("areas"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().join("area.toml").is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        names.sort();
        names
    }

    /// Loads the area called `name` (its manifest under `data_dir/areas/<name>/area.toml`),
    /// with the user's own files taking the place of the parts they name.
    pub fn open(name: &str, options: &AreaOptions) -> Result<StudyArea, ScenarioError> {
        let started = Instant::now();
        let dir = options.data_dir.join("areas").join(name);
        let manifest_path = dir.join("area.toml");
        if !manifest_path.is_file() {
            let available = Self::available_areas(&options.data_dir);
            if available.is_empty() {
                return Err(ScenarioError::NoAreas {
                    data_dir: options.data_dir.display().to_string(),
                });
            }
            return Err(ScenarioError::UnknownArea {
                name: name.to_string(),
                available,
            });
        }
        let text = crate::text::read_text(&manifest_path).map_err(|source| ScenarioError::Io {
            path: manifest_path.display().to_string(),
            source,
        })?;
        let manifest: Manifest = toml::from_str(&text).map_err(|e| ScenarioError::Manifest {
            path: manifest_path.display().to_string(),
            message: e.to_string(),
        })?;
        let pick = |own: &Option<PathBuf>, embedded: &Path| {
            own.clone().unwrap_or_else(|| dir.join(embedded))
        };
        let roads_path = pick(&options.roads, &manifest.roads);

        let osm_request = options.osm_points.as_ref();
        let (osm, osm_found) = super::osm_points::read_roads(&roads_path, osm_request)?;
        let extent = match (&manifest.outline, manifest.extent) {
            (Some(outline), _) => super::StudyExtent::outline(&dir.join(outline))?,
            // With the user's own roads, a box extent becomes where those roads are; an outline
            // stays (the whole city is asked about, whatever the roads cover).
            (None, Some(b)) => match (&options.roads, osm.bbox()) {
                (Some(_), Some(own)) => super::StudyExtent::Box(own),
                _ => super::StudyExtent::Box(b),
            },
            (None, None) => {
                return Err(ScenarioError::Manifest {
                    path: manifest_path.display().to_string(),
                    message: "give the study extent as `extent = [west, south, east, north]` or `outline = \"FILE.geojson\"`".into(),
                });
            }
        };
        let (points, points_source) = match (&options.points, &options.point_set) {
            (Some(_), Some(_)) => {
                return Err(ScenarioError::InvalidRequest(
                    "give your own points file or a shipped point set, not both".into(),
                ));
            }
            (Some(file), None) => (read_points(file)?, file.display().to_string()),
            (None, Some(set)) => (
                super::load_point_set(&options.data_dir, set)?,
                format!("point set {set}"),
            ),
            (None, None) => match (&manifest.receiving_points, &manifest.point_set) {
                (Some(file), _) => {
                    let file = dir.join(file);
                    (
                        read_points(&file)?,
                        relative_to_data(&file, &options.data_dir),
                    )
                }
                (None, Some(set)) => (
                    super::load_point_set(&options.data_dir, set)?,
                    format!("point set {set}"),
                ),
                (None, None) => {
                    return Err(ScenarioError::Manifest {
                        path: manifest_path.display().to_string(),
                        message: "name the receiving points: `receiving_points = \"FILE.csv\"` or `point_set = \"NAME\"`".into(),
                    });
                }
            },
        };
        let (points, osm_points) = super::osm_points::combine(points, osm_found, osm_request)?;
        let grid = crate::population::load_population(
            &pick(&options.population, &manifest.population),
            options.resolution,
        )?;
        let wards = Regions::from_geojson_file(&pick(&options.wards, &manifest.wards), "name")?;
        let districts =
            Regions::from_geojson_file(&pick(&options.districts, &manifest.districts), "name")?;

        let mut ward_cut_by_extent = vec![false; wards.len()];
        let mut district_cut_by_extent = vec![false; districts.len()];
        let mut population_in_file = 0.0;
        let mut population_outside_extent = 0.0;
        let mut cells: Vec<CellInput> = Vec::with_capacity(grid.cells.len());
        for c in &grid.cells {
            let ll = h3o::LatLng::from(c.cell);
            let (lon, lat) = (ll.lng(), ll.lat());
            let ward = wards.locate(lon, lat).map(|r| r.index());
            let district = districts.locate(lon, lat).map(|r| r.index());
            population_in_file += c.population;
            if extent.contains(lon, lat) {
                cells.push(CellInput {
                    cell: c.cell,
                    population: c.population,
                    lon,
                    lat,
                    ward,
                    district,
                });
            } else {
                population_outside_extent += c.population;
                if let Some(w) = ward {
                    ward_cut_by_extent[w] = true;
                }
                if let Some(d) = district {
                    district_cut_by_extent[d] = true;
                }
            }
        }
        let bbox = extent.bbox();
        if cells.is_empty() {
            return Err(ScenarioError::InvalidRequest(format!(
                "no populated cell lies inside the study extent {bbox:?} ({} people of the population file lie outside it); does the population file cover the roads?",
                super::group_thousands(population_outside_extent.round() as i64)
            )));
        }
        if population_outside_extent > 0.0 {
            tracing::info!(
                "{} people of the population file lie outside the study extent of {} and are left out",
                super::group_thousands(population_outside_extent.round() as i64),
                manifest.name
            );
        }
        let ward_names: Vec<String> = wards.names().map(str::to_string).collect();
        let district_names: Vec<String> = districts.names().map(str::to_string).collect();
        let wards_geojson = regions_geojson_within(&wards, bbox, &ward_cut_by_extent);
        let districts_geojson = regions_geojson_within(&districts, bbox, &district_cut_by_extent);
        let search = SearchIndex::new(&osm, &wards, &districts, &points);
        let roads_geojson = basemap_roads(&osm);
        let road_data = super::extent::road_data_outline(&osm);
        let present = super::available_point_sets(&options.data_dir);
        let point_sets = super::shipped_point_sets()
            .into_iter()
            .filter(|s| present.contains(&s.name))
            .collect();
        let population_in_study_area: f64 = cells.iter().map(|c| c.population).sum();
        let people = |x: f64| super::group_thousands(x.round() as i64);
        let (scope, scope_vi) = if population_outside_extent > 0.0 {
            (
                format!(
                    "in the study area: {} of the {} residents of {}",
                    people(population_in_study_area),
                    people(population_in_file),
                    manifest.population_scope
                ),
                format!(
                    "trong vùng nghiên cứu: {} trên {} người dân của {}",
                    super::vi_thousands(population_in_study_area),
                    super::vi_thousands(population_in_file),
                    manifest.population_scope_vi
                ),
            )
        } else {
            (
                format!(
                    "in the study area: all {} residents of {}",
                    people(population_in_study_area),
                    manifest.population_scope
                ),
                format!(
                    "trong vùng nghiên cứu: toàn bộ {} người dân của {}",
                    super::vi_thousands(population_in_study_area),
                    manifest.population_scope_vi
                ),
            )
        };
        let meta = AreaMeta {
            name: manifest.name,
            title: manifest.title,
            title_vi: manifest.title_vi,
            roads_vintage: manifest.roads_vintage,
            roads_note: manifest.roads_note,
            bbox,
            center: [(bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0],
            attribution: OSM_ATTRIBUTION.to_string(),
            extent_is_outline: matches!(extent, super::StudyExtent::Outline { .. }),
            population_scope: manifest.population_scope,
            population_scope_vi: manifest.population_scope_vi,
            population_in_file,
            population_in_study_area,
            population_outside_extent,
            scope,
            scope_vi,
            points_source,
        };
        Ok(StudyArea {
            meta,
            roads_path,
            points,
            osm_points,
            cells,
            ward_names,
            district_names,
            ward_cut_by_extent,
            district_cut_by_extent,
            extent,
            road_data,
            point_sets,
            point_set_points: Mutex::new(HashMap::new()),
            osm_places: Mutex::new(HashMap::new()),
            wards_geojson,
            districts_geojson,
            roads_geojson,
            search,
            options: options.clone(),
            networks: TravelMode::ALL
                .iter()
                .map(|&mode| (mode, NetworkSlot::default()))
                .collect(),
            network_builds: AtomicUsize::new(0),
            load_ms: started.elapsed().as_secs_f64() * 1e3,
        })
    }

    pub fn meta(&self) -> &AreaMeta {
        &self.meta
    }

    /// Time spent opening the area, in milliseconds.
    pub fn load_ms(&self) -> f64 {
        self.load_ms
    }

    pub fn points(&self) -> &[ReceivingPoint] {
        &self.points
    }

    /// What `--points-from-osm` took from OpenStreetMap, when it was asked.
    pub fn osm_points(&self) -> Option<&super::OsmPointsSummary> {
        self.osm_points.as_ref()
    }

    /// The file [`StudyArea::osm_offices`] searches: [`AreaOptions::offices_osm`], else the
    /// roads file.
    pub fn offices_osm_path(&self) -> &Path {
        self.options
            .offices_osm
            .as_deref()
            .unwrap_or(self.roads_path.as_path())
    }

    /// The offices OpenStreetMap maps, as the points of a draft scenario: alone, or moving the
    /// area's approximate points to them ([`super::OsmOfficesRequest::replace_within_m`]),
    /// through the same steps as `--points-from-osm`. The file is read once per tag list and
    /// the places kept; a tag list matching nothing is [`ScenarioError::NoOsmPoints`].
    pub fn osm_offices(
        &self,
        request: &super::OsmOfficesRequest,
    ) -> Result<super::OsmOffices, ScenarioError> {
        /// Tag lists whose places are kept; past it the kept ones are dropped, so a stream of
        /// different lists cannot grow memory without bound.
        const KEPT_TAG_LISTS: usize = 16;
        let request = request.validate()?;
        let key = request.tags.to_string();
        let cached = self
            .osm_places
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned();
        let found = match cached {
            Some(found) => found,
            None => {
                let found = Arc::new(super::osm_points::read_places(
                    self.offices_osm_path(),
                    &request.tags,
                )?);
                let mut kept = self.osm_places.lock().unwrap_or_else(|p| p.into_inner());
                if kept.len() >= KEPT_TAG_LISTS {
                    kept.clear();
                }
                kept.insert(key, Arc::clone(&found));
                found
            }
        };
        let (source, features) = (found.0.clone(), &found.1);
        let (points, summary) =
            super::osm_points::combine_found(&self.points, source, features, &request)?;
        Ok(super::OsmOffices { points, summary })
    }

    pub fn ward_names(&self) -> &[String] {
        &self.ward_names
    }

    /// Where new points go and which desks may close, on this area's roads and people.
    pub fn placement(&self) -> super::Placement<'_> {
        super::Placement::new(self)
    }

    pub fn district_names(&self) -> &[String] {
        &self.district_names
    }

    /// The population cells inside the study extent.
    pub fn cells(&self) -> &[CellInput] {
        &self.cells
    }

    /// The area as it is today: its receiving points, the Centre's rule, by motorbike.
    pub fn baseline(&self) -> Scenario {
        Scenario {
            name: "baseline".into(),
            mode: super::DEFAULT_MODE,
            rule: super::RuleSpec::default(),
            points: self.points.clone(),
        }
    }

    /// The road graph of `mode`, built (or read from the cache) on first use.
    pub fn network(&self, mode: TravelMode) -> Result<Arc<ModeNetwork>, ScenarioError> {
        let slot = &self.networks[&mode];
        if let Some(n) = slot.ready.get() {
            return Ok(n.clone());
        }
        // A panic in an earlier build leaves nothing half-made behind the lock: keep using it.
        let _building = slot.building.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = slot.ready.get() {
            return Ok(n.clone());
        }
        self.network_builds.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let profile = self.profile(mode)?;
        let (graph, status) = cache::load_or_build(
            &self.roads_path,
            &profile,
            self.options.cache_dir.as_deref(),
        )?;
        let index = SnapIndex::new(&graph);
        let cells = PreparedCells::new(
            &graph,
            &index,
            self.cells.clone(),
            self.ward_names.clone(),
            self.district_names.clone(),
            profile.access_speed_kmh(),
            crate::coverage::DEFAULT_MAX_SNAP_M,
        );
        let network = Arc::new(ModeNetwork {
            graph,
            index,
            profile,
            cells,
            cache: status,
            build_ms: started.elapsed().as_secs_f64() * 1e3,
        });
        Ok(slot.ready.get_or_init(|| network).clone())
    }

    /// The speed profile of `mode`: the area's profiles folder's, else the embedded one.
    pub fn profile(&self, mode: TravelMode) -> Result<SpeedProfile, ScenarioError> {
        Ok(match &self.options.profiles_dir {
            Some(dir) => SpeedProfile::load(&dir.join(format!("{mode}.toml")))?,
            None => SpeedProfile::embedded(mode),
        })
    }

    /// How many road graphs this area has built or read from the cache: one per mode used.
    pub fn network_builds(&self) -> usize {
        self.network_builds.load(Ordering::Relaxed)
    }

    /// Who is served under the scenario's rule, cell by cell and summed.
    pub fn evaluate(&self, scenario: &Scenario) -> Result<Evaluation, ScenarioError> {
        scenario.validate()?;
        let network = self.network(scenario.mode)?;
        let rule = scenario.rule.to_rule();
        let locations = super::locations(&scenario.points);
        let report = network.cells.evaluate_at_speed(
            &network.graph,
            &network.index,
            &locations,
            &rule,
            self.default_speed_factor(&network),
        );
        Ok(self.evaluation_from_report(scenario, &network, report))
    }

    /// The speed factor of evaluations that name no time: free flow, or the profile's band at
    /// [`super::request::PEAK_AT`] when the area was opened with `peak`.
    pub fn default_speed_factor(&self, network: &ModeNetwork) -> f64 {
        if !self.options.peak {
            return 1.0;
        }
        super::request::parse_at(super::request::PEAK_AT)
            .map_or(1.0, |at| network.profile.band_at(at).factor)
    }

    /// An evaluation around a report of the scenario's points: regions cut by the extent
    /// flagged, timings, points by kind and the points off the roads.
    pub(super) fn evaluation_from_report(
        &self,
        scenario: &Scenario,
        network: &ModeNetwork,
        mut report: CoverageReport,
    ) -> Evaluation {
        let flag = |rows: &mut [crate::coverage::RegionStats], names: &[String], cut: &[bool]| {
            for r in rows {
                r.cut_by_extent = names
                    .iter()
                    .position(|n| *n == r.name)
                    .is_some_and(|i| cut[i]);
            }
        };
        flag(
            &mut report.wards,
            &self.ward_names,
            &self.ward_cut_by_extent,
        );
        flag(
            &mut report.districts,
            &self.district_names,
            &self.district_cut_by_extent,
        );
        let mut timings_ms = BTreeMap::new();
        timings_ms.insert("load".to_string(), self.load_ms);
        timings_ms.insert("graph".to_string(), network.build_ms);
        timings_ms.insert("search".to_string(), report.search_ms);
        timings_ms.insert("aggregate".to_string(), report.aggregate_ms);
        let mut points_by_kind = BTreeMap::new();
        for p in &scenario.points {
            *points_by_kind
                .entry(p.kind.as_str().to_string())
                .or_insert(0) += 1;
        }
        let off_network_points = report
            .off_network_points
            .iter()
            .map(|&i| scenario.points[i].id.clone())
            .collect();
        Evaluation {
            report,
            timings_ms,
            points_by_kind,
            off_network_points,
            service: None,
            capacity: None,
        }
    }

    fn attach_citizen(
        &self,
        network: &ModeNetwork,
        lon: f64,
        lat: f64,
        mode: TravelMode,
    ) -> Result<Attachment, ScenarioError> {
        super::check_coordinates(lon, lat).map_err(ScenarioError::InvalidRequest)?;
        network.attach(lon, lat, MAX_CITIZEN_SNAP_M).ok_or_else(|| {
            let distance = network
                .index
                .snap(&network.graph, lon, lat, f64::INFINITY)
                .map_or("far".to_string(), |s| {
                    format!("{:.1} km", s.distance_m / 1000.0)
                });
            ScenarioError::OffNetwork {
                lon,
                lat,
                mode,
                area: self.meta.name.clone(),
                distance,
                max_m: MAX_CITIZEN_SNAP_M,
            }
        })
    }

    /// The `k` receiving points reached first from (lon, lat) by `mode`, with routes.
    pub fn nearest(
        &self,
        request: &NearestRequest,
        points: &[ReceivingPoint],
    ) -> Result<NearestAnswer, ScenarioError> {
        request.validate()?;
        let &NearestRequest {
            lon,
            lat,
            mode,
            k,
            when,
            open_first,
        } = request;
        let network = self.network(mode)?;
        let factor = when.map_or_else(
            || self.default_speed_factor(&network),
            |at| network.profile.band_at(at).factor,
        );
        let now = when.unwrap_or_else(crate::hours::now_in_hanoi);
        let origin = self.attach_citizen(&network, lon, lat, mode)?;
        let destinations = network.attach_points(points);
        let reached = nearest::k_nearest(&network.graph, &origin, &destinations, k);
        let results = reached
            .into_iter()
            .map(|r| {
                let point = points[r.destination].clone();
                let mut route: Vec<[f64; 2]> = vec![[lon, lat]];
                route.extend(r.route.iter().map(|&(x, y)| [x, y]));
                route.push([point.lon, point.lat]);
                route.dedup();
                NearestResult {
                    open_now: match point
                        .hours()
                        .state(now + chrono::Duration::seconds((r.travel_s / factor) as i64))
                    {
                        hours::OpenState::Open => Some(true),
                        hours::OpenState::Closed => Some(false),
                        hours::OpenState::Unknown => None,
                    },
                    next_open: point
                        .hours()
                        .next_open(now)
                        .map(|t| t.format("%Y-%m-%dT%H:%M").to_string()),
                    point,
                    travel_s: r.travel_s / factor,
                    distance_m: r.length_m,
                    route,
                }
            })
            .collect::<Vec<NearestResult>>();
        let mut results = results;
        if open_first {
            // Stable: each group stays in order of travel time.
            results.sort_by_key(|r| r.open_now != Some(true));
        }
        Ok(NearestAnswer {
            origin: [lon, lat],
            snap_distance_m: origin.snap.distance_m,
            mode,
            results,
        })
    }

    /// Isochrones at the given minutes for all points together and, with `per_point`, for each
    /// point, as GeoJSON (a MultiPolygon feature per point and limit; `point_id` "all" for the
    /// union).
    pub fn isochrones_geojson(
        &self,
        scenario: &Scenario,
        request: &IsochroneRequest,
    ) -> Result<IsochroneLayer, ScenarioError> {
        scenario.validate()?;
        let mut request = request.clone();
        request.validate()?;
        let IsochroneRequest { minutes, per_point } = request;
        let network = self.network(scenario.mode)?;
        // Searched in free-flow seconds: a band's limit of m minutes is m x factor of them.
        let factor = self.default_speed_factor(&network);
        let max_s = f64::from(*minutes.last().unwrap_or(&30)) * 60.0 * factor;
        let graph = &network.graph;
        let attached = network.attach_points(&scenario.points);
        let search = |which: &[(usize, &Attachment)]| {
            let seeds: Vec<_> = which
                .iter()
                .flat_map(|&(i, a)| routing::seeds_towards(graph, a, i as u32))
                .collect();
            let times = routing::multi_source(
                &network.cells.search,
                &seeds,
                Direction::ToSources,
                Metric::Time,
                Some(max_s),
            );
            isochrone::cell_times(graph, &times, max_s)
        };
        let all: Vec<(usize, &Attachment)> = attached
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.as_ref().map(|a| (i, a)))
            .collect();
        let mut groups: Vec<IsochroneGroup> =
            vec![("all".into(), "All receiving points".into(), all.clone())];
        for &(i, a) in all.iter().filter(|_| per_point) {
            let p = &scenario.points[i];
            groups.push((p.id.clone(), p.name.clone(), vec![(i, a)]));
        }
        let mode = scenario.mode;
        let features: Vec<IsochroneFeature> = groups
            .par_iter()
            .flat_map_iter(|(id, name, which)| {
                let cells = search(which);
                minutes
                    .iter()
                    .rev()
                    .map(|&m| IsochroneFeature {
                        kind: "Feature",
                        geometry: MultiPolygonGeometry::from(&isochrone::band(
                            &cells,
                            f64::from(m) * 60.0 * factor,
                        )),
                        properties: IsochroneProperties {
                            point_id: id.clone(),
                            point_name: name.clone(),
                            minutes: m,
                            mode,
                        },
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        Ok(IsochroneLayer {
            kind: "FeatureCollection",
            attribution: OSM_ATTRIBUTION,
            features,
        })
    }

    /// The phases of the reorganisation ([`super::decision_phases`]) evaluated under one rule
    /// and mode: what each network of shipped points covers in this area.
    pub fn compare_phases(
        &self,
        mode: TravelMode,
        rule: super::RuleSpec,
    ) -> Result<Vec<PhaseResult>, ScenarioError> {
        super::decision_phases()
            .into_iter()
            .map(|phase| {
                let points = super::phase_points(&self.options.data_dir, &phase)?;
                let scenario = Scenario {
                    name: phase.key.clone(),
                    mode,
                    rule,
                    points,
                };
                let evaluation = self.evaluate(&scenario)?;
                Ok(PhaseResult {
                    points: scenario.points.len(),
                    points_by_kind: evaluation.points_by_kind,
                    summary: evaluation.report.summary,
                    phase,
                })
            })
            .collect()
    }

    /// Wards, districts, streets and receiving points whose names match `query`, ignoring case
    /// and Vietnamese diacritics.
    pub fn search(&self, request: &SearchRequest) -> Result<Vec<Place>, ScenarioError> {
        let mut request = request.clone();
        request.validate()?;
        Ok(self.search.find(&request.text, request.limit))
    }

    /// The area's roads for a basemap drawn without any tile server.
    pub fn basemap_roads(&self) -> &Value {
        &self.roads_geojson
    }

    /// The part of [`Self::basemap_roads`] that `part` names, as its own FeatureCollection.
    pub fn basemap_roads_part(&self, part: RoadPart) -> Value {
        let mut roads = self.roads_geojson.clone();
        if let Some(features) = roads.get_mut("features").and_then(Value::as_array_mut) {
            features.retain(|f| {
                f.pointer("/properties/class")
                    .and_then(Value::as_str)
                    .is_some_and(|class| part.holds(class))
            });
        }
        roads
    }

    /// The 2025 wards touching the study extent.
    pub fn basemap_wards(&self) -> &Value {
        &self.wards_geojson
    }

    /// The former districts (before 2025) touching the study extent.
    pub fn basemap_districts(&self) -> &Value {
        &self.districts_geojson
    }

    /// The study extent, for maps.
    pub fn extent(&self) -> &super::StudyExtent {
        &self.extent
    }

    /// The study extent and where the roads file has roads, as one GeoJSON FeatureCollection
    /// (property `kind`: `study_extent` or `road_data`): maps draw both, so a reader sees which
    /// residents every figure is of and where the verdict can rest on roads.
    pub fn extent_geojson(&self) -> Value {
        let mut features = vec![self.extent.feature()];
        if let Some(outline) = &self.road_data {
            features.push(serde_json::json!({
                "type": "Feature",
                "geometry": multipolygon_json(&geo::MultiPolygon(vec![outline.clone()])),
                "properties": {"kind": "road_data", "roads_vintage": self.meta.roads_vintage},
            }));
        }
        serde_json::json!({"type": "FeatureCollection", "features": features})
    }

    /// The shipped point sets present in this area's data directory, in the Decision's order.
    pub fn point_sets(&self) -> &[super::PointSetInfo] {
        &self.point_sets
    }

    /// A shipped point set as a scenario under the baseline's mode and rule: the Decision's
    /// networks (`desks-2024`, `branches-2025`, `communes-2025`) to compare and start from.
    pub fn point_set_scenario(&self, name: &str) -> Result<Scenario, ScenarioError> {
        let Some(info) = self.point_sets.iter().find(|s| s.name == name) else {
            return Err(ScenarioError::UnknownPointSet {
                name: name.to_string(),
                available: self.point_sets.iter().map(|s| s.name.clone()).collect(),
            });
        };
        let cached = self.lock_point_set_points().get(name).cloned();
        let points = match cached {
            Some(points) => points,
            None => {
                let points = Arc::new(super::load_point_set(&self.options.data_dir, name)?);
                self.lock_point_set_points()
                    .insert(name.to_string(), points.clone());
                points
            }
        };
        Ok(Scenario {
            name: info.title.clone(),
            points: points.to_vec(),
            ..self.baseline()
        })
    }

    fn lock_point_set_points(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Vec<ReceivingPoint>>>> {
        // A panic while holding the lock leaves the map whole: keep using it.
        self.point_set_points
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub(crate) fn multipolygon_json(poly: &geo::MultiPolygon) -> Value {
    json!(MultiPolygonGeometry::from(poly))
}

/// A GeoJSON MultiPolygon, positions rounded to 6 decimals (about 0.1 m).
#[derive(Serialize)]
pub struct MultiPolygonGeometry {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: Vec<Vec<Vec<[f64; 2]>>>,
}

impl From<&geo::MultiPolygon> for MultiPolygonGeometry {
    fn from(poly: &geo::MultiPolygon) -> Self {
        let ring = |ls: &geo::LineString| -> Vec<[f64; 2]> {
            ls.coords()
                .map(|c| [(c.x * 1e6).round() / 1e6, (c.y * 1e6).round() / 1e6])
                .collect()
        };
        let coordinates = poly
            .iter()
            .map(|p| {
                std::iter::once(ring(p.exterior()))
                    .chain(p.interiors().iter().map(ring))
                    .collect()
            })
            .collect();
        MultiPolygonGeometry {
            kind: "MultiPolygon",
            coordinates,
        }
    }
}

/// Isochrones as a GeoJSON FeatureCollection: per group of points ("all", then each point when
/// asked), one MultiPolygon per band, widest first. Typed rather than a `Value` tree, which
/// cost about ten times the text for per-point isochrones of a whole city.
#[derive(Serialize)]
pub struct IsochroneLayer {
    #[serde(rename = "type")]
    kind: &'static str,
    attribution: &'static str,
    pub features: Vec<IsochroneFeature>,
}

#[derive(Serialize)]
pub struct IsochroneFeature {
    #[serde(rename = "type")]
    kind: &'static str,
    pub geometry: MultiPolygonGeometry,
    pub properties: IsochroneProperties,
}

#[derive(Serialize)]
pub struct IsochroneProperties {
    pub point_id: String,
    pub point_name: String,
    pub minutes: u32,
    pub mode: TravelMode,
}

/// How far a basemap ward outline may stray from the boundary file, in degrees (about 5 m):
/// unseen at the zooms the maps are read at, and it takes a quarter off what a phone downloads for
/// the first map.
/// Only the drawing is simplified; coverage reads the full boundaries.
const WARD_OUTLINE_TOLERANCE_DEG: f64 = 5e-5;

/// The regions whose bounding box meets `extent`, as GeoJSON polygons named by `name`, each
/// saying whether the study extent cuts it.
fn regions_geojson_within(regions: &Regions, extent: [f64; 4], cut: &[bool]) -> Value {
    use geo::{BoundingRect, Simplify};
    let features: Vec<Value> = regions
        .regions()
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.shape.bounding_rect().is_some_and(|b| {
                b.min().x <= extent[2]
                    && b.max().x >= extent[0]
                    && b.min().y <= extent[3]
                    && b.max().y >= extent[1]
            })
        })
        .map(|(i, r)| {
            json!({
                "type": "Feature",
                "geometry": multipolygon_json(&r.shape.simplify(WARD_OUTLINE_TOLERANCE_DEG)),
                "properties": {"name": r.name, "code": r.code(),
                               "cut_by_extent": cut.get(i).copied().unwrap_or(false)},
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// A path under the data folder as `data/…`, for saying where points come from.
fn relative_to_data(path: &Path, data_dir: &Path) -> String {
    path.strip_prefix(data_dir).map_or_else(
        |_| path.display().to_string(),
        |p| format!("data/{}", p.display()),
    )
}

/// Which roads of the basemap an answer holds. A city's roads weigh megabytes; the first map
/// over a phone's network needs only its frame, and the rest follows.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Deserialize,
    serde::Serialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum RoadPart {
    /// Every road.
    #[default]
    All,
    /// Motorways to tertiary roads (`class` major): the frame, under a third of the bytes.
    Major,
    /// Minor roads and paths (`class` minor and path), drawn once they arrive.
    Detail,
}

impl RoadPart {
    /// Whether a road of basemap `class` belongs to this part.
    pub fn holds(self, class: &str) -> bool {
        match self {
            RoadPart::All => true,
            RoadPart::Major => class == "major",
            RoadPart::Detail => class != "major",
        }
    }
}

/// Road lines by class (major, minor, path) with names, coordinates rounded to about a metre.
fn basemap_roads(osm: &OsmData) -> Value {
    let features: Vec<Value> = osm
        .ways
        .iter()
        .filter_map(|w| {
            let class = match w.tag("highway")? {
                "motorway" | "motorway_link" | "trunk" | "trunk_link" | "primary"
                | "primary_link" | "secondary" | "secondary_link" | "tertiary"
                | "tertiary_link" => "major",
                "footway" | "path" | "pedestrian" | "steps" | "cycleway" | "track"
                | "bridleway" => "path",
                _ => "minor",
            };
            let coords: Vec<[f64; 2]> = w
                .nodes
                .iter()
                .filter_map(|&id| osm.node(id))
                .map(|n| [(n.lon * 1e5).round() / 1e5, (n.lat * 1e5).round() / 1e5])
                .collect();
            (coords.len() >= 2).then(|| {
                json!({
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": coords},
                    "properties": {"class": class, "name": w.tag("name")},
                })
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "attribution": OSM_ATTRIBUTION, "features": features})
}
