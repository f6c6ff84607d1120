//! Placement optimisation: where new receiving points should go.
//!
//! This module knows nothing spatial. It takes demand weights (people per cell), candidate
//! sites, a sparse cost matrix (only pairs within a cut-off; a missing pair is unreachable) and
//! fixed sites that are already open, and returns a [`Solution`]. The `scenario` module builds
//! [`Problem`]s from travel-time matrices; [`io`] reads them from CSV files.
//!
//! Models ([`Model`]), all keeping the fixed sites open:
//! - **MCLP**: open `p` new sites maximising the weight within `radius` of an open site.
//! - **LSCP**: open the fewest new sites so every demand point of positive weight (or a chosen
//!   share of the total weight) is within `radius`.
//! - **p-median**: open `p` new sites minimising the weighted sum of costs to the nearest open
//!   site. Demand that reaches no open site is charged `unassigned_cost` per unit of weight; when
//!   that is `None`, every demand point of positive weight must be assigned, and a request where
//!   that is impossible is an error.
//! - **p-center**: open `p` new sites minimising the largest cost from a demand point of positive
//!   weight to its nearest open site (every such point must be assigned).
//!
//! Solvers ([`Solver`]): a heuristic (lazy greedy, swap local search with a tabu phase,
//! destroy-and-repair rounds; seeded and deterministic), CBC MIPs with a time limit, and `Auto`
//! (both; the better answer with the best bound: CBC's, a Lagrangian bound
//! ([`lagrangian_bound`]) or the LP relaxation's). [`solve_brute_force`] is the oracle for
//! small instances.
//!
//! Options ([`SolveOptions`]): capacities (MCLP and p-median; demand may be split between
//! sites), group fairness (MCLP), the solver ([`Solver`]), a time limit and a seed. Plans built
//! on top: [`consolidate`] (keep k existing sites, or the fewest that keep coverage) and
//! [`plan_phases`] (nested plans such as 5, 10, 30 new sites).
//!
//! ```
//! use motcua::optimise::{solve, Control, Model, Problem, SolveOptions, Solver};
//! // Three demand points, three candidates; costs in seconds, `None` = unreachable.
//! let problem = Problem::from_dense(
//!     &[100.0, 50.0, 10.0],
//!     &[
//!         vec![Some(300.0), None, Some(2000.0)],
//!         vec![None, Some(600.0), Some(900.0)],
//!         vec![None, None, Some(100.0)],
//!     ],
//!     &[],
//! )?;
//! let options = SolveOptions { solver: Solver::Heuristic, ..SolveOptions::default() };
//! let solution = solve(&problem, &Model::Mclp { p: 1, radius: 1800.0 }, &options, &Control::none())?;
//! assert_eq!(solution.selected_ids, vec!["c0"]);
//! assert_eq!(solution.covered_weight, 100.0);
//! # Ok::<(), motcua::optimise::OptimiseError>(())
//! ```

mod bound;
mod error;
mod exact;
mod heuristic;
pub mod io;
mod oracle;
mod plans;
mod problem;
mod solution;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub use bound::lagrangian_bound;
pub use error::OptimiseError;
pub use exact::{AUTO_MAX_NONZEROS, MAX_ASSIGNMENT_VARIABLES};
pub use oracle::solve_brute_force;
pub use plans::{Consolidation, Phase, PhasePlan, consolidate, plan_phases};
pub use problem::{
    CandidateIndex, CostEntry, DemandGroups, DemandIndex, GroupIndex, Problem, ProblemSpec,
};
pub use solution::{
    Assigned, GroupShare, ModelKind, SiteReport, Solution, SolverUsed, assign_nearest_first,
};

/// A placement model and its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    /// Maximal covering: `p` new sites, maximise weight within `radius`.
    Mclp {
        /// Number of new sites (fixed ones come on top).
        p: usize,
        /// Largest cost that counts as covered.
        radius: f64,
    },
    /// Set covering: fewest new sites reaching `target` within `radius`.
    Lscp {
        /// Largest cost that counts as covered.
        radius: f64,
        /// What must be covered.
        target: CoverageTarget,
    },
    /// p-median: `p` new sites, minimise weighted cost to the nearest open site.
    PMedian {
        /// Number of new sites (fixed ones come on top).
        p: usize,
        /// Cost per unit of weight of demand with no reachable open site; `None` = such
        /// demand is not allowed.
        unassigned_cost: Option<f64>,
    },
    /// p-center: `p` new sites, minimise the largest cost to the nearest open site.
    PCenter {
        /// Number of new sites (fixed ones come on top).
        p: usize,
    },
}

impl Model {
    /// The kind of this model.
    pub fn kind(&self) -> ModelKind {
        match self {
            Model::Mclp { .. } => ModelKind::Mclp,
            Model::Lscp { .. } => ModelKind::Lscp,
            Model::PMedian { .. } => ModelKind::PMedian,
            Model::PCenter { .. } => ModelKind::PCenter,
        }
    }
}

/// What an LSCP must cover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CoverageTarget {
    /// Every demand point of positive weight (points of zero weight are ignored).
    AllDemand,
    /// At least this share (0..=1) of the total weight.
    WeightShare(f64),
}

/// Group fairness for MCLP (groups come from [`Problem::groups`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fairness {
    /// Every group must have at least this share (0..=1) of its weight covered.
    MinGroupShare(f64),
    /// Maximise the covered share of the worst group first, then the total covered weight.
    MaximiseWorstGroup,
}

/// Which solver runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// Greedy (lazy, CELF-style) start then interchange local search; fast, no proof.
    Heuristic,
    /// MIP solved by CBC within the time limit, warm-started from the heuristic. When CBC
    /// stops without a solution, or the model has more than [`MAX_ASSIGNMENT_VARIABLES`]
    /// assignment variables (p-median and capacitated models on large matrices), the
    /// heuristic's answer is returned with the best bound known (`solver` says which).
    Exact,
    /// Heuristic first, then the MIP within the time limit where it is small enough to finish
    /// (at most [`AUTO_MAX_NONZEROS`] demand–site links); keeps the better answer and reports the best bound found (CBC's, a Lagrangian bound, or
    /// the LP relaxation's).
    #[default]
    Auto,
}

impl Solver {
    pub const ALL: [Solver; 3] = [Solver::Heuristic, Solver::Exact, Solver::Auto];

    /// Lowercase name, as typed on the command line and sent in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Solver::Heuristic => "heuristic",
            Solver::Exact => "exact",
            Solver::Auto => "auto",
        }
    }
}

impl std::fmt::Display for Solver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Solver {
    type Err = OptimiseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded = s.trim().to_ascii_lowercase();
        Solver::ALL
            .into_iter()
            .find(|v| v.name() == folded)
            .ok_or_else(|| OptimiseError::UnknownSolver {
                name: s.to_string(),
            })
    }
}

/// The longest time limit a solve accepts, in seconds: one day. Longer than any solve worth
/// waiting for, and far below the point where a deadline overflows the clock (`inf` or `1e20`
/// seconds cannot be turned into a deadline at all).
pub const MAX_TIME_LIMIT_S: f64 = 86_400.0;

/// Checks a time limit before anything is built: a positive number of seconds up to
/// [`MAX_TIME_LIMIT_S`].
pub fn check_time_limit(time_limit_s: f64) -> Result<f64, OptimiseError> {
    if time_limit_s.is_finite() && time_limit_s > 0.0 && time_limit_s <= MAX_TIME_LIMIT_S {
        Ok(time_limit_s)
    } else {
        Err(OptimiseError::InvalidTimeLimit {
            time_limit_s,
            max_s: MAX_TIME_LIMIT_S,
        })
    }
}

/// How to solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolveOptions {
    /// Which solver runs.
    pub solver: Solver,
    /// Time limit for the MIP, in seconds.
    pub time_limit_s: f64,
    /// Seed for the local search's random restarts and scan order; the same seed gives the
    /// same answer.
    pub seed: u64,
    /// Destroy-and-repair rounds after the first local search: a random quarter of the new
    /// sites is closed, refilled greedily and improved again; the best plan is kept
    /// (0 = greedy start and one local search only). Used by MCLP, p-median and p-center.
    pub restarts: usize,
    /// Respect candidate capacities (MCLP and p-median).
    pub capacitated: bool,
    /// Group fairness (MCLP).
    pub fairness: Option<Fairness>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            solver: Solver::Auto,
            time_limit_s: 60.0,
            seed: 0,
            restarts: 3,
            capacitated: false,
            fairness: None,
        }
    }
}

/// A progress callback: fraction in 0..=1 and a short message.
pub type ProgressFn<'a> = &'a (dyn Fn(f64, &str) + Sync);

/// Progress reporting and cooperative cancellation, shared by the CLI progress bar and the web
/// server. The heuristics check `cancel` between moves; CBC cannot be interrupted, so the MIP
/// checks it before and after each solve and relies on the time limit in between.
#[derive(Clone, Copy, Default)]
pub struct Control<'a> {
    /// Called with a fraction in 0..=1 and a short message.
    pub progress: Option<ProgressFn<'a>>,
    /// Set to true to ask the solve to stop; it then returns [`OptimiseError::Cancelled`].
    pub cancel: Option<&'a AtomicBool>,
}

impl std::fmt::Debug for Control<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel.map(|c| c.load(Ordering::Relaxed)))
            .finish()
    }
}

impl<'a> Control<'a> {
    /// No progress, no cancellation.
    pub fn none() -> Self {
        Self::default()
    }

    pub(crate) fn report(&self, fraction: f64, message: &str) {
        if let Some(p) = self.progress {
            p(fraction.clamp(0.0, 1.0), message);
        }
    }

    pub(crate) fn check(&self) -> Result<(), OptimiseError> {
        match self.cancel {
            Some(c) if c.load(Ordering::Relaxed) => Err(OptimiseError::Cancelled),
            _ => Ok(()),
        }
    }
}

/// A model with its options, checked against a problem.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Resolved {
    pub kind: ModelKind,
    /// New sites to open (LSCP: unused; p-center feasibility checks: the budget).
    pub p: usize,
    /// Coverage radius (MCLP, LSCP).
    pub radius: Option<f64>,
    /// Weight that must be covered (LSCP with a weight target).
    pub required_weight: f64,
    /// LSCP must cover every demand point of positive weight.
    pub all_demand: bool,
    pub unassigned_cost: Option<f64>,
    pub capacitated: bool,
    pub fairness: Option<Fairness>,
}

/// Checks `model` and `options` against `problem`.
pub(crate) fn resolve(
    problem: &Problem,
    model: &Model,
    options: &SolveOptions,
) -> Result<Resolved, OptimiseError> {
    check_time_limit(options.time_limit_s)?;
    let kind = model.kind();
    let available = problem.n_candidates() - problem.fixed().len();
    let check_p = |p: usize| {
        if p > available {
            Err(OptimiseError::TooManyFacilities {
                p,
                available,
                fixed: problem.fixed().len(),
            })
        } else {
            Ok(p)
        }
    };
    let check_radius = |radius: f64| {
        if radius.is_finite() && radius >= 0.0 {
            Ok(radius)
        } else {
            Err(OptimiseError::InvalidRadius { radius })
        }
    };
    let mut r = Resolved {
        kind,
        p: 0,
        radius: None,
        required_weight: 0.0,
        all_demand: false,
        unassigned_cost: None,
        capacitated: options.capacitated,
        fairness: options.fairness,
    };
    match *model {
        Model::Mclp { p, radius } => {
            r.p = check_p(p)?;
            r.radius = Some(check_radius(radius)?);
        }
        Model::Lscp { radius, target } => {
            let radius = check_radius(radius)?;
            r.radius = Some(radius);
            let reachable = covered_by_all(problem, radius);
            r.required_weight = match target {
                CoverageTarget::AllDemand => {
                    r.all_demand = true;
                    for (j, &w) in problem.weights().iter().enumerate() {
                        let (_, costs) = problem.row(DemandIndex(j as u32));
                        if w > 0.0 && costs.first().is_none_or(|&c| c > radius) {
                            return Err(OptimiseError::UncoverableDemand {
                                demand_id: problem.demand_ids()[j].clone(),
                                radius,
                            });
                        }
                    }
                    reachable
                }
                CoverageTarget::WeightShare(share) => {
                    if !(0.0..=1.0).contains(&share) {
                        return Err(OptimiseError::InvalidShare {
                            what: "coverage share",
                            share,
                        });
                    }
                    let required = share * problem.total_weight();
                    if required > reachable * (1.0 + 1e-12) + 1e-12 {
                        return Err(OptimiseError::TargetUnreachable {
                            required,
                            reachable,
                        });
                    }
                    required.min(reachable)
                }
            };
        }
        Model::PMedian { p, unassigned_cost } => {
            r.p = check_p(p)?;
            if let Some(cost) = unassigned_cost {
                if !cost.is_finite() || cost < 0.0 {
                    return Err(OptimiseError::InvalidUnassignedCost { cost });
                }
                if !(cost * problem.total_weight()).is_finite() {
                    return Err(OptimiseError::InfiniteTotalCost {
                        total_weight: problem.total_weight(),
                        largest_cost: cost,
                    });
                }
            } else {
                require_reachable(problem)?;
            }
            r.unassigned_cost = unassigned_cost;
        }
        Model::PCenter { p } => {
            r.p = check_p(p)?;
            require_reachable(problem)?;
        }
    }
    if options.capacitated {
        if problem.capacities().is_none() {
            return Err(OptimiseError::CapacitiesMissing);
        }
        if !matches!(kind, ModelKind::Mclp | ModelKind::PMedian) {
            return Err(OptimiseError::Unsupported {
                model: kind.name(),
                feature: "capacities (use mclp or pmedian)",
            });
        }
    }
    if let Some(f) = options.fairness {
        if kind != ModelKind::Mclp {
            return Err(OptimiseError::Unsupported {
                model: kind.name(),
                feature: "group fairness (use mclp)",
            });
        }
        if problem.groups().is_none() {
            return Err(OptimiseError::GroupsMissing);
        }
        if let Fairness::MinGroupShare(x) = f
            && !(0.0..=1.0).contains(&x)
        {
            return Err(OptimiseError::InvalidShare {
                what: "group share",
                share: x,
            });
        }
    }
    Ok(r)
}

fn require_reachable(problem: &Problem) -> Result<(), OptimiseError> {
    for (j, &w) in problem.weights().iter().enumerate() {
        if w > 0.0 && problem.row(DemandIndex(j as u32)).0.is_empty() {
            return Err(OptimiseError::UnreachableDemand {
                demand_id: problem.demand_ids()[j].clone(),
                weight: w,
            });
        }
    }
    Ok(())
}

/// Weight within `radius` of some candidate.
fn covered_by_all(problem: &Problem, radius: f64) -> f64 {
    problem
        .weights()
        .iter()
        .enumerate()
        .filter(|(j, _)| {
            problem
                .row(DemandIndex(*j as u32))
                .1
                .first()
                .is_some_and(|&c| c <= radius)
        })
        .map(|(_, w)| w)
        .sum()
}

/// Solves `model` on `problem`.
///
/// Errors: invalid or infeasible requests ([`OptimiseError`] says which value to change),
/// cancellation, or a CBC failure.
pub fn solve(
    problem: &Problem,
    model: &Model,
    options: &SolveOptions,
    control: &Control,
) -> Result<Solution, OptimiseError> {
    let start = Instant::now();
    let r = resolve(problem, model, options)?;
    control.check()?;
    let mut solution = match options.solver {
        Solver::Heuristic => {
            let open = heuristic::run(problem, &r, options, control, (0.0, 1.0))?;
            heuristic::finish(problem, &r, &open, start)?
        }
        Solver::Exact | Solver::Auto => {
            control.report(0.0, "heuristic start");
            let open = heuristic::run(problem, &r, options, control, (0.0, 0.3))?;
            let heuristic_sol = heuristic::finish(problem, &r, &open, start);
            control.check()?;
            control.report(0.3, "exact model");
            let exact = match exact::run(problem, &r, options, Some(&open), control) {
                Err(OptimiseError::NoMipSolver) if options.solver == Solver::Auto => {
                    // No MIP solver in this build: the heuristic with its Lagrangian bound.
                    let mut s = heuristic_sol?;
                    if let Ok(Some(b)) =
                        lagrangian_bound(problem, model, s.objective, options.time_limit_s.min(5.0))
                    {
                        s.bound = Some(b);
                        s.gap = Some(if s.objective.abs() > 0.0 {
                            (s.objective - b).abs() / s.objective.abs()
                        } else {
                            0.0
                        });
                    }
                    s.solve_s = start.elapsed().as_secs_f64();
                    control.report(1.0, "done");
                    return Ok(s);
                }
                other => other?,
            };
            control.report(1.0, "done");
            exact::choose(
                problem,
                &r,
                options.solver,
                options.time_limit_s,
                heuristic_sol,
                exact,
                start,
            )?
        }
    };
    solution.solve_s = start.elapsed().as_secs_f64();
    Ok(solution)
}
