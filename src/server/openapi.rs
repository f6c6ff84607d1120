//! The OpenAPI 3 document, generated from the handler annotations and DTO types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::server::{area, dto, error, optimise, scenarios};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "Who can reach a receiving point within 30 minutes or 5 km, and where new points should go. Times in seconds, distances in metres, coordinates [lon, lat] WGS84. Writes need `Authorization: Bearer <token>`.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        super::openapi_json,
        area::health,
        area::meta,
        area::points,
        area::nearest,
        area::search,
        area::basemap_roads,
        area::basemap_wards,
        area::basemap_extent,
        scenarios::list,
        scenarios::create,
        scenarios::get_one,
        scenarios::update,
        scenarios::delete,
        scenarios::coverage,
        scenarios::evaluate,
        scenarios::isochrones,
        scenarios::phases,
        scenarios::export,
        optimise::start,
        optimise::status,
        optimise::cancel,
        optimise::events,
    ),
    components(schemas(error::ErrorBody, error::ErrorCode, dto::TravelModeName, dto::RunStatus)),
    modifiers(&BearerAuth),
    tags(
        (name = "area", description = "The loaded study area"),
        (name = "scenarios", description = "Saved scenarios and coverage"),
        (name = "optimise", description = "Placement of new receiving points"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme that the write endpoints name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
