//! Every question asked of a study area as a typed request, with one `Default` and one
//! `validate()` each, and the one table of limits they are checked against.
//!
//! The command line maps its flags onto these types, the server maps its JSON onto them, and
//! `GET /api/v1/meta` publishes [`Defaults`], [`LIMITS`] and the models so the web form offers
//! what the library accepts. No shell states a default or a limit of its own.

use h3o::Resolution;
use serde::Serialize;

use super::{
    DEFAULT_OFFICE_TAGS, PointKind, REPLACE_WITHIN_M, ReceivingPoint, RuleSpec, ScenarioError,
};
use crate::coverage::DemandAssumptions;
use crate::graph::TravelMode;
use crate::optimise::{ModelKind, SolveOptions, Solver};

/// The travel mode when none is given: how Hanoi moves.
pub const DEFAULT_MODE: TravelMode = TravelMode::Motorbike;

/// Every limit a request is checked against, published as-is by `/api/v1/meta`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Limits {
    /// Longest travel-time limit of a rule, minutes: beyond four hours the question is no
    /// longer about reaching a desk.
    pub max_minutes: f64,
    /// Largest radius of a rule, km: the width of the whole city.
    pub max_radius_km: f64,
    /// Most receiving points one scenario may hold.
    pub max_points: usize,
    /// Longest scenario, point id or point name, in characters.
    pub max_name_chars: usize,
    /// Most receiving points a nearest question may list.
    pub max_nearest_k: usize,
    /// Most results a search may list.
    pub max_search_results: usize,
    /// Longest search text, in characters.
    pub max_search_chars: usize,
    /// Most isochrone bands one question may ask for.
    pub max_isochrone_bands: usize,
    /// Longest isochrone band, minutes.
    pub max_isochrone_minutes: u32,
    /// Most new points one placement may add (all phases together).
    pub max_add: usize,
    /// Shortest and longest solver time limit, seconds.
    pub min_time_limit_s: f64,
    pub max_time_limit_s: f64,
    /// Coarsest and finest H3 resolution of candidate cells (6: ~36 km², 10: ~0.015 km²).
    pub min_candidate_resolution: u8,
    pub max_candidate_resolution: u8,
    /// Longest expected wait a point may be sized for, minutes: a working day.
    pub max_wait_min: f64,
    /// Most `key=value` tags one search of OpenStreetMap's offices may name, and the longest
    /// tag list in characters: every element read is tested against each tag.
    pub max_osm_tags: usize,
    pub max_osm_tags_chars: usize,
    /// Farthest an office may lie from an approximate point to take its place, metres: beyond
    /// about two wards it is another ward's office.
    pub max_replace_within_m: f64,
}

/// The limits.
pub const LIMITS: Limits = Limits {
    max_minutes: 240.0,
    max_radius_km: 100.0,
    max_points: 5_000,
    max_name_chars: 200,
    max_nearest_k: 20,
    max_search_results: 50,
    max_search_chars: 200,
    max_isochrone_bands: 6,
    max_isochrone_minutes: 120,
    max_add: 50,
    min_time_limit_s: 1.0,
    max_time_limit_s: 300.0,
    min_candidate_resolution: 6,
    max_candidate_resolution: 10,
    max_wait_min: 480.0,
    max_osm_tags: 20,
    max_osm_tags_chars: 1_000,
    max_replace_within_m: 5_000.0,
};

fn invalid(message: String) -> ScenarioError {
    ScenarioError::InvalidRequest(message)
}

/// The moment `--peak` and a planner's "rush hour" stand for: Monday 08:00 of the reference
/// week, inside every profile's weekday morning peak band.
pub const PEAK_AT: &str = "Mo 08:00";

/// Evaluations a weekly sweep makes: one at the start of every hour of the week.
pub const WEEK_HOURS: usize = 168;

/// When an evaluation is asked for: a date and time in Hanoi (`2026-12-07T19:00`) or a
/// weekday and time of the reference week (`Sa 10:00`), read by [`crate::hours::parse_moment`].
pub fn parse_at(text: &str) -> Result<chrono::NaiveDateTime, ScenarioError> {
    crate::hours::parse_moment(text).map_err(|m| invalid(format!("field at: {m}")))
}

/// A weekly sweep: coverage at the start of each of the 168 hours of one week.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct WeekRequest {
    /// Any date of the week to sweep (`2027-02-08`: the week of Tết); empty for the reference
    /// week ([`crate::hours::reference_monday`], a week without public holidays).
    pub week_of: Option<String>,
}

impl WeekRequest {
    /// The Monday of the week asked for, checked against the years the holiday file covers.
    pub fn monday(&self) -> Result<chrono::NaiveDate, ScenarioError> {
        use chrono::Datelike;
        let Some(text) = self.week_of.as_deref().filter(|t| !t.trim().is_empty()) else {
            return Ok(crate::hours::reference_monday());
        };
        let day = crate::hours::parse_moment(&format!("{}T12:00", text.trim()))
            .map_err(|m| invalid(format!("field week_of: {m}")))?
            .date();
        Ok(day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday())))
    }
}

/// Receiving points taken from the offices OpenStreetMap maps in the area's OSM file, as a
/// draft scenario: the offices alone, or the area's current points with their approximate
/// ones moved to the real offices found near them.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OsmOfficesRequest {
    /// `key=value` tags separated by commas (`key=*` for any value); an element carrying any
    /// of them is an office. Default [`DEFAULT_OFFICE_TAGS`].
    #[schema(example = "amenity=townhall,amenity=post_office,office=government")]
    pub tags: String,
    /// Keep the area's current points and move each approximate one to the real office of its
    /// kind nearest to it within this many metres; left out, the offices alone are the draft.
    pub replace_within_m: Option<f64>,
}

impl Default for OsmOfficesRequest {
    fn default() -> Self {
        OsmOfficesRequest {
            tags: DEFAULT_OFFICE_TAGS.to_string(),
            replace_within_m: None,
        }
    }
}

impl OsmOfficesRequest {
    /// The tag list parsed and checked against [`LIMITS`], with how the points found are used.
    pub fn validate(&self) -> Result<super::OsmPointsRequest, ScenarioError> {
        let chars = self.tags.chars().count();
        if chars > LIMITS.max_osm_tags_chars {
            return Err(invalid(format!(
                "tags is {chars} characters long; expected at most {} (up to {} key=value tags separated by commas)",
                LIMITS.max_osm_tags_chars, LIMITS.max_osm_tags
            )));
        }
        let tags: crate::ingest::TagFilter = self.tags.parse().map_err(|e| match e {
            crate::ingest::IngestError::TagList { message, .. } => {
                invalid(format!("tags {:?}: {message}", self.tags))
            }
            e => invalid(format!("tags: {e}")),
        })?;
        let count = tags.entries().count();
        if count > LIMITS.max_osm_tags {
            return Err(invalid(format!(
                "tags names {count} tags; expected at most {}",
                LIMITS.max_osm_tags
            )));
        }
        let use_as = match self.replace_within_m {
            None => super::OsmPointsUse::Only,
            Some(m) if m.is_finite() && m > 0.0 && m <= LIMITS.max_replace_within_m => {
                super::OsmPointsUse::ReplaceApproximate
            }
            Some(m) => {
                return Err(invalid(format!(
                    "replace_within_m is {}; expected metres above 0 and at most {}, or leave it out to take the offices alone",
                    crate::number::Readable(m),
                    LIMITS.max_replace_within_m
                )));
            }
        };
        Ok(super::OsmPointsRequest {
            tags,
            file: None,
            use_as,
            replace_within_m: self.replace_within_m.unwrap_or(super::REPLACE_WITHIN_M),
        })
    }
}

/// What load, queues and fairness are computed with, beside an evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceRequest {
    /// Visits, share online, peak hour and service time: stated assumptions.
    pub demand: DemandAssumptions,
    /// The expected wait, minutes, that counters are sized for and capacities are counted at.
    pub max_wait_min: f64,
}

impl ServiceRequest {
    /// The wait sized for when none is given: a quarter of an hour.
    pub const DEFAULT_MAX_WAIT_MIN: f64 = 15.0;

    pub fn validate(&self) -> Result<(), ScenarioError> {
        self.demand
            .validate()
            .map_err(|e| invalid(format!("demand: {e}")))?;
        if !(self.max_wait_min.is_finite()
            && self.max_wait_min > 0.0
            && self.max_wait_min <= LIMITS.max_wait_min)
        {
            return Err(invalid(format!(
                "max_wait_min is {}; expected minutes above 0 and at most {}",
                crate::number::Readable(self.max_wait_min),
                LIMITS.max_wait_min
            )));
        }
        Ok(())
    }
}

impl Default for ServiceRequest {
    fn default() -> Self {
        ServiceRequest {
            demand: DemandAssumptions::default(),
            max_wait_min: Self::DEFAULT_MAX_WAIT_MIN,
        }
    }
}

/// The receiving points reached first from a place.
#[derive(Clone, Debug, PartialEq)]
pub struct NearestRequest {
    /// The place, WGS84 degrees.
    pub lon: f64,
    pub lat: f64,
    pub mode: TravelMode,
    /// How many points to list, 1..=[`Limits::max_nearest_k`].
    pub k: usize,
    /// When the citizen leaves (Hanoi time): opening hours ("open", "opens at") and speeds
    /// are those of that moment; `None` for now.
    pub when: Option<chrono::NaiveDateTime>,
    /// List the points open on arrival first, each group by travel time.
    pub open_first: bool,
}

impl NearestRequest {
    /// Points listed when the caller does not say: the nearest and two to compare it with.
    pub const DEFAULT_K: usize = 3;

    /// The question from `(lon, lat)` with the default mode and count.
    pub fn at(lon: f64, lat: f64) -> NearestRequest {
        NearestRequest {
            lon,
            lat,
            mode: DEFAULT_MODE,
            k: Self::DEFAULT_K,
            when: None,
            open_first: false,
        }
    }

    pub fn validate(&self) -> Result<(), ScenarioError> {
        super::check_coordinates(self.lon, self.lat)
            .map_err(|m| invalid(format!("the place: {m}")))?;
        if self.k == 0 || self.k > LIMITS.max_nearest_k {
            return Err(invalid(format!(
                "k = {} is out of range: ask for 1 to {} receiving points",
                self.k, LIMITS.max_nearest_k
            )));
        }
        Ok(())
    }
}

/// Areas from which the points are reached within given minutes.
#[derive(Clone, Debug, PartialEq)]
pub struct IsochroneRequest {
    /// Bands in whole minutes; [`IsochroneRequest::validate`] sorts them and drops repeats.
    pub minutes: Vec<u32>,
    /// One feature per point and band besides their union (large and slow on a whole area).
    pub per_point: bool,
}

impl Default for IsochroneRequest {
    fn default() -> Self {
        IsochroneRequest {
            minutes: vec![10, 20, 30],
            per_point: false,
        }
    }
}

impl IsochroneRequest {
    /// Checks the bands and sorts them, distinct.
    pub fn validate(&mut self) -> Result<(), ScenarioError> {
        if let Some(&m) = self
            .minutes
            .iter()
            .find(|&&m| m == 0 || m > LIMITS.max_isochrone_minutes)
        {
            return Err(invalid(format!(
                "minutes: {m} is out of range: each band must be 1 to {} minutes",
                LIMITS.max_isochrone_minutes
            )));
        }
        self.minutes.sort_unstable();
        self.minutes.dedup();
        if self.minutes.is_empty() {
            return Err(invalid(
                "minutes: no band given; give e.g. 10,20,30".to_string(),
            ));
        }
        if self.minutes.len() > LIMITS.max_isochrone_bands {
            return Err(invalid(format!(
                "minutes: at most {} bands per question, got {}",
                LIMITS.max_isochrone_bands,
                self.minutes.len()
            )));
        }
        Ok(())
    }
}

/// Places found by name.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchRequest {
    pub text: String,
    /// At most this many results, 1..=[`Limits::max_search_results`].
    pub limit: usize,
}

impl SearchRequest {
    /// Results listed when the caller does not say.
    pub const DEFAULT_LIMIT: usize = 10;

    /// Trims the text and checks it and the limit.
    pub fn validate(&mut self) -> Result<(), ScenarioError> {
        self.text = self.text.trim().to_string();
        if self.text.is_empty() {
            return Err(invalid(
                "the search text is empty: give part of a ward, district, street or point name"
                    .to_string(),
            ));
        }
        if self.text.chars().count() > LIMITS.max_search_chars {
            return Err(invalid(format!(
                "the search text is longer than {} characters",
                LIMITS.max_search_chars
            )));
        }
        if self.limit == 0 || self.limit > LIMITS.max_search_results {
            return Err(invalid(format!(
                "limit = {} is out of range: ask for 1 to {} results",
                self.limit, LIMITS.max_search_results
            )));
        }
        Ok(())
    }
}

/// Where new receiving points may go.
#[derive(Clone, Debug, PartialEq)]
pub enum Candidates {
    /// One candidate per H3 cell of this resolution, at its most populated demand cell. 8
    /// (cells of ~0.7 km², a short walk across) answers in seconds; 9 puts a candidate on every
    /// populated cell.
    Cells(Resolution),
    /// Only these sites (a planner's list of available buildings, say).
    Points(Vec<ReceivingPoint>),
}

impl Candidates {
    /// Candidate cells when the caller does not say.
    pub const DEFAULT_RESOLUTION: Resolution = Resolution::Eight;

    /// Cells of H3 resolution `resolution`, checked against the limits.
    pub fn cells(resolution: u8) -> Result<Candidates, ScenarioError> {
        let range = LIMITS.min_candidate_resolution..=LIMITS.max_candidate_resolution;
        match Resolution::try_from(resolution) {
            Ok(r) if range.contains(&resolution) => Ok(Candidates::Cells(r)),
            _ => Err(invalid(format!(
                "candidate resolution {resolution} is out of range: give an H3 resolution from {} to {}",
                range.start(),
                range.end()
            ))),
        }
    }
}

/// What a planner asks the optimiser.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacementRequest {
    pub model: ModelKind,
    /// How many new points to add (ignored by LSCP, which finds the fewest).
    pub add: usize,
    /// Nested phases instead of one plan: the total of new points after each phase, strictly
    /// growing (e.g. 5, 10, 30); each phase keeps the points of the earlier ones. Empty: one
    /// plan of `add` points.
    pub phases: Vec<usize>,
    /// Close ward desks instead of adding points: keep `keep` of them (or, without it, the
    /// fewest that keep coverage where it is). Head offices and branches always stay.
    pub consolidate: bool,
    pub keep: Option<usize>,
    /// With `consolidate`: the kinds of point that always stay open.
    pub fixed_kinds: Vec<PointKind>,
    pub seed: u64,
    pub time_limit_s: f64,
    pub solver: Solver,
    /// Where new points may go.
    pub candidates: Candidates,
    /// People one point can serve (the same for every point); demand is then assigned within
    /// capacity. `None`: unlimited.
    pub capacity: Option<f64>,
    /// Every ward must keep at least this share (0..=1) of its people covered.
    pub min_ward_share: Option<f64>,
    /// Each point's capacity from its counters instead: the residents it serves within the
    /// default wait limit ([`ServiceRequest`]); new points count as flexible points. Not
    /// together with `capacity`.
    pub capacity_from_counters: bool,
    /// When the plan is judged: every point open at free-flow speeds (the default), at one
    /// moment, or over the opening hours of a week.
    pub time: PlacementTime,
    /// Opening hours of the new points a plan proposes on candidate cells, in OpenStreetMap
    /// syntax (`24/7`, `Mo-Fr 17:00-21:00`): what a time or a week judges them by.
    pub new_point_hours: String,
}

/// When a placement is judged.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum PlacementTime {
    /// As a plain evaluation: every point open, free-flow speeds; the measure is people.
    #[default]
    AnyTime,
    /// Residents leaving at this moment (Hanoi time): a point serves only if open on arrival,
    /// at that hour's speeds; the measure is people.
    At(chrono::NaiveDateTime),
    /// Every hour of a week, each weighted by its length: the measure is person-hours covered,
    /// so a point open longer, or when others are closed, counts for more.
    Week(WeekRequest),
}

/// What a plan's covered figures count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CoverageMeasure {
    /// Residents covered (at a moment, or with every point open).
    People,
    /// Residents × hours of the week covered, summed over the 168 hours.
    PersonHours,
}

impl CoverageMeasure {
    /// What a covered figure counts, in English and in Vietnamese: "people", "person-hours a
    /// week".
    pub fn unit(self) -> (&'static str, &'static str) {
        match self {
            CoverageMeasure::People => ("people", "người"),
            CoverageMeasure::PersonHours => ("person-hours a week", "người·giờ mỗi tuần"),
        }
    }
}

impl PlacementTime {
    /// The time the shells' fields ask: `at` a moment (`2026-12-07T19:00`, `Sa 10:00`),
    /// `week` the hours of the week of `week_of` (default the reference week), neither any time.
    pub fn from_fields(
        at: Option<&str>,
        week: bool,
        week_of: Option<String>,
    ) -> Result<PlacementTime, ScenarioError> {
        let at = at.filter(|a| !a.trim().is_empty());
        match (at, week) {
            (Some(_), true) => Err(invalid(
                "give a moment (at) or the whole week (week), not both".to_string(),
            )),
            (Some(text), false) => Ok(PlacementTime::At(parse_at(text)?)),
            (None, true) => Ok(PlacementTime::Week(WeekRequest { week_of })),
            (None, false) if week_of.is_some() => Err(invalid(
                "week_of names the week of a weekly plan: give week too".to_string(),
            )),
            (None, false) => Ok(PlacementTime::AnyTime),
        }
    }

    pub fn measure(&self) -> CoverageMeasure {
        match self {
            PlacementTime::Week(_) => CoverageMeasure::PersonHours,
            _ => CoverageMeasure::People,
        }
    }
}

impl Default for PlacementRequest {
    /// Five new points by MCLP on candidate cells of resolution 8, solved as the optimiser
    /// solves by default (exact where small enough to finish, else the heuristic).
    fn default() -> Self {
        let solve = SolveOptions::default();
        PlacementRequest {
            model: ModelKind::Mclp,
            add: 5,
            phases: Vec::new(),
            consolidate: false,
            keep: None,
            fixed_kinds: vec![PointKind::HeadOffice, PointKind::Branch],
            seed: solve.seed,
            time_limit_s: solve.time_limit_s,
            solver: solve.solver,
            candidates: Candidates::Cells(Candidates::DEFAULT_RESOLUTION),
            capacity: None,
            min_ward_share: None,
            capacity_from_counters: false,
            time: PlacementTime::AnyTime,
            new_point_hours: Self::NEW_POINT_HOURS.to_string(),
        }
    }
}

impl PlacementRequest {
    /// The hours of a proposed point unless the request says otherwise: the desks' usual
    /// office hours (an assumption; `coverage::demand` counts visits over the same days).
    pub const NEW_POINT_HOURS: &'static str = "Mo-Fr 08:00-17:00; Sa 08:00-12:00";

    /// The totals of new points after each phase: `phases`, or one phase of `add`.
    pub fn phase_sizes(&self) -> Vec<usize> {
        if self.phases.is_empty() {
            vec![self.add]
        } else {
            self.phases.clone()
        }
    }

    /// Checks the request on its own; [`PlacementRequest::validate_for`] adds what depends on
    /// the scenario.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if !self.phases.is_empty() {
            if self.consolidate {
                return Err(invalid(
                    "phases add points and a consolidation closes them; ask for one or the other"
                        .to_string(),
                ));
            }
            if !self.model.takes_count() {
                return Err(invalid(format!(
                    "{} finds the fewest points itself and has no phases; use mclp, pmedian or pcenter",
                    self.model
                )));
            }
            if self.phases[0] == 0 || self.phases.windows(2).any(|w| w[0] >= w[1]) {
                return Err(invalid(format!(
                    "phases {:?} must grow: give strictly increasing totals of new points, e.g. 5,10,30",
                    self.phases
                )));
            }
        }
        let most = self.phase_sizes().last().copied().unwrap_or(0);
        if most > LIMITS.max_add {
            return Err(invalid(format!(
                "{most} new points is too many: at most {} per plan",
                LIMITS.max_add
            )));
        }
        if most == 0 && !self.consolidate && self.model.takes_count() {
            return Err(invalid(
                "add = 0 asks for no new points: add 1 or more, or consolidate".to_string(),
            ));
        }
        if !(self.time_limit_s.is_finite()
            && (LIMITS.min_time_limit_s..=LIMITS.max_time_limit_s).contains(&self.time_limit_s))
        {
            return Err(invalid(format!(
                "time limit {} s is out of range: give {} to {} seconds",
                crate::number::Readable(self.time_limit_s),
                LIMITS.min_time_limit_s,
                LIMITS.max_time_limit_s
            )));
        }
        if let Some(c) = self.capacity
            && !(c.is_finite() && c > 0.0)
        {
            return Err(invalid(format!(
                "capacity is {c}; give the number of people one point can serve"
            )));
        }
        if self.capacity.is_some() && self.capacity_from_counters {
            return Err(invalid(
                "give one capacity for every point or capacities from the counters, not both"
                    .to_string(),
            ));
        }
        if let Some(share) = self.min_ward_share
            && !(0.0..=1.0).contains(&share)
        {
            return Err(invalid(format!(
                "min_ward_share is {share}; give a share from 0 to 1"
            )));
        }
        crate::hours::Hours::parse(&self.new_point_hours)
            .map_err(|e| invalid(format!("new_point_hours: {e}")))?;
        if let PlacementTime::Week(week) = &self.time {
            week.monday()?;
            if self.capacity.is_some() || self.capacity_from_counters {
                return Err(invalid(
                    "capacities are people a point serves, not person-hours of a week: judge a capacitated plan at one moment (at) instead of over the week".to_string(),
                ));
            }
        }
        if let Candidates::Points(points) = &self.candidates {
            if points.is_empty() {
                return Err(invalid(
                    "the candidate sites list is empty; give at least one site".to_string(),
                ));
            }
            super::validate_points(points, "candidate sites")?;
        }
        Ok(())
    }

    /// [`PlacementRequest::validate`], and `keep` against the scenario's points.
    pub fn validate_for(&self, scenario: &super::Scenario) -> Result<(), ScenarioError> {
        self.validate()?;
        if let Some(keep) = self.keep
            && keep > scenario.points.len()
        {
            return Err(invalid(format!(
                "keep = {keep} is more than the scenario's {} receiving points",
                scenario.points.len()
            )));
        }
        Ok(())
    }
}

/// How a scenario's tables are downloaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// One table per file, UTF-8 with a byte-order mark so that Excel reads Vietnamese names.
    #[default]
    Csv,
    /// A standard FeatureCollection: points as Points, wards and districts with their polygons.
    GeoJson,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 2] = [ExportFormat::Csv, ExportFormat::GeoJson];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::GeoJson => "geojson",
        }
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = ScenarioError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded = s.trim().to_ascii_lowercase();
        ExportFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == folded)
            .ok_or_else(|| invalid(format!("format {s:?} is not offered: use csv or geojson")))
    }
}

/// Which table of a scenario one download holds: each is its own file, so that a spreadsheet
/// or a GIS opens it without sorting rows of different kinds apart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportTable {
    /// The receiving points.
    #[default]
    Points,
    /// The results per ward (2025 wards).
    Wards,
    /// The results per former district (before 2025).
    Districts,
    /// The sidecar every table is read with: scenario, rule, mode, date, data and their
    /// vintages; JSON whatever the format.
    Metadata,
}

impl ExportTable {
    pub const ALL: [ExportTable; 4] = [
        ExportTable::Points,
        ExportTable::Wards,
        ExportTable::Districts,
        ExportTable::Metadata,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportTable::Points => "points",
            ExportTable::Wards => "wards",
            ExportTable::Districts => "districts",
            ExportTable::Metadata => "metadata",
        }
    }
}

impl std::str::FromStr for ExportTable {
    type Err = ScenarioError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded = s.trim().to_ascii_lowercase();
        ExportTable::ALL
            .into_iter()
            .find(|t| t.as_str() == folded)
            .ok_or_else(|| {
                let names: Vec<&str> = ExportTable::ALL.iter().map(|t| t.as_str()).collect();
                invalid(format!(
                    "table {s:?} is not offered: use one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// The defaults of every request, as `/api/v1/meta` publishes them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Defaults {
    #[schema(value_type = String, example = "motorbike")]
    pub mode: TravelMode,
    pub rule: RuleSpec,
    pub nearest_k: usize,
    pub search_limit: usize,
    pub isochrone_minutes: Vec<u32>,
    pub placement: PlacementDefaults,
    pub export_format: ExportFormat,
    pub export_table: ExportTable,
    /// Load and queue assumptions and the wait limit.
    pub service: ServiceRequest,
    /// Counters per point kind when a points file does not give them.
    pub counters_by_kind: std::collections::BTreeMap<String, u32>,
    /// The moment "rush hour" stands for ([`PEAK_AT`]).
    pub peak_at: String,
    /// Evaluations of a weekly sweep.
    pub week_hours: usize,
    /// The offices looked for in OpenStreetMap, and the distance offered for replacing
    /// approximate points with them.
    pub osm_offices: OsmOfficesDefaults,
}

/// [`OsmOfficesRequest::default`]'s tags, and [`REPLACE_WITHIN_M`].
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OsmOfficesDefaults {
    pub tags: String,
    pub replace_within_m: f64,
}

/// [`PlacementRequest::default`] as JSON.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlacementDefaults {
    pub model: ModelKind,
    pub add: usize,
    pub seed: u64,
    pub time_limit_s: f64,
    #[schema(value_type = String, example = "auto")]
    pub solver: Solver,
    pub candidate_resolution: u8,
    /// Opening hours of proposed points when a plan is judged at a time or over a week.
    pub new_point_hours: String,
}

impl Default for Defaults {
    fn default() -> Self {
        let placement = PlacementRequest::default();
        Defaults {
            mode: DEFAULT_MODE,
            rule: RuleSpec::default(),
            nearest_k: NearestRequest::DEFAULT_K,
            search_limit: SearchRequest::DEFAULT_LIMIT,
            isochrone_minutes: IsochroneRequest::default().minutes,
            placement: PlacementDefaults {
                model: placement.model,
                add: placement.add,
                seed: placement.seed,
                time_limit_s: placement.time_limit_s,
                solver: placement.solver,
                candidate_resolution: match placement.candidates {
                    Candidates::Cells(r) => u8::from(r),
                    Candidates::Points(_) => u8::from(Candidates::DEFAULT_RESOLUTION),
                },
                new_point_hours: placement.new_point_hours,
            },
            export_format: ExportFormat::default(),
            export_table: ExportTable::default(),
            service: ServiceRequest::default(),
            counters_by_kind: PointKind::ALL
                .iter()
                .map(|k| (k.as_str().to_string(), k.default_counters()))
                .collect(),
            peak_at: PEAK_AT.to_string(),
            week_hours: WEEK_HOURS,
            osm_offices: OsmOfficesDefaults {
                tags: OsmOfficesRequest::default().tags,
                replace_within_m: REPLACE_WITHIN_M,
            },
        }
    }
}

/// One model as the web page lists it.
#[derive(Clone, Copy, Debug, Serialize, utoipa::ToSchema)]
pub struct ModelInfo {
    pub name: ModelKind,
    /// Counts people within the rule (true) or weighs travel times (false).
    pub covering: bool,
    /// Places a given number of new points (false: finds the fewest).
    pub takes_count: bool,
}

impl ModelInfo {
    /// Every model.
    pub fn all() -> Vec<ModelInfo> {
        ModelKind::ALL
            .into_iter()
            .map(|m| ModelInfo {
                name: m,
                covering: m.is_covering(),
                takes_count: m.takes_count(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_their_own_checks() {
        assert!(PlacementRequest::default().validate().is_ok());
        assert!(IsochroneRequest::default().validate().is_ok());
        assert!(NearestRequest::at(105.85, 21.03).validate().is_ok());
        assert!(RuleSpec::default().validate().is_ok());
        assert!(ServiceRequest::default().validate().is_ok());
    }

    #[test]
    fn limits_are_enforced() {
        let too_many = PlacementRequest {
            add: LIMITS.max_add + 1,
            ..PlacementRequest::default()
        };
        assert!(too_many.validate().is_err());
        let shrinking = PlacementRequest {
            phases: vec![5, 3],
            ..PlacementRequest::default()
        };
        assert!(shrinking.validate().is_err());
        let lscp_phases = PlacementRequest {
            model: ModelKind::Lscp,
            phases: vec![1, 2],
            ..PlacementRequest::default()
        };
        assert!(lscp_phases.validate().is_err());
        let mut bands = IsochroneRequest {
            minutes: vec![30, 10, 10],
            per_point: false,
        };
        assert!(bands.validate().is_ok());
        assert_eq!(bands.minutes, vec![10, 30]);
        assert!(
            NearestRequest {
                k: 0,
                ..NearestRequest::at(105.8, 21.0)
            }
            .validate()
            .is_err()
        );
        assert!(Candidates::cells(5).is_err());
        assert!(Candidates::cells(8).is_ok());
        assert_eq!(
            "GeoJSON".parse::<ExportFormat>().ok(),
            Some(ExportFormat::GeoJson)
        );
    }
}
