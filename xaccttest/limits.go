package xaccttest

import (
	"time"

	"github.com/xacct/xacct/internal/validate"
)

// STS's and IAM's limits, each named once, as the STS API reference gives
// them. Lengths are in bytes, as STS counts them. Those that xacct checks
// before calling STS are package validate's, so that the client's checks
// and the fake's cannot drift apart.
const (
	// minSessionSeconds is the shortest session STS issues (15 minutes).
	minSessionSeconds = int(validate.MinDuration / time.Second)
	// defaultRoleSessionSeconds is AssumeRole's duration without
	// DurationSeconds, and a role's MaxSessionDuration when none is set.
	defaultRoleSessionSeconds = 3600
	// maxRoleSessionSeconds is the longest MaxSessionDuration IAM allows (12h).
	maxRoleSessionSeconds = int(validate.MaxDuration / time.Second)
	// maxChainedSessionSeconds caps role chaining: AssumeRole with temporary
	// credentials (a role session or a GetSessionToken session) gets 1h at most.
	maxChainedSessionSeconds = int(validate.MaxChainingDuration / time.Second)
	// defaultSessionTokenSeconds is GetSessionToken's duration without
	// DurationSeconds (12h).
	defaultSessionTokenSeconds = 43200
	// maxSessionTokenSeconds is GetSessionToken's longest session (36h).
	maxSessionTokenSeconds = 129600

	// maxPolicyChars bounds an inline session policy as sent, before packing.
	maxPolicyChars = validate.MaxPolicyChars
	// maxSessionTags bounds the session tags of one call.
	maxSessionTags = validate.MaxTags
	// maxTransitiveTagKeys bounds TransitiveTagKeys: as many as tags.
	maxTransitiveTagKeys = validate.MaxTags
	// maxPolicyARNs bounds the managed session policies of one call.
	maxPolicyARNs = validate.MaxPolicyARNs
	// Tag keys are 1 to 128 characters, values at most 256.
	minTagKeyChars, maxTagKeyChars = validate.MinTagKeyChars, validate.MaxTagKeyChars
	maxTagValueChars               = validate.MaxTagValueChars

	// Lengths of the string parameters STS checks.
	minRoleARNChars, maxRoleARNChars               = 20, 2048
	minSessionNameChars, maxSessionNameChars       = validate.MinSessionNameChars, validate.MaxSessionNameChars
	minExternalIDChars, maxExternalIDChars         = validate.MinExternalIDChars, validate.MaxExternalIDChars
	minSerialChars, maxSerialChars                 = validate.MinSerialChars, validate.MaxSerialChars
	minSourceIdentityChars, maxSourceIdentityChars = validate.MinSourceIdentityChars, validate.MaxSourceIdentityChars
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
