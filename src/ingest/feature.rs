//! Tagged places asked for by `key=value`: the offices and counters a planner takes as
//! receiving points.

use super::IngestError;

/// A list of tags to look for, `key=value` (or `key=*` for any value), any of which selects an
/// element.
///
/// ```
/// use motcua::ingest::TagFilter;
/// let filter: TagFilter = "amenity=townhall, office=government".parse()?;
/// assert_eq!(filter.to_string(), "amenity=townhall,office=government");
/// let tags = [("office".to_string(), "government".to_string())];
/// assert_eq!(filter.matching(&tags), Some(1));
/// # Ok::<(), motcua::ingest::IngestError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagFilter {
    /// `(key, value)`; `None` matches any value.
    entries: Vec<(String, Option<String>)>,
}

impl TagFilter {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries as written, e.g. `amenity=townhall` or `office=*`.
    pub fn entries(&self) -> impl Iterator<Item = String> + '_ {
        self.entries.iter().map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => format!("{k}=*"),
        })
    }

    /// Whether some entry looks at tag `key` (a cheap test before copying an element's tags).
    pub fn has_key(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// Index of the first entry the tags match, `None` when none does.
    pub fn matching(&self, tags: &[(String, String)]) -> Option<usize> {
        self.entries.iter().position(|(key, value)| {
            tags.iter()
                .any(|(k, v)| k == key && value.as_ref().is_none_or(|want| want == v))
        })
    }
}

impl std::fmt::Display for TagFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.entries().collect::<Vec<_>>().join(","))
    }
}

impl std::str::FromStr for TagFilter {
    type Err = IngestError;
    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let err = |message: String| IngestError::TagList {
            list: list.to_string(),
            message,
        };
        let mut entries = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) = item
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .ok_or_else(|| err(format!("{item:?} is not key=value")))?;
            if key.is_empty() || value.is_empty() {
                return Err(err(format!(
                    "{item:?} needs both a key and a value (key=* for any value)"
                )));
            }
            let value = (value != "*").then(|| value.to_string());
            entries.push((key.to_string(), value));
        }
        if entries.is_empty() {
            return Err(err(
                "no tags; expected key=value pairs separated by commas, e.g. amenity=townhall,amenity=post_office".into(),
            ));
        }
        Ok(TagFilter { entries })
    }
}

/// Whether a feature was a node or a way in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ElementKind {
    Node,
    Way,
}

impl ElementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ElementKind::Node => "node",
            ElementKind::Way => "way",
        }
    }
}

/// One element carrying a tag asked for, reduced to one position: a node where it is, a way
/// (a building outline, an area) at its centroid.
#[derive(Clone, Debug, PartialEq)]
pub struct OsmFeature {
    pub kind: ElementKind,
    pub id: i64,
    pub lon: f64,
    pub lat: f64,
    pub tags: Vec<(String, String)>,
    /// Index of the first entry of the [`TagFilter`] it matched.
    pub matched: usize,
}

impl OsmFeature {
    /// The value of tag `key`, if the element has it.
    pub fn tag(&self, key: &str) -> Option<&str> {
        super::tag_value(&self.tags, key)
    }
}

/// The centroid of a way's positions: the area centroid of a closed ring (a building), the
/// length-weighted centroid of an open line, the point itself for one position.
pub(crate) fn centroid(coords: &[(f64, f64)]) -> Option<(f64, f64)> {
    use geo::Centroid;
    let line: geo::LineString = coords.iter().copied().collect();
    let closed = coords.len() >= 4 && coords.first() == coords.last();
    let point = if closed {
        geo::Polygon::new(line.clone(), Vec::new())
            .centroid()
            .or_else(|| line.centroid())
    } else {
        line.centroid()
    }?;
    Some((point.x(), point.y()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_tag_lists_say_what_is_expected() {
        for list in ["", " , ", "amenity", "=townhall", "amenity="] {
            let err = list.parse::<TagFilter>().unwrap_err();
            assert!(
                matches!(err, IngestError::TagList { .. }),
                "{list:?}: {err}"
            );
        }
    }

    #[test]
    fn any_value_matches_with_a_star() {
        let filter: TagFilter = "office=*".parse().unwrap();
        let tags = [("office".to_string(), "ngo".to_string())];
        assert_eq!(filter.matching(&tags), Some(0));
        assert_eq!(filter.matching(&[]), None);
    }

    #[test]
    fn a_square_outline_has_its_centre_as_centroid() {
        let ring = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (0.0, 0.0)];
        assert_eq!(centroid(&ring), Some((1.0, 1.0)));
        assert_eq!(centroid(&[(3.0, 4.0)]), Some((3.0, 4.0)));
        assert_eq!(centroid(&[]), None);
    }
}
