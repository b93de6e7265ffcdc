//! An OCSP client (RFC 6960) behind [`RevocationChecker`]: the request (CertID with SHA-1
//! or SHA-256, a nonce extension), the transport (HTTP POST `application/ocsp-request`
//! over plain HTTP, with a timeout and a size cap) and the response checks: the
//! `BasicOCSPResponse` signature by the issuing CA or by a responder certificate the CA
//! issued for OCSP signing (`id-kp-OCSPSigning`), the nonce echoed, `thisUpdate` /
//! `nextUpdate` / `producedAt` against the verification time with a stated tolerance.
//!
//! `good` → [`RevocationStatus::Good`], `revoked` → [`RevocationStatus::Revoked`], and
//! everything else (`unknown`, an error status, no connection, a bad signature, a missing
//! or wrong nonce, a stale answer, anything malformed) → [`RevocationStatus::NotChecked`]
//! with the reason. Nothing this module cannot vouch for reads as good.
//!
//! JPKI's production OCSP responders serve licensed 署名検証者 / platform operators only
//! (公的個人認証法). This client serves responders a bank reaches through such an operator
//! (when they speak plain RFC 6960 over HTTP) and test PKIs; an operator's own API plugs
//! into [`RevocationChecker`] instead. HTTPS is not spoken here: a TLS transport belongs
//! to such an adapter ([`OcspClient::prepare`] and [`OcspClient::evaluate`] are public so
//! that an adapter can reuse the request and response checks with its own transport).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use der::asn1::{GeneralizedTime, Int, Null, ObjectIdentifier, OctetString};
use der::{Choice, Decode, Encode, Enumerated, Sequence};
use mynakit::cert::JpkiCertificate;
use mynakit::sign::{HashAlgorithm, digest_info, rsa_public_key_from_spki, verify_pkcs1_raw};
use x509_cert::Certificate;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::ext::{Extension, Extensions};
use x509_cert::name::Name;
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::revocation::{RevocationChecker, RevocationStatus};
use crate::time::format_rfc3339;

/// `id-pkix-ocsp-basic` (RFC 6960 §4.2.1).
const OCSP_BASIC: &str = "1.3.6.1.5.5.7.48.1.1";
/// `id-pkix-ocsp-nonce` (RFC 6960 §4.4.1, RFC 8954).
const OCSP_NONCE: &str = "1.3.6.1.5.5.7.48.1.2";
/// `id-kp-OCSPSigning` (RFC 6960 §4.2.2.2).
const KP_OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";
const SHA1: &str = "1.3.14.3.2.26";
const SHA256: &str = "2.16.840.1.101.3.4.2.1";

/// Largest OCSP response accepted by default (bytes).
pub const DEFAULT_MAX_RESPONSE_LEN: usize = 64 * 1024;
/// Largest HTTP response head accepted (bytes).
const MAX_HEAD_LEN: usize = 8 * 1024;
/// Nonce length sent (RFC 8954: 1 to 32 octets).
pub const NONCE_LEN: usize = 32;

// ---- ASN.1 (RFC 6960 §4.1.1, §4.2.1) ----

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct CertId {
    hash_algorithm: AlgorithmIdentifierOwned,
    issuer_name_hash: OctetString,
    issuer_key_hash: OctetString,
    serial_number: Int,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Request {
    req_cert: CertId,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    single_request_extensions: Option<Extensions>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TbsRequest {
    request_list: Vec<Request>,
    #[asn1(context_specific = "2", optional = "true", tag_mode = "EXPLICIT")]
    request_extensions: Option<Extensions>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspRequest {
    tbs_request: TbsRequest,
}

#[derive(Enumerated, Copy, Clone, Debug, Eq, PartialEq)]
#[repr(u32)]
enum ResponseStatus {
    Successful = 0,
    MalformedRequest = 1,
    InternalError = 2,
    TryLater = 3,
    SigRequired = 5,
    Unauthorized = 6,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseBytes {
    response_type: ObjectIdentifier,
    response: OctetString,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspResponse {
    response_status: ResponseStatus,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    response_bytes: Option<ResponseBytes>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct BasicOcspResponse {
    tbs_response_data: ResponseData,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: der::asn1::BitString,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    certs: Option<Vec<Certificate>>,
}

#[derive(Clone, Debug, Eq, PartialEq, Choice)]
enum ResponderId {
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    ByName(Name),
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    ByKey(OctetString),
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseData {
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    version: Option<u8>,
    responder_id: ResponderId,
    produced_at: GeneralizedTime,
    responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", optional = "true", tag_mode = "EXPLICIT")]
    response_extensions: Option<Extensions>,
}

#[derive(Clone, Debug, Eq, PartialEq, Choice)]
enum CertStatus {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Good(Null),
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Revoked(RevokedInfo),
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    Unknown(Null),
}

/// `RevokedInfo` with the reason kept as its raw ENUMERATED value.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct RevokedInfo {
    revocation_time: GeneralizedTime,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    revocation_reason: Option<der::Any>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SingleResponse {
    cert_id: CertId,
    cert_status: CertStatus,
    this_update: GeneralizedTime,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    next_update: Option<GeneralizedTime>,
    #[asn1(context_specific = "1", optional = "true", tag_mode = "EXPLICIT")]
    single_extensions: Option<Extensions>,
}

// ---- the client ----

/// The hash of the CertID (RFC 6960 §4.1.1): what the responder understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertIdHash {
    /// SHA-1: every responder (RFC 5019 profile).
    Sha1,
    /// SHA-256.
    Sha256,
}

impl CertIdHash {
    fn algorithm(self) -> HashAlgorithm {
        match self {
            CertIdHash::Sha1 => HashAlgorithm::Sha1,
            CertIdHash::Sha256 => HashAlgorithm::Sha256,
        }
    }
    fn oid(self) -> &'static str {
        match self {
            CertIdHash::Sha1 => SHA1,
            CertIdHash::Sha256 => SHA256,
        }
    }
}

/// A request ready to send, with what its answer must match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreparedRequest {
    /// The DER `OCSPRequest`.
    pub der: Vec<u8>,
    /// The nonce sent (the responder must echo it), when the client sends one.
    pub nonce: Option<Vec<u8>>,
    cert_id: CertId,
}

/// An OCSP client for the certificates of one issuing CA.
pub struct OcspClient {
    /// The responder's URL (`http://host[:port][/path]`).
    pub url: String,
    issuer: JpkiCertificate,
    issuer_name_der: Vec<u8>,
    issuer_key: Vec<u8>,
    /// The CertID hash (default SHA-256).
    pub hash: CertIdHash,
    /// Send a nonce and require it back (default `true`). Without it a replayed answer is
    /// bounded only by the freshness checks.
    pub nonce: bool,
    /// Connect, send and receive within this time (default 5 s).
    pub timeout: Duration,
    /// Largest response body accepted (default [`DEFAULT_MAX_RESPONSE_LEN`]).
    pub max_response_len: usize,
    /// Clock tolerance, seconds (default 300): `thisUpdate` and `producedAt` may be up to
    /// this far after the verification time, `nextUpdate` this far before it.
    pub tolerance: u64,
    /// An answer whose `thisUpdate` is more than this many seconds before the
    /// verification time is stale, `nextUpdate` or not (default 86 400).
    pub max_age: u64,
}

/// What went wrong on the way to an answer (becomes a *not checked* reason).
fn nc(reason: impl Into<String>) -> RevocationStatus {
    RevocationStatus::NotChecked {
        reason: format!("OCSP: {}", reason.into()),
    }
}

fn oid(s: &str) -> Result<ObjectIdentifier, String> {
    ObjectIdentifier::new(s).map_err(|e| e.to_string())
}

fn unix(t: &GeneralizedTime) -> u64 {
    t.to_unix_duration().as_secs()
}

/// SHA-1 (or the CertID hash) of the subjectPublicKey BIT STRING's value.
fn key_bits(cert_der: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let c = Certificate::from_der(cert_der).map_err(|e| e.to_string())?;
    let tbs = c.tbs_certificate();
    let name = tbs.subject().to_der().map_err(|e| e.to_string())?;
    let key = tbs
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes()
        .to_vec();
    Ok((name, key))
}

fn serial_of(cert: &JpkiCertificate) -> Result<Vec<u8>, String> {
    let c = Certificate::from_der(&cert.der).map_err(|e| e.to_string())?;
    Ok(c.tbs_certificate().serial_number().as_bytes().to_vec())
}

impl OcspClient {
    /// A client asking `url` about certificates issued by `issuer_der`.
    pub fn new(url: &str, issuer_der: &[u8]) -> mynakit::Result<Self> {
        let issuer = JpkiCertificate::parse(issuer_der)?;
        let (issuer_name_der, issuer_key) = key_bits(&issuer.der)
            .map_err(|e| mynakit::Error::InvalidArgument(format!("issuer certificate: {e}")))?;
        Ok(OcspClient {
            url: url.to_string(),
            issuer,
            issuer_name_der,
            issuer_key,
            hash: CertIdHash::Sha256,
            nonce: true,
            timeout: Duration::from_secs(5),
            max_response_len: DEFAULT_MAX_RESPONSE_LEN,
            tolerance: 300,
            max_age: 86_400,
        })
    }

    fn cert_id(&self, cert: &JpkiCertificate) -> Result<CertId, String> {
        let h = self.hash.algorithm();
        Ok(CertId {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: oid(self.hash.oid())?,
                parameters: Some(der::Any::from(Null)),
            },
            issuer_name_hash: OctetString::new(h.digest(&self.issuer_name_der))
                .map_err(|e| e.to_string())?,
            issuer_key_hash: OctetString::new(h.digest(&self.issuer_key))
                .map_err(|e| e.to_string())?,
            serial_number: Int::new(&serial_of(cert)?).map_err(|e| e.to_string())?,
        })
    }

    /// Builds the request for `cert` (which must be issued by this client's CA: its issuer
    /// name and signature are checked), with a fresh random nonce when [`Self::nonce`].
    pub fn prepare(&self, cert: &JpkiCertificate) -> Result<PreparedRequest, String> {
        if cert.info.issuer != self.issuer.info.subject || cert.is_signed_by(&self.issuer).is_err()
        {
            return Err("the certificate is not issued by this responder's CA".into());
        }
        let cert_id = self.cert_id(cert)?;
        let nonce = if self.nonce {
            let mut n = vec![0u8; NONCE_LEN];
            getrandom::fill(&mut n).map_err(|e| format!("no randomness for the nonce: {e}"))?;
            Some(n)
        } else {
            None
        };
        let request_extensions = match &nonce {
            Some(n) => Some(vec![Extension {
                extn_id: oid(OCSP_NONCE)?,
                critical: false,
                // extnValue holds the DER of an OCTET STRING with the nonce (RFC 8954 §2.1).
                extn_value: OctetString::new(
                    OctetString::new(n.clone())
                        .and_then(|o| o.to_der())
                        .map_err(|e| e.to_string())?,
                )
                .map_err(|e| e.to_string())?,
            }]),
            None => None,
        };
        let req = OcspRequest {
            tbs_request: TbsRequest {
                request_list: vec![Request {
                    req_cert: cert_id.clone(),
                    single_request_extensions: None,
                }],
                request_extensions,
            },
        };
        Ok(PreparedRequest {
            der: req.to_der().map_err(|e| e.to_string())?,
            nonce,
            cert_id,
        })
    }

    /// Checks a DER `OCSPResponse` answering `request`, at `at_unix`.
    pub fn evaluate(
        &self,
        request: &PreparedRequest,
        response: &[u8],
        at_unix: u64,
    ) -> RevocationStatus {
        match self.evaluate_inner(request, response, at_unix) {
            Ok(s) => s,
            Err(reason) => nc(reason),
        }
    }

    fn evaluate_inner(
        &self,
        request: &PreparedRequest,
        response: &[u8],
        at: u64,
    ) -> Result<RevocationStatus, String> {
        if response.len() > self.max_response_len {
            return Err(format!("response of {} bytes", response.len()));
        }
        let outer = OcspResponse::from_der(response).map_err(|e| format!("malformed: {e}"))?;
        if outer.to_der().ok().as_deref() != Some(response) {
            return Err("malformed: not canonical DER".into());
        }
        if outer.response_status != ResponseStatus::Successful {
            return Err(format!(
                "the responder answered {:?}",
                outer.response_status
            ));
        }
        let bytes = outer
            .response_bytes
            .ok_or("a successful response without responseBytes")?;
        if bytes.response_type != oid(OCSP_BASIC)? {
            return Err(format!(
                "response type {} is not basic",
                bytes.response_type
            ));
        }
        let basic_der = bytes.response.as_bytes();
        let basic =
            BasicOcspResponse::from_der(basic_der).map_err(|e| format!("malformed: {e}"))?;
        if basic.to_der().ok().as_deref() != Some(basic_der) {
            return Err("malformed: BasicOCSPResponse not canonical DER".into());
        }
        let tbs = &basic.tbs_response_data;
        if tbs.version.is_some_and(|v| v != 0) {
            return Err("unsupported ResponseData version".into());
        }
        self.check_signature(&basic, at)?;
        // The nonce: the extension's value must be exactly what was sent.
        let nonce_oid = oid(OCSP_NONCE)?;
        let echoed = tbs
            .response_extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == nonce_oid)
            .map(|e| e.extn_value.as_bytes().to_vec());
        if let Some(n) = &request.nonce {
            let sent = OctetString::new(n.clone())
                .and_then(|o| o.to_der())
                .map_err(|e| e.to_string())?;
            match echoed {
                None => return Err("the response carries no nonce".into()),
                Some(e) if e != sent => {
                    return Err("the response's nonce is not the one sent (replayed?)".into());
                }
                Some(_) => {}
            }
        }
        // No critical extension is understood here but the nonce (RFC 5280 §4.2 semantics).
        if let Some(e) = tbs
            .response_extensions
            .iter()
            .flatten()
            .chain(
                tbs.responses
                    .iter()
                    .flat_map(|r| r.single_extensions.iter().flatten()),
            )
            .find(|e| e.critical && e.extn_id != nonce_oid)
        {
            return Err(format!("unknown critical extension {}", e.extn_id));
        }
        let tol = self.tolerance;
        let produced = unix(&tbs.produced_at);
        if produced > at.saturating_add(tol) {
            return Err(format!(
                "producedAt {} is after the time checked {} (tolerance {tol} s)",
                format_rfc3339(produced),
                format_rfc3339(at)
            ));
        }
        let mut matching = tbs
            .responses
            .iter()
            .filter(|r| same_cert_id(&r.cert_id, &request.cert_id));
        let single = matching
            .next()
            .ok_or("no answer for the certificate asked about")?;
        if matching.next().is_some() {
            return Err("more than one answer for the certificate".into());
        }
        let this = unix(&single.this_update);
        if this > at.saturating_add(tol) {
            return Err(format!(
                "thisUpdate {} is after the time checked {} (tolerance {tol} s)",
                format_rfc3339(this),
                format_rfc3339(at)
            ));
        }
        if let Some(next) = &single.next_update {
            let next = unix(next);
            if next.saturating_add(tol) < at {
                return Err(format!(
                    "stale: nextUpdate {} is before the time checked {} (tolerance {tol} s)",
                    format_rfc3339(next),
                    format_rfc3339(at)
                ));
            }
        }
        if at.saturating_sub(this) > self.max_age.saturating_add(tol) {
            return Err(format!(
                "stale: thisUpdate {} is more than {} s before the time checked {}",
                format_rfc3339(this),
                self.max_age,
                format_rfc3339(at)
            ));
        }
        let serial = hex::encode_upper(request.cert_id.serial_number.as_bytes());
        Ok(match &single.cert_status {
            CertStatus::Good(_) => RevocationStatus::Good {
                source: format!(
                    "OCSP {} for {} (thisUpdate {})",
                    self.url,
                    self.issuer.info.subject,
                    format_rfc3339(this)
                ),
            },
            CertStatus::Revoked(r) => {
                let when = unix(&r.revocation_time);
                if when <= at {
                    RevocationStatus::Revoked {
                        reason: format!(
                            "OCSP: serial {serial} revoked on {}",
                            format_rfc3339(when)
                        ),
                    }
                } else {
                    return Err(format!(
                        "serial {serial} revoked on {}, after the time checked; OCSP answers the current status only",
                        format_rfc3339(when)
                    ));
                }
            }
            CertStatus::Unknown(_) => {
                return Err(format!("the responder does not know serial {serial}"));
            }
        })
    }

    /// The response must be signed by the CA, or by a certificate the CA issued for OCSP
    /// signing (RFC 6960 §4.2.2.2) named by `responderID`.
    fn check_signature(&self, basic: &BasicOcspResponse, at: u64) -> Result<(), String> {
        let hash = match basic.signature_algorithm.oid.to_string().as_str() {
            "1.2.840.113549.1.1.11" => HashAlgorithm::Sha256,
            "1.2.840.113549.1.1.12" => HashAlgorithm::Sha384,
            "1.2.840.113549.1.1.13" => HashAlgorithm::Sha512,
            other => return Err(format!("unsupported response signature algorithm {other}")),
        };
        // The outer algorithm is not covered by the signature: its parameters must be the
        // NULL (or absent) of RSA PKCS#1 v1.5 (RFC 4055 §5), so no byte of it can vary.
        match &basic.signature_algorithm.parameters {
            None => {}
            Some(p) if *p == der::Any::from(Null) => {}
            Some(_) => return Err("signature algorithm parameters are not NULL".into()),
        }
        let sig = basic
            .signature
            .as_bytes()
            .ok_or("the signature has unused bits")?;
        let tbs_der = basic
            .tbs_response_data
            .to_der()
            .map_err(|e| e.to_string())?;
        let di = digest_info(hash, &hash.digest(&tbs_der));
        let verify_with = |c: &JpkiCertificate| -> Result<(), String> {
            let key = c
                .spki_der()
                .and_then(|s| rsa_public_key_from_spki(&s))
                .map_err(|e| e.to_string())?;
            verify_pkcs1_raw(&key, &di, sig).map_err(|e| e.to_string())
        };
        let names = |name_der: &[u8], key: &[u8]| match &basic.tbs_response_data.responder_id {
            ResponderId::ByName(n) => n.to_der().ok().as_deref() == Some(name_der),
            ResponderId::ByKey(h) => h.as_bytes() == HashAlgorithm::Sha1.digest(key).as_slice(),
        };
        let mut reasons = Vec::new();
        if names(&self.issuer_name_der, &self.issuer_key) {
            match verify_with(&self.issuer) {
                Ok(()) => return Ok(()),
                Err(e) => reasons.push(format!("not signed by the CA's key ({e})")),
            }
        }
        for c in basic.certs.iter().flatten() {
            let der_bytes = c.to_der().map_err(|e| e.to_string())?;
            let (name, key) = key_bits(&der_bytes)?;
            if !names(&name, &key) {
                continue;
            }
            let delegated = (|| -> Result<(), String> {
                let rc = JpkiCertificate::parse(&der_bytes).map_err(|e| e.to_string())?;
                if rc.info.issuer != self.issuer.info.subject {
                    return Err("its issuer is not the CA".into());
                }
                rc.is_signed_by(&self.issuer)
                    .map_err(|e| format!("not issued by the CA ({e})"))?;
                if rc.is_sha1_signed() {
                    return Err("signed with SHA-1".into());
                }
                let eku = c
                    .tbs_certificate()
                    .get_extension::<ExtendedKeyUsage>()
                    .map_err(|e| e.to_string())?;
                let signing = oid(KP_OCSP_SIGNING)?;
                if !eku.is_some_and(|(_, e)| e.0.contains(&signing)) {
                    return Err("no id-kp-OCSPSigning extended key usage".into());
                }
                if !rc.info.key_usage.is_empty()
                    && !rc.info.key_usage.iter().any(|k| k == "digital_signature")
                {
                    return Err("its key usage excludes digital signatures".into());
                }
                if !rc.is_valid_at(at) {
                    return Err(format!(
                        "not valid at {} ({} to {})",
                        format_rfc3339(at),
                        rc.info.not_before,
                        rc.info.not_after
                    ));
                }
                verify_with(&rc).map_err(|e| format!("its key did not sign the response ({e})"))
            })();
            match delegated {
                Ok(()) => return Ok(()),
                Err(e) => reasons.push(format!("responder certificate refused: {e}")),
            }
        }
        if reasons.is_empty() {
            reasons.push("no authorised responder: neither the CA nor a certificate in the response matches responderID".into());
        }
        Err(format!("bad signature: {}", reasons.join("; ")))
    }
}

fn same_cert_id(a: &CertId, b: &CertId) -> bool {
    // Parameters of the hash algorithm (absent or NULL) do not matter.
    a.hash_algorithm.oid == b.hash_algorithm.oid
        && a.issuer_name_hash == b.issuer_name_hash
        && a.issuer_key_hash == b.issuer_key_hash
        && a.serial_number == b.serial_number
}

impl RevocationChecker for OcspClient {
    fn status(&self, cert: &JpkiCertificate, at_unix: u64) -> RevocationStatus {
        let request = match self.prepare(cert) {
            Ok(r) => r,
            Err(e) => return nc(e),
        };
        match http_post(&self.url, &request.der, self.timeout, self.max_response_len) {
            Ok(body) => self.evaluate(&request, &body, at_unix),
            Err(e) => nc(format!("{}: {e}", self.url)),
        }
    }
}

/// `http://host[:port][/path]` → (host, port, path).
fn split_url(url: &str) -> Result<(String, u16, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs are spoken here (TLS belongs to an operator adapter)")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (rest.get(..i).unwrap_or(""), rest.get(i..).unwrap_or("/")),
        None => (rest, "/"),
    };
    if authority.is_empty()
        || authority.contains('@')
        || !path.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(format!("not a usable URL: {url}"));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (
            h,
            p.parse::<u16>().map_err(|_| format!("bad port in {url}"))?,
        ),
        _ => (authority, 80),
    };
    Ok((host.to_string(), port, path.to_string()))
}

/// POSTs an OCSP request over HTTP/1.0 and returns the body of a `200` answer of type
/// `application/ocsp-response`, within `timeout` and at most `max_len` bytes.
pub fn http_post(
    url: &str,
    body: &[u8],
    timeout: Duration,
    max_len: usize,
) -> Result<Vec<u8>, String> {
    let deadline = Instant::now() + timeout;
    let left = || {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| format!("timed out after {} ms", timeout.as_millis()))
    };
    let (host, port, path) = split_url(url)?;
    let addrs: Vec<_> = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| format!("{host}: {e}"))?
        .collect();
    let mut stream = None;
    let mut last = String::from("no address");
    for a in addrs {
        match TcpStream::connect_timeout(&a, left()?) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = format!("{a}: {e}"),
        }
    }
    let mut s = stream.ok_or(last)?;
    s.set_write_timeout(Some(left()?))
        .map_err(|e| e.to_string())?;
    let head = format!(
        "POST {path} HTTP/1.0\r\nHost: {host}:{port}\r\nContent-Type: application/ocsp-request\r\nAccept: application/ocsp-response\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // One write for the whole request: a responder that reads once and answers must see
    // the body too, or closing with it unread resets the connection under its own answer.
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    s.write_all(&request)
        .and_then(|()| s.flush())
        .map_err(|e| format!("send: {e}"))?;
    let cap = MAX_HEAD_LEN + max_len;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        s.set_read_timeout(Some(left()?))
            .map_err(|e| e.to_string())?;
        let n = s.read(&mut chunk).map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                format!("timed out after {} ms", timeout.as_millis())
            }
            _ => format!("receive: {e}"),
        })?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if buf.len() > cap {
            return Err(format!("the answer exceeds {max_len} bytes"));
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut resp = httparse::Response::new(&mut headers);
    let head_len = match resp.parse(&buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Err("truncated HTTP answer".into()),
        Err(e) => return Err(format!("HTTP: {e}")),
    };
    if resp.code != Some(200) {
        return Err(format!("HTTP status {}", resp.code.unwrap_or(0)));
    }
    let header = |name: &str| {
        resp.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
    };
    if header("transfer-encoding").is_some() {
        return Err("transfer encodings are not accepted".into());
    }
    match header("content-type") {
        Some(t) if t == "application/ocsp-response" => {}
        other => return Err(format!("content type {other:?}")),
    }
    let body = buf.get(head_len..).unwrap_or_default();
    if body.len() > max_len {
        return Err(format!("the answer exceeds {max_len} bytes"));
    }
    if let Some(cl) = header("content-length") {
        let cl: usize = cl.parse().map_err(|_| "bad Content-Length".to_string())?;
        if cl != body.len() {
            return Err(format!(
                "Content-Length {cl} but {} bytes received",
                body.len()
            ));
        }
    }
    Ok(body.to_vec())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use rsa::pkcs8::DecodePrivateKey;

    fn vector(path: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../test-vectors/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn time(unix: u64) -> GeneralizedTime {
        GeneralizedTime::from_unix_duration(Duration::from_secs(unix)).unwrap()
    }

    /// A response the TEST signing root (the CA itself, responderID by name) signs over
    /// `data`, for the answer to `req`.
    fn signed(data: &ResponseData) -> Vec<u8> {
        let key =
            rsa::RsaPrivateKey::from_pkcs8_der(&vector("pki/jpki-test-sign-root.pk8")).unwrap();
        let tbs = data.to_der().unwrap();
        let di = digest_info(HashAlgorithm::Sha256, &HashAlgorithm::Sha256.digest(&tbs));
        let sig = key.sign(rsa::Pkcs1v15Sign::new_unprefixed(), &di).unwrap();
        let basic = BasicOcspResponse {
            tbs_response_data: data.clone(),
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: oid("1.2.840.113549.1.1.11").unwrap(),
                parameters: Some(der::Any::from(Null)),
            },
            signature: der::asn1::BitString::from_bytes(&sig).unwrap(),
            certs: None,
        };
        OcspResponse {
            response_status: ResponseStatus::Successful,
            response_bytes: Some(ResponseBytes {
                response_type: oid(OCSP_BASIC).unwrap(),
                response: OctetString::new(basic.to_der().unwrap()).unwrap(),
            }),
        }
        .to_der()
        .unwrap()
    }

    fn ext(id: &str, critical: bool, value: Vec<u8>) -> Extension {
        Extension {
            extn_id: oid(id).unwrap(),
            critical,
            extn_value: OctetString::new(value).unwrap(),
        }
    }

    /// Cases `openssl ocsp` does not produce: critical extensions, two answers for one
    /// certificate, a revocation after the time checked. The good baseline shows the
    /// hand-built response passes every other check.
    #[test]
    fn hand_built_responses() {
        let root = vector("pki/jpki-test-sign-root.der");
        let taro = JpkiCertificate::parse(&vector("cards/taro/sign-cert.der")).unwrap();
        let client = OcspClient::new("http://127.0.0.1:9/", &root).unwrap();
        let req = client.prepare(&taro).unwrap();
        let nonce_value = OctetString::new(req.nonce.clone().unwrap())
            .unwrap()
            .to_der()
            .unwrap();
        let at = 1_796_083_200; // 2026-12-01T00:00:00Z
        let name = Certificate::from_der(&root)
            .unwrap()
            .tbs_certificate()
            .subject()
            .clone();
        let single = |status: CertStatus| SingleResponse {
            cert_id: req.cert_id.clone(),
            cert_status: status,
            this_update: time(at - 60),
            next_update: Some(time(at + 3600)),
            single_extensions: None,
        };
        let data = |responses: Vec<SingleResponse>, extra: Vec<Extension>| ResponseData {
            version: None,
            responder_id: ResponderId::ByName(name.clone()),
            produced_at: time(at - 60),
            responses,
            response_extensions: Some(
                [vec![ext(OCSP_NONCE, false, nonce_value.clone())], extra].concat(),
            ),
        };
        let good = CertStatus::Good(Null);
        let status = |d: &ResponseData| client.evaluate(&req, &signed(d), at);
        assert!(matches!(
            status(&data(vec![single(good.clone())], vec![])),
            RevocationStatus::Good { .. }
        ));
        // An unknown extension: ignored when not critical, refused when critical (in the
        // response and in the single answer).
        let unknown = || ext("1.2.3.4", true, vec![0x05, 0x00]);
        let mut benign = unknown();
        benign.critical = false;
        assert!(matches!(
            status(&data(vec![single(good.clone())], vec![benign])),
            RevocationStatus::Good { .. }
        ));
        let reason = |s: RevocationStatus| match s {
            RevocationStatus::NotChecked { reason } => reason,
            other => panic!("{other:?}"),
        };
        assert!(
            reason(status(&data(vec![single(good.clone())], vec![unknown()])))
                .contains("unknown critical extension 1.2.3.4")
        );
        let mut with_ext = single(good.clone());
        with_ext.single_extensions = Some(vec![unknown()]);
        assert!(reason(status(&data(vec![with_ext], vec![]))).contains("critical"));
        // Two answers for the certificate (say, good and revoked): refused.
        let revoked = |when: u64| {
            CertStatus::Revoked(RevokedInfo {
                revocation_time: time(when),
                revocation_reason: None,
            })
        };
        assert!(
            reason(status(&data(
                vec![single(good.clone()), single(revoked(at - 3600))],
                vec![]
            )))
            .contains("more than one answer")
        );
        // Revoked before the time checked: revoked; after it: not checked (never good).
        assert!(matches!(
            status(&data(vec![single(revoked(at - 3600))], vec![])),
            RevocationStatus::Revoked { .. }
        ));
        assert!(
            reason(status(&data(vec![single(revoked(at + 10))], vec![])))
                .contains("after the time checked")
        );
        // An answer about another serial only.
        let mut other = single(good);
        other.cert_id.serial_number = Int::new(&[0x7F]).unwrap();
        assert!(reason(status(&data(vec![other], vec![]))).contains("no answer"));
    }

    #[test]
    fn urls() {
        assert_eq!(
            split_url("http://127.0.0.1:8888/ocsp").unwrap(),
            ("127.0.0.1".into(), 8888, "/ocsp".into())
        );
        assert_eq!(
            split_url("http://ocsp.example").unwrap(),
            ("ocsp.example".into(), 80, "/".into())
        );
        assert!(split_url("https://ocsp.example/").is_err());
        assert!(split_url("http://u@h/").is_err());
        assert!(split_url("http://h:99999/").is_err());
    }
}
