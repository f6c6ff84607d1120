//! The planner's "Load offices from OpenStreetMap": the offices the area's OSM file maps,
//! answered as a draft scenario with what was found per tag.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::graph::TravelMode;
use crate::scenario::{OSM_ATTRIBUTION, OsmOfficesRequest, OsmPointsUse, ReceivingPoint, RuleSpec};
use crate::server::AppState;
use crate::server::budget::AreaBudget;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::ApiJson;

/// The draft's name; the web app shows its own, in the reader's language.
const DRAFT_NAME: &str = "Offices from OpenStreetMap";

/// Offices found in OpenStreetMap, as an unsaved scenario: evaluate it with
/// `POST /api/v1/evaluate`, save it with `POST /api/v1/scenarios`.
#[derive(Serialize, ToSchema)]
pub struct OsmOfficesDoc {
    pub name: String,
    /// The area's current travel mode and rule.
    #[schema(value_type = crate::server::dto::TravelModeName)]
    pub mode: TravelMode,
    pub rule: RuleSpec,
    /// The offices (ids `osm-node-<id>`, `osm-way-<id>`, `approximate = false`; town halls as
    /// ward desks, the rest flexible points), or with `replace_within_m` the area's current
    /// points with the approximate ones that found an office moved to it.
    pub points: Vec<ReceivingPoint>,
    /// The tag list read, as parsed.
    pub tags: String,
    /// Each tag asked for with the number of places found carrying it (an element counts for
    /// the first tag of the list it carries), in the order asked.
    pub found_per_tag: Vec<TagCount>,
    /// Name of the OSM file searched.
    pub source: String,
    /// The distance asked for, when approximate points were replaced.
    pub replace_within_m: Option<f64>,
    /// Which approximate point moved to which office, and how far.
    pub replaced: Vec<ReplacementDoc>,
    /// The positions are OpenStreetMap's: their licence.
    pub attribution: String,
}

#[derive(Serialize, ToSchema)]
pub struct TagCount {
    pub tag: String,
    pub count: usize,
}

#[derive(Serialize, ToSchema)]
pub struct ReplacementDoc {
    pub point_id: String,
    pub osm_id: String,
    pub distance_m: f64,
}

/// The offices OpenStreetMap maps in the area's OSM file, as an unsaved scenario.
#[utoipa::path(post, path = "/api/v1/osm-offices", tag = "scenarios", request_body = OsmOfficesRequest,
    responses(
        (status = 200, description = "A draft of the offices found, with the count per tag", body = OsmOfficesDoc),
        (status = 400, description = "A tag list that is malformed, too long, or matches nothing in the file (the message names the tags); a distance out of range", body = ErrorBody),
    ))]
pub async fn load(
    _budget: AreaBudget,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<OsmOfficesRequest>,
) -> Result<Json<OsmOfficesDoc>, ApiError> {
    // Checked before queueing for the heavy pool: a bad list costs no read.
    request.validate()?;
    let area = state.area_arc();
    let offices = state
        .heavy(move || area.osm_offices(&request).map_err(ApiError::from))
        .await?;
    let baseline = state.area().baseline();
    let summary = offices.summary;
    Ok(Json(OsmOfficesDoc {
        name: DRAFT_NAME.to_string(),
        mode: baseline.mode,
        rule: baseline.rule,
        points: offices.points,
        tags: summary
            .found_per_tag
            .iter()
            .map(|(tag, _)| tag.as_str())
            .collect::<Vec<_>>()
            .join(","),
        found_per_tag: summary
            .found_per_tag
            .iter()
            .map(|(tag, count)| TagCount {
                tag: tag.clone(),
                count: *count,
            })
            .collect(),
        source: summary.source,
        replace_within_m: (summary.use_as == OsmPointsUse::ReplaceApproximate)
            .then_some(summary.replace_within_m),
        replaced: summary
            .replaced
            .into_iter()
            .map(|r| ReplacementDoc {
                point_id: r.point_id,
                osm_id: r.osm_id,
                distance_m: r.distance_m,
            })
            .collect(),
        attribution: OSM_ATTRIBUTION.to_string(),
    }))
}
