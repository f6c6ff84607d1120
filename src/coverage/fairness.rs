//! How fairly access is shared: the enhanced two-step floating catchment (E2SFCA) per cell,
//! and the inequality of travel time across residents (Gini, Palma ratio, Theil T, the mean of
//! the worst-off tenth), every figure weighted by residents.
//!
//! The indices follow the definitions of IPEA's `accessibility` package:
//! - Gini by Brown's formula over residents sorted by the measure:
//!   `G = 1 − Σ (X_k − X_{k−1}) (Y_k + Y_{k−1})`, X the cumulative share of residents, Y the
//!   cumulative share of the measure (`gini_index`);
//! - Theil T: `T = Σ p_i (x_i / μ) ln(x_i / μ) / Σ p_i`, with `0 · ln 0 = 0`; over wards it
//!   splits into a within part `Σ_g s_g T_g` and a between part `Σ_g s_g ln(μ_g / μ)`, `s_g`
//!   the ward's share of the total measure (`theil_t`);
//! - Palma ratio: the mean of the top 10 % over the mean of the bottom 40 % (`palma_ratio`).
//!   IPEA ranks residents by income; the census grid has none, so residents are ranked by the
//!   measure itself: for travel time, the mean time of the tenth who travel longest over that
//!   of the four tenths who travel least.
//!
//! Travel times are those by road: residents the road data does not reach have none and are
//! left out (counted in `population`'s complement), as are the *unknown* cells.
//!
//! E2SFCA (Luo and Qi, 2009) with the rule's time limit as the catchment: each point's ratio
//! `R_j = S_j / Σ_k P_k W(t_kj)` over the cells within the limit, then each cell's access
//! `A_i = Σ_j R_j W(t_ij)`. Supply `S_j` is the point's counters, so `A_i` reads "counters per
//! resident" (reported per 10,000). The decay `W` is stepwise over thirds of the limit, with
//! Luo and Qi's weights [`E2SFCA_STEPS`]: 1 in the first third, 0.68 in the second, 0.22 in the
//! last, 0 beyond.

use serde::Serialize;

/// The E2SFCA weights of the thirds of the time limit, nearest first.
pub const E2SFCA_STEPS: [f64; 3] = [1.0, 0.68, 0.22];

/// Residents in the Palma ratio's top and bottom groups, and in the worst-off group.
pub const TOP_SHARE: f64 = 0.1;
pub const BOTTOM_SHARE: f64 = 0.4;

/// The E2SFCA weight of a trip of `travel_s` under a limit of `max_s`.
pub fn e2sfca_weight(travel_s: f64, max_s: f64) -> f64 {
    if travel_s.is_nan() || travel_s > max_s || max_s <= 0.0 {
        return 0.0;
    }
    let third = (3.0 * travel_s / max_s).floor() as usize;
    E2SFCA_STEPS[third.min(E2SFCA_STEPS.len() - 1)]
}

/// E2SFCA access per cell. `reach[j]` lists `(cell, travel_s)` for the cells within `max_s` of
/// point `j`; `supply[j]` is its counters; `population[i]` the cell's residents; `judged[i]`
/// whether the road data reaches the cell (else its access is unknown, `None`).
pub fn e2sfca(
    reach: &[Vec<(u32, f64)>],
    supply: &[f64],
    population: &[f64],
    judged: &[bool],
    max_s: f64,
) -> Vec<Option<f64>> {
    let ratios: Vec<f64> = reach
        .iter()
        .zip(supply)
        .map(|(row, &s)| {
            let demand: f64 = row
                .iter()
                .map(|&(i, t)| population[i as usize] * e2sfca_weight(t, max_s))
                .sum();
            if demand > 0.0 { s / demand } else { 0.0 }
        })
        .collect();
    let mut access: Vec<Option<f64>> = judged.iter().map(|&j| j.then_some(0.0)).collect();
    for (row, r) in reach.iter().zip(&ratios) {
        for &(i, t) in row {
            if let Some(a) = &mut access[i as usize] {
                *a += r * e2sfca_weight(t, max_s);
            }
        }
    }
    access
}

/// Inequality of one measure across residents.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Inequality {
    /// Residents the figures are over.
    pub population: f64,
    /// Resident-weighted mean.
    pub mean: f64,
    pub gini: f64,
    pub theil_t: f64,
    /// Mean of the top tenth over the mean of the bottom four tenths; `None` when the bottom
    /// mean is 0.
    pub palma: Option<f64>,
    /// Mean of the tenth of residents with the highest values (for travel time: the worst off).
    pub top_tenth_mean: f64,
}

/// The inequality of `values`, pairs of (measure, residents); `None` when nobody is counted.
/// Measures must be finite and at least 0.
pub fn inequality(values: &[(f64, f64)]) -> Option<Inequality> {
    let mut v: Vec<(f64, f64)> = values.iter().copied().filter(|v| v.1 > 0.0).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let population: f64 = v.iter().map(|x| x.1).sum();
    if population <= 0.0 {
        return None;
    }
    let total: f64 = v.iter().map(|x| x.0 * x.1).sum();
    let mean = total / population;
    let gini = if total > 0.0 {
        let (mut x_prev, mut y_prev, mut sum) = (0.0, 0.0, 0.0);
        let (mut pop_acc, mut val_acc) = (0.0, 0.0);
        for &(x, w) in &v {
            pop_acc += w;
            val_acc += x * w;
            let (xk, yk) = (pop_acc / population, val_acc / total);
            sum += (xk - x_prev) * (yk + y_prev);
            (x_prev, y_prev) = (xk, yk);
        }
        1.0 - sum
    } else {
        0.0
    };
    Some(Inequality {
        population,
        mean,
        gini,
        theil_t: theil_t(&v, mean, population),
        palma: {
            let bottom = tail_mean(&v, BOTTOM_SHARE, false);
            (bottom > 0.0).then(|| tail_mean(&v, TOP_SHARE, true) / bottom)
        },
        top_tenth_mean: tail_mean(&v, TOP_SHARE, true),
    })
}

fn theil_t(v: &[(f64, f64)], mean: f64, population: f64) -> f64 {
    if mean <= 0.0 {
        return 0.0;
    }
    v.iter()
        .filter(|x| x.0 > 0.0)
        .map(|&(x, w)| w * (x / mean) * (x / mean).ln())
        .sum::<f64>()
        / population
}

/// Resident-weighted mean of the lowest (`from_top` false) or highest `share` of residents of
/// `sorted` (ascending), splitting the cell that straddles the cut.
fn tail_mean(sorted: &[(f64, f64)], share: f64, from_top: bool) -> f64 {
    let population: f64 = sorted.iter().map(|x| x.1).sum();
    let want = share * population;
    if want <= 0.0 {
        return 0.0;
    }
    let (mut taken, mut sum) = (0.0, 0.0);
    let mut take = |&(x, w): &(f64, f64)| {
        let part = w.min(want - taken);
        if part > 0.0 {
            taken += part;
            sum += x * part;
        }
        taken < want
    };
    if from_top {
        for x in sorted.iter().rev() {
            if !take(x) {
                break;
            }
        }
    } else {
        for x in sorted {
            if !take(x) {
                break;
            }
        }
    }
    sum / taken
}

/// Theil T across groups split into its within-group and between-group parts (they add up to
/// the T of everyone together). Each group is its pairs of (measure, residents).
pub fn theil_decomposition(groups: &[Vec<(f64, f64)>]) -> (f64, f64) {
    let all: Vec<(f64, f64)> = groups.iter().flatten().copied().collect();
    let population: f64 = all.iter().map(|x| x.1).sum();
    let total: f64 = all.iter().map(|x| x.0 * x.1).sum();
    if population <= 0.0 || total <= 0.0 {
        return (0.0, 0.0);
    }
    let mean = total / population;
    let (mut within, mut between) = (0.0, 0.0);
    for g in groups {
        let g_pop: f64 = g.iter().map(|x| x.1).sum();
        let g_total: f64 = g.iter().map(|x| x.0 * x.1).sum();
        if g_pop <= 0.0 || g_total <= 0.0 {
            continue;
        }
        let g_mean = g_total / g_pop;
        let s = g_total / total;
        within += s * theil_t(g, g_mean, g_pop);
        between += s * (g_mean / mean).ln();
    }
    (within, between)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_are_perfectly_equal() {
        let e = inequality(&[(10.0, 5.0), (10.0, 7.0)]);
        let Some(e) = e else { panic!("no figures") };
        assert!(e.gini.abs() < 1e-12 && e.theil_t.abs() < 1e-12);
        assert_eq!(e.palma, Some(1.0));
        assert_eq!(e.top_tenth_mean, 10.0);
    }

    #[test]
    fn small_instance_by_hand() {
        // Four residents at 1, 2, 3, 4 (one each): mean 2.5.
        // Brown: X = .25,.5,.75,1; Y = .1,.3,.6,1;
        // Σ (ΔX)(Y_k + Y_{k−1}) = .25 (.1 + .4 + .9 + 1.6) = .75 → G = 0.25.
        // Theil T = ¼ Σ (x/2.5) ln(x/2.5) = 0.1064 (the notebook computes it too).
        // Palma: top 10 % = 0.4 of the resident at 4 → 4; bottom 40 % = 1.6 residents:
        // (1 + 0.6 × 2) / 1.6 = 1.375 → 4 / 1.375 = 2.909.
        let Some(e) = inequality(&[(3.0, 1.0), (1.0, 1.0), (4.0, 1.0), (2.0, 1.0)]) else {
            panic!("no figures")
        };
        assert!((e.gini - 0.25).abs() < 1e-12);
        let theil: f64 = [1.0f64, 2.0, 3.0, 4.0]
            .iter()
            .map(|x| x / 2.5 * (x / 2.5).ln())
            .sum::<f64>()
            / 4.0;
        assert!((e.theil_t - theil).abs() < 1e-12 && (theil - 0.1064).abs() < 1e-4);
        assert!((e.palma.unwrap_or(0.0) - 4.0 / 1.375).abs() < 1e-12);
        assert_eq!(e.top_tenth_mean, 4.0);
    }

    #[test]
    fn theil_parts_add_up() {
        let groups = vec![
            vec![(1.0, 2.0), (3.0, 1.0)],
            vec![(5.0, 1.0), (8.0, 3.0)],
            vec![(2.0, 4.0)],
        ];
        let all: Vec<(f64, f64)> = groups.iter().flatten().copied().collect();
        let t = inequality(&all).map_or(0.0, |e| e.theil_t);
        let (within, between) = theil_decomposition(&groups);
        assert!((within + between - t).abs() < 1e-12);
    }

    #[test]
    fn e2sfca_by_hand() {
        // Two points with 2 and 1 counters, three cells of 100, 200, 100 residents, 30 min.
        // Point 0 reaches cell 0 at 5 min (w 1) and cell 1 at 15 min (w .68);
        // point 1 reaches cell 1 at 25 min (w .22) and cell 2 at 5 min (w 1).
        // R0 = 2 / (100 + 136) = 0.008475; R1 = 1 / (44 + 100) = 0.006944.
        // A0 = R0; A1 = .68 R0 + .22 R1 = 0.007291; A2 = R1; cell 3 is off the roads.
        let m = 60.0;
        let reach = vec![
            vec![(0, 5.0 * m), (1, 15.0 * m)],
            vec![(1, 25.0 * m), (2, 5.0 * m)],
        ];
        let a = e2sfca(
            &reach,
            &[2.0, 1.0],
            &[100.0, 200.0, 100.0, 50.0],
            &[true, true, true, false],
            30.0 * m,
        );
        let (r0, r1) = (2.0 / 236.0, 1.0 / 144.0);
        assert!((a[0].unwrap_or(0.0) - r0).abs() < 1e-12);
        assert!((a[1].unwrap_or(0.0) - (0.68 * r0 + 0.22 * r1)).abs() < 1e-12);
        assert!((a[2].unwrap_or(0.0) - r1).abs() < 1e-12);
        assert_eq!(a[3], None);
        // The steps: a third of the limit starts the next one; the limit itself still counts.
        assert_eq!(e2sfca_weight(30.0 * m, 30.0 * m), 0.22);
        assert_eq!(e2sfca_weight(30.1 * m, 30.0 * m), 0.0);
        assert_eq!(e2sfca_weight(10.0 * m, 30.0 * m), 0.68);
    }
}
