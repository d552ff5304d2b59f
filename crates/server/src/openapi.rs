//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! the serde types' schemas (never kept by hand).

use crate::routes::{api, ops};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

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

/// The API description served at `/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Answerbank",
        description = "Search a child-protection helpdesk's banked answers and guidance documents \
in English, French, Spanish and Arabic. Errors are always `{\"error\": {\"code\", \"message\"}}`.",
    ),
    paths(
        api::search,
        api::suggest,
        api::record_or_similar,
        api::similar_doc,
        api::file,
        ops::healthz,
        ops::metrics,
        ops::reindex,
        ops::reindex_status,
    ),
    components(schemas(
        crate::error::ErrorBody,
        crate::error::ErrorDetail,
        api::SearchAnswer,
        api::ApiHit,
        api::SuggestAnswer,
        ops::Health,
        crate::state::ReindexStatus,
        engine::Hit,
        engine::Snippet,
        engine::PageHit,
        engine::Suggestion,
        engine::IngestReport,
        ingest::Record,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "search", description = "Search and suggestions"),
        (name = "records", description = "Records, similar records and original files"),
        (name = "operations", description = "Health and metrics"),
        (name = "admin", description = "Needs the admin bearer token"),
    )
)]
pub struct ApiDoc;

/// The document as JSON.
pub fn json() -> String {
    ApiDoc::openapi()
        .to_json()
        .unwrap_or_else(|_| "{}".to_string())
}
