//! `mynakit-verify-service --listen ADDR [--trust POLICY] [--revocation-optional]`: the HTTP
//! verification service (`POST /v1/nonce`, `POST /v1/verify`; see docs/server.md).

use std::process::ExitCode;

use mynakit::cert::TrustPolicy;
use mynakit_server::service::{ServiceConfig, serve};
use mynakit_server::{Verifier, VerifierConfig};

const USAGE: &str = "usage: mynakit-verify-service [--listen 127.0.0.1:8080] [--trust production|jlis-test|virtual-card] [--nonce-ttl SECONDS] [--revocation-optional]";

fn main() -> ExitCode {
    let mut listen = "127.0.0.1:8080".to_string();
    let mut policy = TrustPolicy::PRODUCTION;
    let mut ttl = 300u64;
    let mut revocation_optional = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let ok = match a.as_str() {
            "--listen" => it.next().map(|v| listen = v).is_some(),
            "--trust" => match it.next().as_deref() {
                Some("production") => {
                    policy = TrustPolicy::PRODUCTION;
                    true
                }
                Some("jlis-test") => {
                    policy = TrustPolicy {
                        accept_jlis_test_cards: true,
                        accept_virtual_card: false,
                        ..TrustPolicy::PRODUCTION
                    };
                    true
                }
                Some("virtual-card") => {
                    policy = TrustPolicy::VIRTUAL_CARD;
                    true
                }
                _ => false,
            },
            "--nonce-ttl" => it
                .next()
                .and_then(|v| v.parse().ok())
                .map(|v| ttl = v)
                .is_some(),
            "--revocation-optional" => {
                revocation_optional = true;
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!("{USAGE}");
            return ExitCode::from(64);
        }
    }
    let mut vc = match VerifierConfig::with_policy(policy) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mynakit-verify-service: {e}");
            return ExitCode::FAILURE;
        }
    };
    vc.revocation_required = !revocation_optional;
    let mut config = ServiceConfig::new(Verifier::new(vc));
    config.nonce_ttl = ttl;
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mynakit-verify-service: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(&listen).await?;
        eprintln!(
            "mynakit-verify-service listening on {}",
            listener.local_addr()?
        );
        serve(listener, config).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mynakit-verify-service: {e}");
            ExitCode::FAILURE
        }
    }
}
