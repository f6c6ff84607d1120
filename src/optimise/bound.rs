//! Lagrangian bounds for MCLP and p-median without capacities or fairness.
//!
//! On Hanoi-sized matrices CBC may stop at the time limit before its root LP finishes, leaving
//! no bound. Relaxing the assignment (p-median) or coverage (MCLP) constraints leaves a problem
//! solved by sorting one number per site; subgradient steps on the multipliers give a valid
//! bound in O(pairs) per step, usually within a fraction of a percent of the optimum.

use std::time::{Duration, Instant};

use super::problem::{CandidateIndex, DemandIndex, Problem};
use super::{Model, ModelKind, OptimiseError, Resolved, SolveOptions, resolve};

/// Lagrangian bound on the optimum of `model` (upper for MCLP, lower for p-median; `None` for
/// the other models), from subgradient steps within `budget_s` seconds. `incumbent` is the
/// objective of any known solution (for instance the heuristic's); it steers the step size
/// and the bound is never worse than it.
pub fn lagrangian_bound(
    problem: &Problem,
    model: &Model,
    incumbent: f64,
    budget_s: f64,
) -> Result<Option<f64>, OptimiseError> {
    let r = resolve(problem, model, &SolveOptions::default())?;
    Ok(bound_for(
        problem,
        &r,
        incumbent,
        None,
        Duration::from_secs_f64(budget_s.max(0.0)),
    ))
}

/// Best Lagrangian bound found within `budget` (upper for MCLP, lower for p-median), or `None`
/// for other models and options. `incumbent` is the objective of a known solution, which
/// steers the step size.
/// Most subgradient steps.
const MAX_ITERATIONS: usize = 3000;

/// Bound for a resolved model; `plan` (open flags of the incumbent) gives the p-median
/// multipliers a good start: each demand's cost to its site in that plan.
pub(crate) fn bound_for(
    problem: &Problem,
    r: &Resolved,
    incumbent: f64,
    plan: Option<&[bool]>,
    budget: Duration,
) -> Option<f64> {
    if r.capacitated || r.fairness.is_some() {
        return None;
    }
    match r.kind {
        ModelKind::PMedian => Some(pmedian(problem, r, incumbent, plan, budget)),
        ModelKind::Mclp => Some(mclp(problem, r, incumbent, budget)),
        _ => None,
    }
}

/// Sum of the `p` smallest values of `values` over free sites plus all fixed sites' values.
fn pick(problem: &Problem, values: &[f64], p: usize, smallest: bool, chosen: &mut [bool]) -> f64 {
    let fixed = problem.fixed_flags();
    let mut free: Vec<usize> = (0..values.len()).filter(|&i| !fixed[i]).collect();
    let key = |i: &usize| if smallest { values[*i] } else { -values[*i] };
    if p < free.len() && p > 0 {
        free.select_nth_unstable_by(p - 1, |a, b| key(a).total_cmp(&key(b)));
    }
    chosen.iter_mut().for_each(|c| *c = false);
    let mut total = 0.0;
    for &i in free.iter().take(p) {
        chosen[i] = true;
        total += values[i];
    }
    for (i, &f) in fixed.iter().enumerate() {
        if f {
            chosen[i] = true;
            total += values[i];
        }
    }
    total
}

fn pmedian(
    problem: &Problem,
    r: &Resolved,
    incumbent: f64,
    plan: Option<&[bool]>,
    budget: Duration,
) -> f64 {
    let start = Instant::now();
    let weights = problem.weights();
    let n = problem.n_demand();
    let m = problem.n_candidates();
    let penalty = r.unassigned_cost;
    // Demand that reaches nothing pays the penalty whatever happens.
    let mut constant = 0.0;
    let active: Vec<usize> = (0..n)
        .filter(|&j| {
            let empty = problem.row(DemandIndex(j as u32)).0.is_empty();
            if weights[j] > 0.0 && empty {
                constant += weights[j] * penalty.unwrap_or(0.0);
            }
            weights[j] > 0.0 && !empty
        })
        .collect();
    // Start from each demand's cost in the incumbent plan (or to its second-nearest
    // candidate without one).
    let mut lambda = vec![0.0; n];
    for &j in &active {
        let (cands, costs) = problem.row(DemandIndex(j as u32));
        let in_plan = plan.and_then(|open| {
            cands
                .iter()
                .position(|c| open[c.index()])
                .map(|k| costs[k])
                .or(penalty)
        });
        let second = costs.get(1).or(costs.first()).copied().unwrap_or(0.0);
        lambda[j] = weights[j] * in_plan.unwrap_or(second);
    }
    let mut rho = vec![0.0; m];
    let mut chosen = vec![false; m];
    let mut g = vec![0.0; n];
    let mut best = f64::NEG_INFINITY;
    let mut theta = 2.0;
    let mut stall = 0;
    for _ in 0..MAX_ITERATIONS {
        if start.elapsed() > budget {
            break;
        }
        rho.iter_mut().for_each(|v| *v = 0.0);
        for (i, v) in rho.iter_mut().enumerate() {
            let (ds, cs) = problem.column(CandidateIndex(i as u32));
            for (d, &c) in ds.iter().zip(cs) {
                let j = d.index();
                let red = weights[j] * c - lambda[j];
                if red < 0.0 && weights[j] > 0.0 {
                    *v += red;
                }
            }
        }
        let mut value = constant + pick(problem, &rho, r.p, true, &mut chosen);
        let mut primal = Some(constant);
        for &j in &active {
            value += lambda[j];
            let (cands, costs) = problem.row(DemandIndex(j as u32));
            let nearest = cands.iter().position(|c| chosen[c.index()]);
            primal = match (primal, nearest, penalty) {
                (Some(v), Some(k), _) => {
                    Some(v + weights[j] * costs[k].min(penalty.unwrap_or(f64::INFINITY)))
                }
                (Some(v), None, Some(mcost)) => Some(v + weights[j] * mcost),
                _ => None,
            };
            g[j] = 1.0;
            if let Some(mcost) = penalty
                && weights[j] * mcost - lambda[j] < 0.0
            {
                value += weights[j] * mcost - lambda[j];
                g[j] -= 1.0;
            }
            for (c, &cost) in cands.iter().zip(costs) {
                if chosen[c.index()] && weights[j] * cost - lambda[j] < 0.0 {
                    g[j] -= 1.0;
                }
            }
        }

        if best == f64::NEG_INFINITY || value > best + 1e-9 * best.abs() {
            best = value;
            stall = 0;
        } else {
            stall += 1;
            if stall >= 20 {
                theta /= 2.0;
                stall = 0;
            }
        }
        let norm: f64 = active.iter().map(|&j| g[j] * g[j]).sum();
        let target_gap = incumbent - value;
        if norm == 0.0 || target_gap <= 1e-9 * incumbent.abs() || theta < 1e-6 {
            break;
        }
        let step = theta * target_gap / norm;
        for &j in &active {
            lambda[j] += step * g[j];
        }
    }
    best.min(incumbent)
}

fn mclp(problem: &Problem, r: &Resolved, incumbent: f64, budget: Duration) -> f64 {
    let start = Instant::now();
    let radius = r.radius.unwrap_or(0.0);
    let weights = problem.weights();
    let n = problem.n_demand();
    let m = problem.n_candidates();
    // Weight already covered by fixed sites is a constant; the rest can be covered only by
    // free sites within the radius.
    let mut constant = 0.0;
    let mut active = Vec::new();
    for (j, &w) in weights.iter().enumerate() {
        if w <= 0.0 {
            continue;
        }
        let (cands, costs) = problem.row(DemandIndex(j as u32));
        let within = cands.iter().zip(costs).take_while(|(_, c)| **c <= radius);
        let mut any = false;
        let mut by_fixed = false;
        for (c, _) in within {
            any = true;
            by_fixed |= problem.is_fixed(*c);
        }
        if by_fixed {
            constant += w;
        } else if any {
            active.push(j);
        }
    }
    let mut is_active = vec![false; n];
    for &j in &active {
        is_active[j] = true;
    }
    let mut mu = vec![0.0; n];
    for &j in &active {
        mu[j] = 0.5 * weights[j];
    }
    let mut sigma = vec![0.0; m];
    let mut chosen = vec![false; m];
    let mut s = vec![0.0; n];
    let mut best = f64::INFINITY;
    let mut theta = 2.0;
    let mut stall = 0;
    for _ in 0..MAX_ITERATIONS {
        if start.elapsed() > budget {
            break;
        }
        for (i, v) in sigma.iter_mut().enumerate() {
            *v = 0.0;
            if problem.is_fixed(CandidateIndex(i as u32)) {
                continue;
            }
            let (ds, cs) = problem.column(CandidateIndex(i as u32));
            for (d, &c) in ds.iter().zip(cs) {
                if c <= radius && is_active[d.index()] {
                    *v += mu[d.index()];
                }
            }
        }
        let mut value = constant + pick(problem, &sigma, r.p, false, &mut chosen);
        for &j in &active {
            let z = weights[j] > mu[j];
            if z {
                value += weights[j] - mu[j];
            }
            let (cands, costs) = problem.row(DemandIndex(j as u32));
            let hits = cands
                .iter()
                .zip(costs)
                .take_while(|(_, c)| **c <= radius)
                .filter(|(c, _)| chosen[c.index()] && !problem.is_fixed(**c))
                .count() as f64;
            s[j] = hits - if z { 1.0 } else { 0.0 };
        }
        if best == f64::INFINITY || value < best - 1e-9 * best.abs() {
            best = value;
            stall = 0;
        } else {
            stall += 1;
            if stall >= 20 {
                theta /= 2.0;
                stall = 0;
            }
        }
        let norm: f64 = active.iter().map(|&j| s[j] * s[j]).sum();
        let target_gap = value - incumbent;
        if norm == 0.0 || target_gap <= 1e-9 * incumbent.abs() || theta < 1e-6 {
            break;
        }
        let step = theta * target_gap / norm;
        for &j in &active {
            mu[j] = (mu[j] - step * s[j]).max(0.0);
        }
    }
    best.max(incumbent)
}
