// Test helpers over the generated testkit bindings: the virtual card and the test trust anchors
// for the async MynaCard layer. Part of the MynaKitTestkit product only (tests; never in an app).

extension MynaCard {
    /// A `MynaCard` over a built-in virtual card (`taro`, `hanako`): test material only.
    public static func virtualCard(profile: String = "taro") throws -> MynaCard {
        MynaCard(session: try virtualCardSession(profile: profile))
    }
}

/// Checks `certificate`'s chain against the production roots and the test roots `policy`
/// accepts (the virtual card's, J-LIS test cards').
public func verifyChainWithTestRoots(
    _ certificate: Certificate, policy: TrustPolicy, atUnix: UInt64? = nil
) throws -> ChainVerification {
    try testTrustStore(policy: policy).verify(certificate: certificate, atUnix: atUnix)
}
