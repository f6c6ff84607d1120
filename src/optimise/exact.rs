//! Exact models as MIPs solved by CBC (through `good_lp`), with a time limit, a warm start from
//! the heuristic, and the best bound CBC proves.
//!
//! Formulations (y = site open, binary; fixed sites have y = 1):
//! - MCLP: z_j <= sum of y over sites within the radius; maximise sum w_j z_j; sum of new y = p.
//!   Capacitated: x_ij (share of j served by i) with sum_i x_ij <= 1, x_ij <= y_i,
//!   sum_j w_j x_ij <= cap_i y_i.
//! - LSCP: sum of y over sites within the radius >= 1 per demand point (or z_j with a weight
//!   target); minimise the new y.
//! - p-median: sum_i x_ij + u_j = 1, x_ij <= y_i, minimise sum w c x + unassigned cost · w u
//!   (u_j absent when unassigned demand is not allowed); capacities as for MCLP.
//! - p-center: the smallest radius from the sorted distinct costs at which an LSCP needs at most
//!   p new sites, found by binary search; each step is an LSCP MIP.

#[cfg(feature = "cbc")]
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[cfg(feature = "cbc")]
use good_lp::solvers::ResolutionError;
use good_lp::{Constraint, Expression, ProblemVariables, Variable, variable};
#[cfg(feature = "cbc")]
use good_lp::{Solution as _, SolverModel};
#[cfg(feature = "cbc")]
use good_lp::{WithInitialSolution, WithTimeLimit, coin_cbc};

use super::bound::bound_for;
use super::heuristic::{check_requirements, distinct_costs};
use super::problem::{CandidateIndex, DemandIndex, Problem};
use super::solution::{
    Flow, Solution, SolverUsed, better, build_solution, evaluate, flows_for, nearest_flows,
};
use super::{Control, Fairness, ModelKind, OptimiseError, Resolved, SolveOptions, Solver};

/// CBC is not re-entrant across threads in every build; one solve at a time.
#[cfg(feature = "cbc")]
static CBC_LOCK: Mutex<()> = Mutex::new(());

/// What the MIP side found.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExactOutcome {
    /// Open sites and, with capacities, the MIP's flows.
    pub incumbent: Option<(Vec<bool>, Option<Vec<Flow>>)>,
    /// Best proven bound on the objective.
    pub bound: Option<f64>,
    /// Whether the incumbent is proven optimal.
    pub proven_optimal: bool,
    /// Whether the model was proven to have no solution.
    pub proven_infeasible: bool,
    /// Whether the MIP was too large to attempt (see [`MAX_ASSIGNMENT_VARIABLES`]).
    pub skipped: bool,
}

/// Largest number of assignment variables (one per reachable demand–site pair: p-median and
/// capacitated models) for which the MIP is attempted. CBC checks its time limit only between
/// branch-and-bound nodes, and the root LP of a larger model can run for many minutes; beyond
/// this the heuristic answer is returned with a Lagrangian bound instead.
pub const MAX_ASSIGNMENT_VARIABLES: usize = 200_000;

/// Largest number of demand–site links (constraint nonzeros) for which `Solver::Auto` tries
/// the MIP. On larger models CBC's root cuts can overrun the time limit several times over
/// (a 5,000 × 5,000 MCLP with p = 30 took over three minutes with a one-second limit), so
/// `Auto` answers with the heuristic and a Lagrangian bound instead; `Solver::Exact` still
/// runs the MIP.
pub const AUTO_MAX_NONZEROS: usize = 200_000;

/// Demand–site links the MIP for `r` would have (pairs within the radius, or all pairs).
fn model_nonzeros(problem: &Problem, r: &Resolved) -> usize {
    let radius = r.radius.unwrap_or(f64::INFINITY);
    (0..problem.n_demand())
        .filter(|&j| problem.weights()[j] > 0.0)
        .map(|j| {
            problem
                .row(DemandIndex(j as u32))
                .1
                .iter()
                .take_while(|&&c| c <= radius)
                .count()
        })
        .sum()
}

/// Assignment variables the MIP for `r` would have.
fn assignment_variables(problem: &Problem, r: &Resolved) -> usize {
    let uses_x = r.kind == ModelKind::PMedian || r.capacitated;
    if !uses_x {
        return 0;
    }
    let radius = r.radius.unwrap_or(f64::INFINITY);
    (0..problem.n_demand())
        .filter(|&j| problem.weights()[j] > 0.0)
        .map(|j| {
            problem
                .row(DemandIndex(j as u32))
                .1
                .iter()
                .take_while(|&&c| c <= radius)
                .count()
        })
        .sum()
}

/// A model ready for CBC.
#[cfg_attr(not(feature = "cbc"), allow(dead_code))]
struct Mip {
    vars: ProblemVariables,
    constraints: Vec<Constraint>,
    objective: Expression,
    /// Constant part of the objective (CBC drops constants).
    offset: f64,
    maximise: bool,
    y: Vec<Variable>,
    /// (demand, candidate, cost, variable) for share-of-demand variables.
    x: Vec<(DemandIndex, CandidateIndex, f64, Variable)>,
    initial: Vec<(Variable, f64)>,
    /// Worst-group share variable (fairness stage 1).
    worst: Option<Variable>,
}

/// Raw result of one CBC run.
struct MipResult {
    y: Vec<f64>,
    x: Vec<f64>,
    worst: Option<f64>,
    objective: f64,
    bound: Option<f64>,
    optimal: bool,
}

#[cfg_attr(not(feature = "cbc"), allow(dead_code))]
enum MipStatus {
    Solved(MipResult),
    Infeasible,
}

/// Without the `cbc` feature there is no MIP solver: callers fall back to the heuristic.
#[cfg(not(feature = "cbc"))]
fn solve_mip(_mip: Mip, _time_limit_s: f64) -> Result<MipStatus, OptimiseError> {
    Err(OptimiseError::NoMipSolver)
}

#[cfg(feature = "cbc")]
fn solve_mip(mip: Mip, time_limit_s: f64) -> Result<MipStatus, OptimiseError> {
    let Mip {
        vars,
        constraints,
        objective,
        offset,
        maximise,
        y,
        x,
        initial,
        worst,
    } = mip;
    let unsolved = if maximise {
        vars.maximise(objective)
    } else {
        vars.minimise(objective)
    };
    let mut model = unsolved
        .using(coin_cbc)
        .with_time_limit(time_limit_s.max(1.0));
    model.set_parameter("threads", "1");
    model.set_parameter("slogLevel", "0");
    model.set_parameter("logLevel", "0");
    if !initial.is_empty() {
        model = model.with_initial_solution(initial);
    }
    for c in constraints {
        model.add_constraint(c);
    }
    let _guard = CBC_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let solution = match model.solve() {
        Ok(s) => s,
        Err(ResolutionError::Infeasible) => return Ok(MipStatus::Infeasible),
        Err(e) => {
            return Err(OptimiseError::Solver {
                message: e.to_string(),
            });
        }
    };
    let raw = solution.model();
    let optimal = raw.is_proven_optimal();
    let objective_value = raw.obj_value() + offset;
    let bound_raw = raw.best_possible_value();
    // CBC reports huge values (1e50) when no bound is known.
    let bound = (bound_raw.is_finite() && bound_raw.abs() < 1e40).then_some(bound_raw + offset);
    Ok(MipStatus::Solved(MipResult {
        y: y.iter().map(|&v| solution.value(v)).collect(),
        x: x.iter().map(|&(_, _, _, v)| solution.value(v)).collect(),
        worst: worst.map(|v| solution.value(v)),
        objective: objective_value,
        bound: if optimal {
            Some(objective_value)
        } else {
            bound
        },
        optimal,
    }))
}

fn new_mip(problem: &Problem, maximise: bool, relax: bool) -> Mip {
    let mut vars = ProblemVariables::new();
    let y: Vec<Variable> = (0..problem.n_candidates())
        .map(|i| {
            let lower = if problem.fixed_flags()[i] { 1.0 } else { 0.0 };
            let def = variable().min(lower).max(1.0);
            vars.add(if relax { def } else { def.integer() })
        })
        .collect();
    Mip {
        vars,
        constraints: Vec::new(),
        objective: Expression::from(0.0),
        offset: 0.0,
        maximise,
        y,
        x: Vec::new(),
        initial: Vec::new(),
        worst: None,
    }
}

fn cardinality(problem: &Problem, mip: &Mip) -> Expression {
    let mut e = Expression::with_capacity(problem.n_candidates());
    for (i, &v) in mip.y.iter().enumerate() {
        if !problem.fixed_flags()[i] {
            e.add_mul(1.0, v);
        }
    }
    e
}

fn warm_y(mip: &mut Mip, warm: Option<&[bool]>) {
    if let Some(open) = warm {
        for (i, &v) in mip.y.iter().enumerate() {
            mip.initial.push((v, if open[i] { 1.0 } else { 0.0 }));
        }
    }
}

/// MCLP (with optional capacities and fairness). `fairness_stage`: `Some(None)` = maximise
/// the worst group's share; `Some(Some(t))` = keep the worst share >= t and maximise coverage.
fn build_mclp(
    problem: &Problem,
    r: &Resolved,
    relax: bool,
    warm: Option<&[bool]>,
    worst_stage: Option<Option<f64>>,
) -> Mip {
    let radius = r.radius.unwrap_or(0.0);
    let weights = problem.weights();
    let maximise = true;
    let mut mip = new_mip(problem, maximise, relax);
    warm_y(&mut mip, warm);
    let card = cardinality(problem, &mip);
    mip.constraints.push(card.eq(r.p as f64));
    let n_groups = problem.groups().map_or(0, |g| g.names.len());
    let group_of = |j: usize| problem.groups().map(|g| g.of_demand[j].index());
    let mut group_expr: Vec<Expression> = (0..n_groups).map(|_| Expression::from(0.0)).collect();
    let mut group_const = vec![0.0; n_groups];
    let mut group_total = vec![0.0; n_groups];
    for (j, &w) in weights.iter().enumerate() {
        if let Some(g) = group_of(j) {
            group_total[g] += w;
        }
    }
    let mut covered = Expression::from(0.0);
    if !r.capacitated {
        for (j, &w) in weights.iter().enumerate() {
            if w <= 0.0 {
                continue;
            }
            let (cands, costs) = problem.row(DemandIndex(j as u32));
            let within: Vec<CandidateIndex> = cands
                .iter()
                .zip(costs)
                .take_while(|(_, c)| **c <= radius)
                .map(|(c, _)| *c)
                .collect();
            if within.is_empty() {
                continue;
            }
            if within.iter().any(|c| problem.is_fixed(*c)) {
                mip.offset += w;
                if let Some(g) = group_of(j) {
                    group_const[g] += w;
                }
                continue;
            }
            let z = mip.vars.add(variable().min(0.0).max(1.0));
            let mut link = Expression::from(z);
            for c in &within {
                link.add_mul(-1.0, mip.y[c.index()]);
            }
            mip.constraints.push(link.leq(0.0));
            covered.add_mul(w, z);
            if let Some(g) = group_of(j) {
                group_expr[g].add_mul(w, z);
            }
            if let Some(open) = warm {
                let hit = within.iter().any(|c| open[c.index()]);
                mip.initial.push((z, if hit { 1.0 } else { 0.0 }));
            }
        }
    } else {
        let caps = problem.capacities().unwrap_or(&[]);
        let mut load: Vec<Expression> = (0..problem.n_candidates())
            .map(|_| Expression::from(0.0))
            .collect();
        let warm_flows = warm.map(|open| flows_for(problem, r, open, None));
        for (j, &w) in weights.iter().enumerate() {
            if w <= 0.0 {
                continue;
            }
            let (cands, costs) = problem.row(DemandIndex(j as u32));
            let mut share = Expression::from(0.0);
            let mut any = false;
            for (&c, &cost) in cands.iter().zip(costs) {
                if cost > radius {
                    break;
                }
                any = true;
                let x = mip.vars.add(variable().min(0.0).max(1.0));
                mip.x.push((DemandIndex(j as u32), c, cost, x));
                share.add_mul(1.0, x);
                mip.constraints
                    .push((Expression::from(x) - mip.y[c.index()]).leq(0.0));
                load[c.index()].add_mul(w, x);
                covered.add_mul(w, x);
                if let Some(g) = group_of(j) {
                    group_expr[g].add_mul(w, x);
                }
            }
            if any {
                mip.constraints.push(share.leq(1.0));
            }
        }
        for (i, l) in load.into_iter().enumerate() {
            let cap = caps.get(i).copied().unwrap_or(f64::INFINITY);
            if cap.is_finite() {
                mip.constraints.push((l - cap * mip.y[i]).leq(0.0));
            }
        }
        if let Some(flows) = warm_flows {
            push_warm_x(&mut mip, problem, &flows);
        }
    }
    match (r.fairness, worst_stage) {
        (Some(Fairness::MinGroupShare(share)), _) => {
            for g in 0..n_groups {
                if group_total[g] > 0.0 {
                    let need = share * group_total[g] - group_const[g];
                    let e = std::mem::replace(&mut group_expr[g], Expression::from(0.0));
                    mip.constraints.push(e.geq(need));
                }
            }
        }
        (Some(Fairness::MaximiseWorstGroup), Some(stage)) => {
            let t = mip.vars.add(variable().min(0.0).max(1.0));
            for g in 0..n_groups {
                if group_total[g] > 0.0 {
                    let e = std::mem::replace(&mut group_expr[g], Expression::from(0.0));
                    // group_const + e >= total · t
                    mip.constraints
                        .push((e - group_total[g] * t).geq(-group_const[g]));
                }
            }
            match stage {
                None => {
                    mip.objective = Expression::from(t);
                    mip.offset = 0.0;
                    mip.worst = Some(t);
                    return mip;
                }
                Some(floor) => {
                    mip.constraints.push(Expression::from(t).geq(floor));
                }
            }
        }
        _ => {}
    }
    mip.objective = covered;
    mip
}

fn push_warm_x(mip: &mut Mip, problem: &Problem, flows: &[Flow]) {
    let mut amount = std::collections::HashMap::new();
    for f in flows {
        *amount.entry((f.demand, f.candidate)).or_insert(0.0) += f.amount;
    }
    for &(d, c, _, v) in &mip.x {
        let w = problem.weights()[d.index()];
        let a = amount.get(&(d, c)).copied().unwrap_or(0.0);
        if w > 0.0 && a > 0.0 {
            mip.initial.push((v, (a / w).min(1.0)));
        }
    }
}

/// LSCP, optionally with a budget of at most `budget` new sites (p-center feasibility).
fn build_lscp(
    problem: &Problem,
    r: &Resolved,
    relax: bool,
    warm: Option<&[bool]>,
    budget: Option<usize>,
) -> Mip {
    let radius = r.radius.unwrap_or(0.0);
    let mut mip = new_mip(problem, false, relax);
    warm_y(&mut mip, warm);
    let card = cardinality(problem, &mip);
    if let Some(b) = budget {
        mip.constraints.push(card.clone().leq(b as f64));
    }
    let mut covered = Expression::from(0.0);
    let mut covered_const = 0.0;
    for (j, &w) in problem.weights().iter().enumerate() {
        let (cands, costs) = problem.row(DemandIndex(j as u32));
        let within: Vec<CandidateIndex> = cands
            .iter()
            .zip(costs)
            .take_while(|(_, c)| **c <= radius)
            .map(|(c, _)| *c)
            .collect();
        if within.is_empty() {
            continue;
        }
        if within.iter().any(|c| problem.is_fixed(*c)) {
            covered_const += w;
            continue;
        }
        let mut sum = Expression::from(0.0);
        for c in &within {
            sum.add_mul(1.0, mip.y[c.index()]);
        }
        if r.all_demand {
            if w > 0.0 {
                mip.constraints.push(sum.geq(1.0));
            }
        } else if w > 0.0 {
            let z = mip.vars.add(variable().min(0.0).max(1.0));
            mip.constraints.push((Expression::from(z) - sum).leq(0.0));
            covered.add_mul(w, z);
            if let Some(open) = warm {
                let hit = within.iter().any(|c| open[c.index()]);
                mip.initial.push((z, if hit { 1.0 } else { 0.0 }));
            }
        }
    }
    if !r.all_demand {
        let need = r.required_weight * (1.0 - 1e-12) - covered_const;
        mip.constraints.push(covered.geq(need));
    }
    mip.objective = card;
    mip
}

fn build_pmedian(problem: &Problem, r: &Resolved, relax: bool, warm: Option<&[bool]>) -> Mip {
    let mut mip = new_mip(problem, false, relax);
    warm_y(&mut mip, warm);
    let card = cardinality(problem, &mip);
    mip.constraints.push(card.eq(r.p as f64));
    let caps = problem.capacities().unwrap_or(&[]);
    let mut load: Vec<Expression> = if r.capacitated {
        (0..problem.n_candidates())
            .map(|_| Expression::from(0.0))
            .collect()
    } else {
        Vec::new()
    };
    let mut objective = Expression::from(0.0);
    let warm_flows = warm.map(|open| flows_for(problem, r, open, None));
    let mut warm_assigned = vec![0.0; problem.n_demand()];
    if let Some(flows) = &warm_flows {
        for f in flows {
            warm_assigned[f.demand.index()] += f.amount;
        }
    }
    for (j, &w) in problem.weights().iter().enumerate() {
        if w <= 0.0 {
            continue;
        }
        let (cands, costs) = problem.row(DemandIndex(j as u32));
        let mut assign = Expression::from(0.0);
        for (&c, &cost) in cands.iter().zip(costs) {
            let x = mip.vars.add(variable().min(0.0).max(1.0));
            mip.x.push((DemandIndex(j as u32), c, cost, x));
            assign.add_mul(1.0, x);
            objective.add_mul(w * cost, x);
            mip.constraints
                .push((Expression::from(x) - mip.y[c.index()]).leq(0.0));
            if r.capacitated {
                load[c.index()].add_mul(w, x);
            }
        }
        if let Some(m) = r.unassigned_cost {
            let u = mip.vars.add(variable().min(0.0).max(1.0));
            assign.add_mul(1.0, u);
            objective.add_mul(w * m, u);
            if warm.is_some() {
                let left = (1.0 - warm_assigned[j] / w).clamp(0.0, 1.0);
                mip.initial.push((u, left));
            }
        }
        mip.constraints.push(assign.eq(1.0));
    }
    for (i, l) in load.into_iter().enumerate() {
        let cap = caps.get(i).copied().unwrap_or(f64::INFINITY);
        if cap.is_finite() {
            mip.constraints.push((l - cap * mip.y[i]).leq(0.0));
        }
    }
    if let Some(flows) = warm_flows {
        push_warm_x(&mut mip, problem, &flows);
    }
    mip.objective = objective;
    mip
}

fn open_from(y: &[f64]) -> Vec<bool> {
    y.iter().map(|&v| v > 0.5).collect()
}

/// Flows from the MIP's x values (capacitated models).
fn flows_from(
    mip_x: &[(DemandIndex, CandidateIndex, f64)],
    x: &[f64],
    problem: &Problem,
) -> Vec<Flow> {
    mip_x
        .iter()
        .zip(x)
        .filter(|(_, v)| **v > 1e-9)
        .map(|(&(d, c, cost), &v)| Flow {
            demand: d,
            candidate: c,
            amount: problem.weights()[d.index()] * v.min(1.0),
            cost,
        })
        .collect()
}

/// Whether the open set has the right number of new sites, fixed ones open, and y integral.
fn valid_open(problem: &Problem, y: &[f64], p: Option<usize>) -> bool {
    let integral = y
        .iter()
        .all(|&v| v.is_finite() && !(1e-6..=1.0 - 1e-6).contains(&v));
    let open = open_from(y);
    let fixed_ok = problem.fixed().iter().all(|c| open[c.index()]);
    let count = open
        .iter()
        .zip(problem.fixed_flags())
        .filter(|(o, f)| **o && !**f)
        .count();
    integral && fixed_ok && p.is_none_or(|p| count == p)
}

/// Whether MIP flows respect capacities and open sites (guards against a stopped CBC run that
/// returns a non-solution).
fn valid_flows(problem: &Problem, open: &[bool], flows: &[Flow]) -> bool {
    let mut load = vec![0.0; problem.n_candidates()];
    let mut sent = vec![0.0; problem.n_demand()];
    for f in flows {
        if !open[f.candidate.index()] {
            return false;
        }
        load[f.candidate.index()] += f.amount;
        sent[f.demand.index()] += f.amount;
    }
    let caps_ok = problem.capacities().is_none_or(|caps| {
        caps.iter()
            .zip(&load)
            .all(|(c, l)| *l <= c * (1.0 + 1e-6) + 1e-6)
    });
    let sent_ok = sent
        .iter()
        .zip(problem.weights())
        .all(|(s, w)| *s <= w * (1.0 + 1e-6) + 1e-9);
    caps_ok && sent_ok
}

/// Runs the MIP for `r` within the time limit, warm-started from `warm`.
pub(crate) fn run(
    problem: &Problem,
    r: &Resolved,
    options: &SolveOptions,
    warm: Option<&[bool]>,
    control: &Control,
) -> Result<ExactOutcome, OptimiseError> {
    let deadline =
        Instant::now() + std::time::Duration::from_secs_f64(options.time_limit_s.max(0.0));
    let left = || {
        deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
    };
    let too_big_for_auto =
        options.solver == Solver::Auto && model_nonzeros(problem, r) > AUTO_MAX_NONZEROS;
    if assignment_variables(problem, r) > MAX_ASSIGNMENT_VARIABLES || too_big_for_auto {
        return Ok(ExactOutcome {
            skipped: true,
            ..ExactOutcome::default()
        });
    }
    let outcome = match r.kind {
        ModelKind::PCenter => return pcenter(problem, r, warm, control, deadline),
        ModelKind::Mclp if r.fairness == Some(Fairness::MaximiseWorstGroup) => {
            let stage1 = solve_mip(
                build_mclp(problem, r, false, warm, Some(None)),
                left() / 2.0,
            )?;
            control.check()?;
            let MipStatus::Solved(s1) = stage1 else {
                return Ok(ExactOutcome {
                    proven_infeasible: true,
                    ..ExactOutcome::default()
                });
            };
            let worst = s1.worst.unwrap_or(0.0);
            let floor = (worst - 1e-7).max(0.0);
            let stage2 = build_mclp(problem, r, false, warm, Some(Some(floor)));
            let x_keys: Vec<_> = stage2
                .x
                .iter()
                .map(|&(d, c, cost, _)| (d, c, cost))
                .collect();
            let res = solve_mip(stage2, left())?;
            (res, x_keys, s1.optimal)
        }
        _ => {
            let mip = match r.kind {
                ModelKind::Mclp => build_mclp(problem, r, false, warm, None),
                ModelKind::Lscp => build_lscp(problem, r, false, warm, None),
                _ => build_pmedian(problem, r, false, warm),
            };
            let x_keys: Vec<_> = mip.x.iter().map(|&(d, c, cost, _)| (d, c, cost)).collect();
            (solve_mip(mip, left())?, x_keys, true)
        }
    };
    control.check()?;
    let (status, x_keys, first_stage_optimal) = outcome;
    let MipStatus::Solved(res) = status else {
        return Ok(ExactOutcome {
            proven_infeasible: true,
            ..ExactOutcome::default()
        });
    };
    let p = (r.kind != ModelKind::Lscp).then_some(r.p);
    let mut out = ExactOutcome {
        incumbent: None,
        bound: res.bound,
        proven_optimal: res.optimal && first_stage_optimal,
        proven_infeasible: false,
        skipped: false,
    };
    if valid_open(problem, &res.y, p) {
        let open = open_from(&res.y);
        let flows = r.capacitated.then(|| flows_from(&x_keys, &res.x, problem));
        if flows
            .as_ref()
            .is_none_or(|f| valid_flows(problem, &open, f))
        {
            out.incumbent = Some((open, flows));
        }
    }
    Ok(out)
}

/// Lower bound from the LP relaxation (used when CBC gives none).
pub(crate) fn lp_bound(problem: &Problem, r: &Resolved, time_limit_s: f64) -> Option<f64> {
    let mip = match r.kind {
        ModelKind::Mclp if r.fairness != Some(Fairness::MaximiseWorstGroup) => {
            build_mclp(problem, r, true, None, None)
        }
        ModelKind::Lscp => build_lscp(problem, r, true, None, None),
        ModelKind::PMedian => build_pmedian(problem, r, true, None),
        _ => return None,
    };
    match solve_mip(mip, time_limit_s) {
        Ok(MipStatus::Solved(res)) if res.optimal => Some(res.objective),
        _ => None,
    }
}

/// p-center: binary search over distinct costs; each step asks whether an LSCP with at most p
/// new sites covers every demand point of positive weight.
fn pcenter(
    problem: &Problem,
    r: &Resolved,
    warm: Option<&[bool]>,
    control: &Control,
    deadline: Instant,
) -> Result<ExactOutcome, OptimiseError> {
    let radii = distinct_costs(problem);
    if radii.is_empty() {
        return Ok(ExactOutcome::default());
    }
    // Start from the heuristic's radius: it is feasible.
    let warm_radius = warm.map(|open| {
        let flows = nearest_flows(problem, open);
        let probe = Resolved {
            kind: ModelKind::PCenter,
            ..*r
        };
        evaluate(problem, &probe, open, &flows).objective
    });
    let mut hi = radii.len() - 1;
    let mut best: Option<Vec<bool>> = None;
    if let (Some(open), Some(rad)) = (warm, warm_radius)
        && let Some(k) = radii.iter().position(|&c| c >= rad)
        && nearest_flows(problem, open).len()
            >= problem.weights().iter().filter(|&&w| w > 0.0).count()
    {
        hi = k;
        best = Some(open.to_vec());
    }
    let mut lo = 0usize;
    let mut proven_lo = 0usize;
    let mut all_proven = true;
    while lo < hi {
        control.check()?;
        let mid = lo + (hi - lo) / 2;
        let probe = Resolved {
            kind: ModelKind::Lscp,
            radius: Some(radii[mid]),
            all_demand: true,
            ..*r
        };
        let left = deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        if left <= 0.0 {
            all_proven = false;
            break;
        }
        match solve_mip(build_lscp(problem, &probe, false, None, Some(r.p)), left)? {
            MipStatus::Infeasible => {
                lo = mid + 1;
                proven_lo = lo;
            }
            MipStatus::Solved(res) if valid_open(problem, &res.y, None) => {
                let mut open = open_from(&res.y);
                if covers_all(problem, &open, radii[mid]) {
                    pad_to_p(problem, &mut open, r.p);
                    best = Some(open);
                    hi = mid;
                } else {
                    all_proven = false;
                    lo = mid + 1;
                }
            }
            MipStatus::Solved(_) => {
                // Stopped without a solution: unknown, search above without a proof.
                all_proven = false;
                lo = mid + 1;
            }
        }
    }
    if best.is_none() && lo == radii.len() - 1 {
        let probe = Resolved {
            kind: ModelKind::Lscp,
            radius: Some(radii[lo]),
            all_demand: true,
            ..*r
        };
        let left = deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        if let MipStatus::Solved(res) =
            solve_mip(build_lscp(problem, &probe, false, None, Some(r.p)), left)?
            && valid_open(problem, &res.y, None)
        {
            let mut open = open_from(&res.y);
            if covers_all(problem, &open, radii[lo]) {
                pad_to_p(problem, &mut open, r.p);
                best = Some(open);
            }
        } else {
            return Ok(ExactOutcome {
                proven_infeasible: true,
                ..ExactOutcome::default()
            });
        }
    }
    Ok(ExactOutcome {
        proven_optimal: all_proven && best.is_some(),
        bound: Some(radii[proven_lo.min(radii.len() - 1)]),
        incumbent: best.map(|o| (o, None)),
        proven_infeasible: false,
        skipped: false,
    })
}

fn covers_all(problem: &Problem, open: &[bool], radius: f64) -> bool {
    (0..problem.n_demand()).all(|j| {
        problem.weights()[j] <= 0.0 || {
            let (cands, costs) = problem.row(DemandIndex(j as u32));
            cands
                .iter()
                .zip(costs)
                .take_while(|(_, c)| **c <= radius)
                .any(|(c, _)| open[c.index()])
        }
    })
}

/// Opens extra sites (lowest index first) until `p` new ones are open; more sites never raise
/// the largest cost.
fn pad_to_p(problem: &Problem, open: &mut [bool], p: usize) {
    let mut count = open
        .iter()
        .zip(problem.fixed_flags())
        .filter(|(o, f)| **o && !**f)
        .count();
    for o in open.iter_mut() {
        if count >= p {
            break;
        }
        if !*o {
            *o = true;
            count += 1;
        }
    }
}

/// Picks the better of the heuristic and the MIP, attaching the bound.
pub(crate) fn choose(
    problem: &Problem,
    r: &Resolved,
    solver: Solver,
    time_limit_s: f64,
    heuristic: Result<Solution, OptimiseError>,
    exact: ExactOutcome,
    start: Instant,
) -> Result<Solution, OptimiseError> {
    let elapsed = || start.elapsed().as_secs_f64();
    let exact_solution = exact.incumbent.as_ref().and_then(|(open, flows)| {
        let flows = flows
            .clone()
            .unwrap_or_else(|| flows_for(problem, r, open, None));
        let s = build_solution(
            problem,
            r,
            open,
            &flows,
            exact.bound,
            exact.proven_optimal,
            elapsed(),
            SolverUsed::Exact,
        );
        check_requirements(problem, r, open, &s).ok().map(|()| s)
    });
    // Both candidates passed their hard requirements; what is left to compare is the worst
    // group's share (when maximised) and then the objective.
    let score = |s: &Solution| {
        let worst = if r.fairness == Some(Fairness::MaximiseWorstGroup) {
            -s.group_shares.iter().map(|g| g.share).fold(1.0, f64::min)
        } else {
            0.0
        };
        (
            worst,
            if r.kind.maximises() {
                -s.objective
            } else {
                s.objective
            },
        )
    };
    let mut bound = exact.bound;
    let chosen = match (exact_solution, heuristic) {
        (Some(e), Ok(h)) => {
            if better(score(&h), score(&e)) {
                h
            } else {
                e
            }
        }
        (Some(e), Err(_)) => e,
        (None, Ok(h)) => h,
        (None, Err(err)) => {
            if exact.proven_infeasible {
                return Err(OptimiseError::Infeasible {
                    model: r.kind.name(),
                    reason: "the MIP proves no choice of sites meets every requirement; raise the number of facilities or relax the requirements".to_string(),
                });
            }
            return Err(err);
        }
    };
    if !(exact.proven_optimal && chosen.solver == SolverUsed::Exact) {
        // CBC stopped early (or gave no bound): the Lagrangian bound is cheap; keep the
        // tighter of the two.
        // With the MIP skipped the whole time limit is free; otherwise take a tenth of it.
        let budget_s = if exact.skipped {
            time_limit_s.min(10.0)
        } else {
            (0.1 * time_limit_s).min(10.0)
        };
        let budget = Duration::from_secs_f64(budget_s.max(0.5));
        let plan: Vec<bool> = {
            let mut open = vec![false; problem.n_candidates()];
            for c in &chosen.selected {
                open[c.index()] = true;
            }
            open
        };
        if let Some(lag) = bound_for(problem, r, chosen.objective, Some(&plan), budget) {
            bound = Some(match bound {
                Some(b) if r.kind.maximises() => b.min(lag),
                Some(b) => b.max(lag),
                None => lag,
            });
        }
    }
    if bound.is_none() && solver == Solver::Auto && !exact.skipped {
        bound = lp_bound(problem, r, time_limit_s.min(10.0));
    }
    let mut chosen = chosen;
    if let Some(b) = bound {
        // A bound can never be beaten; a stopped CBC sometimes reports a looser one.
        let b = if r.kind.maximises() {
            b.max(chosen.objective)
        } else {
            b.min(chosen.objective)
        };
        chosen.bound = Some(b);
        let gap = super::solution::relative_gap(chosen.objective, b);
        chosen.gap = Some(gap);
        chosen.proven_optimal = chosen.proven_optimal || gap <= 1e-9;
    }
    Ok(chosen)
}
