//! Heuristics: lazy greedy (CELF) starts, vertex-substitution (Teitz-Bart) local search with a
//! short tabu phase, and destroy-and-repair rounds.
//!
//! MCLP and p-median without capacities or fairness share one fast engine: MCLP is a p-median
//! whose cost is 0 within the radius and whose unassigned penalty is 1, so "minimise the
//! uncovered weight" and "minimise the weighted cost" are the same search. The interchange
//! evaluates every (site in, site out) swap with the classic gain / loss / extra decomposition
//! (Whitaker's fast interchange, bookkeeping as in Resende and Werneck), updated after each
//! swap only for the demand points it touches. Plain descent stalls on MCLP plateaus, so the
//! first search continues past the local optimum as a tabu walk and returns the best plan met.
//! p-center searches the smallest radius at which the engine covers all demand with p sites.
//! Capacitated and fairness variants use a plain local search over full re-evaluations, which
//! suits instances up to a few thousand pairs.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Instant;

use rayon::prelude::*;

use super::problem::{CandidateIndex, DemandIndex, Problem};
use super::solution::{
    Solution, SolverUsed, better, build_solution, evaluate, flows_for, sorted_pairs,
};
use super::{Control, Fairness, ModelKind, OptimiseError, Resolved, SolveOptions};

const NONE: u32 = u32::MAX;

/// Non-improving swaps the tabu phase accepts before it gives up.
const TABU_MOVES: usize = 100;

/// Small deterministic generator (SplitMix64) so a seed always gives the same answer.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for k in (1..items.len()).rev() {
            let m = self.below(k + 1);
            items.swap(k, m);
        }
    }
}

/// Priority-queue entry ordered by gain, then by lower candidate index.
#[derive(Debug, Clone, Copy)]
struct Gain {
    gain: f64,
    candidate: u32,
}

impl PartialEq for Gain {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Gain {}
impl PartialOrd for Gain {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Gain {
    fn cmp(&self, other: &Self) -> Ordering {
        self.gain
            .total_cmp(&other.gain)
            .then(other.candidate.cmp(&self.candidate))
    }
}

/// How the engine sees costs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum EngineCosts {
    /// Cost 0 within the radius, pair dropped beyond it, penalty 1 when uncovered.
    Coverage { radius: f64 },
    /// Costs as given, `penalty` per unit weight when no open site is reachable.
    Costs { penalty: f64 },
}

/// Sparse p-median engine over demand points of positive weight.
pub(crate) struct Engine {
    n_candidates: usize,
    fixed: Vec<bool>,
    weights: Vec<f64>,
    penalty: f64,
    row_start: Vec<usize>,
    row_candidate: Vec<u32>,
    row_cost: Vec<f64>,
    col_start: Vec<usize>,
    col_demand: Vec<u32>,
    col_cost: Vec<f64>,
}

/// Assignment state: nearest and second-nearest open site per demand point.
struct State {
    open: Vec<bool>,
    d1: Vec<f64>,
    n1: Vec<u32>,
    d2: Vec<f64>,
    n2: Vec<u32>,
}

impl Engine {
    /// Builds the engine; `unit_weights` counts demand points instead of weighing them.
    pub fn new(problem: &Problem, costs: EngineCosts, unit_weights: bool) -> Self {
        let (penalty, limit) = match costs {
            EngineCosts::Coverage { radius } => (1.0, radius),
            EngineCosts::Costs { penalty } => (penalty, f64::INFINITY),
        };
        // Demand points kept: positive weight and some candidate within the limit (rows are
        // sorted by cost, so the pairs kept are a prefix of each row).
        let n_demand = problem.n_demand();
        let mut kept = vec![NONE; n_demand];
        let mut weights = Vec::new();
        let mut row_start = vec![0];
        for (j, &w) in problem.weights().iter().enumerate() {
            let (_, cs) = problem.row(DemandIndex(j as u32));
            let len = cs.partition_point(|&c| c <= limit);
            if w <= 0.0 || len == 0 {
                continue;
            }
            kept[j] = weights.len() as u32;
            weights.push(if unit_weights { 1.0 } else { w });
            row_start.push(row_start[row_start.len() - 1] + len);
        }
        let pairs = row_start[row_start.len() - 1];
        let mut row_candidate = Vec::with_capacity(pairs);
        let mut row_cost = Vec::with_capacity(pairs);
        for j in (0..n_demand).filter(|&j| kept[j] != NONE) {
            let (cands, cs) = problem.row(DemandIndex(j as u32));
            let k = kept[j] as usize;
            let len = row_start[k + 1] - row_start[k];
            row_candidate.extend(cands[..len].iter().map(|c| c.0));
            match costs {
                EngineCosts::Coverage { .. } => row_cost.extend(std::iter::repeat_n(0.0, len)),
                EngineCosts::Costs { .. } => row_cost.extend_from_slice(&cs[..len]),
            }
        }
        // Columns from the problem's own (sorted by demand), filtered the same way.
        let n_candidates = problem.n_candidates();
        let mut col_start = Vec::with_capacity(n_candidates + 1);
        let mut col_demand = Vec::with_capacity(pairs);
        let mut col_cost = Vec::with_capacity(pairs);
        col_start.push(0);
        for c in 0..n_candidates {
            let (demands, cs) = problem.column(CandidateIndex(c as u32));
            for (d, &cost) in demands.iter().zip(cs) {
                let k = kept[d.index()];
                if cost <= limit && k != NONE {
                    col_demand.push(k);
                    col_cost.push(match costs {
                        EngineCosts::Coverage { .. } => 0.0,
                        EngineCosts::Costs { .. } => cost,
                    });
                }
            }
            col_start.push(col_demand.len());
        }
        Self {
            n_candidates,
            fixed: problem.fixed_flags().to_vec(),
            weights,
            penalty,
            row_start,
            row_candidate,
            row_cost,
            col_start,
            col_demand,
            col_cost,
        }
    }

    fn state(&self, open: Vec<bool>) -> State {
        let n = self.weights.len();
        let mut s = State {
            open,
            d1: vec![self.penalty; n],
            n1: vec![NONE; n],
            d2: vec![self.penalty; n],
            n2: vec![NONE; n],
        };
        self.assign(&mut s);
        s
    }

    /// Recomputes nearest and second-nearest open sites (rows are sorted by cost).
    fn assign(&self, s: &mut State) {
        for j in 0..self.weights.len() {
            self.assign_one(s, j);
        }
    }

    fn assign_one(&self, s: &mut State, j: usize) {
        let (mut d1, mut n1, mut d2, mut n2) = (self.penalty, NONE, self.penalty, NONE);
        for k in self.row_start[j]..self.row_start[j + 1] {
            let c = self.row_candidate[k];
            if s.open[c as usize] {
                if n1 == NONE {
                    n1 = c;
                    d1 = self.row_cost[k].min(self.penalty);
                } else {
                    n2 = c;
                    d2 = self.row_cost[k].min(self.penalty);
                    break;
                }
            }
        }
        s.d1[j] = d1;
        s.n1[j] = n1;
        s.d2[j] = d2;
        s.n2[j] = n2;
    }

    fn objective(&self, s: &State) -> f64 {
        self.weights.iter().zip(&s.d1).map(|(w, d)| w * d).sum()
    }

    /// The objective if every candidate were open: no plan does better.
    fn floor(&self) -> f64 {
        (0..self.weights.len())
            .map(|j| self.weights[j] * self.row_cost[self.row_start[j]].min(self.penalty))
            .sum()
    }

    fn add_gain(&self, s: &State, c: usize) -> f64 {
        let mut g = 0.0;
        for k in self.col_start[c]..self.col_start[c + 1] {
            let j = self.col_demand[k] as usize;
            let diff = s.d1[j] - self.col_cost[k];
            if diff > 0.0 {
                g += self.weights[j] * diff;
            }
        }
        g
    }

    /// Lazy greedy: opens `p` sites on top of the fixed ones.
    fn greedy(
        &self,
        p: usize,
        control: &Control,
        range: (f64, f64),
    ) -> Result<State, OptimiseError> {
        let mut s = self.state(self.fixed.clone());
        let gains: Vec<Gain> = (0..self.n_candidates)
            .into_par_iter()
            .filter(|&c| !s.open[c])
            .map(|c| Gain {
                gain: self.add_gain(&s, c),
                candidate: c as u32,
            })
            .collect();
        let mut heap = BinaryHeap::from(gains);
        for step in 0..p {
            control.check()?;
            control.report(
                range.0 + (range.1 - range.0) * step as f64 / p.max(1) as f64,
                "greedy",
            );
            let chosen = loop {
                let Some(top) = heap.pop() else {
                    break None;
                };
                let fresh = Gain {
                    gain: self.add_gain(&s, top.candidate as usize),
                    candidate: top.candidate,
                };
                match heap.peek() {
                    Some(next) if fresh < *next => heap.push(fresh),
                    _ => break Some(fresh.candidate as usize),
                }
            };
            let Some(c) = chosen else { break };
            s.open[c] = true;
            for k in self.col_start[c]..self.col_start[c + 1] {
                let j = self.col_demand[k] as usize;
                if self.col_cost[k] < s.d1[j] {
                    s.d1[j] = self.col_cost[k];
                    s.n1[j] = c as u32;
                }
            }
        }
        self.assign(&mut s);
        Ok(s)
    }

    /// Adds (`sign` = 1) or removes (`sign` = -1) demand point `j`'s share of the swap
    /// bookkeeping: `gain[c]` (opening c), `loss[slot]` (closing the site in that slot) and
    /// `extra[c * ns + slot]` (the correction when both happen).
    #[allow(clippy::too_many_arguments)]
    fn contribute(
        &self,
        s: &State,
        j: usize,
        sign: f64,
        slot_of: &[u32],
        ns: usize,
        gain: &mut [f64],
        loss: &mut [f64],
        extra: &mut [f64],
    ) {
        let w = sign * self.weights[j];
        let (d1, d2) = (s.d1[j], s.d2[j]);
        let slot = if s.n1[j] == NONE {
            NONE
        } else {
            slot_of[s.n1[j] as usize]
        };
        if slot != NONE {
            loss[slot as usize] += w * (d2 - d1);
        }
        for k in self.row_start[j]..self.row_start[j + 1] {
            let cost = self.row_cost[k];
            let c = self.row_candidate[k] as usize;
            if cost < d1 {
                gain[c] += w * (d1 - cost);
            }
            if slot != NONE && cost < d2 {
                extra[c * ns + slot as usize] += w * (d2 - cost.max(d1));
            } else if cost >= d1 {
                break;
            }
        }
    }

    /// Best-improvement vertex substitution until no swap improves. The bookkeeping of the
    /// fast interchange is updated only for the demand points a swap touches, and rebuilt from
    /// scratch now and then and before stopping, so rounding cannot accumulate.
    fn interchange(&self, s: State, control: &Control) -> Result<State, OptimiseError> {
        self.search(s, control, 0)
    }

    /// Swap search. With `tabu_moves` = 0 it is plain descent. Otherwise, at a local optimum it
    /// keeps taking the best allowed swap even when it worsens the plan (a site just closed
    /// may not reopen, nor a site just opened close, for a few moves; a swap that beats the
    /// best plan is always allowed), stops after `tabu_moves` moves without a new best, and
    /// returns the best plan met after a final descent.
    fn search(
        &self,
        mut s: State,
        control: &Control,
        tabu_moves: usize,
    ) -> Result<State, OptimiseError> {
        let mut slots: Vec<u32> = (0..self.n_candidates)
            .filter(|&c| s.open[c] && !self.fixed[c])
            .map(|c| c as u32)
            .collect();
        let ns = slots.len();
        if ns == 0 {
            return Ok(s);
        }
        let mut slot_of = vec![NONE; self.n_candidates];
        for (k, &c) in slots.iter().enumerate() {
            slot_of[c as usize] = k as u32;
        }
        let n = self.weights.len();
        let mut gain = vec![0.0; self.n_candidates];
        let mut loss = vec![0.0; ns];
        let mut extra = vec![0.0; self.n_candidates * ns];
        let mut mark = vec![false; n];
        let mut touched: Vec<usize> = Vec::new();
        let mut fresh = false;
        let mut since_rebuild = usize::MAX;
        // Tabu state: move number until which a site may not re-enter / leave.
        let mut no_enter_until = vec![0usize; self.n_candidates];
        let mut no_leave_until = vec![0usize; self.n_candidates];
        let tenure_out = 10 + ns / 2;
        let tenure_in = (ns / 3).max(1).min(ns.saturating_sub(1));
        let mut current = self.objective(&s);
        let mut best_obj = current;
        let mut best_open = s.open.clone();
        let mut without_best = 0usize;
        let descending = tabu_moves == 0;
        for step in 0..100_000usize {
            control.check()?;
            if since_rebuild > 200 {
                gain.iter_mut().for_each(|g| *g = 0.0);
                loss.iter_mut().for_each(|g| *g = 0.0);
                extra.iter_mut().for_each(|g| *g = 0.0);
                for j in 0..n {
                    self.contribute(&s, j, 1.0, &slot_of, ns, &mut gain, &mut loss, &mut extra);
                }
                current = self.objective(&s);
                since_rebuild = 0;
                fresh = true;
            }
            let tol = 1e-10 * (1.0 + current.abs());
            let mut best = (f64::NEG_INFINITY, NONE, NONE);
            for c in 0..self.n_candidates {
                if s.open[c] {
                    continue;
                }
                let row = &extra[c * ns..(c + 1) * ns];
                for (slot, e) in row.iter().enumerate() {
                    let profit = gain[c] - loss[slot] + e;
                    if profit <= best.0 {
                        continue;
                    }
                    if !descending {
                        let out = slots[slot] as usize;
                        let aspire = current - profit < best_obj - tol;
                        if !aspire && (no_enter_until[c] > step || no_leave_until[out] > step) {
                            continue;
                        }
                    }
                    best = (profit, c as u32, slot as u32);
                }
            }
            if best.1 == NONE || (descending && best.0 <= tol) {
                if !fresh {
                    // Confirm on exact bookkeeping before stopping.
                    since_rebuild = usize::MAX;
                    continue;
                }
                break;
            }
            let (c_in, slot) = (best.1 as usize, best.2 as usize);
            let c_out = slots[slot] as usize;
            // Demand points whose nearest or second-nearest site can change.
            touched.clear();
            let (lo, hi) = (self.col_start[c_in], self.col_start[c_in + 1]);
            for &j in &self.col_demand[lo..hi] {
                let j = j as usize;
                if !mark[j] {
                    mark[j] = true;
                    touched.push(j);
                }
            }
            let (lo, hi) = (self.col_start[c_out], self.col_start[c_out + 1]);
            for &j in &self.col_demand[lo..hi] {
                let j = j as usize;
                if !mark[j] && (s.n1[j] == c_out as u32 || s.n2[j] == c_out as u32) {
                    mark[j] = true;
                    touched.push(j);
                }
            }
            for &j in &touched {
                self.contribute(&s, j, -1.0, &slot_of, ns, &mut gain, &mut loss, &mut extra);
            }
            s.open[c_in] = true;
            s.open[c_out] = false;
            slots[slot] = c_in as u32;
            slot_of[c_out] = NONE;
            slot_of[c_in] = slot as u32;
            for &j in &touched {
                self.assign_one(&mut s, j);
                self.contribute(&s, j, 1.0, &slot_of, ns, &mut gain, &mut loss, &mut extra);
                mark[j] = false;
            }
            current -= best.0;
            since_rebuild += 1;
            fresh = false;
            no_enter_until[c_out] = step + 1 + tenure_out;
            no_leave_until[c_in] = step + 1 + tenure_in;
            if current < best_obj - tol {
                best_obj = current;
                best_open.clone_from(&s.open);
                without_best = 0;
            } else if !descending {
                without_best += 1;
                if without_best >= tabu_moves {
                    // Back to the best plan, then plain descent.
                    return self.search(self.state(best_open), control, 0);
                }
            }
        }
        if !descending || self.objective(&s) > best_obj + 1e-10 * (1.0 + best_obj.abs()) {
            return self.search(self.state(best_open), control, 0);
        }
        Ok(s)
    }

    /// Greedy + interchange, then `restarts` destroy-and-repair rounds; the best is kept.
    pub fn solve(
        &self,
        p: usize,
        options: &SolveOptions,
        control: &Control,
        range: (f64, f64),
    ) -> Result<Vec<bool>, OptimiseError> {
        let mid = range.0 + (range.1 - range.0) * 0.5;
        let start = self.greedy(p, control, (range.0, mid))?;
        let floor = self.floor();
        if self.objective(&start) <= floor + 1e-10 * (1.0 + floor.abs()) {
            // Every demand point already has its nearest site: nothing can improve.
            return Ok(start.open);
        }
        control.report(mid, "interchange");
        let mut best = self.search(start, control, TABU_MOVES)?;
        let mut best_obj = self.objective(&best);
        let mut rng = SplitMix64::new(options.seed);
        for k in 0..options.restarts {
            control.report(
                mid + (range.1 - mid) * (k + 1) as f64 / (options.restarts + 1) as f64,
                "restart",
            );
            // Destroy and repair: close a random quarter of the new sites, reopen as many by
            // greedy gain (never the ones just closed), then interchange again.
            let mut removable: Vec<usize> = (0..self.n_candidates)
                .filter(|&c| best.open[c] && !self.fixed[c])
                .collect();
            if removable.is_empty() {
                break;
            }
            rng.shuffle(&mut removable);
            let q = (p / 4).max(2).min(removable.len());
            let mut open = best.open.clone();
            let mut tabu = vec![false; self.n_candidates];
            for &c in removable.iter().take(q) {
                open[c] = false;
                tabu[c] = true;
            }
            let mut s = self.state(open);
            for _ in 0..q {
                // Gains of every candidate: each reads its whole column, so in parallel.
                let pick = (0..self.n_candidates)
                    .into_par_iter()
                    .filter(|&c| !s.open[c] && !tabu[c])
                    .map(|c| Gain {
                        gain: self.add_gain(&s, c),
                        candidate: c as u32,
                    })
                    .max();
                let Some(Gain { candidate: c, .. }) = pick else {
                    break;
                };
                let c = c as usize;
                s.open[c] = true;
                self.assign(&mut s);
            }
            let s = self.interchange(s, control)?;
            let obj = self.objective(&s);
            if obj < best_obj - 1e-10 * (1.0 + best_obj.abs()) {
                best = s;
                best_obj = obj;
            }
        }
        Ok(best.open)
    }
}

/// Runs the heuristic for `r`; returns the open sites (fixed included).
pub(crate) fn run(
    problem: &Problem,
    r: &Resolved,
    options: &SolveOptions,
    control: &Control,
    range: (f64, f64),
) -> Result<Vec<bool>, OptimiseError> {
    let plain = !r.capacitated && r.fairness.is_none();
    match r.kind {
        ModelKind::Lscp => lscp_greedy(problem, r, control),
        ModelKind::PCenter => pcenter_search(problem, r, options, control, range),
        ModelKind::Mclp if plain => {
            let radius = r.radius.unwrap_or(0.0);
            Engine::new(problem, EngineCosts::Coverage { radius }, false)
                .solve(r.p, options, control, range)
        }
        ModelKind::PMedian if plain => {
            let penalty = r
                .unassigned_cost
                .unwrap_or_else(|| (problem.max_cost() + 1.0) * 1000.0);
            Engine::new(problem, EngineCosts::Costs { penalty }, false)
                .solve(r.p, options, control, range)
        }
        _ => local_search(problem, r, options, control, range),
    }
}

/// Builds the heuristic's solution, or explains why it breaks a hard requirement.
pub(crate) fn finish(
    problem: &Problem,
    r: &Resolved,
    open: &[bool],
    start: Instant,
) -> Result<Solution, OptimiseError> {
    let flows = flows_for(problem, r, open, None);
    let solution = build_solution(
        problem,
        r,
        open,
        &flows,
        None,
        false,
        start.elapsed().as_secs_f64(),
        SolverUsed::Heuristic,
    );
    check_requirements(problem, r, open, &solution)?;
    Ok(solution)
}

/// Checks the hard requirements of `r` on a built solution.
pub(crate) fn check_requirements(
    problem: &Problem,
    r: &Resolved,
    open: &[bool],
    solution: &Solution,
) -> Result<(), OptimiseError> {
    let tol = 1e-9 * (1.0 + problem.total_weight());
    let must_assign = r.kind == ModelKind::PCenter
        || (r.kind == ModelKind::PMedian && r.unassigned_cost.is_none());
    let unassigned_weight = solution.total_weight - solution.covered_weight;
    if must_assign && unassigned_weight > tol {
        return Err(OptimiseError::Infeasible {
            model: r.kind.name(),
            reason: format!(
                "{:.3} weight reaches none of the {} open sites; raise the number of facilities or give a cost for unassigned demand",
                unassigned_weight,
                solution.selected.len()
            ),
        });
    }
    if r.kind == ModelKind::Lscp && uncovered_positive(problem, r, open) > 0 {
        return Err(OptimiseError::Infeasible {
            model: r.kind.name(),
            reason: "the selected sites do not cover the target".to_string(),
        });
    }
    if let Some(Fairness::MinGroupShare(x)) = r.fairness {
        for g in &solution.group_shares {
            if g.share < x - 1e-9 {
                return Err(OptimiseError::GroupShareNotReached {
                    group: g.group.clone(),
                    share: g.share,
                    required: x,
                });
            }
        }
    }
    Ok(())
}

/// LSCP: 0 when the target holds, otherwise how many demand points (all-demand target) or 1
/// (weight target) are short.
pub(crate) fn uncovered_positive(problem: &Problem, r: &Resolved, open: &[bool]) -> usize {
    let radius = r.radius.unwrap_or(0.0);
    let mut covered_w = 0.0;
    let mut uncovered = 0;
    for (j, &w) in problem.weights().iter().enumerate() {
        let (cands, costs) = problem.row(DemandIndex(j as u32));
        let hit = cands
            .iter()
            .zip(costs)
            .take_while(|(_, c)| **c <= radius)
            .any(|(c, _)| open[c.index()]);
        if hit {
            covered_w += w;
        } else if w > 0.0 {
            uncovered += 1;
        }
    }
    if r.all_demand {
        uncovered
    } else {
        usize::from(covered_w < r.required_weight * (1.0 - 1e-12) - 1e-12)
    }
}

/// LSCP: lazy greedy until the target holds, then drops sites that became redundant.
fn lscp_greedy(
    problem: &Problem,
    r: &Resolved,
    control: &Control,
) -> Result<Vec<bool>, OptimiseError> {
    let radius = r.radius.unwrap_or(0.0);
    let n = problem.n_candidates();
    let weights = problem.weights();
    let mut open = problem.fixed_flags().to_vec();
    let mut count = vec![0u32; problem.n_demand()];
    for c in problem.fixed() {
        let (ds, cs) = problem.column(*c);
        for (d, &cost) in ds.iter().zip(cs) {
            if cost <= radius {
                count[d.index()] += 1;
            }
        }
    }
    // Gain: newly covered demand points of positive weight (all-demand) or weight (share).
    let value = |j: usize| if r.all_demand { 1.0 } else { weights[j] };
    let gain_of = |c: usize, count: &[u32]| -> f64 {
        let (ds, cs) = problem.column(CandidateIndex(c as u32));
        ds.iter()
            .zip(cs)
            .filter(|(d, cost)| {
                **cost <= radius && count[d.index()] == 0 && weights[d.index()] > 0.0
            })
            .map(|(d, _)| value(d.index()))
            .sum()
    };
    let done = |count: &[u32]| -> bool {
        let mut covered_w = 0.0;
        for (j, &w) in weights.iter().enumerate() {
            if count[j] > 0 {
                covered_w += w;
            } else if w > 0.0 && r.all_demand {
                return false;
            }
        }
        r.all_demand || covered_w >= r.required_weight * (1.0 - 1e-12) - 1e-12
    };
    let mut heap: BinaryHeap<Gain> = (0..n)
        .filter(|&c| !open[c])
        .map(|c| Gain {
            gain: gain_of(c, &count),
            candidate: c as u32,
        })
        .collect();
    while !done(&count) {
        control.check()?;
        let chosen = loop {
            let Some(top) = heap.pop() else {
                break None;
            };
            let fresh = Gain {
                gain: gain_of(top.candidate as usize, &count),
                candidate: top.candidate,
            };
            match heap.peek() {
                Some(next) if fresh < *next => heap.push(fresh),
                _ => break Some(fresh),
            }
        };
        let Some(Gain { gain, candidate }) = chosen else {
            break;
        };
        if gain <= 0.0 {
            break;
        }
        let c = CandidateIndex(candidate);
        open[c.index()] = true;
        let (ds, cs) = problem.column(c);
        for (d, &cost) in ds.iter().zip(cs) {
            if cost <= radius {
                count[d.index()] += 1;
            }
        }
    }
    // Redundancy removal, least useful first.
    let unique = |c: usize, count: &[u32]| -> f64 {
        let (ds, cs) = problem.column(CandidateIndex(c as u32));
        ds.iter()
            .zip(cs)
            .filter(|(d, cost)| **cost <= radius && count[d.index()] == 1)
            .map(|(d, _)| weights[d.index()])
            .sum()
    };
    let mut chosen: Vec<usize> = (0..n)
        .filter(|&c| open[c] && !problem.fixed_flags()[c])
        .collect();
    chosen.sort_by(|&a, &b| {
        unique(a, &count)
            .total_cmp(&unique(b, &count))
            .then(a.cmp(&b))
    });
    for c in chosen {
        let (ds, cs) = problem.column(CandidateIndex(c as u32));
        for (d, &cost) in ds.iter().zip(cs) {
            if cost <= radius {
                count[d.index()] -= 1;
            }
        }
        if done(&count) {
            open[c] = false;
        } else {
            for (d, &cost) in ds.iter().zip(cs) {
                if cost <= radius {
                    count[d.index()] += 1;
                }
            }
        }
    }
    Ok(open)
}

/// p-center: binary search over the distinct costs for the smallest radius at which the engine
/// covers every demand point of positive weight with `p` new sites.
fn pcenter_search(
    problem: &Problem,
    r: &Resolved,
    options: &SolveOptions,
    control: &Control,
    range: (f64, f64),
) -> Result<Vec<bool>, OptimiseError> {
    let radii = distinct_costs(problem);
    let covers = |radius: f64| -> Result<Option<Vec<bool>>, OptimiseError> {
        let engine = Engine::new(problem, EngineCosts::Coverage { radius }, true);
        let open = engine.solve(
            r.p,
            options,
            &Control {
                progress: None,
                ..*control
            },
            (0.0, 1.0),
        )?;
        let s = engine.state(open);
        Ok((engine.objective(&s) == 0.0).then_some(s.open))
    };
    let (mut lo, mut hi) = (0usize, radii.len().saturating_sub(1));
    let Some(mut best) = covers(radii.get(hi).copied().unwrap_or(0.0))? else {
        // Even the largest radius leaves demand out: return the p-median-like best effort so
        // the caller can report how much is unassigned.
        let engine = Engine::new(problem, EngineCosts::Coverage { radius: f64::MAX }, true);
        return engine.solve(r.p, options, control, range);
    };
    let steps = (radii.len().max(2) as f64).log2().ceil();
    let mut step = 0.0;
    while lo < hi {
        control.check()?;
        step += 1.0;
        control.report(
            range.0 + (range.1 - range.0) * (step / steps).min(1.0),
            "p-center radius search",
        );
        let mid = lo + (hi - lo) / 2;
        match covers(radii[mid])? {
            Some(open) => {
                best = open;
                hi = mid;
            }
            None => lo = mid + 1,
        }
    }
    Ok(best)
}

/// Sorted distinct costs of pairs whose demand has positive weight.
pub(crate) fn distinct_costs(problem: &Problem) -> Vec<f64> {
    let mut costs: Vec<f64> = (0..problem.n_demand())
        .filter(|&j| problem.weights()[j] > 0.0)
        .flat_map(|j| problem.row(DemandIndex(j as u32)).1.iter().copied())
        .collect();
    costs.sort_by(f64::total_cmp);
    costs.dedup();
    costs
}

/// Greedy then first-improvement interchange on full re-evaluations (capacities, fairness).
fn local_search(
    problem: &Problem,
    r: &Resolved,
    options: &SolveOptions,
    control: &Control,
    range: (f64, f64),
) -> Result<Vec<bool>, OptimiseError> {
    let pairs = r.capacitated.then(|| sorted_pairs(problem));
    let score = |open: &[bool]| {
        let flows = flows_for(problem, r, open, pairs.as_deref());
        evaluate(problem, r, open, &flows).score(r)
    };
    let n = problem.n_candidates();
    let mut open = problem.fixed_flags().to_vec();
    for step in 0..r.p {
        control.check()?;
        control.report(
            range.0 + (range.1 - range.0) * 0.5 * step as f64 / r.p.max(1) as f64,
            "greedy",
        );
        let mut best: Option<(usize, (f64, f64))> = None;
        for c in 0..n {
            if open[c] {
                continue;
            }
            open[c] = true;
            let s = score(&open);
            open[c] = false;
            if best.is_none_or(|(_, b)| better(s, b)) {
                best = Some((c, s));
            }
        }
        if let Some((c, _)) = best {
            open[c] = true;
        }
    }
    let mut rng = SplitMix64::new(options.seed);
    let mut current = score(&open);
    for pass in 0..100 {
        control.check()?;
        control.report(
            range.0 + (range.1 - range.0) * (0.5 + 0.5 * pass as f64 / 100.0),
            "interchange",
        );
        let mut closed: Vec<usize> = (0..n).filter(|&c| !open[c]).collect();
        rng.shuffle(&mut closed);
        let mut improved = false;
        for c_in in closed {
            let outs: Vec<usize> = (0..n)
                .filter(|&c| open[c] && !problem.fixed_flags()[c])
                .collect();
            for c_out in outs {
                open[c_in] = true;
                open[c_out] = false;
                let s = score(&open);
                if better(s, current) {
                    current = s;
                    improved = true;
                    break;
                }
                open[c_in] = false;
                open[c_out] = true;
            }
        }
        if !improved {
            break;
        }
    }
    Ok(open)
}
