//! Plans built from several solves: consolidation of existing sites and nested phases.

use serde::Serialize;

use super::problem::CandidateIndex;
use super::solution::{Solution, build_solution, flows_for};
use super::{
    Control, CoverageTarget, Model, ModelKind, OptimiseError, Problem, SolveOptions, resolve, solve,
};

/// What a consolidation keeps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Consolidation {
    /// Keep this many sites in total (fixed ones included), maximising covered weight.
    Keep(usize),
    /// Keep the fewest sites that cover as much weight as all existing sites do now.
    KeepCoverage,
}

/// Chooses which existing sites to keep. Only `existing` (plus the problem's fixed sites, which
/// are always kept) are considered; coverage is weight within `radius`. The returned solution
/// refers to indices of `problem`.
pub fn consolidate(
    problem: &Problem,
    existing: &[String],
    radius: f64,
    target: Consolidation,
    options: &SolveOptions,
    control: &Control,
) -> Result<Solution, OptimiseError> {
    let mut keep: Vec<CandidateIndex> = problem.fixed().to_vec();
    for id in existing {
        let c = problem
            .candidate_index(id)
            .ok_or_else(|| OptimiseError::UnknownCandidate { id: id.clone() })?;
        if !keep.contains(&c) {
            keep.push(c);
        }
    }
    keep.sort();
    let sub = problem.restrict_candidates(&keep)?;
    let n_fixed = sub.fixed().len();
    let model = match target {
        Consolidation::Keep(k) => {
            if k < n_fixed {
                return Err(OptimiseError::Infeasible {
                    model: "consolidation",
                    reason: format!("keeping {k} sites is fewer than the {n_fixed} fixed sites"),
                });
            }
            Model::Mclp {
                p: k - n_fixed,
                radius,
            }
        }
        Consolidation::KeepCoverage => {
            let total = sub.total_weight();
            let share = if total > 0.0 {
                (current_coverage(&sub, radius) / total).min(1.0)
            } else {
                0.0
            };
            Model::Lscp {
                radius,
                target: CoverageTarget::WeightShare(share),
            }
        }
    };
    let sub_solution = solve(&sub, &model, options, control)?;
    // Back to the indices of `problem`.
    let mut open = vec![false; problem.n_candidates()];
    for c in &sub_solution.selected {
        open[keep[c.index()].index()] = true;
    }
    let r = resolve(
        problem,
        &model,
        &SolveOptions {
            capacitated: false,
            ..*options
        },
    )?;
    let r = super::Resolved {
        capacitated: options.capacitated,
        ..r
    };
    let flows = flows_for(problem, &r, &open, None);
    Ok(build_solution(
        problem,
        &r,
        &open,
        &flows,
        sub_solution.bound,
        sub_solution.proven_optimal,
        sub_solution.solve_s,
        sub_solution.solver,
    ))
}

/// Weight within `radius` of any candidate of `problem`.
fn current_coverage(problem: &Problem, radius: f64) -> f64 {
    (0..problem.n_demand())
        .filter(|&j| {
            problem
                .row(super::DemandIndex(j as u32))
                .1
                .first()
                .is_some_and(|&c| c <= radius)
        })
        .map(|j| problem.weights()[j])
        .sum()
}

/// One phase of a nested plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    /// New sites open after this phase (cumulative).
    pub new_sites: usize,
    /// The nested plan: keeps every site of the earlier phases.
    pub solution: Solution,
    /// The same number of new sites chosen freely (never worse than the nested plan).
    pub unconstrained: Solution,
    /// How much the nesting costs, relative: (unconstrained − nested) / unconstrained for
    /// MCLP, (nested − unconstrained) / unconstrained for the others; 0 = free.
    pub price_of_nesting: f64,
}

/// Nested phases and the coverage-vs-count curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhasePlan {
    /// One entry per phase size.
    pub phases: Vec<Phase>,
}

impl PhasePlan {
    /// (new sites, objective, covered weight) of each nested phase.
    pub fn curve(&self) -> Vec<(usize, f64, f64)> {
        self.phases
            .iter()
            .map(|p| (p.new_sites, p.solution.objective, p.solution.covered_weight))
            .collect()
    }
}

fn with_p(model: &Model, p: usize) -> Result<Model, OptimiseError> {
    Ok(match *model {
        Model::Mclp { radius, .. } => Model::Mclp { p, radius },
        Model::PMedian {
            unassigned_cost, ..
        } => Model::PMedian { p, unassigned_cost },
        Model::PCenter { .. } => Model::PCenter { p },
        Model::Lscp { .. } => {
            return Err(OptimiseError::Unsupported {
                model: "lscp",
                feature: "phases (use mclp, pmedian or pcenter)",
            });
        }
    })
}

/// Nested plans: phase k opens `sizes[k]` new sites in total and keeps every site of phase
/// k − 1. Each phase is compared with an unconstrained solve of the same size. The `p` inside
/// `model` is ignored.
pub fn plan_phases(
    problem: &Problem,
    model: &Model,
    sizes: &[usize],
    options: &SolveOptions,
    control: &Control,
) -> Result<PhasePlan, OptimiseError> {
    if sizes.is_empty() || sizes.windows(2).any(|w| w[0] >= w[1]) || sizes[0] == 0 {
        return Err(OptimiseError::InvalidPhases {
            sizes: sizes.to_vec(),
        });
    }
    let mut phases = Vec::with_capacity(sizes.len());
    let mut previous: Vec<String> = problem
        .fixed()
        .iter()
        .map(|&c| problem.candidate_id(c).to_string())
        .collect();
    let mut done = 0usize;
    let n = sizes.len() as f64;
    for (k, &size) in sizes.iter().enumerate() {
        let sub_control = Control {
            progress: None,
            ..*control
        };
        control.report(k as f64 / n, "phase");
        let nested_problem = problem.with_fixed(previous.clone())?;
        let nested = solve(
            &nested_problem,
            &with_p(model, size - done)?,
            options,
            &sub_control,
        )?;
        let mut unconstrained = solve(problem, &with_p(model, size)?, options, &sub_control)?;
        // Re-express the nested plan on `problem` (its fixed sites are the original ones).
        let r = resolve(problem, &with_p(model, size)?, options)?;
        let mut open = vec![false; problem.n_candidates()];
        for c in &nested.selected {
            open[c.index()] = true;
        }
        let flows = flows_for(problem, &r, &open, None);
        let solution = build_solution(
            problem,
            &r,
            &open,
            &flows,
            None,
            false,
            nested.solve_s,
            nested.solver,
        );
        let maximises = model.kind() == ModelKind::Mclp;
        let nested_better = if maximises {
            solution.objective > unconstrained.objective
        } else {
            solution.objective < unconstrained.objective
        };
        if nested_better {
            unconstrained = Solution {
                bound: unconstrained.bound,
                gap: None,
                ..solution.clone()
            };
        }
        let price = if unconstrained.objective.abs() > 0.0 {
            if maximises {
                (unconstrained.objective - solution.objective) / unconstrained.objective.abs()
            } else {
                (solution.objective - unconstrained.objective) / unconstrained.objective.abs()
            }
        } else {
            0.0
        };
        previous = solution.selected_ids.clone();
        done = size;
        phases.push(Phase {
            new_sites: size,
            solution,
            unconstrained,
            price_of_nesting: price.max(0.0),
        });
    }
    control.report(1.0, "phases done");
    Ok(PhasePlan { phases })
}
