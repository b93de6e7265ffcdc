//! A small HTTP verification service (axum on tokio).
//!
//! - `POST /v1/nonce` → `{"nonce": HEX, "expires_at": RFC3339}`: a fresh 32-byte nonce,
//!   single use, valid for the configured time.
//! - `POST /v1/verify` with a bundle as the body → the [`Report`] as JSON (status 200
//!   whatever the verdict; 413 when the body is larger than
//!   [`mynakit::evidence::MAX_BUNDLE_LEN`]). The bundle's nonce is looked up in the store of
//!   issued nonces and removed: a second submission of the same bundle fails
//!   `nonce.binding` (replay), and so does a nonce never issued or expired.
//!
//! The service holds no card data: a report is returned and forgotten. Keeping records is
//! the bank's job.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use mynakit::evidence::{Evidence, MAX_BUNDLE_LEN};

use crate::time::format_rfc3339;
use crate::verify::{Report, Verifier};

/// Seconds since the Unix epoch, from the service's clock.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// Service settings.
pub struct ServiceConfig {
    /// The verifier.
    pub verifier: Verifier,
    /// How long an issued nonce stays valid (seconds).
    pub nonce_ttl: u64,
    /// At most this many unused nonces are kept (older expired ones are dropped first).
    pub max_pending_nonces: usize,
    /// The time source (the system clock in production; fixed in tests).
    pub clock: Clock,
}

impl ServiceConfig {
    /// Five-minute nonces, 100 000 pending at most, the system clock.
    pub fn new(verifier: Verifier) -> Self {
        ServiceConfig {
            verifier,
            nonce_ttl: 300,
            max_pending_nonces: 100_000,
            clock: Arc::new(mynakit::cert::unix_now),
        }
    }
}

struct AppState {
    config: ServiceConfig,
    /// Issued, unused nonces → expiry (Unix seconds).
    nonces: Mutex<HashMap<Vec<u8>, u64>>,
}

/// The service's routes.
pub fn router(config: ServiceConfig) -> Router {
    let state = Arc::new(AppState {
        config,
        nonces: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route("/v1/nonce", post(issue_nonce))
        .route("/v1/verify", post(verify))
        .layer(DefaultBodyLimit::max(MAX_BUNDLE_LEN))
        .with_state(state)
}

/// Serves on a bound listener until the future is dropped or fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: ServiceConfig,
) -> std::io::Result<()> {
    axum::serve(listener, router(config)).await
}

fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(b) => (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            b,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    json_response(status, &serde_json::json!({ "error": message }))
}

async fn issue_nonce(State(s): State<Arc<AppState>>) -> Response {
    let now = (s.config.clock)();
    let mut nonce = vec![0u8; 32];
    if getrandom::fill(&mut nonce).is_err() {
        return error(StatusCode::SERVICE_UNAVAILABLE, "no system randomness");
    }
    let expires = now.saturating_add(s.config.nonce_ttl);
    let Ok(mut store) = s.nonces.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "nonce store poisoned");
    };
    if store.len() >= s.config.max_pending_nonces {
        store.retain(|_, exp| *exp >= now);
    }
    if store.len() >= s.config.max_pending_nonces {
        return error(StatusCode::SERVICE_UNAVAILABLE, "too many pending nonces");
    }
    store.insert(nonce.clone(), expires);
    drop(store);
    json_response(
        StatusCode::OK,
        &serde_json::json!({
            "nonce": hex::encode_upper(&nonce),
            "expires_at": format_rfc3339(expires),
        }),
    )
}

async fn verify(State(s): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    // RSA verification is CPU work: keep it off the async worker threads.
    match tokio::task::spawn_blocking(move || verify_blocking(&s, &body)).await {
        Ok(r) => r,
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "verification task failed",
        ),
    }
}

fn verify_blocking(s: &AppState, body: &[u8]) -> Response {
    let now = (s.config.clock)();
    let evidence = match Evidence::from_json(body) {
        Ok(e) => e,
        Err(_) => {
            // The verifier writes the report for an unreadable bundle.
            let report = s.config.verifier.verify_json(body, &[], now);
            return json_response(StatusCode::OK, &report);
        }
    };
    let issued: Result<Vec<u8>, String> = match s.nonces.lock() {
        Ok(mut store) => match store.remove(&evidence.nonce) {
            Some(exp) if exp >= now => Ok(evidence.nonce.clone()),
            Some(_) => Err("the nonce has expired".into()),
            None => Err("this server did not issue the nonce, or it was already used".into()),
        },
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "nonce store poisoned"),
    };
    let verifier = &s.config.verifier;
    let report: Report = match &issued {
        Ok(n) => verifier.verify_issued(&evidence, Ok(n), now),
        Err(reason) => verifier.verify_issued(&evidence, Err(reason.clone()), now),
    };
    json_response(StatusCode::OK, &report)
}
