//! Receiving points taken from the offices OpenStreetMap maps: ward People's Committees
//! (`amenity=townhall`), post offices (`amenity=post_office`), government offices
//! (`office=government`) or any other `key=value`.
//!
//! Each tagged node is a point where it is; each tagged way (a building outline, a yard) at its
//! centroid. Points are snapped to the roads like any other. They are used alone, or they move
//! the approximate points of a shipped set to the real offices found near them
//! ([`replace_approximate`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{PointKind, ReceivingPoint, ScenarioError, validate_points};
use crate::graph::haversine_m;
use crate::ingest::{OsmData, OsmExtract, OsmFeature, ReadOptions, TagFilter, read_osm_with};

/// An approximate point is moved to a real office of its kind found at most this far from it.
/// The shipped ward desks stand at the centres of the 2025 wards, which merged about four old
/// wards each; the office that serves the new ward lies in one of them, typically well within
/// a kilometre of the centre, while the next ward's office is two or more kilometres away.
pub const REPLACE_WITHIN_M: f64 = 1_000.0;

/// The offices looked for when a planner names none: the ward People's Committees, the post
/// offices (Vietnam Post also receives administrative dossiers) and government offices.
pub const DEFAULT_OFFICE_TAGS: &str = "amenity=townhall,amenity=post_office,office=government";

/// How the points found in OpenStreetMap meet the area's point set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OsmPointsUse {
    /// The points found are the point set.
    #[default]
    Only,
    /// The points found replace the set's approximate points of the same kind within
    /// [`OsmPointsRequest::replace_within_m`]; the rest of the set stays, and points that replace nothing are
    /// not added (OpenStreetMap still maps many pre-2025 ward offices that no longer receive
    /// papers).
    ReplaceApproximate,
}

/// Which receiving points to take from OpenStreetMap, and from which file.
#[derive(Clone, Debug)]
pub struct OsmPointsRequest {
    pub tags: TagFilter,
    /// The OSM file to search; `None` searches the roads file.
    pub file: Option<PathBuf>,
    pub use_as: OsmPointsUse,
    /// In [`OsmPointsUse::ReplaceApproximate`]: how far from an approximate point a real office
    /// may lie to take its place, metres ([`REPLACE_WITHIN_M`] unless asked otherwise).
    pub replace_within_m: f64,
}

/// What was taken from OpenStreetMap, for the report.
#[derive(Clone, Debug, PartialEq)]
pub struct OsmPointsSummary {
    /// The file searched.
    pub source: String,
    /// Each tag asked for with the number of elements found carrying it (first match counts).
    pub found_per_tag: Vec<(String, usize)>,
    pub use_as: OsmPointsUse,
    /// In [`OsmPointsUse::ReplaceApproximate`]: the distance asked for, metres.
    pub replace_within_m: f64,
    /// In [`OsmPointsUse::ReplaceApproximate`]: which point moved to which office, how far.
    pub replaced: Vec<Replacement>,
}

impl OsmPointsSummary {
    /// One line for a person: `12 from OpenStreetMap (roads.osm): amenity=townhall 9, ...`.
    pub fn describe(&self) -> String {
        let found: usize = self.found_per_tag.iter().map(|(_, n)| n).sum();
        let per_tag: Vec<String> = self
            .found_per_tag
            .iter()
            .map(|(tag, n)| format!("{tag} {n}"))
            .collect();
        let mut line = format!(
            "{found} receiving points found in OpenStreetMap ({}): {}",
            self.source,
            per_tag.join(", ")
        );
        if self.use_as == OsmPointsUse::ReplaceApproximate {
            line.push_str(&format!(
                "; {} approximate points moved to a real office within {:.0} m",
                self.replaced.len(),
                self.replace_within_m
            ));
        }
        line
    }
}

/// One approximate point moved to a real office.
#[derive(Clone, Debug, PartialEq)]
pub struct Replacement {
    pub point_id: String,
    pub osm_id: String,
    pub distance_m: f64,
}

/// The tagged places found, with the file they came from.
pub(crate) type FoundPlaces = (String, Vec<OsmFeature>);

/// Reads the roads, and the tagged places `request` asks for from the roads file itself (one
/// pass) or from its own file.
pub(crate) fn read_roads(
    roads: &Path,
    request: Option<&OsmPointsRequest>,
) -> Result<(OsmData, Option<FoundPlaces>), ScenarioError> {
    let Some(request) = request else {
        return Ok((crate::ingest::read_osm(roads)?, None));
    };
    let with_features = |require_roads| ReadOptions {
        features: request.tags.clone(),
        require_roads,
    };
    match &request.file {
        None => {
            let OsmExtract {
                roads: osm,
                features,
                ..
            } = read_osm_with(roads, &with_features(true))?;
            Ok((osm, Some((roads.display().to_string(), features))))
        }
        Some(file) => {
            let osm = crate::ingest::read_osm(roads)?;
            let features = read_osm_with(file, &with_features(false))?.features;
            Ok((osm, Some((file.display().to_string(), features))))
        }
    }
}

/// The area's point set after the OpenStreetMap points are taken in as `request` says.
pub(crate) fn combine(
    set: Vec<ReceivingPoint>,
    found: Option<FoundPlaces>,
    request: Option<&OsmPointsRequest>,
) -> Result<(Vec<ReceivingPoint>, Option<OsmPointsSummary>), ScenarioError> {
    let (Some((source, features)), Some(request)) = (found, request) else {
        return Ok((set, None));
    };
    let (points, summary) = combine_found(&set, source, &features, request)?;
    Ok((points, Some(summary)))
}

/// The points the tagged places found in `source` give, alone or moved into `set` as
/// `request` says, with what was done. Nothing found is an error naming the file and the tags.
pub(crate) fn combine_found(
    set: &[ReceivingPoint],
    source: String,
    features: &[OsmFeature],
    request: &OsmPointsRequest,
) -> Result<(Vec<ReceivingPoint>, OsmPointsSummary), ScenarioError> {
    let real = points_from_features(features, &request.tags);
    if real.is_empty() {
        return Err(ScenarioError::NoOsmPoints {
            path: source,
            tags: request.tags.to_string(),
        });
    }
    validate_points(&real, &source)?;
    let mut summary = OsmPointsSummary {
        found_per_tag: found_per_tag(features, &request.tags),
        source,
        use_as: request.use_as,
        replace_within_m: request.replace_within_m,
        replaced: Vec::new(),
    };
    let points = match request.use_as {
        OsmPointsUse::Only => real,
        OsmPointsUse::ReplaceApproximate => {
            let (points, replaced) = replace_approximate(set, &real, request.replace_within_m);
            summary.replaced = replaced;
            points
        }
    };
    Ok((points, summary))
}

/// Receiving points taken from OpenStreetMap's offices as a draft scenario: the points, and
/// what was found per tag and moved.
#[derive(Clone, Debug, PartialEq)]
pub struct OsmOffices {
    pub points: Vec<ReceivingPoint>,
    pub summary: OsmPointsSummary,
}

/// Reads the places tagged as `tags` asks from `file` (any form `--osm` reads; roads are not
/// required), named by the file's name alone: the label reaches web users, who need not
/// learn the server's folders.
pub(crate) fn read_places(file: &Path, tags: &TagFilter) -> Result<FoundPlaces, ScenarioError> {
    let options = ReadOptions {
        features: tags.clone(),
        require_roads: false,
    };
    let features = read_osm_with(file, &options)?.features;
    let label = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok((label, features))
}

/// How many features carry each tag asked for, in the order asked.
pub fn found_per_tag(features: &[OsmFeature], tags: &TagFilter) -> Vec<(String, usize)> {
    tags.entries()
        .enumerate()
        .map(|(i, tag)| (tag, features.iter().filter(|f| f.matched == i).count()))
        .collect()
}

/// The kind of receiving point an office is: a town hall is the ward's desk, anything else a
/// flexible point.
fn kind_of(feature: &OsmFeature) -> PointKind {
    if feature.tag("amenity") == Some("townhall") {
        PointKind::WardDesk
    } else {
        PointKind::FlexiblePoint
    }
}

/// Receiving points from tagged OSM elements: id `osm-node-<id>` or `osm-way-<id>`, name from
/// `name` (else `name:vi`, `name:en`, else the tag and id), `opening_hours` and the `addr:*`
/// address when tagged, `approximate = false`.
///
/// ```
/// use motcua::ingest::{ElementKind, OsmFeature};
/// use motcua::scenario::points_from_features;
/// let office = OsmFeature {
///     kind: ElementKind::Way, id: 7, lon: 105.85, lat: 21.03, matched: 0,
///     tags: vec![("amenity".into(), "townhall".into()), ("name".into(), "UBND phường Hoàn Kiếm".into())],
/// };
/// let points = points_from_features(&[office], &"amenity=townhall".parse()?);
/// assert_eq!((points[0].id.as_str(), points[0].name.as_str()), ("osm-way-7", "UBND phường Hoàn Kiếm"));
/// assert!(!points[0].approximate);
/// # Ok::<(), motcua::ingest::IngestError>(())
/// ```
pub fn points_from_features(features: &[OsmFeature], tags: &TagFilter) -> Vec<ReceivingPoint> {
    let entries: Vec<String> = tags.entries().collect();
    features
        .iter()
        .map(|f| {
            let id = format!("osm-{}-{}", f.kind.as_str(), f.id);
            let name = ["name", "name:vi", "name:en"]
                .iter()
                .find_map(|k| f.tag(k))
                .map(str::to_string)
                .unwrap_or_else(|| {
                    let tag = entries.get(f.matched).map_or("", String::as_str);
                    format!("{tag} ({id})")
                });
            let address: Vec<&str> = ["addr:housenumber", "addr:street", "addr:city"]
                .iter()
                .filter_map(|k| f.tag(k))
                .collect();
            ReceivingPoint {
                name,
                kind: kind_of(f),
                lon: f.lon,
                lat: f.lat,
                opening_hours: f.tag("opening_hours").unwrap_or("").to_string(),
                approximate: false,
                address: f
                    .tag("addr:full")
                    .map(str::to_string)
                    .or_else(|| (!address.is_empty()).then(|| address.join(", "))),
                id,
                counters: None,
                unit: None,
            }
        })
        .collect()
}

/// The set with each approximate point moved to the real point of the same kind nearest to it
/// within `within_m`, each real point used once, closest pairs first. A moved point keeps its
/// id, name and kind (scenarios name points by id), takes the real position, the real opening
/// hours and address when they are known, and is no longer approximate. Returns the new set and
/// what moved.
///
/// ```
/// use motcua::scenario::{replace_approximate, PointKind, ReceivingPoint};
/// let point = |id: &str, lon: f64, approximate| ReceivingPoint {
///     id: id.into(), name: id.into(), kind: PointKind::WardDesk, lon, lat: 21.03,
///     opening_hours: String::new(), approximate, address: None, counters: None, unit: None,
/// };
/// let set = [point("ward-1", 105.850, true), point("ward-2", 105.900, true)];
/// let real = [point("osm-way-7", 105.851, false)]; // about 104 m east of ward-1
/// let (points, moved) = replace_approximate(&set, &real, 1_000.0);
/// assert_eq!((points[0].lon, points[0].approximate), (105.851, false));
/// assert_eq!(points[1], set[1]);
/// assert_eq!(moved[0].osm_id, "osm-way-7");
/// ```
pub fn replace_approximate(
    set: &[ReceivingPoint],
    real: &[ReceivingPoint],
    within_m: f64,
) -> (Vec<ReceivingPoint>, Vec<Replacement>) {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, p) in set.iter().enumerate().filter(|(_, p)| p.approximate) {
        for (j, r) in real.iter().enumerate().filter(|(_, r)| r.kind == p.kind) {
            let d = haversine_m((p.lon, p.lat), (r.lon, r.lat));
            if d <= within_m {
                pairs.push((d, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut points = set.to_vec();
    let (mut set_used, mut real_used) = (vec![false; set.len()], vec![false; real.len()]);
    let mut moved = BTreeMap::new();
    for (d, i, j) in pairs {
        if set_used[i] || real_used[j] {
            continue;
        }
        (set_used[i], real_used[j]) = (true, true);
        let (p, r) = (&mut points[i], &real[j]);
        p.lon = r.lon;
        p.lat = r.lat;
        p.approximate = false;
        if !r.opening_hours.is_empty() {
            p.opening_hours = r.opening_hours.clone();
        }
        if r.address.is_some() {
            p.address = r.address.clone();
        }
        moved.insert(
            i,
            Replacement {
                point_id: p.id.clone(),
                osm_id: r.id.clone(),
                distance_m: d,
            },
        );
    }
    (points, moved.into_values().collect())
}
