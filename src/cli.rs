//! The `motcua` command line: a thin shell over [`crate::scenario`].

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::coverage::{Combine, DemandAssumptions, RadiusKind};
use crate::graph::TravelMode;
use crate::optimise::{ModelKind, Solver};
use crate::scenario::{
    AreaOptions, Candidates, DEFAULT_MODE, Evaluation, IsochroneRequest, NearestRequest,
    PlacementRequest, PlacementTime, RuleSpec, Scenario, ServiceDoc, ServiceRequest, StudyArea,
    group_thousands,
};

const ABOUT: &str = "Checks and plans the reach of public administrative receiving points: \
who can reach one within 30 minutes of travel or 5 km, and where new points should go.";

const AFTER_HELP: &str = "\
Examples:
  motcua coverage                          who is outside 30 min / 5 km in urban Hanoi, by motorbike
  motcua coverage --mode walk --json       the same on foot, as one JSON object
  motcua coverage --area hanoi-central     the detailed 2025 roads of central Hanoi
  motcua coverage --rule and --radius-kind network
                                           stricter: both 30 min AND 5 km along the roads
  motcua nearest --lon 105.8342 --lat 21.0278
                                           the 3 receiving points reached first from there
  motcua isochrones --minutes 10,20,30     areas reached within 10/20/30 minutes (GeoJSON)
  motcua optimise --model mclp --add 10    where 10 new points serve the most people
  motcua serve                             the web app for citizens, planners and leadership

Data: the embedded study areas are real OpenStreetMap roads (© OpenStreetMap contributors,
ODbL 1.0) and the 2019 census spread on an H3 grid; see data/README.md. Plan the whole city
with your own extract: --osm hanoi.osm.pbf (e.g. a Geofabrik Vietnam extract cut to Hanoi).";

#[derive(Parser, Debug)]
#[command(name = "motcua", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// More log lines (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

// Parsed once per run: the size of the largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Who can reach a receiving point within the rule (30 min OR 5 km by default), overall and
    /// per ward and district; writes cells (GeoJSON, Parquet), ward/district tables (CSV) and
    /// isochrones (GeoJSON) to --out.
    Coverage(CoverageArgs),
    /// Areas from which the receiving points are reached within given minutes (GeoJSON).
    Isochrones(IsochroneArgs),
    /// The receiving points reached first from a place, with time, distance and route.
    Nearest(NearestArgs),
    /// Build the population grid (H3 cells) from the 2019 census placed at ward points.
    PreparePopulation(PreparePopulationArgs),
    /// Where new receiving points go (or which desks a consolidation keeps), on the study
    /// area's travel times — or on any cost matrix you bring (--cost-matrix).
    Optimise(OptimiseArgs),
    /// Export a mode's road graph and motcua's travel times to the nearest point as CSV, for
    /// checking them with other tools (NetworkX, QGIS).
    ExportGraph(ExportGraphArgs),
    /// Serve the web app (citizens, planners, leadership) and the JSON API on the embedded data.
    Serve(crate::server::ServeArgs),
    /// Convert the pre-2025 district map (dvhcvn JSON) to GeoJSON.
    PrepareBoundaries(PrepareBoundariesArgs),
}

/// Where the data comes from: an embedded study area, with any part replaced by your file.
#[derive(Args, Debug, Clone)]
pub struct AreaArgs {
    /// Embedded study area: hanoi (the whole city, the default: every resident of the 2019
    /// census, roads of 2017 where they exist), hanoi-urban (urban Hanoi, where the 2017 roads
    /// are nearly complete) or hanoi-central (2025 roads, detailed, small).
    #[arg(long, default_value = crate::scenario::DEFAULT_AREA, env = "MOTCUA_AREA")]
    pub area: String,
    /// Your own OpenStreetMap roads instead of the area's: .osm.pbf, OSM XML (.osm, .osm.gz,
    /// .osm.bz2), Overpass JSON or OSMnx GraphML, told apart by content. The study extent
    /// becomes the roads' bounding box.
    #[arg(long, value_name = "FILE")]
    pub osm: Option<PathBuf>,
    /// Receiving points from the offices OpenStreetMap maps, as key=value tags, e.g.
    /// "amenity=townhall,amenity=post_office,office=government" (ways count at their centroid;
    /// town halls become ward desks, the rest flexible points). Searched in the roads file, or
    /// in --points-osm.
    #[arg(long, value_name = "TAGS")]
    pub points_from_osm: Option<String>,
    /// The OSM file (any form --osm reads) searched by --points-from-osm.
    #[arg(long, value_name = "FILE", requires = "points_from_osm")]
    pub points_osm: Option<PathBuf>,
    /// Keep the area's point set and move its approximate points to the real offices found
    /// near them (same kind, nearest first; the report states the distance) instead of using
    /// the offices alone.
    #[arg(long, requires = "points_from_osm")]
    pub points_osm_replace: bool,
    /// Your own population: point CSV `lon,lat,population`, H3 CSV `h3,population` (Kontur),
    /// a GeoTIFF raster (WorldPop), or an OpenStreetMap file (any form --osm reads) whose
    /// place=* nodes carry a population tag (a city is left out when its wards carry theirs).
    #[arg(long, value_name = "FILE")]
    pub population: Option<PathBuf>,
    /// Your own receiving points: CSV `id,name,lon,lat[,kind,opening_hours]` or GeoJSON points.
    #[arg(long, value_name = "FILE", conflicts_with = "points_set")]
    pub points: Option<PathBuf>,
    /// A shipped point set instead of the area's points: communes-2025 (head office and a point
    /// in every ward and commune, today's set), branches-2025 (head office and 30 branches) or
    /// desks-2024 (the one-stop desks before the reorganisation); join names with commas to
    /// take their points together, e.g. branches-2025,desks-2024.
    #[arg(long, value_name = "NAME[,NAME]")]
    pub points_set: Option<String>,
    /// Ward polygons (GeoJSON, property `name`) for the per-ward table.
    #[arg(long, value_name = "FILE.geojson")]
    pub boundaries: Option<PathBuf>,
    /// District polygons (GeoJSON, property `name`) for the per-district table.
    #[arg(long, value_name = "FILE.geojson")]
    pub districts: Option<PathBuf>,
    /// H3 resolution of the population grid (9: cells of ~0.1 km²; 8: ~0.7 km²).
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u8).range(5..=10))]
    pub resolution: u8,
    /// Evaluate at the weekday morning peak (Monday 08:00) when no --at is given: that hour's
    /// speed band of the profile.
    #[arg(long)]
    pub peak: bool,
    /// Speed profiles folder (motorbike.toml, car.toml, ...) instead of the embedded ones.
    #[arg(long, value_name = "DIR")]
    pub profiles: Option<PathBuf>,
    /// Folder of the embedded data.
    #[arg(long, value_name = "DIR", env = "MOTCUA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Where built road graphs are cached (default ~/.cache/motcua).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Build road graphs afresh and keep no cache.
    #[arg(long)]
    pub no_cache: bool,
}

impl AreaArgs {
    pub fn options(&self) -> Result<AreaOptions> {
        let mut o = AreaOptions::default();
        if let Some(d) = &self.data_dir {
            o.data_dir = d.clone();
        }
        o.cache_dir = if self.no_cache {
            None
        } else {
            self.cache_dir.clone().or(o.cache_dir)
        };
        o.peak = self.peak;
        o.resolution = h3o::Resolution::try_from(self.resolution)?;
        o.roads = self.osm.clone();
        o.population = self.population.clone();
        o.points = self.points.clone();
        o.point_set = self.points_set.clone();
        o.wards = self.boundaries.clone();
        o.districts = self.districts.clone();
        o.profiles_dir = self.profiles.clone();
        if let Some(tags) = &self.points_from_osm {
            o.osm_points = Some(crate::scenario::OsmPointsRequest {
                tags: tags.parse()?,
                file: self.points_osm.clone(),
                use_as: if self.points_osm_replace {
                    crate::scenario::OsmPointsUse::ReplaceApproximate
                } else {
                    crate::scenario::OsmPointsUse::Only
                },
                replace_within_m: crate::scenario::REPLACE_WITHIN_M,
            });
        }
        Ok(o)
    }

    pub fn open(&self) -> Result<StudyArea> {
        let options = self.options()?;
        let spinner = spinner(format!("Loading study area {}", self.area));
        let area = StudyArea::open(&self.area, &options);
        spinner.finish_and_clear();
        let area = area?;
        if let Some(found) = area.osm_points() {
            eprintln!("{}", found.describe());
        }
        Ok(area)
    }
}

/// The coverage rule and travel mode; the defaults are [`RuleSpec::default`]'s.
#[derive(Args, Debug, Clone)]
pub struct RuleArgs {
    /// Travel mode: motorbike (how Hanoi moves), car, bicycle, walk.
    #[arg(long, default_value_t = DEFAULT_MODE, value_parser = parse_mode)]
    pub mode: TravelMode,
    /// Travel-time limit in minutes.
    #[arg(long, default_value_t = RuleSpec::default().max_minutes)]
    pub max_minutes: f64,
    /// Radius limit in kilometres.
    #[arg(long, default_value_t = RuleSpec::default().radius_km)]
    pub radius_km: f64,
    /// How the radius is measured: straight (as the crow flies) or network (along roads).
    #[arg(long, value_enum, default_value_t = RadiusArg::from(RuleSpec::default().radius_kind))]
    pub radius_kind: RadiusArg,
    /// How the criteria combine: or (either suffices, the Decision's wording) or and (both).
    #[arg(long, value_enum, default_value_t = CombineArg::from(RuleSpec::default().combine))]
    pub rule: CombineArg,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum RadiusArg {
    Straight,
    Network,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum CombineArg {
    Or,
    And,
}

impl From<RadiusKind> for RadiusArg {
    fn from(kind: RadiusKind) -> RadiusArg {
        match kind {
            RadiusKind::Straight => RadiusArg::Straight,
            RadiusKind::Network => RadiusArg::Network,
        }
    }
}

impl From<Combine> for CombineArg {
    fn from(combine: Combine) -> CombineArg {
        match combine {
            Combine::Or => CombineArg::Or,
            Combine::And => CombineArg::And,
        }
    }
}

impl RuleArgs {
    pub fn spec(&self) -> RuleSpec {
        RuleSpec {
            max_minutes: self.max_minutes,
            radius_km: self.radius_km,
            radius_kind: match self.radius_kind {
                RadiusArg::Straight => RadiusKind::Straight,
                RadiusArg::Network => RadiusKind::Network,
            },
            combine: match self.rule {
                CombineArg::Or => Combine::Or,
                CombineArg::And => Combine::And,
            },
        }
    }

    /// The area's current points under this rule and mode.
    pub fn scenario(&self, area: &StudyArea) -> Scenario {
        Scenario {
            mode: self.mode,
            rule: self.spec(),
            ..Scenario::current(area.points().to_vec())
        }
    }
}

fn parse_mode(s: &str) -> Result<TravelMode, String> {
    s.parse::<TravelMode>().map_err(|e| e.to_string())
}

fn parse_model(s: &str) -> Result<ModelKind, String> {
    s.parse::<ModelKind>().map_err(|e| e.to_string())
}

fn parse_solver(s: &str) -> Result<Solver, String> {
    s.parse::<Solver>().map_err(|e| e.to_string())
}

/// Help texts that quote the library's defaults, so they are stated in one place.
fn add_help() -> String {
    format!(
        "New points to add [default: {}]; with --cost-matrix, new sites on top of --fixed",
        PlacementRequest::default().add
    )
}

fn parse_kind(s: &str) -> Result<crate::scenario::PointKind, String> {
    s.parse()
}

#[derive(Args, Debug)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub area: AreaArgs,
    #[command(flatten)]
    pub rule: RuleArgs,
    /// Output folder.
    #[arg(long, default_value = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Print the summary as one JSON object on stdout (and nothing else).
    #[arg(long)]
    pub json: bool,
    /// How many of the worst wards to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[command(flatten)]
    pub service: ServiceArgs,
    #[command(flatten)]
    pub time: TimeArgs,
}

/// When coverage is judged: at a moment, over a week, or (neither) with every point open.
#[derive(Args, Debug)]
pub struct TimeArgs {
    /// For residents leaving home at this time (Hanoi): "2026-12-07T19:00" or "Sa 10:00" (the
    /// week of 7 December 2026). A point counts only when it is open on arrival; trips run at
    /// the profile's speed band of that hour.
    #[arg(long, value_name = "TIME", conflicts_with = "week")]
    pub at: Option<String>,
    /// Every hour of a week: `coverage` writes week.csv, week_wards.csv and the chart week.svg
    /// in --out; `optimise` maximises person-hours covered, so a point open when others are
    /// closed counts for more (e.g. with --new-point-hours "24/7").
    #[arg(long)]
    pub week: bool,
    /// With --week: any date of the week [default: the week of 7 December 2026].
    #[arg(long, value_name = "DATE", requires = "week")]
    pub week_of: Option<String>,
}

/// Load and queue assumptions (`data/README.md` explains each default).
#[derive(Args, Debug)]
pub struct ServiceArgs {
    /// Size counters for an expected wait of at most this many minutes.
    #[arg(long, value_name = "MIN", default_value_t = ServiceRequest::default().max_wait_min)]
    pub max_wait: f64,
    /// Procedures a resident starts per year, online or in person.
    #[arg(long, value_name = "N", default_value_t = DemandAssumptions::default().visits_per_resident_year)]
    pub visits_per_resident: f64,
    /// Share of procedures done online, 0 to 1 (0.6 = 60 %).
    #[arg(long, value_name = "SHARE", default_value_t = DemandAssumptions::default().share_online)]
    pub share_online: f64,
    /// Share of a day's visits arriving in its busiest hour, 0 to 1.
    #[arg(long, value_name = "SHARE", default_value_t = DemandAssumptions::default().peak_hour_share)]
    pub peak_hour_share: f64,
    /// Minutes a counter spends on one visit.
    #[arg(long, value_name = "MIN", default_value_t = DemandAssumptions::default().service_min)]
    pub service_min: f64,
}

impl ServiceArgs {
    pub fn request(&self) -> ServiceRequest {
        ServiceRequest {
            demand: DemandAssumptions {
                visits_per_resident_year: self.visits_per_resident,
                share_online: self.share_online,
                peak_hour_share: self.peak_hour_share,
                service_min: self.service_min,
            },
            max_wait_min: self.max_wait,
        }
    }
}

#[derive(Args, Debug)]
pub struct IsochroneArgs {
    #[command(flatten)]
    pub area: AreaArgs,
    #[command(flatten)]
    pub rule: RuleArgs,
    /// Limits in minutes, comma-separated [default: 10,20,30].
    #[arg(long, value_delimiter = ',')]
    pub minutes: Vec<u32>,
    /// Also one isochrone per point (large and slow on a whole area), besides their union.
    #[arg(long)]
    pub per_point: bool,
    /// Output folder (writes isochrones.geojson).
    #[arg(long, default_value = "out", value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct NearestArgs {
    #[command(flatten)]
    pub area: AreaArgs,
    /// Longitude of the place (WGS84).
    #[arg(long, allow_negative_numbers = true)]
    pub lon: f64,
    /// Latitude of the place (WGS84).
    #[arg(long, allow_negative_numbers = true)]
    pub lat: f64,
    /// Travel mode: motorbike, car, bicycle, walk.
    #[arg(long, default_value_t = DEFAULT_MODE, value_parser = parse_mode)]
    pub mode: TravelMode,
    /// How many points to list.
    #[arg(short, long, default_value_t = NearestRequest::DEFAULT_K)]
    pub k: usize,
    /// Print the answer as JSON (with route geometries).
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct PreparePopulationArgs {
    /// Census counts placed at ward points (2019 census).
    #[arg(long, value_name = "CSV")]
    pub census: Option<PathBuf>,
    /// District polygons (GeoJSON) that bound each ward's share.
    #[arg(long, value_name = "FILE.geojson")]
    pub districts: Option<PathBuf>,
    /// Road extracts whose residential streets weight the cells (default: both study areas'),
    /// each in any form --osm reads: .osm.pbf, OSM XML (.osm, .osm.gz, .osm.bz2), Overpass
    /// JSON or OSMnx GraphML.
    #[arg(long = "roads", value_name = "FILE")]
    pub roads: Vec<PathBuf>,
    /// H3 resolution of the grid.
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u8).range(5..=10))]
    pub resolution: u8,
    /// Output CSV `h3,population`.
    #[arg(long, value_name = "CSV")]
    pub out: Option<PathBuf>,
    /// Folder of the embedded data.
    #[arg(long, value_name = "DIR", env = "MOTCUA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct OptimiseArgs {
    #[command(flatten)]
    pub area: AreaArgs,
    #[command(flatten)]
    pub rule: RuleArgs,
    /// Model: mclp (most people within the rule), pmedian (least total travel time), lscp
    /// (fewest points covering everyone), pcenter (shortest worst travel time).
    #[arg(long, default_value_t = PlacementRequest::default().model, value_parser = parse_model)]
    pub model: ModelKind,
    #[arg(long, help = add_help())]
    pub add: Option<usize>,
    /// Nested phases instead of one plan, e.g. 5,10,30: each phase keeps the earlier ones.
    #[arg(long, value_delimiter = ',')]
    pub phases: Vec<usize>,
    /// Close ward desks instead of adding points (head office and branches stay).
    #[arg(long, conflicts_with = "phases")]
    pub consolidate: bool,
    /// With --consolidate: how many desks to keep (default: the fewest keeping coverage).
    #[arg(long)]
    pub keep: Option<usize>,
    /// With --consolidate: kinds of point that always stay open, comma-separated (default
    /// head_office,branch); every other point may close. Kinds: head_office, branch,
    /// ward_desk, district_desk, flexible_point, kiosk.
    #[arg(long, value_delimiter = ',', value_parser = parse_kind, value_name = "KIND[,KIND]")]
    pub fixed_kind: Vec<crate::scenario::PointKind>,
    /// heuristic (greedy + interchange, fast), exact (MIP) or auto (exact within the time
    /// limit, else the heuristic with the bound reported).
    #[arg(long, default_value_t = PlacementRequest::default().solver, value_parser = parse_solver)]
    pub solver: Solver,
    /// Time limit of the exact solve, in seconds.
    #[arg(long, default_value_t = PlacementRequest::default().time_limit_s)]
    pub time_limit: f64,
    /// Seed of the heuristic (same seed, same answer).
    #[arg(long, default_value_t = PlacementRequest::default().seed)]
    pub seed: u64,
    /// Candidate sites: `cells` (one per H3 cell of --candidate-resolution, at its most
    /// populated cell) or a points file (CSV `id,name,lon,lat[,...]` or GeoJSON) of the sites
    /// available.
    #[arg(long, default_value = "cells", value_name = "cells|FILE")]
    pub candidates: String,
    /// With --candidates cells: H3 resolution of the candidate cells (8: ~0.7 km², answers in
    /// seconds; 9: every populated cell, slower).
    #[arg(long, default_value_t = u8::from(Candidates::DEFAULT_RESOLUTION))]
    pub candidate_resolution: u8,
    /// People one receiving point can serve; demand is then assigned within capacity (slower).
    #[arg(long)]
    pub capacity: Option<f64>,
    /// Each point's capacity from its counters: the residents it serves within the default
    /// expected wait (see `coverage --max-wait`); consolidation then says which desks to keep
    /// with how many counters each.
    #[arg(long, conflicts_with = "capacity")]
    pub capacity_from_counters: bool,
    /// Every ward must keep at least this share (0-1) of its people covered (mclp).
    #[arg(long)]
    pub min_ward_share: Option<f64>,
    #[command(flatten)]
    pub time: TimeArgs,
    /// Opening hours of the new points, in OpenStreetMap syntax ("24/7", "Mo-Fr 17:00-21:00"),
    /// which --at and --week judge them by.
    #[arg(long, value_name = "HOURS", default_value_t = PlacementRequest::default().new_point_hours)]
    pub new_point_hours: String,
    /// Bring your own matrix: CSV `demand_id,candidate_id,cost` (missing pairs unreachable).
    #[arg(long, value_name = "CSV", requires = "demand")]
    pub cost_matrix: Option<PathBuf>,
    /// With --cost-matrix: CSV `demand_id,weight`.
    #[arg(long, value_name = "CSV")]
    pub demand: Option<PathBuf>,
    /// With --cost-matrix: CSV `candidate_id[,capacity]` (default: candidates in the matrix).
    #[arg(long, value_name = "CSV")]
    pub candidates_file: Option<PathBuf>,
    /// With --cost-matrix: candidate ids already open, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub fixed: Vec<String>,
    /// With --cost-matrix: sites open in the answer, --fixed ones included (as PySAL spopt's
    /// p_facilities and ArcGIS's facilities to choose count them). Or give --add for new ones.
    #[arg(long, conflicts_with = "add")]
    pub facilities: Option<usize>,
    /// With --cost-matrix: coverage radius in the matrix's cost unit.
    #[arg(long)]
    pub radius: Option<f64>,
    /// With --cost-matrix: capacity column of the candidates file.
    #[arg(long)]
    pub capacity_column: Option<String>,
    /// Output folder (suggested points as CSV and GeoJSON, per-ward before/after).
    #[arg(long, default_value = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Print the result as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ExportGraphArgs {
    #[command(flatten)]
    pub area: AreaArgs,
    /// Travel mode: motorbike, car, bicycle, walk.
    #[arg(long, default_value_t = DEFAULT_MODE, value_parser = parse_mode)]
    pub mode: TravelMode,
    /// Output folder (nodes.csv, edges.csv, seeds.csv).
    #[arg(long, default_value = "out/graph", value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct PrepareBoundariesArgs {
    /// The dvhcvn JSON of a province (e.g. gis/01.json for Hanoi).
    #[arg(long, value_name = "JSON")]
    pub dvhcvn: PathBuf,
    /// Output GeoJSON.
    #[arg(long, value_name = "FILE.geojson")]
    pub out: PathBuf,
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Coverage(args) => coverage(args),
        Command::Isochrones(args) => isochrones(args),
        Command::Nearest(args) => nearest(args),
        Command::PreparePopulation(args) => prepare_population(args),
        Command::Optimise(args) => optimise(args),
        Command::ExportGraph(args) => export_graph(args),
        Command::Serve(args) => Ok(crate::server::run(args.into_config())?),
        Command::PrepareBoundaries(args) => prepare_boundaries(args),
    }
}

fn spinner(message: String) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(message);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn evaluate(area: &StudyArea, scenario: &Scenario, service: &ServiceRequest) -> Result<Evaluation> {
    let spinner = spinner(format!(
        "Building the {} road graph and evaluating",
        scenario.mode
    ));
    let result = area.evaluate_service(scenario, service);
    spinner.finish_and_clear();
    Ok(result?)
}

/// The first few of a list of ids, and how many more.
fn some_ids(ids: &[String]) -> String {
    const LISTED: usize = 8;
    let more = ids.len().saturating_sub(LISTED);
    let mut text = ids[..ids.len().min(LISTED)].join(", ");
    if more > 0 {
        text += &format!(" and {more} more (all in --json)");
    }
    text
}

/// What a timed evaluation adds to the header: when, how fast, which points were closed.
fn print_moment(t: &crate::scenario::TimedEvaluation, points: usize) {
    println!(
        "At {} (Hanoi time) · speeds: {} (x{}) · open on arrival: {} of {points}",
        t.at.format("%a %Y-%m-%d %H:%M"),
        t.band.name,
        t.band.factor,
        points - t.closed_points.len() - t.unknown_hours_points.len()
    );
    if !t.closed_points.is_empty() {
        println!(
            "  {} point(s) closed on arrival: {}",
            t.closed_points.len(),
            some_ids(&t.closed_points)
        );
    }
    if !t.changing_points.is_empty() {
        println!(
            "  {} point(s) open or close within the trip, counted at each arrival: {}",
            t.changing_points.len(),
            some_ids(&t.changing_points)
        );
    }
    if !t.unknown_hours_points.is_empty() {
        println!(
            "  {} point(s) of unknown hours (residents only they serve are unknown): {}",
            t.unknown_hours_points.len(),
            some_ids(&t.unknown_hours_points)
        );
    }
}

/// `coverage --week`: the sweep, its files and the curve in a few lines.
fn coverage_week(args: &CoverageArgs, area: &StudyArea, scenario: &Scenario) -> Result<()> {
    let request = crate::scenario::WeekRequest {
        week_of: args.time.week_of.clone(),
    };
    let sweep = area.sweep_week(scenario, &request)?;
    let out = &args.out;
    crate::export::write_week_csv(&out.join("week.csv"), &sweep)?;
    crate::export::write_week_wards_csv(&out.join("week_wards.csv"), &sweep)?;
    let title = format!(
        "{}: covered share by hour, week of {} ({})",
        area.meta().name,
        sweep.monday,
        scenario.mode
    );
    crate::export::write_text(
        &out.join("week.svg"),
        &crate::export::week_svg(&sweep, &title),
    )?;
    if args.json {
        println!("{}", serde_json::to_string(&sweep)?);
        return Ok(());
    }
    println!(
        "motcua coverage --week — {} · week of {} · {} · {} evaluations in {:.0} ms",
        area.meta().title,
        sweep.monday,
        scenario.mode,
        sweep.evaluations,
        sweep.sweep_ms
    );
    let percent = |x: f64| crate::coverage::percent_floor(x, sweep.population_total, 1);
    println!("  hour      Mo     Tu     We     Th     Fr     Sa     Su   (% covered)");
    for hour in 0..24 {
        let row: Vec<String> = (0..7)
            .map(|d| {
                format!(
                    "{:>5.1}",
                    percent(sweep.hours[d * 24 + hour].population_covered)
                )
            })
            .collect();
        println!("  {hour:02}:00  {}", row.join("  "));
    }
    let worst: Vec<String> = sweep
        .worst_hours
        .iter()
        .take(5)
        .map(|&h| {
            let hc = &sweep.hours[h];
            format!(
                "{} {:02}:00 ({:.1} %)",
                hc.weekday,
                hc.hour,
                percent(hc.population_covered)
            )
        })
        .collect();
    println!("  worst hours: {}", worst.join(", "));
    println!(
        "Wrote {}, {} and {}",
        out.join("week.csv").display(),
        out.join("week_wards.csv").display(),
        out.join("week.svg").display()
    );
    Ok(())
}

fn coverage(args: CoverageArgs) -> Result<()> {
    let area = args.area.open()?;
    let scenario = args.rule.scenario(&area);
    if args.time.week {
        return coverage_week(&args, &area, &scenario);
    }
    let timed = match args.time.at.as_deref() {
        Some(text) => Some(area.evaluate_at(&scenario, crate::scenario::parse_at(text)?)?),
        None => None,
    };
    let eval = match &timed {
        Some(t) => t.evaluation.clone(),
        None => evaluate(&area, &scenario, &args.service.request())?,
    };
    let s = &eval.report.summary;
    let point_ids: Vec<String> = scenario.points.iter().map(|p| p.id.clone()).collect();
    let service = ServiceDoc::new(&scenario, &eval);

    let out = &args.out;
    crate::export::write_cells_parquet(
        &out.join("cells.parquet"),
        &eval.report,
        &point_ids,
        area.ward_names(),
        area.district_names(),
    )?;
    let cells = eval
        .report
        .cells_layer(&point_ids, area.ward_names(), eval.service.as_ref());
    if let Some(report) = &eval.service {
        crate::export::write_catchment_wards(
            &out.join("catchment_wards.csv"),
            &point_ids,
            report,
            area.ward_names(),
        )?;
    }
    crate::export::write_json(&out.join("cells.geojson"), &cells)?;
    if let Some(doc) = &service {
        crate::export::write_points_csv(&out.join("points.csv"), doc)?;
        crate::export::write_wards_service(&out.join("wards_service.csv"), doc)?;
    }
    crate::export::write_regions_csv(&out.join("wards.csv"), &eval.report.wards)?;
    crate::export::write_regions_csv(&out.join("districts.csv"), &eval.report.districts)?;
    let iso = area.isochrones_geojson(&scenario, &IsochroneRequest::default())?;
    crate::export::write_json(&out.join("isochrones.geojson"), &iso)?;

    if args.json {
        let mut summary = serde_json::to_value(s)?;
        if let Some(o) = summary.as_object_mut() {
            o.insert("timings_ms".into(), json!(eval.timings_ms));
            o.insert("area".into(), json!(area.meta().name));
            o.insert("roads_vintage".into(), json!(area.meta().roads_vintage));
            o.insert("mode".into(), json!(scenario.mode));
            o.insert("rule".into(), json!(scenario.rule));
            o.insert("points_by_kind".into(), json!(eval.points_by_kind));
            o.insert("off_network_points".into(), json!(eval.off_network_points));
            o.insert("attribution".into(), json!(area.meta().attribution));
            o.insert("scope".into(), json!(area.meta().scope));
            o.insert(
                "population_in_file".into(),
                json!(area.meta().population_in_file),
            );
            o.insert(
                "population_outside_extent".into(),
                json!(area.meta().population_outside_extent),
            );
            o.insert("points_source".into(), json!(area.meta().points_source));
            o.insert("service".into(), json!(service));
            if let Some(t) = &timed {
                o.insert(
                    "at".into(),
                    json!(t.at.format("%Y-%m-%dT%H:%M").to_string()),
                );
                o.insert("band".into(), json!(t.band));
                o.insert("closed_points".into(), json!(t.closed_points));
                o.insert("changing_points".into(), json!(t.changing_points));
                o.insert("unknown_hours_points".into(), json!(t.unknown_hours_points));
            }
        }
        println!("{}", serde_json::to_string(&summary)?);
        return Ok(());
    }
    let meta = area.meta();
    println!(
        "motcua coverage — {} · roads of {} · {}",
        meta.title, meta.roads_vintage, scenario.mode
    );
    println!(
        "Rule: within {} min of travel {} {} km ({})",
        scenario.rule.max_minutes,
        match scenario.rule.combine {
            Combine::Or => "OR",
            Combine::And => "AND",
        },
        scenario.rule.radius_km,
        match scenario.rule.radius_kind {
            RadiusKind::Straight => "straight line",
            RadiusKind::Network => "along the roads",
        }
    );
    println!(
        "Receiving points: {} ({})",
        scenario.points.len(),
        eval.points_by_kind
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(t) = &timed {
        print_moment(t, scenario.points.len());
    }
    if !eval.off_network_points.is_empty() {
        const LISTED: usize = 8;
        let more = eval.off_network_points.len().saturating_sub(LISTED);
        println!(
            "  {} point(s) lie off the road data and count for the radius only: {}{}",
            eval.off_network_points.len(),
            eval.off_network_points[..eval.off_network_points.len().min(LISTED)].join(", "),
            if more > 0 {
                format!(" and {more} more (all in --json)")
            } else {
                String::new()
            }
        );
    }
    println!();
    let people = |x: f64| group_thousands(x.round() as i64);
    let percent = |x: f64| crate::coverage::percent_floor(x, s.population_total, 1);
    println!("Scope: {}", meta.scope);
    if meta.population_outside_extent > 0.0 {
        println!(
            "  left out: {} people of the population file outside the study extent",
            people(meta.population_outside_extent)
        );
    }
    println!();
    println!(
        "  population in the study area    {:>12}",
        people(s.population_total)
    );
    println!(
        "  covered                         {:>12}  {:>5.1} % of the study area",
        people(s.population_covered),
        percent(s.population_covered)
    );
    println!(
        "  uncovered                       {:>12}  {:>5.1} %",
        people(s.population_uncovered),
        percent(s.population_uncovered)
    );
    println!(
        "    beyond {} min                  {:>12}",
        scenario.rule.max_minutes,
        people(s.uncovered_by_time)
    );
    println!(
        "    beyond {} km                   {:>12}",
        scenario.rule.radius_km,
        people(s.uncovered_by_radius)
    );
    println!(
        "    beyond both                   {:>12}",
        people(s.uncovered_by_both)
    );
    if s.uncovered_no_single_point > 0.0 {
        println!(
            "    no one point within both      {:>12}",
            people(s.uncovered_no_single_point)
        );
    }
    println!(
        "  unknown (no road data)          {:>12}  {:>5.1} %",
        people(s.population_unknown),
        percent(s.population_unknown)
    );
    println!(
        "  of the people the data decides  {:>12}  {:>5.1} % covered",
        people(s.population_covered + s.population_uncovered),
        crate::coverage::percent_floor(
            s.population_covered,
            s.population_covered + s.population_uncovered,
            1
        )
    );
    println!(
        "  without road data               {:>12}  ({} of them covered by the {} km radius)",
        people(s.population_no_road_data),
        people(s.population_no_road_data_covered),
        scenario.rule.radius_km
    );
    println!(
        "  travel time                     mean {:.1} min, 95th percentile {:.1} min ({} people with a road travel time)",
        s.mean_travel_s / 60.0,
        s.p95_travel_s / 60.0,
        people(s.population_with_travel_time)
    );
    println!();
    println!("Worst wards (2025 boundaries):");
    for w in eval.report.wards.iter().take(args.top) {
        println!(
            "  {:<32} {:>5.1} % covered  {:>9} uncovered  {:>9} unknown{}",
            w.name,
            crate::coverage::percent_floor(w.covered, w.population, 1),
            people(w.uncovered),
            people(w.unknown),
            if w.cut_by_extent {
                "  (cut by the study extent)"
            } else {
                ""
            }
        );
    }
    if let Some(doc) = &service {
        print_service(doc, args.top);
    }
    println!();
    println!(
        "Wrote {} (cells.parquet, cells.geojson, points.csv, wards.csv, wards_service.csv, catchment_wards.csv, districts.csv, isochrones.geojson)",
        out.display()
    );
    println!("Roads: {}", meta.attribution);
    Ok(())
}

/// The load section of the coverage report: assumptions, queues, the busiest points, fairness.
fn print_service(doc: &ServiceDoc, top: usize) {
    let people = |x: f64| group_thousands(x.round() as i64);
    let l = &doc.load;
    let a = &l.assumptions;
    println!();
    println!(
        "Load at the peak hour (assumptions: {} visits per resident a year, {:.0} % online, {:.0} % of a day in its peak hour, {} min per visit)",
        a.visits_per_resident_year,
        a.share_online * 100.0,
        a.peak_hour_share * 100.0,
        a.service_min
    );
    println!(
        "  residents in a catchment        {:>12}  ({} in unknown cells, counted apart)",
        people(l.residents_assigned),
        people(l.residents_unknown)
    );
    println!(
        "  at overloaded points (ρ ≥ 1)    {:>12}  {} point(s)",
        people(l.residents_at_overloaded),
        l.points_overloaded
    );
    println!(
        "  at strained points (ρ ≥ 0.85)   {:>12}  {} point(s)",
        people(l.residents_at_strained),
        l.points_strained
    );
    println!(
        "  counters                        {:>12}  ({} needed for an expected wait ≤ {} min)",
        l.counters_total, l.counters_needed_total, l.max_wait_min
    );
    println!(
        "  covered within capacity         {:>12}  {:>5.1} % of the study area ({} covered by the rule find every point full)",
        people(doc.within_capacity.covered),
        doc.within_capacity.covered_share * 100.0,
        people(doc.within_capacity.beyond_capacity)
    );
    let mut busiest: Vec<&crate::scenario::PointServiceDoc> = doc.points.iter().collect();
    busiest.sort_by(|x, y| {
        y.load
            .utilisation
            .unwrap_or(f64::INFINITY)
            .total_cmp(&x.load.utilisation.unwrap_or(f64::INFINITY))
    });
    println!("Busiest points:");
    for p in busiest.iter().take(top) {
        let wait = match p.load.wait_min {
            Some(w) => format!("wait {w:.1} min"),
            None => "overloaded: no steady state".to_string(),
        };
        println!(
            "  {:<12} {:>10} residents  {:>7.1}/h  ρ {:>5}  {:<28} counters {} → {}",
            p.id,
            people(p.load.residents),
            p.load.peak_arrivals_per_hour,
            p.load
                .utilisation
                .map_or("—".to_string(), |u| format!("{u:.2}")),
            wait,
            p.load.counters,
            p.load
                .counters_needed
                .map_or("over 1000".to_string(), |c| c.to_string())
        );
    }
    if let Some(t) = &doc.fairness.travel_min {
        println!(
            "Fairness of travel time ({} residents with one): Gini {:.3}, Palma {}, Theil T {:.3} ({:.3} within wards, {:.3} between), worst-off 10 % {:.1} min vs mean {:.1} min",
            people(t.population),
            t.gini,
            t.palma.map_or("—".to_string(), |p| format!("{p:.2}")),
            t.theil_t,
            doc.theil_within_wards,
            doc.theil_between_wards,
            t.top_tenth_mean,
            t.mean
        );
    }
    if let Some(a) = doc.fairness.e2sfca_per_10k {
        println!(
            "E2SFCA access: {a:.2} counters per 10,000 residents on average (Gini {:.3})",
            doc.fairness.e2sfca.as_ref().map_or(0.0, |e| e.gini)
        );
    }
}

fn isochrones(args: IsochroneArgs) -> Result<()> {
    let area = args.area.open()?;
    let scenario = args.rule.scenario(&area);
    let mut request = IsochroneRequest {
        per_point: args.per_point,
        ..IsochroneRequest::default()
    };
    if !args.minutes.is_empty() {
        request.minutes = args.minutes.clone();
    }
    let spinner = spinner("Computing isochrones".into());
    let iso = area.isochrones_geojson(&scenario, &request);
    spinner.finish_and_clear();
    let iso = iso?;
    let path = args.out.join("isochrones.geojson");
    crate::export::write_json(&path, &iso)?;
    let n = iso.features.len();
    println!(
        "Wrote {n} isochrone polygons ({} min, {}) to {}",
        request
            .minutes
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join("/"),
        scenario.mode,
        path.display()
    );
    println!("Roads: {}", area.meta().attribution);
    Ok(())
}

fn nearest(args: NearestArgs) -> Result<()> {
    let area = args.area.open()?;
    let request = NearestRequest {
        mode: args.mode,
        k: args.k,
        ..NearestRequest::at(args.lon, args.lat)
    };
    let answer = area.nearest(&request, area.points())?;
    if args.json {
        println!("{}", serde_json::to_string(&answer)?);
        return Ok(());
    }
    println!(
        "From ({:.5}, {:.5}) by {} — {} (roads of {})",
        args.lon,
        args.lat,
        args.mode,
        area.meta().title,
        area.meta().roads_vintage
    );
    if answer.results.is_empty() {
        println!("No receiving point can be reached by road from here.");
    }
    for (i, r) in answer.results.iter().enumerate() {
        let open = match r.open_now {
            Some(true) => "open now",
            Some(false) => "closed now",
            None => "hours unknown",
        };
        println!(
            "{}. {:<55} {:>5.1} min  {:>5.2} km  {}  [{}]{}",
            i + 1,
            r.point.name,
            r.travel_s / 60.0,
            r.distance_m / 1000.0,
            open,
            r.point.opening_hours,
            if r.point.approximate {
                "  (location approximate)"
            } else {
                ""
            }
        );
    }
    println!("Roads: {}", area.meta().attribution);
    Ok(())
}

impl OptimiseArgs {
    /// The placement request these flags ask; what they leave out is the library's default.
    pub fn request(&self) -> Result<PlacementRequest> {
        let defaults = PlacementRequest::default();
        let candidates = if self.candidates == "cells" {
            Candidates::cells(self.candidate_resolution)?
        } else {
            Candidates::Points(crate::scenario::read_points(std::path::Path::new(
                &self.candidates,
            ))?)
        };
        Ok(PlacementRequest {
            model: self.model,
            add: self.add.unwrap_or(defaults.add),
            phases: self.phases.clone(),
            consolidate: self.consolidate,
            keep: self.keep,
            fixed_kinds: if self.fixed_kind.is_empty() {
                defaults.fixed_kinds
            } else {
                self.fixed_kind.clone()
            },
            seed: self.seed,
            time_limit_s: self.time_limit,
            solver: self.solver,
            candidates,
            capacity: self.capacity,
            min_ward_share: self.min_ward_share,
            capacity_from_counters: self.capacity_from_counters,
            time: PlacementTime::from_fields(
                self.time.at.as_deref(),
                self.time.week,
                self.time.week_of.clone(),
            )?,
            new_point_hours: self.new_point_hours.clone(),
        })
    }

    /// The bring-your-own-matrix run these flags ask.
    fn matrix_run(&self, matrix: &std::path::Path) -> Result<crate::optimise::io::MatrixRunArgs> {
        let Some(demand) = &self.demand else {
            anyhow::bail!("--cost-matrix needs --demand (CSV demand_id,weight)");
        };
        let mut run = crate::optimise::io::MatrixRunArgs::new(
            matrix.to_path_buf(),
            demand.clone(),
            self.model,
        );
        run.candidates_file = self.candidates_file.clone();
        run.fixed = self.fixed.clone();
        run.facilities = self.facilities;
        run.add = self.add;
        run.radius = self.radius;
        run.capacity_column = self.capacity_column.clone();
        run.solver = self.solver;
        run.time_limit_s = self.time_limit;
        run.seed = self.seed;
        Ok(run)
    }
}

fn optimise(args: OptimiseArgs) -> Result<()> {
    if let Some(matrix) = &args.cost_matrix {
        let report = crate::optimise::io::solve_from_files(&args.matrix_run(matrix)?)?;
        if args.json {
            println!("{}", serde_json::to_string(&report)?);
        } else {
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        return Ok(());
    }
    let request = args.request()?;
    let area = args.area.open()?;
    let scenario = args.rule.scenario(&area);
    let bar = ProgressBar::new(1000);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {percent:>3}% {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let progress = |f: f64, m: &str| {
        bar.set_position((f * 1000.0) as u64);
        bar.set_message(m.to_string());
    };
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let plan = area
        .placement()
        .suggest(&scenario, &request, &progress, &cancel);
    bar.finish_and_clear();
    let plan = plan?;

    crate::export::write_suggested_points(
        &args.out.join("suggested_points.csv"),
        &args.out.join("suggested_points.geojson"),
        &plan.added,
    )?;
    let before = area.evaluate(&scenario)?;
    // The plan's points with their load: which desks stay, and with how many counters each.
    let planned = plan.apply(&scenario);
    let after = area.evaluate_service(&planned, &ServiceRequest::default())?;
    let service_after = ServiceDoc::new(&planned, &after);
    if let Some(doc) = &service_after {
        crate::export::write_points_csv(&args.out.join("points_after.csv"), doc)?;
    }
    crate::export::write_ward_comparison(
        &args.out.join("wards_before_after.csv"),
        &before.report.wards,
        &after.report.wards,
    )?;
    if args.json {
        let out = json!({
            "area": area.meta().name,
            "plan": plan,
            "covered_share_before": before.report.summary.covered_share,
            "covered_share_after": after.report.summary.covered_share,
            "service_after": service_after,
            "population_total": after.report.summary.population_total,
            "uncovered_after": after.report.summary.population_uncovered,
            "unknown_after": after.report.summary.population_unknown,
            "wards_most_unknown_after": after
                .report
                .wards_most_unknown(UNKNOWN_WARDS_SHOWN)
                .iter()
                .map(|w| json!({"ward": w.name, "unknown": w.unknown}))
                .collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    let people = |x: f64| group_thousands(x.round() as i64);
    println!(
        "motcua optimise — {} · roads of {} · {} · model {}",
        area.meta().title,
        area.meta().roads_vintage,
        scenario.mode,
        plan.model
    );
    let (unit, _) = plan.measure.unit();
    match (&request.time, &plan.at) {
        (PlacementTime::At(_), Some(at)) => println!(
            "Judged for residents leaving at {at} (Hanoi): a point serves only when open on arrival; new points open {}",
            request.new_point_hours
        ),
        (PlacementTime::Week(_), _) => println!(
            "Judged over the 168 hours of the week (person-hours covered); new points open {}",
            request.new_point_hours
        ),
        _ => {}
    }
    for (k, phase) in plan.phases.iter().enumerate() {
        if plan.phases.len() > 1 {
            println!("\nPhase with {} new points:", phase.new_sites);
        }
        for (i, a) in plan.added.iter().filter(|a| a.phase == k + 1).enumerate() {
            println!(
                "  {:>2}. ({:.5}, {:.5}) {:<40} {}",
                i + 1,
                a.point.lon,
                a.point.lat,
                a.point.address.clone().unwrap_or_default(),
                a.explanation
            );
        }
        println!(
            "  {} points open · covered {} → {} {unit} · objective {:.0}",
            phase.open_sites,
            people(plan.covered_before),
            people(phase.covered_after),
            phase.objective,
        );
    }
    if !plan.removed.is_empty() {
        println!(
            "  close {} desks: {}",
            plan.removed.len(),
            plan.removed.join(", ")
        );
    }
    println!(
        "  solver {}{} · matrix {:.1} s, solve {:.1} s",
        plan.solver,
        plan.gap
            .map_or(String::new(), |g| format!(" (gap {:.2} %)", g * 100.0)),
        plan.matrix_s,
        plan.solve_s
    );
    let (b, a) = (&before.report.summary, &after.report.summary);
    let percent = |x: f64| crate::coverage::percent_floor(x, a.population_total, 1);
    // A plan judged at a time still changes the plain evaluation: say which this is.
    let every_point_open = match request.time {
        PlacementTime::AnyTime => "",
        _ => " with every point open",
    };
    println!(
        "\nCovered{every_point_open}: {:.1} % → {:.1} % of the residents ({})",
        percent(b.population_covered),
        percent(a.population_covered),
        area.meta().scope
    );
    if let Some(doc) = &service_after {
        println!(
            "After the plan, at the peak hour (expected wait ≤ {} min; assumptions in data/README.md):",
            doc.load.max_wait_min
        );
        for p in &doc.points {
            println!(
                "  {:<14} {:>10} residents  ρ {:>5}  counters {} → {} needed",
                p.id,
                people(p.load.residents),
                p.load
                    .utilisation
                    .map_or("—".to_string(), |u| format!("{u:.2}")),
                p.load.counters,
                p.load
                    .counters_needed
                    .map_or("over 1000".to_string(), |c| c.to_string())
            );
        }
        println!(
            "  covered within capacity {} of {} residents",
            people(doc.within_capacity.covered),
            people(after.report.summary.population_total)
        );
    }
    println!(
        "After the plan: {} uncovered, {} unknown (no road data)",
        people(a.population_uncovered),
        people(a.population_unknown)
    );
    let unknown = after.report.wards_most_unknown(UNKNOWN_WARDS_SHOWN);
    if !unknown.is_empty() {
        let list: Vec<String> = unknown
            .iter()
            .map(|w| format!("{} ({})", w.name, people(w.unknown)))
            .collect();
        println!(
            "  most unknown in {}; a current road extract (--osm) would settle them",
            list.join(", ")
        );
    }
    println!(
        "Wrote {} (suggested_points.csv, suggested_points.geojson, wards_before_after.csv, points_after.csv)",
        args.out.display()
    );
    println!("Roads: {}", area.meta().attribution);
    Ok(())
}

/// Wards named where the unknown residents are, after a plan.
const UNKNOWN_WARDS_SHOWN: usize = 5;

fn export_graph(args: ExportGraphArgs) -> Result<()> {
    let area = args.area.open()?;
    let times = crate::scenario::GraphTimes::new(&area, args.mode, area.points())?;
    crate::export::write_graph_times(&args.out, &times)?;
    let graph = &times.network.graph;
    println!(
        "Wrote {} nodes, {} edges and {} seeds of the {} graph to {}",
        graph.num_nodes(),
        graph.num_edges(),
        times.seeds.len(),
        args.mode,
        args.out.display()
    );
    println!("Roads: {}", area.meta().attribution);
    Ok(())
}

fn prepare_population(args: PreparePopulationArgs) -> Result<()> {
    let data = args
        .data_dir
        .clone()
        .unwrap_or_else(crate::scenario::default_data_dir);
    let census = args
        .census
        .unwrap_or_else(|| data.join("population/hanoi_population_2019_ward_points.csv"));
    let districts = args
        .districts
        .unwrap_or_else(|| data.join("boundaries/hanoi_districts_2019.geojson"));
    let roads = if args.roads.is_empty() {
        StudyArea::available_areas(&data)
            .iter()
            .map(|a| data.join("areas").join(a).join("roads.osm.pbf"))
            .filter(|p| p.is_file())
            .collect()
    } else {
        args.roads
    };
    let out = args.out.unwrap_or_else(|| {
        data.join(format!(
            "population/hanoi_population_2019_h3r{}.csv",
            args.resolution
        ))
    });
    let resolution = h3o::Resolution::try_from(args.resolution)?;
    let spinner = spinner("Reading road extracts".into());
    let mut lines = Vec::new();
    for path in &roads {
        let osm = crate::ingest::read_osm(path)?;
        lines.extend(osm.ways.iter().filter_map(|w| {
            Some(crate::population::prepare::RoadLine {
                highway: w.tag("highway")?.to_string(),
                coords: w
                    .nodes
                    .iter()
                    .filter_map(|&id| osm.node(id))
                    .map(|n| (n.lon, n.lat))
                    .collect(),
            })
        }));
    }
    spinner.set_message("Spreading the census over H3 cells");
    let options = crate::population::prepare::PrepareOptions {
        resolution,
        ..Default::default()
    };
    let summary =
        crate::population::prepare::prepare_population(&census, &districts, &lines, &options, &out);
    spinner.finish_and_clear();
    let s = summary?;
    println!(
        "{} people from {} wards ({} at their ward point, {} spread over their district) on {} populated H3 cells; {} cells crossed by weighted roads ({:.0} km)",
        group_thousands(s.total_population as i64),
        s.wards,
        s.wards_at_points,
        s.wards_spread_over_district,
        s.populated_cells,
        s.cells_with_roads,
        s.weighted_road_length_m / 1000.0
    );
    println!("Wrote {}", out.display());
    Ok(())
}

fn prepare_boundaries(args: PrepareBoundariesArgs) -> Result<()> {
    let summary = crate::boundary::dvhcvn_to_geojson(&args.dvhcvn, &args.out)?;
    println!("{summary:?}");
    println!("Wrote {}", args.out.display());
    Ok(())
}
