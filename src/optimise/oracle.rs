//! Brute force over every subset: the slow oracle that tests hold the fast solvers to.

use std::time::Instant;

use super::heuristic::check_requirements;
use super::solution::{Solution, SolverUsed, better, build_solution, evaluate, nearest_flows};
use super::{Model, ModelKind, OptimiseError, Problem, SolveOptions, resolve};

/// Most free (not fixed) candidates the brute force accepts.
pub const BRUTE_FORCE_MAX_FREE: usize = 20;

/// Solves `model` by trying every subset of new sites (for LSCP: every subset of each size,
/// smallest first). Only for small instances (at most [`BRUTE_FORCE_MAX_FREE`] free
/// candidates) and without capacities; `options.fairness` is honoured.
pub fn solve_brute_force(
    problem: &Problem,
    model: &Model,
    options: &SolveOptions,
) -> Result<Solution, OptimiseError> {
    let start = Instant::now();
    let r = resolve(problem, model, options)?;
    if r.capacitated {
        return Err(OptimiseError::Unsupported {
            model: r.kind.name(),
            feature: "brute force with capacities",
        });
    }
    let free: Vec<usize> = (0..problem.n_candidates())
        .filter(|&c| !problem.fixed_flags()[c])
        .collect();
    if free.len() > BRUTE_FORCE_MAX_FREE {
        return Err(OptimiseError::Unsupported {
            model: r.kind.name(),
            feature: "brute force with more than 20 free candidates",
        });
    }
    let sizes: Vec<usize> = if r.kind == ModelKind::Lscp {
        (0..=free.len()).collect()
    } else {
        vec![r.p]
    };
    for size in sizes {
        let mut best: Option<(Vec<bool>, (f64, f64))> = None;
        let mut idx: Vec<usize> = (0..size).collect();
        loop {
            let mut open = problem.fixed_flags().to_vec();
            for &k in &idx {
                open[free[k]] = true;
            }
            let flows = nearest_flows(problem, &open);
            let probe = build_solution(
                problem,
                &r,
                &open,
                &flows,
                None,
                false,
                0.0,
                SolverUsed::BruteForce,
            );
            if check_requirements(problem, &r, &open, &probe).is_ok() {
                let score = evaluate(problem, &r, &open, &flows).score(&r);
                if best.as_ref().is_none_or(|(_, b)| better(score, *b)) {
                    best = Some((open, score));
                }
            }
            // Next combination in lexicographic order.
            let mut k = size;
            while k > 0 && idx[k - 1] == free.len() - size + k - 1 {
                k -= 1;
            }
            if k == 0 {
                break;
            }
            idx[k - 1] += 1;
            for m in k..size {
                idx[m] = idx[m - 1] + 1;
            }
        }
        if let Some((open, _)) = best {
            let flows = nearest_flows(problem, &open);
            let mut s = build_solution(
                problem,
                &r,
                &open,
                &flows,
                None,
                true,
                start.elapsed().as_secs_f64(),
                SolverUsed::BruteForce,
            );
            s.bound = Some(s.objective);
            s.gap = Some(0.0);
            return Ok(s);
        }
    }
    Err(OptimiseError::Infeasible {
        model: r.kind.name(),
        reason: "no subset of sites meets every requirement".to_string(),
    })
}
