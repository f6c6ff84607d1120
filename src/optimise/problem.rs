//! The placement problem: demand weights, candidate sites, a sparse cost matrix and fixed sites.

use std::collections::HashMap;

use rayon::prelude::*;

use super::OptimiseError;

/// Dense index of a demand point (row of the cost matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct DemandIndex(pub u32);

/// Dense index of a candidate site (column of the cost matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct CandidateIndex(pub u32);

/// Dense index of a demand group (for example a ward).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct GroupIndex(pub u32);

impl DemandIndex {
    /// The index as a `usize`, for indexing vectors.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl CandidateIndex {
    /// The index as a `usize`, for indexing vectors.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl GroupIndex {
    /// The index as a `usize`, for indexing vectors.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One known cost: demand `demand` reaches candidate `candidate` at `cost` (seconds, metres or
/// any unit, the same for the whole matrix). Pairs that are not given are unreachable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostEntry {
    /// Row.
    pub demand: DemandIndex,
    /// Column.
    pub candidate: CandidateIndex,
    /// Cost, finite and >= 0.
    pub cost: f64,
}

/// Demand groups (for example wards), used by fairness constraints.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandGroups {
    /// Group names, indexed by [`GroupIndex`].
    pub names: Vec<String>,
    /// The group of each demand point, one per demand point.
    pub of_demand: Vec<GroupIndex>,
}

/// Everything needed to build a [`Problem`]; checked by [`Problem::new`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProblemSpec {
    /// Unique demand ids (for example H3 cells), one per demand point.
    pub demand_ids: Vec<String>,
    /// Weight of each demand point (for example people), finite and >= 0.
    pub weights: Vec<f64>,
    /// Unique candidate ids.
    pub candidate_ids: Vec<String>,
    /// Known costs; every pair not listed is unreachable.
    pub costs: Vec<CostEntry>,
    /// Ids of candidates that are already open and stay open (head office, branches).
    pub fixed: Vec<String>,
    /// Optional capacity of each candidate, in the unit of the weights.
    pub capacities: Option<Vec<f64>>,
    /// Optional group of each demand point.
    pub groups: Option<DemandGroups>,
}

/// A checked placement problem.
///
/// The cost matrix is stored twice in compressed sparse form: by demand (each row sorted by
/// ascending cost, so the nearest open site is the first open entry) and by candidate (for the
/// gains of opening a site). Nothing here is spatial: the costs may come from travel times,
/// distances or anything else.
#[derive(Debug, Clone)]
pub struct Problem {
    demand_ids: Vec<String>,
    weights: Vec<f64>,
    candidate_ids: Vec<String>,
    row_start: Vec<usize>,
    row_candidate: Vec<CandidateIndex>,
    row_cost: Vec<f64>,
    col_start: Vec<usize>,
    col_demand: Vec<DemandIndex>,
    col_cost: Vec<f64>,
    fixed: Vec<CandidateIndex>,
    is_fixed: Vec<bool>,
    capacities: Option<Vec<f64>>,
    groups: Option<DemandGroups>,
    total_weight: f64,
}

impl Problem {
    /// Checks `spec` and builds the problem.
    ///
    /// Fails on empty demand or candidates, lists of the wrong length, negative or NaN weights,
    /// costs or capacities, duplicate ids or pairs, out-of-range indices and unknown fixed ids.
    ///
    /// ```
    /// use motcua::optimise::{CandidateIndex, CostEntry, DemandIndex, Problem, ProblemSpec};
    /// let spec = ProblemSpec {
    ///     demand_ids: vec!["a".into(), "b".into()],
    ///     weights: vec![10.0, 5.0],
    ///     candidate_ids: vec!["x".into()],
    ///     costs: vec![CostEntry { demand: DemandIndex(0), candidate: CandidateIndex(0), cost: 60.0 }],
    ///     ..ProblemSpec::default()
    /// };
    /// let problem = Problem::new(spec).unwrap();
    /// assert_eq!(problem.total_weight(), 15.0);
    /// ```
    pub fn new(spec: ProblemSpec) -> Result<Self, OptimiseError> {
        let ProblemSpec {
            demand_ids,
            weights,
            candidate_ids,
            costs,
            fixed,
            capacities,
            groups,
        } = spec;
        if demand_ids.is_empty() {
            return Err(OptimiseError::EmptyDemand);
        }
        if candidate_ids.is_empty() {
            return Err(OptimiseError::EmptyCandidates);
        }
        if weights.len() != demand_ids.len() {
            return Err(OptimiseError::LengthMismatch {
                what: "weights",
                per: "demand point",
                expected: demand_ids.len(),
                found: weights.len(),
            });
        }
        let n_demand = demand_ids.len();
        let n_candidates = candidate_ids.len();
        if n_demand > u32::MAX as usize || n_candidates > u32::MAX as usize {
            return Err(OptimiseError::IndexOutOfRange {
                what: "demand or candidate",
                index: n_demand.max(n_candidates),
                len: u32::MAX as usize,
            });
        }
        let mut seen = HashMap::with_capacity(n_demand);
        for (j, id) in demand_ids.iter().enumerate() {
            if seen.insert(id.as_str(), j).is_some() {
                return Err(OptimiseError::DuplicateDemandId { id: id.clone() });
            }
        }
        let mut candidate_of: HashMap<&str, usize> = HashMap::with_capacity(n_candidates);
        for (i, id) in candidate_ids.iter().enumerate() {
            if candidate_of.insert(id.as_str(), i).is_some() {
                return Err(OptimiseError::DuplicateCandidateId { id: id.clone() });
            }
        }
        for (j, &w) in weights.iter().enumerate() {
            if !w.is_finite() || w < 0.0 {
                return Err(OptimiseError::InvalidWeight {
                    demand_id: demand_ids[j].clone(),
                    weight: w,
                });
            }
        }
        let total_weight: f64 = weights.iter().sum();
        if !total_weight.is_finite() {
            return Err(OptimiseError::InfiniteTotalWeight {
                largest: weights.iter().copied().fold(0.0, f64::max),
            });
        }
        if let Some(caps) = &capacities {
            if caps.len() != n_candidates {
                return Err(OptimiseError::LengthMismatch {
                    what: "capacities",
                    per: "candidate",
                    expected: n_candidates,
                    found: caps.len(),
                });
            }
            for (i, &c) in caps.iter().enumerate() {
                if !c.is_finite() || c < 0.0 {
                    return Err(OptimiseError::InvalidCapacity {
                        candidate_id: candidate_ids[i].clone(),
                        capacity: c,
                    });
                }
            }
        }
        if let Some(g) = &groups {
            if g.of_demand.len() != n_demand {
                return Err(OptimiseError::LengthMismatch {
                    what: "demand groups",
                    per: "demand point",
                    expected: n_demand,
                    found: g.of_demand.len(),
                });
            }
            if let Some(bad) = g.of_demand.iter().find(|k| k.index() >= g.names.len()) {
                return Err(OptimiseError::IndexOutOfRange {
                    what: "group",
                    index: bad.index(),
                    len: g.names.len(),
                });
            }
        }
        for e in &costs {
            if e.demand.index() >= n_demand {
                return Err(OptimiseError::IndexOutOfRange {
                    what: "demand",
                    index: e.demand.index(),
                    len: n_demand,
                });
            }
            if e.candidate.index() >= n_candidates {
                return Err(OptimiseError::IndexOutOfRange {
                    what: "candidate",
                    index: e.candidate.index(),
                    len: n_candidates,
                });
            }
            if !e.cost.is_finite() || e.cost < 0.0 {
                return Err(OptimiseError::InvalidCost {
                    demand_id: demand_ids[e.demand.index()].clone(),
                    candidate_id: candidate_ids[e.candidate.index()].clone(),
                    cost: e.cost,
                });
            }
        }
        // Every weighted sum of costs (an objective, a mean) is at most this product.
        let largest_cost = costs.iter().map(|e| e.cost).fold(0.0, f64::max);
        if !(total_weight * largest_cost).is_finite() {
            return Err(OptimiseError::InfiniteTotalCost {
                total_weight,
                largest_cost,
            });
        }
        let mut is_fixed = vec![false; n_candidates];
        let mut fixed_idx = Vec::with_capacity(fixed.len());
        for id in &fixed {
            let Some(&i) = candidate_of.get(id.as_str()) else {
                return Err(OptimiseError::UnknownCandidate { id: id.clone() });
            };
            if !is_fixed[i] {
                is_fixed[i] = true;
                fixed_idx.push(CandidateIndex(i as u32));
            }
        }
        fixed_idx.sort();

        // Rows: entries bucketed by demand (in linear time: matrices hold millions of
        // pairs), then each row sorted by (cost, candidate) so it is ascending in cost.
        let mut row_start = vec![0usize; n_demand + 1];
        for e in &costs {
            row_start[e.demand.index() + 1] += 1;
        }
        for j in 0..n_demand {
            row_start[j + 1] += row_start[j];
        }
        let mut by_row = vec![
            CostEntry {
                demand: DemandIndex(0),
                candidate: CandidateIndex(0),
                cost: 0.0,
            };
            costs.len()
        ];
        let mut fill = row_start.clone();
        for e in &costs {
            by_row[fill[e.demand.index()]] = *e;
            fill[e.demand.index()] += 1;
        }
        let mut rows: Vec<&mut [CostEntry]> = Vec::with_capacity(n_demand);
        let mut rest = by_row.as_mut_slice();
        for j in 0..n_demand {
            let (row, tail) = rest.split_at_mut(row_start[j + 1] - row_start[j]);
            rows.push(row);
            rest = tail;
        }
        rows.into_par_iter().for_each(|row| {
            row.sort_unstable_by(|a, b| {
                a.cost
                    .total_cmp(&b.cost)
                    .then(a.candidate.cmp(&b.candidate))
            })
        });
        // Listed by candidate, then demand (as a matrix built one candidate at a time is), the
        // list is already the columns and no pair can repeat.
        let by_column = costs
            .windows(2)
            .all(|w| (w[0].candidate, w[0].demand) < (w[1].candidate, w[1].demand));
        if !by_column {
            // Duplicate pairs: check within each row.
            let mut last_seen = vec![u32::MAX; n_candidates];
            for j in 0..n_demand {
                for e in &by_row[row_start[j]..row_start[j + 1]] {
                    if last_seen[e.candidate.index()] == j as u32 {
                        return Err(OptimiseError::DuplicatePair {
                            demand_id: demand_ids[j].clone(),
                            candidate_id: candidate_ids[e.candidate.index()].clone(),
                        });
                    }
                    last_seen[e.candidate.index()] = j as u32;
                }
            }
        }
        let row_candidate: Vec<CandidateIndex> = by_row.par_iter().map(|e| e.candidate).collect();
        let row_cost: Vec<f64> = by_row.par_iter().map(|e| e.cost).collect();

        // Columns: each ascending in demand.
        let column_order = if by_column { &costs } else { &by_row };
        let mut col_start = vec![0usize; n_candidates + 1];
        for e in column_order {
            col_start[e.candidate.index() + 1] += 1;
        }
        for i in 0..n_candidates {
            col_start[i + 1] += col_start[i];
        }
        let (col_demand, col_cost) = if by_column {
            (
                costs.par_iter().map(|e| e.demand).collect(),
                costs.par_iter().map(|e| e.cost).collect(),
            )
        } else {
            let mut fill = col_start.clone();
            let mut col_demand = vec![DemandIndex(0); by_row.len()];
            let mut col_cost = vec![0.0; by_row.len()];
            for e in &by_row {
                let at = fill[e.candidate.index()];
                col_demand[at] = e.demand;
                col_cost[at] = e.cost;
                fill[e.candidate.index()] += 1;
            }
            (col_demand, col_cost)
        };
        let total_weight = weights.iter().sum();
        Ok(Self {
            demand_ids,
            weights,
            candidate_ids,
            row_start,
            row_candidate,
            row_cost,
            col_start,
            col_demand,
            col_cost,
            fixed: fixed_idx,
            is_fixed,
            capacities,
            groups,
            total_weight,
        })
    }

    /// Builds a problem from a dense matrix (`None` = unreachable), with ids `d0, d1, …` and
    /// `c0, c1, …`. Handy for small hand-written instances and tests.
    ///
    /// ```
    /// use motcua::optimise::Problem;
    /// let p = Problem::from_dense(&[1.0, 2.0], &[vec![Some(5.0), None], vec![None, Some(3.0)]], &[]).unwrap();
    /// assert_eq!(p.n_candidates(), 2);
    /// ```
    pub fn from_dense(
        weights: &[f64],
        costs: &[Vec<Option<f64>>],
        fixed: &[usize],
    ) -> Result<Self, OptimiseError> {
        if costs.len() != weights.len() {
            return Err(OptimiseError::LengthMismatch {
                what: "cost rows",
                per: "demand point",
                expected: weights.len(),
                found: costs.len(),
            });
        }
        let n_candidates = costs.first().map_or(0, Vec::len);
        let mut entries = Vec::new();
        for (j, row) in costs.iter().enumerate() {
            if row.len() != n_candidates {
                return Err(OptimiseError::LengthMismatch {
                    what: "cost row",
                    per: "candidate",
                    expected: n_candidates,
                    found: row.len(),
                });
            }
            for (i, c) in row.iter().enumerate() {
                if let Some(cost) = c {
                    entries.push(CostEntry {
                        demand: DemandIndex(j as u32),
                        candidate: CandidateIndex(i as u32),
                        cost: *cost,
                    });
                }
            }
        }
        let candidate_ids: Vec<String> = (0..n_candidates).map(|i| format!("c{i}")).collect();
        let fixed = fixed
            .iter()
            .map(|&i| {
                candidate_ids
                    .get(i)
                    .cloned()
                    .ok_or(OptimiseError::IndexOutOfRange {
                        what: "fixed candidate",
                        index: i,
                        len: n_candidates,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(ProblemSpec {
            demand_ids: (0..weights.len()).map(|j| format!("d{j}")).collect(),
            weights: weights.to_vec(),
            candidate_ids,
            costs: entries,
            fixed,
            capacities: None,
            groups: None,
        })
    }

    /// Returns the same problem with capacities set (checked like in [`Problem::new`]).
    pub fn with_capacities(self, capacities: Vec<f64>) -> Result<Self, OptimiseError> {
        let mut spec = self.to_spec();
        spec.capacities = Some(capacities);
        Self::new(spec)
    }

    /// Returns the same problem with demand groups set (checked like in [`Problem::new`]).
    pub fn with_groups(self, groups: DemandGroups) -> Result<Self, OptimiseError> {
        let mut spec = self.to_spec();
        spec.groups = Some(groups);
        Self::new(spec)
    }

    /// Returns the same problem with a different set of fixed candidate ids.
    pub fn with_fixed(&self, fixed: Vec<String>) -> Result<Self, OptimiseError> {
        let mut spec = self.to_spec();
        spec.fixed = fixed;
        Self::new(spec)
    }

    /// The specification this problem was built from (rows re-sorted by cost).
    pub fn to_spec(&self) -> ProblemSpec {
        let mut costs = Vec::with_capacity(self.row_cost.len());
        for j in 0..self.n_demand() {
            let d = DemandIndex(j as u32);
            let (cands, cs) = self.row(d);
            for (&candidate, &cost) in cands.iter().zip(cs) {
                costs.push(CostEntry {
                    demand: d,
                    candidate,
                    cost,
                });
            }
        }
        ProblemSpec {
            demand_ids: self.demand_ids.clone(),
            weights: self.weights.clone(),
            candidate_ids: self.candidate_ids.clone(),
            costs,
            fixed: self
                .fixed
                .iter()
                .map(|&i| self.candidate_ids[i.index()].clone())
                .collect(),
            capacities: self.capacities.clone(),
            groups: self.groups.clone(),
        }
    }

    /// The sub-problem where only `keep` are candidates (in that order). Fixed sites outside
    /// `keep` are dropped. Demand, weights and groups stay the same.
    pub fn restrict_candidates(&self, keep: &[CandidateIndex]) -> Result<Self, OptimiseError> {
        let mut new_of_old = vec![u32::MAX; self.n_candidates()];
        for (k, &i) in keep.iter().enumerate() {
            if i.index() >= self.n_candidates() {
                return Err(OptimiseError::IndexOutOfRange {
                    what: "candidate",
                    index: i.index(),
                    len: self.n_candidates(),
                });
            }
            if new_of_old[i.index()] != u32::MAX {
                return Err(OptimiseError::DuplicateCandidateId {
                    id: self.candidate_ids[i.index()].clone(),
                });
            }
            new_of_old[i.index()] = k as u32;
        }
        let mut spec = self.to_spec();
        spec.costs = spec
            .costs
            .into_iter()
            .filter_map(|e| {
                let k = new_of_old[e.candidate.index()];
                (k != u32::MAX).then_some(CostEntry {
                    candidate: CandidateIndex(k),
                    ..e
                })
            })
            .collect();
        spec.candidate_ids = keep
            .iter()
            .map(|&i| self.candidate_ids[i.index()].clone())
            .collect();
        spec.fixed = self
            .fixed
            .iter()
            .filter(|&&i| new_of_old[i.index()] != u32::MAX)
            .map(|&i| self.candidate_ids[i.index()].clone())
            .collect();
        spec.capacities = self
            .capacities
            .as_ref()
            .map(|caps| keep.iter().map(|&i| caps[i.index()]).collect());
        Self::new(spec)
    }

    /// Number of demand points.
    pub fn n_demand(&self) -> usize {
        self.demand_ids.len()
    }

    /// Number of candidate sites (fixed ones included).
    pub fn n_candidates(&self) -> usize {
        self.candidate_ids.len()
    }

    /// Number of known (reachable) pairs.
    pub fn n_pairs(&self) -> usize {
        self.row_cost.len()
    }

    /// Demand ids, indexed by [`DemandIndex`].
    pub fn demand_ids(&self) -> &[String] {
        &self.demand_ids
    }

    /// Candidate ids, indexed by [`CandidateIndex`].
    pub fn candidate_ids(&self) -> &[String] {
        &self.candidate_ids
    }

    /// The id of candidate `i`.
    pub fn candidate_id(&self, i: CandidateIndex) -> &str {
        &self.candidate_ids[i.index()]
    }

    /// The index of the candidate with id `id`.
    pub fn candidate_index(&self, id: &str) -> Option<CandidateIndex> {
        self.candidate_ids
            .iter()
            .position(|c| c == id)
            .map(|i| CandidateIndex(i as u32))
    }

    /// Demand weights, indexed by [`DemandIndex`].
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Sum of all demand weights.
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }

    /// Candidates reachable from demand `j` and their costs, by ascending cost.
    pub fn row(&self, j: DemandIndex) -> (&[CandidateIndex], &[f64]) {
        let range = self.row_start[j.index()]..self.row_start[j.index() + 1];
        (&self.row_candidate[range.clone()], &self.row_cost[range])
    }

    /// Demand points that reach candidate `i` and their costs.
    pub fn column(&self, i: CandidateIndex) -> (&[DemandIndex], &[f64]) {
        let range = self.col_start[i.index()]..self.col_start[i.index() + 1];
        (&self.col_demand[range.clone()], &self.col_cost[range])
    }

    /// Cost from demand `j` to candidate `i`, `None` if unreachable.
    pub fn cost(&self, j: DemandIndex, i: CandidateIndex) -> Option<f64> {
        let (cands, costs) = self.row(j);
        cands.iter().position(|&c| c == i).map(|k| costs[k])
    }

    /// Fixed (already open) candidates, sorted.
    pub fn fixed(&self) -> &[CandidateIndex] {
        &self.fixed
    }

    /// Whether candidate `i` is fixed open.
    pub fn is_fixed(&self, i: CandidateIndex) -> bool {
        self.is_fixed[i.index()]
    }

    /// Per-candidate fixed flags.
    pub fn fixed_flags(&self) -> &[bool] {
        &self.is_fixed
    }

    /// Candidate capacities, if any.
    pub fn capacities(&self) -> Option<&[f64]> {
        self.capacities.as_deref()
    }

    /// Demand groups, if any.
    pub fn groups(&self) -> Option<&DemandGroups> {
        self.groups.as_ref()
    }

    /// Largest cost in the matrix (0 when empty).
    pub fn max_cost(&self) -> f64 {
        self.row_cost.iter().copied().fold(0.0, f64::max)
    }
}
