//! Named sets of receiving points with a coverage rule and a travel mode, evaluated on a study
//! area: the one entry point that the command line and the web server share.
//!
//! A [`StudyArea`] is loaded once (roads, population, wards and districts, current receiving
//! points); its per-mode road graphs are built on first use and kept. A [`Scenario`] is plain
//! data — what a planner edits and saves — and every question (coverage, nearest point,
//! isochrones, placement suggestions) is a method of the area taking a scenario or its points.

mod area;
mod extent;
mod graph_times;
pub use crate::hours;
pub use hours::{Hours, HoursError, OpenState};
mod osm_points;
mod placement;
mod point;
mod point_set;
mod request;
mod search;
mod service;
mod timed;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use area::{
    AreaMeta, AreaOptions, Evaluation, IsochroneFeature, IsochroneLayer, IsochroneProperties,
    ModeNetwork, MultiPolygonGeometry, NearestAnswer, NearestResult, OSM_ATTRIBUTION, PhaseResult,
    RoadPart, StudyArea,
};
pub use extent::StudyExtent;
pub use graph_times::{GraphSeed, GraphTimes};
pub use osm_points::{
    DEFAULT_OFFICE_TAGS, OsmOffices, OsmPointsRequest, OsmPointsSummary, OsmPointsUse,
    REPLACE_WITHIN_M, Replacement, found_per_tag, points_from_features, replace_approximate,
};
pub use placement::{
    MatrixSpec, Placement, PlacementPhase, PlacementPlan, PlacementProblem, SuggestedPoint,
};
pub use point::{
    PointKind, ReceivingPoint, check_coordinates, locations, parse_counters, read_points,
    validate_points,
};
pub use point_set::{
    DecisionPhase, PointSetInfo, available_point_sets, decision_phases, kinds_present,
    load_point_set, phase_points, points_of_kinds, shipped_point_sets,
};
pub use request::{
    Candidates, CoverageMeasure, DEFAULT_MODE, Defaults, ExportFormat, ExportTable,
    IsochroneRequest, LIMITS, Limits, ModelInfo, NearestRequest, OsmOfficesDefaults,
    OsmOfficesRequest, PEAK_AT, PlacementDefaults, PlacementRequest, PlacementTime, SearchRequest,
    ServiceRequest, WEEK_HOURS, WeekRequest, parse_at,
};
pub use search::{Place, fold_vietnamese};
pub use service::{CapacityCoverage, PointServiceDoc, ServiceDoc, capacity_coverage};
pub use timed::{HourCoverage, MomentReport, TimedEvaluation, WardWeek, WeekSweep, coverage_at};

use crate::coverage::{Combine, CoverageRule, RadiusKind};
use crate::graph::TravelMode;

/// The coverage rule as people state it: minutes and kilometres.
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
    /// The Centre's promise: 30 minutes of travel or 5 km.
    fn default() -> Self {
        let rule = CoverageRule::default();
        RuleSpec {
            max_minutes: rule.max_travel_s / 60.0,
            radius_km: rule.max_radius_m / 1000.0,
            radius_kind: rule.radius_kind,
            combine: rule.combine,
        }
    }
}

impl RuleSpec {
    /// Checks the rule against [`LIMITS`].
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if !(self.max_minutes.is_finite()
            && self.max_minutes > 0.0
            && self.max_minutes <= LIMITS.max_minutes)
        {
            return Err(ScenarioError::InvalidRule(format!(
                "max_minutes is {}; expected a number of minutes above 0 and at most {}",
                self.max_minutes, LIMITS.max_minutes
            )));
        }
        if !(self.radius_km.is_finite()
            && self.radius_km >= 0.0
            && self.radius_km <= LIMITS.max_radius_km)
        {
            return Err(ScenarioError::InvalidRule(format!(
                "radius_km is {}; expected kilometres from 0 to {}",
                self.radius_km, LIMITS.max_radius_km
            )));
        }
        Ok(())
    }

    pub fn to_rule(self) -> CoverageRule {
        CoverageRule {
            max_travel_s: self.max_minutes * 60.0,
            max_radius_m: self.radius_km * 1000.0,
            radius_kind: self.radius_kind,
            combine: self.combine,
        }
    }
}

/// A placement of receiving points to evaluate: what a planner edits and saves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scenario {
    pub name: String,
    #[schema(value_type = String, example = "motorbike")]
    pub mode: TravelMode,
    pub rule: RuleSpec,
    pub points: Vec<ReceivingPoint>,
}

impl Scenario {
    /// The area's current points under the default rule and mode.
    pub fn current(points: Vec<ReceivingPoint>) -> Scenario {
        Scenario {
            name: "current receiving points".into(),
            mode: DEFAULT_MODE,
            rule: RuleSpec::default(),
            points,
        }
    }

    /// Checks the name, the rule and the points against [`LIMITS`]: what every question on a
    /// scenario, from any shell, first asks.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let name_chars = self.name.trim().chars().count();
        if name_chars == 0 {
            return Err(ScenarioError::InvalidRequest(
                "the scenario name is empty: give it a name people will recognise".into(),
            ));
        }
        if name_chars > LIMITS.max_name_chars {
            return Err(ScenarioError::InvalidRequest(format!(
                "the scenario name is longer than {} characters",
                LIMITS.max_name_chars
            )));
        }
        self.rule.validate()?;
        if self.points.is_empty() {
            return Err(ScenarioError::InvalidRequest(
                "the scenario has no receiving points; add at least one".into(),
            ));
        }
        if self.points.len() > LIMITS.max_points {
            return Err(ScenarioError::InvalidRequest(format!(
                "the scenario has {} receiving points; at most {} are accepted",
                self.points.len(),
                LIMITS.max_points
            )));
        }
        validate_points(&self.points, &format!("scenario {:?}", self.name))
    }
}

/// Everything that can go wrong between a request and an answer.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("study area manifest {path}: {message}")]
    Manifest { path: String, message: String },
    #[error("unknown study area {name:?}; available: {}", available.join(", "))]
    UnknownArea {
        name: String,
        available: Vec<String>,
    },
    #[error("unknown point set {name:?}; available: {}", list_or_none(available))]
    UnknownPointSet {
        name: String,
        available: Vec<String>,
    },
    #[error(
        "no receiving point of kind {kind:?} in {origin}; its kinds are: {}",
        list_or_none(present)
    )]
    NoPointOfKind {
        kind: String,
        origin: String,
        present: Vec<String>,
    },
    /// The data folder holds no study area at all (a wrong `--data-dir`).
    #[error(
        "no study areas in {data_dir}: expected folders {data_dir}/areas/<name>/area.toml; point --data-dir at motcua's data folder, or leave it out for the data shipped with motcua"
    )]
    NoAreas { data_dir: String },
    #[error("{path}, line {line}: {message}")]
    PointsFile {
        path: String,
        line: usize,
        message: String,
    },
    /// A points file wrong as a whole or in a GeoJSON feature, where no line applies (the
    /// message names the feature, or the line and column of a JSON syntax error).
    #[error("{path}: {message}")]
    PointsFileContent { path: String, message: String },
    #[error("{origin}, point {index}: {message}")]
    InvalidPoint {
        origin: String,
        index: usize,
        message: String,
    },
    #[error("{origin}: point id {id:?} is used twice; ids must be unique")]
    DuplicatePointId { origin: String, id: String },
    #[error("coverage rule: {0}")]
    InvalidRule(String),
    #[error("{0}")]
    InvalidRequest(String),
    #[error(
        "({lon}, {lat}) is {distance} from the nearest road usable by {mode} in the {area} road data (limit {max_m:.0} m); pick a place inside the study area"
    )]
    OffNetwork {
        lon: f64,
        lat: f64,
        mode: TravelMode,
        area: String,
        distance: String,
        max_m: f64,
    },
    /// `--points-from-osm` found nothing.
    #[error(
        "{path} has no node or way tagged {tags}; expected offices tagged like amenity=townhall or amenity=post_office (check the tags, or give the OSM file that maps them)"
    )]
    NoOsmPoints { path: String, tags: String },
    #[error(transparent)]
    Ingest(#[from] crate::ingest::IngestError),
    #[error(transparent)]
    Graph(#[from] crate::graph::GraphError),
    #[error(transparent)]
    Population(#[from] crate::population::PopulationError),
    #[error(transparent)]
    Boundary(#[from] crate::boundary::BoundaryError),
    #[error(transparent)]
    Optimise(#[from] crate::optimise::OptimiseError),
    #[error("the run was cancelled")]
    Cancelled,
}

impl ScenarioError {
    /// True when the caller's input is at fault (a 4xx answer), false for faults of the data or
    /// the program (a 500 answer).
    pub fn is_user_error(&self) -> bool {
        if let ScenarioError::Optimise(e) = self {
            return e.is_user_error();
        }
        matches!(
            self,
            ScenarioError::UnknownArea { .. }
                | ScenarioError::UnknownPointSet { .. }
                | ScenarioError::NoPointOfKind { .. }
                | ScenarioError::NoAreas { .. }
                | ScenarioError::PointsFile { .. }
                | ScenarioError::PointsFileContent { .. }
                | ScenarioError::InvalidPoint { .. }
                | ScenarioError::DuplicatePointId { .. }
                | ScenarioError::InvalidRule(_)
                | ScenarioError::InvalidRequest(_)
                | ScenarioError::OffNetwork { .. }
                | ScenarioError::NoOsmPoints { .. }
                | ScenarioError::Cancelled
        )
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// 1234567 → "1.234.567", as Vietnamese writes thousands.
pub fn vi_thousands(x: f64) -> String {
    group_thousands(x.round() as i64).replace(',', ".")
}

/// 1234567 → "1,234,567", for people counts in messages.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The study area every command and the server open unless told otherwise: the whole city.
pub const DEFAULT_AREA: &str = "hanoi";

/// Where the embedded data lives: the repository's `data/` folder.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}
