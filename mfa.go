package xacct

import (
	"context"
	"errors"
	"fmt"
)

// TokenFunc supplies an MFA token code. It must return when ctx ends: xacct
// bounds every call with Options.MFATimeout, and a caller that gives up
// cancels the prompt it was waiting for.
type TokenFunc func(ctx context.Context, req TokenRequest) (string, error)

// TokenRequest says who asks for an MFA code.
type TokenRequest struct {
	SerialNumber string // the MFA device
	RoleARN      string // the role being assumed; empty for an MFA session
	Hop          int    // the hop's position in its chain; 0 for an MFA session
}

// tokenCode asks o.MFA for a code under o.MFATimeout and checks its shape.
// The code itself never appears in an error.
func tokenCode(ctx context.Context, o Options, req TokenRequest) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, o.MFATimeout)
	defer cancel()
	code, err := o.MFA(ctx, req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return "", fmt.Errorf("MFA code for %s: no answer within %v (Options.MFATimeout): %w", req.SerialNumber, o.MFATimeout, err)
		}
		return "", fmt.Errorf("MFA code for %s: %w", req.SerialNumber, err)
	}
	if !isSixDigits(code) {
		return "", fmt.Errorf("MFA code for %s: the TokenFunc returned %d characters, but an MFA code is exactly six digits", req.SerialNumber, len(code))
	}
	return code, nil
}

func isSixDigits(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
