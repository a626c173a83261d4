package xaccttest

import (
	"fmt"
	"time"

	"github.com/xacct/xacct/internal/totp"
)

// device is a virtual MFA device.
type device struct {
	serial   string
	key      []byte
	lastStep int64 // the newest time step whose code was accepted; codes at or before it are spent
}

// totpSkewSteps is how many 30-second steps a code may be off, either way:
// STS accepts the previous and the next step's codes.
const totpSkewSteps = 1

// checkMFA verifies a TOTP code of the caller's own device and spends it.
// s.mu must be held.
func (s *Server) checkMFA(id *identity, serial, code string, now time.Time) *apiError {
	if serial == "" || code == "" {
		return withReason(errMFAParams, "SerialNumber and TokenCode go together")
	}
	d := s.devices[serial]
	if d == nil || id.user == nil || id.user.device != d {
		return withReason(errMFAParams, "MFA device %s is not the caller's (%s)", serial, id.arn)
	}
	step := totp.Step(now)
	for st := step - totpSkewSteps; st <= step+totpSkewSteps; st++ {
		if totp.Code(d.key, st) != code {
			continue
		}
		if st <= d.lastStep {
			return withReason(errMFACode, "the code of %s was used before", serial)
		}
		d.lastStep = st
		return nil
	}
	return withReason(errMFACode, "wrong code for %s at %s (one 30 s step of tolerance)", serial, now.Format(time.RFC3339))
}

// totp returns the first code of the device not yet spent, of the current
// step or the next (only the next when next is set). s.mu must be held.
func (s *Server) totp(serial string, next bool) (string, error) {
	d, ok := s.devices[serial]
	if !ok {
		return "", fmt.Errorf("xaccttest: no MFA device %q (a user's device is arn:aws:iam::<account>:mfa/<user>)", clip(serial))
	}
	step := totp.Step(s.Clock.Now())
	first := step
	if next {
		first = step + 1
	}
	for st := first; st <= step+totpSkewSteps; st++ {
		if st > d.lastStep {
			return totp.Code(d.key, st), nil
		}
	}
	return "", fmt.Errorf("xaccttest: the codes of %s for now were used: advance the Clock by %v", serial, totp.Period)
}
