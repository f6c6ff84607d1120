//! Receiving points and the files they come in.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ScenarioError;

/// What kind of place receives residents' applications.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PointKind {
    /// The Public Administrative Service Centre's head office.
    HeadOffice,
    /// One of the Centre's branches.
    Branch,
    /// A ward's one-stop desk ("Bộ phận Một cửa").
    WardDesk,
    /// A former district's one-stop desk (before the 2025 reorganisation).
    DistrictDesk,
    /// A flexible receiving point (mobile desk, post office counter...).
    FlexiblePoint,
    /// A self-service kiosk (ki-ốt tự phục vụ) that takes and returns papers around the clock:
    /// the 24/7 half of the promise.
    Kiosk,
}

impl PointKind {
    pub const ALL: [PointKind; 6] = [
        PointKind::HeadOffice,
        PointKind::Branch,
        PointKind::WardDesk,
        PointKind::DistrictDesk,
        PointKind::FlexiblePoint,
        PointKind::Kiosk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PointKind::HeadOffice => "head_office",
            PointKind::Branch => "branch",
            PointKind::WardDesk => "ward_desk",
            PointKind::DistrictDesk => "district_desk",
            PointKind::FlexiblePoint => "flexible_point",
            PointKind::Kiosk => "kiosk",
        }
    }

    /// Opening hours a point of this kind has when its file gives none: a kiosk never
    /// closes; for the others empty hours stay unknown.
    pub fn default_hours(self) -> Option<&'static str> {
        match self {
            PointKind::Kiosk => Some("24/7"),
            _ => None,
        }
    }

    /// Counters a point of this kind has when its file does not say: an assumption until the
    /// Centre publishes counts (`data/README.md`). The head office's hall has rows of them, a
    /// ward desk a few, a mobile desk one.
    pub fn default_counters(self) -> u32 {
        match self {
            PointKind::HeadOffice => 20,
            PointKind::Branch => 10,
            PointKind::DistrictDesk => 6,
            PointKind::WardDesk => 3,
            PointKind::FlexiblePoint | PointKind::Kiosk => 1,
        }
    }
}

impl std::str::FromStr for PointKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        PointKind::ALL
            .into_iter()
            .find(|k| k.as_str() == norm)
            .ok_or_else(|| {
                let names: Vec<&str> = PointKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown kind {s:?}: expected one of {}", names.join(", "))
            })
    }
}

/// A place where residents can hand in and collect administrative papers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReceivingPoint {
    pub id: String,
    pub name: String,
    pub kind: PointKind,
    pub lon: f64,
    pub lat: f64,
    /// OpenStreetMap `opening_hours` syntax, e.g. `Mo-Fr 08:00-17:00; Sa 08:00-12:00` or `24/7`.
    #[serde(default)]
    pub opening_hours: String,
    /// True when the location stands in for an address that was not geocoded.
    #[serde(default)]
    pub approximate: bool,
    #[serde(default)]
    pub address: Option<String>,
    /// Counters serving residents at once; `None`: the kind's default
    /// ([`PointKind::default_counters`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counters: Option<u32>,
    /// The mobile unit this row is a stop of: a mobile desk that stands in one ward on Tuesday
    /// mornings and in another on Thursdays is one row per stop, each with its place and its
    /// hours, all naming the same unit. Stops of one unit never open at the same time (the desk
    /// is in one place at once; checked when points are read). At a moment only the stop
    /// standing then serves; without a time every stop counts, as every point does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl ReceivingPoint {
    /// The counters it has: its own figure, else its kind's default.
    pub fn counters(&self) -> u32 {
        self.counters
            .unwrap_or_else(|| self.kind.default_counters())
    }

    /// What load needs of it: counters and open days.
    pub fn service(&self) -> crate::coverage::PointService {
        crate::coverage::PointService {
            counters: self.counters(),
            open_days_per_week: self.open_days_per_week(),
        }
    }

    /// Its opening hours as written, else its kind's ([`PointKind::default_hours`]).
    pub fn hours_text(&self) -> &str {
        match (self.opening_hours.trim(), self.kind.default_hours()) {
            ("", Some(default)) => default,
            (text, _) => text,
        }
    }

    /// Its opening hours, read (unknown when empty or not understood: points are checked
    /// when they are read).
    pub fn hours(&self) -> super::Hours {
        super::Hours::lenient(self.hours_text())
    }

    /// Days a week it opens, from its opening hours; the desks' usual six days when they are
    /// empty or not understood.
    pub fn open_days_per_week(&self) -> u32 {
        self.hours()
            .open_days_per_week()
            .unwrap_or(crate::coverage::demand::DEFAULT_OPEN_DAYS_PER_WEEK)
    }
}

/// Where the points are, as coverage needs them.
pub fn locations(points: &[ReceivingPoint]) -> Vec<crate::coverage::PointLocation> {
    points
        .iter()
        .map(|p| crate::coverage::PointLocation {
            lon: p.lon,
            lat: p.lat,
        })
        .collect()
}

/// Reads a counters figure as a points file gives it: a whole number from 1 to
/// [`crate::coverage::queue::MAX_COUNTERS`]; the message says what was found.
pub fn parse_counters(raw: &str) -> Result<u32, String> {
    let most = crate::coverage::queue::MAX_COUNTERS;
    match raw.trim().parse::<u32>() {
        Ok(c) if (1..=most).contains(&c) => Ok(c),
        _ => Err(format!(
            "field counters is {raw:?}; expected a whole number of counters from 1 to {most}"
        )),
    }
}

/// Checks opening hours as a points file gives them: empty, or understood by [`super::hours`];
/// the message names the part not understood.
fn check_opening_hours(raw: &str) -> Result<(), String> {
    super::Hours::parse(raw)
        .map(|_| ())
        .map_err(|e| format!("field opening_hours is {raw:?}: {e}, or leave it empty"))
}

/// Checks what every set of points must satisfy, wherever it came from.
pub fn validate_points(points: &[ReceivingPoint], origin: &str) -> Result<(), ScenarioError> {
    let mut seen = HashSet::new();
    for (i, p) in points.iter().enumerate() {
        if p.id.trim().is_empty() {
            return Err(ScenarioError::InvalidPoint {
                origin: origin.to_string(),
                index: i + 1,
                message: "the id is empty".into(),
            });
        }
        let longest = super::LIMITS.max_name_chars;
        if p.id.chars().count() > longest || p.name.chars().count() > longest {
            return Err(ScenarioError::InvalidPoint {
                origin: origin.to_string(),
                index: i + 1,
                message: format!("the id or name is longer than {longest} characters"),
            });
        }
        if !seen.insert(p.id.as_str()) {
            return Err(ScenarioError::DuplicatePointId {
                origin: origin.to_string(),
                id: p.id.clone(),
            });
        }
        if let Some(c) = p.counters {
            parse_counters(&c.to_string()).map_err(|message| ScenarioError::InvalidPoint {
                origin: origin.to_string(),
                index: i + 1,
                message: format!("point {:?}: {message}", p.id),
            })?;
        }
        check_coordinates(p.lon, p.lat).map_err(|message| ScenarioError::InvalidPoint {
            origin: origin.to_string(),
            index: i + 1,
            message: format!("point {:?}: {message}", p.id),
        })?;
        check_opening_hours(&p.opening_hours).map_err(|message| ScenarioError::InvalidPoint {
            origin: origin.to_string(),
            index: i + 1,
            message: format!("point {:?}: {message}", p.id),
        })?;
    }
    check_units(points).map_err(|(index, message)| ScenarioError::InvalidPoint {
        origin: origin.to_string(),
        index: index + 1,
        message,
    })
}

/// Minutes between the moments at which the stops of a mobile unit are checked for overlap:
/// opening hours are written to the quarter hour in practice.
const UNIT_CHECK_STEP_MIN: i64 = 15;

/// Checks the stops of each mobile unit ([`ReceivingPoint::unit`]): every stop has hours, and
/// no two stops of one unit are open at the same moment of the reference week (a desk stands
/// in one place at a time). The error gives the index of the later stop and says when.
fn check_units(points: &[ReceivingPoint]) -> Result<(), (usize, String)> {
    let mut units: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (i, p) in points.iter().enumerate() {
        if let Some(unit) = p.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            units.entry(unit).or_default().push(i);
        }
    }
    let monday = crate::hours::reference_monday()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    for (unit, stops) in units {
        if let Some(&i) = stops
            .iter()
            .find(|&&i| points[i].hours_text().trim().is_empty())
        {
            return Err((
                i,
                format!(
                    "point {:?} is a stop of mobile unit {unit:?} but has no opening_hours; \
                     each stop needs the hours the unit stands there",
                    points[i].id
                ),
            ));
        }
        if stops.len() < 2 {
            continue;
        }
        let hours: Vec<super::Hours> = stops.iter().map(|&i| points[i].hours()).collect();
        for step in 0..(7 * 24 * 60 / UNIT_CHECK_STEP_MIN) {
            let at = monday + chrono::Duration::minutes(step * UNIT_CHECK_STEP_MIN);
            let mut open =
                (0..stops.len()).filter(|&k| hours[k].state(at) == crate::hours::OpenState::Open);
            if let (Some(a), Some(b)) = (open.next(), open.next()) {
                return Err((
                    stops[b],
                    format!(
                        "points {:?} and {:?} are stops of mobile unit {unit:?} and are both \
                         open on {}; a unit stands in one place at a time",
                        points[stops[a]].id,
                        points[stops[b]].id,
                        crate::hours::describe_moment(at),
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A longitude/latitude pair a person could have meant (the rule lives in
/// [`crate::ingest::check_lon_lat`], which checks map nodes too).
pub fn check_coordinates(lon: f64, lat: f64) -> Result<(), String> {
    crate::ingest::check_lon_lat(lon, lat)
}

/// Reads points from a CSV (`id,name,lon,lat[,kind,opening_hours,approximate,address,counters,unit]`,
/// also a scenario download, whose rows other than `record` = `point` are skipped) or a
/// GeoJSON FeatureCollection of Points (properties `id`, `name`, `kind`, ...), by extension.
pub fn read_points(path: &Path) -> Result<Vec<ReceivingPoint>, ScenarioError> {
    let label = path.display().to_string();
    let text = crate::text::read_text(path).map_err(|source| ScenarioError::Io {
        path: label.clone(),
        source,
    })?;
    if text.trim().is_empty() {
        return Err(ScenarioError::PointsFileContent {
            path: label,
            message:
                "the file is empty; expected a header `id,name,lon,lat` and one point per line"
                    .into(),
        });
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let points = if ext == "geojson" || ext == "json" {
        points_from_geojson(&text, &label)?
    } else {
        points_from_csv(&text, &label)?
    };
    if points.is_empty() {
        return Err(ScenarioError::PointsFileContent {
            path: label,
            message: "no receiving points in the file".into(),
        });
    }
    validate_points(&points, &label)?;
    Ok(points)
}

fn points_from_csv(text: &str, label: &str) -> Result<Vec<ReceivingPoint>, ScenarioError> {
    let err = |line: usize, message: String| ScenarioError::PointsFile {
        path: label.to_string(),
        line,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .delimiter(crate::text::csv_delimiter(text.as_bytes()))
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| err(1, e.to_string()))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let required = ["id", "name", "lon", "lat"];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| col(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(err(
            1,
            format!(
                "missing column(s) {}; the header must name at least id,name,lon,lat (found: {})",
                missing.join(", "),
                headers.iter().collect::<Vec<_>>().join(",")
            ),
        ));
    }
    let (id, name, lon, lat) = (col("id"), col("name"), col("lon"), col("lat"));
    let (kind, hours, approx, address, counters, unit) = (
        col("kind"),
        col("opening_hours"),
        col("approximate"),
        col("address"),
        col("counters"),
        col("unit"),
    );
    // A scenario download (`export::scenario_download`) holds its wards after its points, each
    // row saying which in `record`: it reads back as the points alone.
    let record_kind = col("record");
    let mut points = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| err(line, e.to_string()))?;
        let field = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").to_string();
        if !matches!(
            field(record_kind).to_ascii_lowercase().as_str(),
            "" | "point"
        ) {
            continue;
        }
        let number = |c: Option<usize>, what: &str| -> Result<f64, ScenarioError> {
            let raw = field(c);
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(err(
                    line,
                    format!("field {what} is {raw:?}; expected a decimal number"),
                )),
            }
        };
        let kind = match kind.map(|_| field(kind)).filter(|k| !k.is_empty()) {
            Some(k) => k
                .parse()
                .map_err(|m: String| err(line, format!("field kind: {m}")))?,
            None => PointKind::FlexiblePoint,
        };
        let approximate = match field(approx).to_ascii_lowercase().as_str() {
            "" | "false" | "0" | "no" => false,
            "true" | "1" | "yes" => true,
            other => {
                return Err(err(
                    line,
                    format!("field approximate is {other:?}; expected true or false"),
                ));
            }
        };
        let address = Some(field(address)).filter(|a| !a.is_empty());
        let counters = match field(counters) {
            c if c.is_empty() => None,
            c => Some(parse_counters(&c).map_err(|m| err(line, m))?),
        };
        check_opening_hours(&field(hours)).map_err(|m| err(line, m))?;
        points.push(ReceivingPoint {
            id: field(id),
            name: field(name),
            kind,
            lon: number(lon, "lon")?,
            lat: number(lat, "lat")?,
            opening_hours: field(hours),
            approximate,
            address,
            counters,
            unit: Some(field(unit)).filter(|u| !u.is_empty()),
        });
        let p = points.last().map(|p| (p.lon, p.lat)).unwrap_or_default();
        check_coordinates(p.0, p.1).map_err(|m| err(line, m))?;
    }
    Ok(points)
}

fn points_from_geojson(text: &str, label: &str) -> Result<Vec<ReceivingPoint>, ScenarioError> {
    let err = |message: String| ScenarioError::PointsFileContent {
        path: label.to_string(),
        message,
    };
    // serde_json's message ends with "at line L column C".
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| err(format!("not valid JSON: {e}")))?;
    let features = value
        .get("features")
        .and_then(|f| f.as_array())
        .ok_or_else(|| {
            err("expected a GeoJSON FeatureCollection with a `features` array".into())
        })?;
    let mut points = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let ferr = |m: &str| err(format!("feature {i}: {m}"));
        let geometry = f.get("geometry").ok_or_else(|| ferr("has no geometry"))?;
        if geometry.get("type").and_then(|t| t.as_str()) != Some("Point") {
            return Err(ferr("geometry is not a Point"));
        }
        let coords = geometry
            .get("coordinates")
            .and_then(|c| c.as_array())
            .filter(|c| c.len() >= 2)
            .ok_or_else(|| ferr("Point without [lon, lat] coordinates"))?;
        let (lon, lat) = match (coords[0].as_f64(), coords[1].as_f64()) {
            (Some(lon), Some(lat)) => (lon, lat),
            _ => return Err(ferr("coordinates are not numbers")),
        };
        let props = f.get("properties").cloned().unwrap_or_default();
        // A property set to null is one left out (the export writes null for no address).
        let text_prop = |k: &str| {
            props.get(k).and_then(|v| match v {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            })
        };
        let id = text_prop("id").ok_or_else(|| ferr("has no `id` property"))?;
        let kind = match text_prop("kind") {
            Some(k) => k.parse().map_err(|m: String| ferr(&m))?,
            None => PointKind::FlexiblePoint,
        };
        let counters = match props.get("counters") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
            Some(_) => Some(
                parse_counters(&text_prop("counters").unwrap_or_default()).map_err(|m| ferr(&m))?,
            ),
        };
        let opening_hours = text_prop("opening_hours").unwrap_or_default();
        check_opening_hours(&opening_hours).map_err(|m| ferr(&m))?;
        points.push(ReceivingPoint {
            name: text_prop("name").unwrap_or_else(|| id.clone()),
            id,
            kind,
            lon,
            lat,
            opening_hours,
            approximate: props
                .get("approximate")
                .and_then(|a| a.as_bool())
                .unwrap_or(false),
            address: text_prop("address"),
            counters,
            unit: text_prop("unit").filter(|u| !u.trim().is_empty()),
        });
    }
    Ok(points)
}
