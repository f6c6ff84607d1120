//! The shipped point sets: the Decision's networks of receiving points, chosen by name
//! (`--points-set communes-2025`), and the phases leadership compares them in.
//!
//! Each set is a points file under `data/point_sets/<name>.csv`, with the kind, the
//! `approximate` flag and the source of every position (`data/README.md` says how each was made).
//! Names joined by commas are one set: their points together, each id once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::point::read_points;
use super::{PointKind, ReceivingPoint, ScenarioError};

/// What a user sees about a shipped point set.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PointSetInfo {
    pub name: String,
    pub title: String,
    pub title_vi: String,
    pub description: String,
    pub description_vi: String,
}

/// The sets `data/point_sets` ships, in the order the Decision introduces them. Their files are
/// written by `data/scripts/make_point_sets.py`.
pub const SHIPPED: [(&str, &str, &str, &str, &str); 3] = [
    (
        "desks-2024",
        "One-stop desks before the reorganisation",
        "Bộ phận Một cửa trước sắp xếp",
        "one desk per pre-2025 ward (526) and per former district (30), approximate positions",
        "một Bộ phận Một cửa mỗi phường, xã trước 2025 (526) và mỗi quận, huyện cũ (30), vị trí gần đúng",
    ),
    (
        "branches-2025",
        "Head office and 30 branches",
        "Trụ sở chính và 30 chi nhánh",
        "the Centre's head office, its temporary seat and one branch per former district, approximate positions",
        "trụ sở chính, trụ sở tạm và một chi nhánh mỗi quận, huyện cũ, vị trí gần đúng",
    ),
    (
        "communes-2025",
        "Head office and a point in every ward and commune",
        "Trụ sở chính và điểm tiếp nhận ở mọi phường, xã",
        "the head office, its temporary seat and one point per current ward and commune (126), approximate positions",
        "trụ sở chính, trụ sở tạm và một điểm mỗi phường, xã hiện nay (126), vị trí gần đúng",
    ),
];

/// The shipped sets, described.
pub fn shipped_point_sets() -> Vec<PointSetInfo> {
    SHIPPED
        .iter()
        .map(
            |&(name, title, title_vi, description, description_vi)| PointSetInfo {
                name: name.into(),
                title: title.into(),
                title_vi: title_vi.into(),
                description: description.into(),
                description_vi: description_vi.into(),
            },
        )
        .collect()
}

/// Names of the sets present under `data_dir/point_sets`.
pub fn available_point_sets(data_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(data_dir.join("point_sets"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            name.strip_suffix(".csv").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

fn point_set_path(data_dir: &Path, name: &str) -> PathBuf {
    data_dir.join("point_sets").join(format!("{name}.csv"))
}

/// The points of `spec`: one set's name, or several joined by commas (their points together,
/// the first of each id kept).
pub fn load_point_set(data_dir: &Path, spec: &str) -> Result<Vec<ReceivingPoint>, ScenarioError> {
    let available = available_point_sets(data_dir);
    let names: Vec<&str> = spec
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if names.is_empty() {
        return Err(ScenarioError::UnknownPointSet {
            name: spec.to_string(),
            available,
        });
    }
    let mut seen = HashSet::new();
    let mut points = Vec::new();
    for name in names {
        // Names are plain words: nothing that could lead out of the folder.
        let plain = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !plain || !available.iter().any(|a| a == name) {
            return Err(ScenarioError::UnknownPointSet {
                name: name.to_string(),
                available,
            });
        }
        for p in read_points(&point_set_path(data_dir, name))? {
            if seen.insert(p.id.clone()) {
                points.push(p);
            }
        }
    }
    Ok(points)
}

/// Keeps the points whose kind is listed; an error names kinds the points do not have.
pub fn points_of_kinds(
    points: &[ReceivingPoint],
    kinds: &[PointKind],
    origin: &str,
) -> Result<Vec<ReceivingPoint>, ScenarioError> {
    for k in kinds {
        if !points.iter().any(|p| p.kind == *k) {
            return Err(ScenarioError::NoPointOfKind {
                kind: k.as_str().to_string(),
                origin: origin.to_string(),
                present: kinds_present(points),
            });
        }
    }
    Ok(points
        .iter()
        .filter(|p| kinds.contains(&p.kind))
        .cloned()
        .collect())
}

/// The kinds among `points`, each once, in the enum's order.
pub fn kinds_present(points: &[ReceivingPoint]) -> Vec<String> {
    PointKind::ALL
        .iter()
        .filter(|k| points.iter().any(|p| p.kind == **k))
        .map(|k| k.as_str().to_string())
        .collect()
}

/// One step of the reorganisation as leadership compares them: which shipped sets make it up,
/// and which kinds of their points count.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionPhase {
    pub key: String,
    pub title: String,
    pub title_vi: String,
    /// Shipped sets whose points together make the phase.
    pub point_sets: Vec<String>,
    /// Only points of these kinds; empty: all of them.
    pub kinds: Vec<PointKind>,
    /// A reference for comparison (the network before the reorganisation), not a step of it.
    pub reference: bool,
}

/// Head office → + 30 branches → + commune points, and the 2024 desks for reference.
pub fn decision_phases() -> Vec<DecisionPhase> {
    let phase = |key: &str,
                 title: &str,
                 title_vi: &str,
                 sets: &[&str],
                 kinds: &[PointKind],
                 reference: bool| DecisionPhase {
        key: key.into(),
        title: title.into(),
        title_vi: title_vi.into(),
        point_sets: sets.iter().map(|s| s.to_string()).collect(),
        kinds: kinds.to_vec(),
        reference,
    };
    vec![
        phase(
            "head_office",
            "Head office only",
            "Chỉ trụ sở chính",
            &["branches-2025"],
            &[PointKind::HeadOffice],
            false,
        ),
        phase(
            "branches",
            "+ 30 branches",
            "+ 30 chi nhánh",
            &["branches-2025"],
            &[],
            false,
        ),
        phase(
            "communes",
            "+ a point in every ward and commune",
            "+ điểm tiếp nhận ở mọi phường, xã",
            &["branches-2025", "communes-2025"],
            &[],
            false,
        ),
        phase(
            "desks_2024",
            "One-stop desks of 2024 (reference)",
            "Bộ phận Một cửa năm 2024 (tham chiếu)",
            &["desks-2024"],
            &[],
            true,
        ),
    ]
}

/// The points of a phase.
pub fn phase_points(
    data_dir: &Path,
    phase: &DecisionPhase,
) -> Result<Vec<ReceivingPoint>, ScenarioError> {
    let points = load_point_set(data_dir, &phase.point_sets.join(","))?;
    if phase.kinds.is_empty() {
        Ok(points)
    } else {
        points_of_kinds(&points, &phase.kinds, &phase.point_sets.join(","))
    }
}
