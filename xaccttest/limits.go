package xaccttest

// STS's and IAM's limits, each named once, as the STS API reference gives
// them. Lengths are in bytes, as STS counts them.
const (
	// minSessionSeconds is the shortest session STS issues (15 minutes).
	minSessionSeconds = 900
	// defaultRoleSessionSeconds is AssumeRole's duration without
	// DurationSeconds, and a role's MaxSessionDuration when none is set.
	defaultRoleSessionSeconds = 3600
	// maxRoleSessionSeconds is the longest MaxSessionDuration IAM allows (12h).
	maxRoleSessionSeconds = 43200
	// maxChainedSessionSeconds caps role chaining: AssumeRole with temporary
	// credentials (a role session or a GetSessionToken session) gets 1h at most.
	maxChainedSessionSeconds = 3600
	// defaultSessionTokenSeconds is GetSessionToken's duration without
	// DurationSeconds (12h).
	defaultSessionTokenSeconds = 43200
	// maxSessionTokenSeconds is GetSessionToken's longest session (36h).
	maxSessionTokenSeconds = 129600

	// maxPolicyChars bounds an inline session policy as sent, before packing.
	maxPolicyChars = 2048
	// maxSessionTags bounds the session tags of one call.
	maxSessionTags = 50
	// maxTransitiveTagKeys bounds TransitiveTagKeys.
	maxTransitiveTagKeys = 50
	// maxPolicyARNs bounds the managed session policies of one call.
	maxPolicyARNs = 10
	// Tag keys are 1 to 128 characters, values at most 256.
	minTagKeyChars, maxTagKeyChars = 1, 128
	maxTagValueChars               = 256

	// Lengths of the string parameters STS checks.
	minRoleARNChars, maxRoleARNChars               = 20, 2048
	minSessionNameChars, maxSessionNameChars       = 2, 64
	minExternalIDChars, maxExternalIDChars         = 2, 1224
	minSerialChars, maxSerialChars                 = 9, 256
	minSourceIdentityChars, maxSourceIdentityChars = 2, 64
	minWebTokenChars, maxWebTokenChars             = 4, 20000
	minProviderIDChars, maxProviderIDChars         = 4, 2048

	// Access key IDs are 16 to 128 letters and digits.
	minAccessKeyChars, maxAccessKeyChars = 16, 128

	// maxClientIDChars bounds an OIDC provider's client ID (audience).
	maxClientIDChars = 255

	// maxRolePathChars bounds an IAM path such as /service/.
	maxRolePathChars = 512

	// packedPolicyDivisor turns the bytes of a session policy and tags into
	// PackedPolicySize, a percentage of what STS accepts. The fake's packing
	// is a linear estimate (tags count packedTagBytes each); STS compresses.
	packedPolicyDivisor = 2048
	packedTagBytes      = 40
)
