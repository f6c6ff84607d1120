//! Bring-your-own-matrix: read a cost matrix, demand and candidates from CSV, solve, and report
//! in a serialisable form (`motcua optimise --cost-matrix … --json`).
//!
//! - `costs.csv`: `demand_id,candidate_id,cost`; pairs not listed are unreachable.
//! - `demand.csv`: `demand_id,weight`.
//! - `candidates.csv` (optional): `candidate_id[,capacity]`; without it the candidates are the
//!   ids seen in the cost matrix, in order of first appearance.
//!
//! Errors name the file, the line (the header is line 1) and the field.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::problem::{CandidateIndex, CostEntry, DemandIndex, Problem, ProblemSpec};
use super::solution::SolverUsed;
use super::{
    Control, CoverageTarget, Model, ModelKind, OptimiseError, SolveOptions, Solver, solve,
};

/// Arguments of one run from files (what the CLI's `optimise` subcommand collects).
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixRunArgs {
    /// `costs.csv`.
    pub cost_matrix: PathBuf,
    /// `demand.csv`.
    pub demand: PathBuf,
    /// Optional `candidates.csv`.
    pub candidates_file: Option<PathBuf>,
    /// Ids of candidates that are already open.
    pub fixed: Vec<String>,
    /// The model.
    pub model: ModelKind,
    /// Sites open in the answer, fixed ones included (mclp, pmedian, pcenter), as spopt's
    /// `p_facilities` and ArcGIS's "facilities to choose" count them. Give this or `add`.
    pub facilities: Option<usize>,
    /// New sites on top of the fixed ones. Give this or `facilities`.
    pub add: Option<usize>,
    /// Coverage radius in the cost unit (mclp, lscp).
    pub radius: Option<f64>,
    /// LSCP: share of the total weight to cover (default: every demand point of positive
    /// weight).
    pub coverage_share: Option<f64>,
    /// p-median: cost per unit weight of unassigned demand (default: not allowed).
    pub unassigned_cost: Option<f64>,
    /// Capacity column of `candidates.csv` (default `capacity`); capacities, when present,
    /// make the solve capacitated.
    pub capacity_column: Option<String>,
    /// Which solver runs.
    pub solver: Solver,
    /// MIP time limit in seconds.
    pub time_limit_s: f64,
    /// Seed for the heuristic.
    pub seed: u64,
}

impl MatrixRunArgs {
    /// Arguments with defaults for everything but the files and the model.
    pub fn new(cost_matrix: PathBuf, demand: PathBuf, model: ModelKind) -> Self {
        Self {
            cost_matrix,
            demand,
            candidates_file: None,
            fixed: Vec::new(),
            model,
            facilities: None,
            add: None,
            radius: None,
            coverage_share: None,
            unassigned_cost: None,
            capacity_column: None,
            solver: SolveOptions::default().solver,
            time_limit_s: SolveOptions::default().time_limit_s,
            seed: SolveOptions::default().seed,
        }
    }
}

/// One selected site in a [`RunReport`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteSummary {
    /// Candidate id.
    pub id: String,
    /// Whether it was fixed open before solving.
    pub fixed: bool,
    /// Demand weight assigned to it.
    pub served_weight: f64,
    /// Covered weight lost if only this site closed.
    pub marginal_weight: f64,
}

/// The result of a run, as printed by `--json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReport {
    /// Model name.
    pub model: ModelKind,
    /// Sites open in the answer, fixed ones included.
    pub open_sites: usize,
    /// Sites opened on top of the fixed ones.
    pub new_sites: usize,
    /// Selected candidate ids, fixed ones included.
    pub selected: Vec<String>,
    /// Objective (p-median: weighted sum of costs).
    pub objective: f64,
    /// Covered weight.
    pub covered_weight: f64,
    /// Total demand weight.
    pub total_weight: f64,
    /// Weight-averaged cost to the assigned site.
    pub mean_cost: f64,
    /// Largest cost to an assigned site.
    pub max_cost: f64,
    /// Best known bound, if any.
    pub bound: Option<f64>,
    /// Relative gap to the bound, if any.
    pub gap: Option<f64>,
    /// Whether the objective is proven optimal.
    pub proven_optimal: bool,
    /// Solve time in seconds.
    pub solve_s: f64,
    /// Which solver produced the sites.
    pub solver: SolverUsed,
    /// Per selected site.
    pub sites: Vec<SiteSummary>,
}

fn open_csv(path: &Path) -> Result<csv::Reader<std::fs::File>, OptimiseError> {
    let io_error = |source| OptimiseError::Io {
        path: path.to_path_buf(),
        source,
    };
    let delimiter = crate::text::csv_delimiter_of_file(path).map_err(io_error)?;
    let file = std::fs::File::open(path).map_err(io_error)?;
    Ok(csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .comment(Some(b'#'))
        .from_reader(file))
}

/// Position of column `name`, matched regardless of case (`Demand_ID` is `demand_id`).
fn find_column(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
}

fn column(
    path: &Path,
    headers: &csv::StringRecord,
    name: &str,
    expected: &'static str,
) -> Result<usize, OptimiseError> {
    find_column(headers, name).ok_or_else(|| missing_column(path, headers, name, expected))
}

fn missing_column(
    path: &Path,
    headers: &csv::StringRecord,
    name: &str,
    expected: &'static str,
) -> OptimiseError {
    OptimiseError::MissingColumn {
        path: path.to_path_buf(),
        column: name.to_string(),
        found: headers.iter().map(str::to_string).collect(),
        expected,
    }
}

fn csv_error(path: &Path, line: u64, field: &str, message: String) -> OptimiseError {
    OptimiseError::Csv {
        path: path.to_path_buf(),
        line,
        field: field.to_string(),
        message,
    }
}

/// Reads every record, with its 1-based line number.
fn records(
    path: &Path,
) -> Result<(csv::StringRecord, Vec<(u64, csv::StringRecord)>), OptimiseError> {
    let mut reader = open_csv(path)?;
    let headers = reader
        .headers()
        .map_err(|e| csv_error(path, 1, "header", e.to_string()))?
        .clone();
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            csv_error(path, line, "record", e.to_string())
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        out.push((line, rec));
    }
    Ok((headers, out))
}

fn number(path: &Path, line: u64, field: &str, text: &str) -> Result<f64, OptimiseError> {
    let v: f64 = text
        .parse()
        .map_err(|_| csv_error(path, line, field, format!("{text:?} is not a number")))?;
    if !v.is_finite() || v < 0.0 {
        return Err(csv_error(
            path,
            line,
            field,
            format!("{text} is invalid; expected a finite number >= 0"),
        ));
    }
    Ok(v)
}

fn text<'r>(
    path: &Path,
    line: u64,
    field: &str,
    rec: &'r csv::StringRecord,
    k: usize,
) -> Result<&'r str, OptimiseError> {
    match rec.get(k) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(csv_error(
            path,
            line,
            field,
            "empty; expected a value".to_string(),
        )),
    }
}

/// Reads the three files into a [`Problem`] (capacities included when the capacity column is
/// present). `fixed` are candidate ids that stay open.
pub fn read_problem(args: &MatrixRunArgs) -> Result<Problem, OptimiseError> {
    // demand.csv
    let path = args.demand.as_path();
    let (headers, rows) = records(path)?;
    let c_id = column(path, &headers, "demand_id", "demand_id,weight")?;
    let c_w = column(path, &headers, "weight", "demand_id,weight")?;
    let mut demand_ids = Vec::with_capacity(rows.len());
    let mut weights = Vec::with_capacity(rows.len());
    let mut demand_of: HashMap<String, u32> = HashMap::with_capacity(rows.len());
    for (line, rec) in &rows {
        let id = text(path, *line, "demand_id", rec, c_id)?;
        let w = number(
            path,
            *line,
            "weight",
            text(path, *line, "weight", rec, c_w)?,
        )?;
        if demand_of
            .insert(id.to_string(), demand_ids.len() as u32)
            .is_some()
        {
            return Err(csv_error(
                path,
                *line,
                "demand_id",
                format!("{id:?} appears more than once; demand ids must be unique"),
            ));
        }
        demand_ids.push(id.to_string());
        weights.push(w);
    }

    // candidates.csv
    let mut candidate_ids: Vec<String> = Vec::new();
    let mut candidate_of: HashMap<String, u32> = HashMap::new();
    let mut capacities: Option<Vec<f64>> = None;
    if let Some(path) = args.candidates_file.as_deref() {
        let expected = "candidate_id[,capacity]";
        let (headers, rows) = records(path)?;
        let c_id = column(path, &headers, "candidate_id", expected)?;
        let cap_name = args.capacity_column.as_deref().unwrap_or("capacity");
        let c_cap = match find_column(&headers, cap_name) {
            Some(k) => Some(k),
            None if args.capacity_column.is_some() => {
                return Err(missing_column(path, &headers, cap_name, expected));
            }
            None => None,
        };
        let mut caps = Vec::new();
        for (line, rec) in &rows {
            let id = text(path, *line, "candidate_id", rec, c_id)?;
            if candidate_of
                .insert(id.to_string(), candidate_ids.len() as u32)
                .is_some()
            {
                return Err(csv_error(
                    path,
                    *line,
                    "candidate_id",
                    format!("{id:?} appears more than once; candidate ids must be unique"),
                ));
            }
            candidate_ids.push(id.to_string());
            if let Some(k) = c_cap {
                caps.push(number(
                    path,
                    *line,
                    cap_name,
                    text(path, *line, cap_name, rec, k)?,
                )?);
            }
        }
        if c_cap.is_some() {
            capacities = Some(caps);
        }
    } else if args.capacity_column.is_some() {
        return Err(OptimiseError::MissingArgument {
            model: "capacitated",
            argument: "a candidates file with the capacity column",
        });
    }
    let candidates_given = args.candidates_file.is_some();

    // costs.csv
    let path = args.cost_matrix.as_path();
    let expected = "demand_id,candidate_id,cost";
    let (headers, rows) = records(path)?;
    let c_d = column(path, &headers, "demand_id", expected)?;
    let c_c = column(path, &headers, "candidate_id", expected)?;
    let c_cost = column(path, &headers, "cost", expected)?;
    let mut costs = Vec::with_capacity(rows.len());
    let mut seen_pairs = std::collections::HashSet::with_capacity(rows.len());
    for (line, rec) in &rows {
        let d = text(path, *line, "demand_id", rec, c_d)?;
        let c = text(path, *line, "candidate_id", rec, c_c)?;
        let cost = number(path, *line, "cost", text(path, *line, "cost", rec, c_cost)?)?;
        let Some(&j) = demand_of.get(d) else {
            return Err(csv_error(
                path,
                *line,
                "demand_id",
                format!("{d:?} is not in {}", args.demand.display()),
            ));
        };
        let i = match candidate_of.get(c) {
            Some(&i) => i,
            None if !candidates_given => {
                let i = candidate_ids.len() as u32;
                candidate_of.insert(c.to_string(), i);
                candidate_ids.push(c.to_string());
                i
            }
            None => {
                return Err(csv_error(
                    path,
                    *line,
                    "candidate_id",
                    format!(
                        "{c:?} is not in {}",
                        args.candidates_file
                            .as_deref()
                            .map_or_else(String::new, |p| p.display().to_string())
                    ),
                ));
            }
        };
        if !seen_pairs.insert((j, i)) {
            return Err(csv_error(
                path,
                *line,
                "candidate_id",
                format!("the pair {d:?} / {c:?} already has a cost; give each pair once"),
            ));
        }
        costs.push(CostEntry {
            demand: DemandIndex(j),
            candidate: CandidateIndex(i),
            cost,
        });
    }
    Problem::new(ProblemSpec {
        demand_ids,
        weights,
        candidate_ids,
        costs,
        fixed: args.fixed.clone(),
        capacities,
        groups: None,
    })
}

/// The model described by `args` on a problem with `fixed` sites already open.
pub fn model_of(args: &MatrixRunArgs, fixed: usize) -> Result<Model, OptimiseError> {
    let name = args.model.name();
    let p = || match (args.facilities, args.add) {
        (Some(_), Some(_)) => Err(OptimiseError::BothCounts { model: name }),
        (Some(facilities), None) if facilities < fixed => {
            Err(OptimiseError::FacilitiesBelowFixed { facilities, fixed })
        }
        (Some(facilities), None) => Ok(facilities - fixed),
        (None, Some(add)) => Ok(add),
        (None, None) => Err(OptimiseError::MissingArgument {
            model: name,
            argument: "a number of sites: facilities (all open sites, fixed ones included) or add (new sites)",
        }),
    };
    let radius = || {
        args.radius.ok_or(OptimiseError::MissingArgument {
            model: name,
            argument: "a coverage radius in the matrix's cost unit",
        })
    };
    Ok(match args.model {
        ModelKind::Mclp => Model::Mclp {
            p: p()?,
            radius: radius()?,
        },
        ModelKind::Lscp => Model::Lscp {
            radius: radius()?,
            target: args
                .coverage_share
                .map_or(CoverageTarget::AllDemand, CoverageTarget::WeightShare),
        },
        ModelKind::PMedian => Model::PMedian {
            p: p()?,
            unassigned_cost: args.unassigned_cost,
        },
        ModelKind::PCenter => Model::PCenter { p: p()? },
    })
}

/// Reads the files, solves and reports. The one entry point of `motcua optimise`.
///
/// ```
/// use motcua::optimise::ModelKind;
/// use motcua::optimise::io::{solve_from_files, MatrixRunArgs};
/// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/optimise");
/// let mut args = MatrixRunArgs::new(dir.join("costs.csv"), dir.join("demand.csv"), ModelKind::Mclp);
/// args.facilities = Some(1);
/// args.radius = Some(1800.0);
/// let report = solve_from_files(&args)?;
/// assert_eq!(report.selected.len(), 1);
/// # Ok::<(), motcua::optimise::OptimiseError>(())
/// ```
pub fn solve_from_files(args: &MatrixRunArgs) -> Result<RunReport, OptimiseError> {
    solve_from_files_with(args, &Control::none())
}

/// [`solve_from_files`] with progress reporting and cancellation.
pub fn solve_from_files_with(
    args: &MatrixRunArgs,
    control: &Control,
) -> Result<RunReport, OptimiseError> {
    super::check_time_limit(args.time_limit_s)?;
    let problem = read_problem(args)?;
    let model = model_of(args, problem.fixed().len())?;
    let options = SolveOptions {
        solver: args.solver,
        time_limit_s: args.time_limit_s,
        seed: args.seed,
        restarts: SolveOptions::default().restarts,
        capacitated: problem.capacities().is_some(),
        fairness: None,
    };
    let s = solve(&problem, &model, &options, control)?;
    let open_sites = s.selected.len();
    Ok(RunReport {
        model: s.model,
        open_sites,
        new_sites: open_sites - problem.fixed().len(),
        selected: s.selected_ids.clone(),
        objective: s.objective,
        covered_weight: s.covered_weight,
        total_weight: s.total_weight,
        mean_cost: s.mean_cost,
        max_cost: s.max_cost,
        bound: s.bound,
        gap: s.gap,
        proven_optimal: s.proven_optimal,
        solve_s: s.solve_s,
        solver: s.solver,
        sites: s
            .sites
            .iter()
            .map(|site| SiteSummary {
                id: site.id.clone(),
                fixed: site.fixed,
                served_weight: site.served_weight,
                marginal_weight: site.marginal_weight,
            })
            .collect(),
    })
}
