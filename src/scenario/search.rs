//! Place search over ward, district, street and receiving-point names, forgiving of case and
//! Vietnamese diacritics: "cau giay" finds "Cầu Giấy", as people type on phones without a
//! Vietnamese keyboard.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ReceivingPoint;
use crate::boundary::Regions;
use crate::ingest::OsmData;

/// Something a person can search for, with where to look on the map.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Place {
    pub name: String,
    /// `ward`, `district`, `street` or `point`.
    pub kind: String,
    pub lon: f64,
    pub lat: f64,
    pub bbox: Option<[f64; 4]>,
}

/// Bounding box of every way of a street, the middle of its longest way, that way's node count.
type StreetExtent = ([f64; 4], (f64, f64), usize);

#[derive(Clone, Debug, Default)]
pub(crate) struct SearchIndex {
    entries: Vec<(String, Place)>,
}

impl SearchIndex {
    pub(crate) fn new(
        osm: &OsmData,
        wards: &Regions,
        districts: &Regions,
        points: &[ReceivingPoint],
    ) -> Self {
        let mut entries = Vec::new();
        for (regions, kind) in [(wards, "ward"), (districts, "district")] {
            for region in regions.regions() {
                use geo::{BoundingRect, InteriorPoint};
                let Some(b) = region.shape.bounding_rect() else {
                    continue;
                };
                let centre = region.shape.interior_point().map_or(
                    ((b.min().x + b.max().x) / 2.0, (b.min().y + b.max().y) / 2.0),
                    |p| (p.x(), p.y()),
                );
                entries.push(place(
                    &region.name,
                    kind,
                    centre,
                    Some([b.min().x, b.min().y, b.max().x, b.max().y]),
                ));
            }
        }
        for p in points {
            entries.push(place(&p.name, "point", (p.lon, p.lat), None));
        }
        // Streets: one entry per name, at the middle node of its longest way, framed by all
        // ways of that name.
        let mut streets: BTreeMap<&str, StreetExtent> = BTreeMap::new();
        for way in &osm.ways {
            let Some(name) = way.tag("name") else {
                continue;
            };
            let coords: Vec<(f64, f64)> = way
                .nodes
                .iter()
                .filter_map(|&id| osm.node(id))
                .map(|n| (n.lon, n.lat))
                .collect();
            let Some(&mid) = coords.get(coords.len() / 2) else {
                continue;
            };
            let entry =
                streets
                    .entry(name)
                    .or_insert(([f64::MAX, f64::MAX, f64::MIN, f64::MIN], mid, 0));
            for &(x, y) in &coords {
                entry.0 = [
                    entry.0[0].min(x),
                    entry.0[1].min(y),
                    entry.0[2].max(x),
                    entry.0[3].max(y),
                ];
            }
            if coords.len() > entry.2 {
                entry.1 = mid;
                entry.2 = coords.len();
            }
        }
        for (name, (bbox, mid, _)) in streets {
            entries.push(place(name, "street", mid, Some(bbox)));
        }
        SearchIndex { entries }
    }

    /// Best matches first: whole-name matches, then names starting with the query, then names
    /// containing it; wards and districts before streets and points at equal rank.
    pub(crate) fn find(&self, query: &str, limit: usize) -> Vec<Place> {
        let q = fold_vietnamese(query);
        let q = q.split_whitespace().collect::<Vec<_>>().join(" ");
        if q.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, u8, usize, &Place)> = self
            .entries
            .iter()
            .filter_map(|(folded, p)| {
                let rank = if strip_prefixes(folded) == q || *folded == q {
                    0
                } else if strip_prefixes(folded).starts_with(&q) || folded.starts_with(&q) {
                    1
                } else if folded.contains(&q) {
                    2
                } else {
                    return None;
                };
                let kind = match p.kind.as_str() {
                    "ward" => 0,
                    "district" => 1,
                    "street" => 2,
                    _ => 3,
                };
                Some((rank, kind, p.name.len(), p))
            })
            .collect();
        hits.sort_by(|a, b| {
            (a.0, a.1, a.2)
                .cmp(&(b.0, b.1, b.2))
                .then(a.3.name.cmp(&b.3.name))
        });
        hits.into_iter().take(limit).map(|h| h.3.clone()).collect()
    }
}

fn place(
    name: &str,
    kind: &str,
    (lon, lat): (f64, f64),
    bbox: Option<[f64; 4]>,
) -> (String, Place) {
    (
        fold_vietnamese(name)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        Place {
            name: name.to_string(),
            kind: kind.to_string(),
            lon,
            lat,
            bbox,
        },
    )
}

/// Drops the administrative word in front of a name ("phuong cau giay" → "cau giay") so that
/// a bare name matches exactly.
fn strip_prefixes(folded: &str) -> &str {
    for prefix in [
        "phuong ", "xa ", "quan ", "huyen ", "thi xa ", "duong ", "pho ", "ngo ",
    ] {
        if let Some(rest) = folded.strip_prefix(prefix) {
            return rest;
        }
    }
    folded
}

/// Lower case without Vietnamese diacritics: "Cầu Giấy" → "cau giay", "Đống Đa" → "dong da".
pub fn fold_vietnamese(s: &str) -> String {
    s.chars()
        .map(|c| {
            let lower = c.to_lowercase().next().unwrap_or(c);
            match lower {
                'à' | 'á' | 'ả' | 'ã' | 'ạ' | 'ă' | 'ằ' | 'ắ' | 'ẳ' | 'ẵ' | 'ặ' | 'â' | 'ầ'
                | 'ấ' | 'ẩ' | 'ẫ' | 'ậ' => 'a',
                'è' | 'é' | 'ẻ' | 'ẽ' | 'ẹ' | 'ê' | 'ề' | 'ế' | 'ể' | 'ễ' | 'ệ' => {
                    'e'
                }
                'ì' | 'í' | 'ỉ' | 'ĩ' | 'ị' => 'i',
                'ò' | 'ó' | 'ỏ' | 'õ' | 'ọ' | 'ô' | 'ồ' | 'ố' | 'ổ' | 'ỗ' | 'ộ' | 'ơ' | 'ờ'
                | 'ớ' | 'ở' | 'ỡ' | 'ợ' => 'o',
                'ù' | 'ú' | 'ủ' | 'ũ' | 'ụ' | 'ư' | 'ừ' | 'ứ' | 'ử' | 'ữ' | 'ự' => {
                    'u'
                }
                'ỳ' | 'ý' | 'ỷ' | 'ỹ' | 'ỵ' => 'y',
                'đ' => 'd',
                // Combining marks left by decomposed input.
                '\u{300}'..='\u{36f}' => '\0',
                other => other,
            }
        })
        .filter(|&c| c != '\0')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fold_vietnamese;

    #[test]
    fn folds_diacritics_and_case() {
        assert_eq!(fold_vietnamese("Cầu Giấy"), "cau giay");
        assert_eq!(fold_vietnamese("ĐỐNG ĐA"), "dong da");
        assert_eq!(fold_vietnamese("Phường Hồng Hà"), "phuong hong ha");
        assert_eq!(fold_vietnamese("Tây Hồ"), "tay ho");
    }
}
