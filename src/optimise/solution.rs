//! Solutions and the one evaluation every solver shares, so that objectives agree.

use serde::Serialize;

use super::problem::{CandidateIndex, DemandIndex, Problem};
use super::{Fairness, Resolved};

/// The four placement models, by name: the one list the optimiser, the scenario requests, the
/// command line, the API and the web page share. [`Model`](super::Model) adds each one's
/// parameters.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Maximal covering location problem: most people within the rule.
    Mclp,
    /// Location set covering problem: fewest points covering everyone reachable.
    Lscp,
    /// p-median: least total travel time.
    #[serde(rename = "pmedian")]
    PMedian,
    /// p-center: shortest worst travel time.
    #[serde(rename = "pcenter")]
    PCenter,
}

impl ModelKind {
    /// Every model, in the order menus list them.
    pub const ALL: [ModelKind; 4] = [
        ModelKind::Mclp,
        ModelKind::PMedian,
        ModelKind::Lscp,
        ModelKind::PCenter,
    ];

    /// Short lowercase name, as typed on the command line and sent in JSON.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Mclp => "mclp",
            ModelKind::Lscp => "lscp",
            ModelKind::PMedian => "pmedian",
            ModelKind::PCenter => "pcenter",
        }
    }

    /// Whether a larger objective is better.
    pub fn maximises(self) -> bool {
        matches!(self, ModelKind::Mclp)
    }

    /// Whether the model counts people within the coverage rule (MCLP, LSCP) rather than
    /// weighing travel times (p-median, p-center, which also look beyond the time limit).
    pub fn is_covering(self) -> bool {
        matches!(self, ModelKind::Mclp | ModelKind::Lscp)
    }

    /// Whether the model places a given number of new sites (all but LSCP, which finds the
    /// fewest).
    pub fn takes_count(self) -> bool {
        !matches!(self, ModelKind::Lscp)
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ModelKind {
    type Err = super::OptimiseError;
    /// Case, dashes and underscores are forgiven: `p-median`, `P_Median` and `pmedian` agree.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded = s.trim().to_ascii_lowercase().replace(['-', '_'], "");
        ModelKind::ALL
            .into_iter()
            .find(|m| m.name() == folded)
            .ok_or_else(|| super::OptimiseError::UnknownModel {
                name: s.to_string(),
            })
    }
}

/// Which solver produced the selected sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SolverUsed {
    /// Greedy start and interchange local search.
    Heuristic,
    /// The MIP solved by CBC (possibly stopped at the time limit; see `proven_optimal`).
    Exact,
    /// Enumeration of every subset (small instances only).
    BruteForce,
}

/// What one selected site contributes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteReport {
    /// The site.
    pub candidate: CandidateIndex,
    /// Its id.
    pub id: String,
    /// Whether it was fixed open before solving.
    pub fixed: bool,
    /// Demand weight assigned to it.
    pub served_weight: f64,
    /// Covered weight that would be lost if only this site closed ("point 7 adds 12,400
    /// people"). Without capacities: weight covered by this site and by no other selected site
    /// (within the radius for MCLP/LSCP, reachable at all for p-median/p-center). With
    /// capacities: the covered weight it serves.
    pub marginal_weight: f64,
}

/// Covered share of one demand group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupShare {
    /// Group name.
    pub group: String,
    /// Total weight of the group.
    pub total_weight: f64,
    /// Covered weight of the group.
    pub covered_weight: f64,
    /// `covered_weight / total_weight` (1 for an empty group).
    pub share: f64,
}

/// The answer of a solve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Solution {
    /// The model solved.
    pub model: ModelKind,
    /// Selected sites, fixed ones included, sorted by index.
    pub selected: Vec<CandidateIndex>,
    /// Ids of the selected sites, in the same order.
    pub selected_ids: Vec<String>,
    /// Per selected site: served and marginal weight.
    pub sites: Vec<SiteReport>,
    /// MCLP: covered weight. LSCP: number of new sites. p-median: weighted sum of costs to the
    /// assigned site plus the unassigned cost for unassigned weight. p-center: largest cost from
    /// a demand point of positive weight to its assigned site.
    pub objective: f64,
    /// Covered weight: within the radius for MCLP/LSCP, assigned to a reachable site for
    /// p-median/p-center.
    pub covered_weight: f64,
    /// Total demand weight.
    pub total_weight: f64,
    /// Weight-averaged cost from demand to its assigned site, over assigned weight.
    pub mean_cost: f64,
    /// Largest cost from assigned weight to its site.
    pub max_cost: f64,
    /// Main site of each demand point (nearest open site without capacities; the site serving
    /// most of its weight with capacities); `None` when unassigned.
    pub assignment: Vec<Option<CandidateIndex>>,
    /// Covered share per group, when the problem has groups.
    pub group_shares: Vec<GroupShare>,
    /// Best known bound on the objective (upper for MCLP, lower otherwise), if computed.
    pub bound: Option<f64>,
    /// Relative gap `|objective - bound| / |objective|`, if a bound is known.
    pub gap: Option<f64>,
    /// Whether the objective is proven optimal.
    pub proven_optimal: bool,
    /// Wall-clock solve time in seconds.
    pub solve_s: f64,
    /// Which solver produced the selected sites.
    pub solver: SolverUsed,
}

/// Weight sent from one demand point to one site.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Flow {
    pub demand: DemandIndex,
    pub candidate: CandidateIndex,
    pub amount: f64,
    pub cost: f64,
}

/// Each demand point goes whole to its nearest open site (ties: lower index).
pub(crate) fn nearest_flows(problem: &Problem, open: &[bool]) -> Vec<Flow> {
    let mut flows = Vec::with_capacity(problem.n_demand());
    for j in 0..problem.n_demand() {
        let d = DemandIndex(j as u32);
        let (cands, costs) = problem.row(d);
        if let Some(k) = cands.iter().position(|c| open[c.index()]) {
            flows.push(Flow {
                demand: d,
                candidate: cands[k],
                amount: problem.weights()[j],
                cost: costs[k],
            });
        }
    }
    flows
}

/// Greedy assignment under capacities: pairs by ascending cost, each sends as much as both the
/// demand left and the capacity left allow. Only pairs with cost <= `radius` when given.
pub(crate) fn capacitated_flows(
    problem: &Problem,
    open: &[bool],
    radius: Option<f64>,
    pairs: &[(f64, DemandIndex, CandidateIndex)],
) -> Vec<Flow> {
    let caps = problem.capacities().unwrap_or(&[]);
    let capacity: Vec<f64> = (0..problem.n_candidates())
        .map(|i| caps.get(i).copied().unwrap_or(f64::INFINITY))
        .collect();
    let usable = pairs
        .iter()
        .take_while(|p| radius.is_none_or(|r| p.0 <= r))
        .filter(|p| open[p.2.index()])
        .map(|&(cost, d, c)| (cost, d.index(), c.index()));
    assign_nearest_first(usable, problem.weights(), &capacity)
        .into_iter()
        .map(|a| Flow {
            demand: DemandIndex(a.demand as u32),
            candidate: CandidateIndex(a.site as u32),
            amount: a.amount,
            cost: a.cost,
        })
        .collect()
}

/// Demand sent to one site by [`assign_nearest_first`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assigned {
    pub demand: usize,
    pub site: usize,
    pub amount: f64,
    pub cost: f64,
}

/// Nearest first within capacities, as AccessMod's capacity-limited catchments: `pairs`
/// (cost, demand, site) in ascending cost; each sends as much as the demand left and the site's
/// capacity left allow. So no site ever takes more than its capacity, and no demand goes to a
/// site while a nearer one it may use has room.
pub fn assign_nearest_first(
    pairs: impl IntoIterator<Item = (f64, usize, usize)>,
    demand: &[f64],
    capacity: &[f64],
) -> Vec<Assigned> {
    let mut cap_left = capacity.to_vec();
    let mut demand_left = demand.to_vec();
    let mut flows = Vec::new();
    for (cost, d, c) in pairs {
        let amount = demand_left[d].min(cap_left[c]);
        if amount > 0.0 {
            demand_left[d] -= amount;
            cap_left[c] -= amount;
            flows.push(Assigned {
                demand: d,
                site: c,
                amount,
                cost,
            });
        }
    }
    flows
}

/// All pairs sorted by (cost, demand, candidate), for [`capacitated_flows`].
pub(crate) fn sorted_pairs(problem: &Problem) -> Vec<(f64, DemandIndex, CandidateIndex)> {
    let mut pairs = Vec::with_capacity(problem.n_pairs());
    for j in 0..problem.n_demand() {
        let d = DemandIndex(j as u32);
        let (cands, costs) = problem.row(d);
        for (&c, &cost) in cands.iter().zip(costs) {
            pairs.push((cost, d, c));
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    pairs
}

/// Figures of one set of open sites with one assignment.
#[derive(Debug, Clone)]
pub(crate) struct Evaluation {
    pub objective: f64,
    pub covered_weight: f64,
    /// Positive-weight demand left unassigned.
    pub unassigned_weight: f64,
    pub mean_cost: f64,
    pub max_cost: f64,
    pub group_covered: Vec<f64>,
    pub group_total: Vec<f64>,
}

impl Evaluation {
    /// Lexicographic score to minimise: (constraint violation, objective in minimise sense).
    pub fn score(&self, r: &Resolved) -> (f64, f64) {
        let mut violation = 0.0;
        let must_assign = matches!(r.kind, ModelKind::PCenter)
            || (matches!(r.kind, ModelKind::PMedian) && r.unassigned_cost.is_none());
        if must_assign {
            violation += self.unassigned_weight;
        }
        if let Some(f) = r.fairness {
            let shares = self.group_totals();
            match f {
                Fairness::MinGroupShare(x) => {
                    for (covered, total) in shares {
                        violation += (x * total - covered).max(0.0);
                    }
                }
                Fairness::MaximiseWorstGroup => {
                    let worst = shares
                        .map(|(c, t)| if t > 0.0 { c / t } else { 1.0 })
                        .fold(1.0, f64::min);
                    violation -= worst;
                }
            }
        }
        let objective = if r.kind.maximises() {
            -self.objective
        } else {
            self.objective
        };
        (violation, objective)
    }

    fn group_totals(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.group_covered
            .iter()
            .copied()
            .zip(self.group_total.iter().copied())
    }
}

/// Whether `a` is better than `b` by more than a relative tolerance.
pub(crate) fn better(a: (f64, f64), b: (f64, f64)) -> bool {
    let tol = |x: f64, y: f64| 1e-9 * (1.0 + x.abs().max(y.abs()));
    if a.0 < b.0 - tol(a.0, b.0) {
        return true;
    }
    if a.0 > b.0 + tol(a.0, b.0) {
        return false;
    }
    a.1 < b.1 - tol(a.1, b.1)
}

/// Whether a flow counts as covered under the model.
fn is_covered(r: &Resolved, cost: f64) -> bool {
    r.radius.is_none_or(|radius| cost <= radius)
}

/// Evaluates `open` with `flows` under `r`.
pub(crate) fn evaluate(
    problem: &Problem,
    r: &Resolved,
    open: &[bool],
    flows: &[Flow],
) -> Evaluation {
    let weights = problem.weights();
    let mut assigned = vec![0.0; problem.n_demand()];
    let mut covered = 0.0;
    let mut assigned_weight = 0.0;
    let mut cost_sum = 0.0;
    let mut max_cost: f64 = 0.0;
    let n_groups = problem.groups().map_or(0, |g| g.names.len());
    let mut group_covered = vec![0.0; n_groups];
    let mut group_total = vec![0.0; n_groups];
    if let Some(g) = problem.groups() {
        for (j, k) in g.of_demand.iter().enumerate() {
            group_total[k.index()] += weights[j];
        }
    }
    for f in flows {
        assigned[f.demand.index()] += f.amount;
        assigned_weight += f.amount;
        cost_sum += f.amount * f.cost;
        if f.amount > 0.0 {
            max_cost = max_cost.max(f.cost);
        }
        if is_covered(r, f.cost) {
            covered += f.amount;
            if let Some(g) = problem.groups() {
                group_covered[g.of_demand[f.demand.index()].index()] += f.amount;
            }
        }
    }
    let unassigned_weight: f64 = weights
        .iter()
        .zip(&assigned)
        .map(|(w, a)| (w - a).max(0.0))
        .filter(|&u| u > 1e-12)
        .sum();
    let objective = match r.kind {
        ModelKind::Mclp => covered,
        ModelKind::Lscp => open
            .iter()
            .zip(problem.fixed_flags())
            .filter(|(o, f)| **o && !**f)
            .count() as f64,
        ModelKind::PMedian => cost_sum + r.unassigned_cost.unwrap_or(0.0) * unassigned_weight,
        ModelKind::PCenter => max_cost,
    };
    Evaluation {
        objective,
        covered_weight: covered,
        unassigned_weight,
        mean_cost: if assigned_weight > 0.0 {
            cost_sum / assigned_weight
        } else {
            0.0
        },
        max_cost,
        group_covered,
        group_total,
    }
}

/// Flows for `open` under `r`: nearest site without capacities, greedy with them.
pub(crate) fn flows_for(
    problem: &Problem,
    r: &Resolved,
    open: &[bool],
    pairs: Option<&[(f64, DemandIndex, CandidateIndex)]>,
) -> Vec<Flow> {
    match (r.capacitated, pairs) {
        (true, Some(pairs)) => capacitated_flows(problem, open, r.radius, pairs),
        (true, None) => capacitated_flows(problem, open, r.radius, &sorted_pairs(problem)),
        (false, _) => nearest_flows(problem, open),
    }
}

/// Builds the full [`Solution`] of `open` with `flows`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build_solution(
    problem: &Problem,
    r: &Resolved,
    open: &[bool],
    flows: &[Flow],
    bound: Option<f64>,
    proven_optimal: bool,
    solve_s: f64,
    solver: SolverUsed,
) -> Solution {
    let eval = evaluate(problem, r, open, flows);
    let selected: Vec<CandidateIndex> = open
        .iter()
        .enumerate()
        .filter(|(_, o)| **o)
        .map(|(i, _)| CandidateIndex(i as u32))
        .collect();
    let mut served = vec![0.0; problem.n_candidates()];
    let mut best_share: Vec<Option<(f64, CandidateIndex)>> = vec![None; problem.n_demand()];
    for f in flows {
        served[f.candidate.index()] += f.amount;
        let slot = &mut best_share[f.demand.index()];
        if slot.is_none_or(|(a, _)| f.amount > a) {
            *slot = Some((f.amount, f.candidate));
        }
    }
    let mut marginal = vec![0.0; problem.n_candidates()];
    if r.capacitated {
        for f in flows {
            if is_covered(r, f.cost) {
                marginal[f.candidate.index()] += f.amount;
            }
        }
    } else {
        for j in 0..problem.n_demand() {
            let w = problem.weights()[j];
            if w <= 0.0 {
                continue;
            }
            let (cands, costs) = problem.row(DemandIndex(j as u32));
            let mut only = None;
            let mut count = 0;
            for (&c, &cost) in cands.iter().zip(costs) {
                if !is_covered(r, cost) {
                    break;
                }
                if open[c.index()] {
                    count += 1;
                    only = Some(c);
                    if count > 1 {
                        break;
                    }
                }
            }
            if let (1, Some(c)) = (count, only) {
                marginal[c.index()] += w;
            }
        }
    }
    let sites = selected
        .iter()
        .map(|&c| SiteReport {
            candidate: c,
            id: problem.candidate_id(c).to_string(),
            fixed: problem.is_fixed(c),
            served_weight: served[c.index()],
            marginal_weight: marginal[c.index()],
        })
        .collect();
    let group_shares = problem
        .groups()
        .map(|g| {
            g.names
                .iter()
                .enumerate()
                .map(|(k, name)| {
                    let total = eval.group_total[k];
                    let covered = eval.group_covered[k];
                    GroupShare {
                        group: name.clone(),
                        total_weight: total,
                        covered_weight: covered,
                        share: if total > 0.0 { covered / total } else { 1.0 },
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let gap = bound.map(|b| relative_gap(eval.objective, b));
    Solution {
        model: r.kind,
        selected_ids: selected
            .iter()
            .map(|&c| problem.candidate_id(c).to_string())
            .collect(),
        selected,
        sites,
        objective: eval.objective,
        covered_weight: eval.covered_weight,
        total_weight: problem.total_weight(),
        mean_cost: eval.mean_cost,
        max_cost: eval.max_cost,
        assignment: best_share.into_iter().map(|s| s.map(|(_, c)| c)).collect(),
        group_shares,
        bound,
        gap,
        proven_optimal: proven_optimal || gap.is_some_and(|g| g <= 1e-9),
        solve_s,
        solver,
    }
}

/// `|objective - bound| / |objective|`, 0 when both are 0.
pub(crate) fn relative_gap(objective: f64, bound: f64) -> f64 {
    let diff = (objective - bound).abs();
    if diff <= 1e-9 * (1.0 + objective.abs()) {
        0.0
    } else {
        diff / objective.abs().max(1e-12)
    }
}
