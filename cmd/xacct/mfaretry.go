package main

// A refused MFA code at a terminal: a typo, or a code the last command
// used (STS takes each code once). The person is asked again, up to
// maxCodeTries codes in all, and a code typed again is not sent again.
// Without a terminal (a token command, no code at all), a refusal fails
// the command as before: nobody is there to type another.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/xacct/xacct"
)

// maxCodeTries is how many codes a person may type for one command.
const maxCodeTries = 3

// codeTries remembers the codes typed at the terminal in one command.
type codeTries struct {
	mu    sync.Mutex // guards sent, fresh
	sent  map[string]bool
	fresh bool // a code was sent since the last attempt began
	out   io.Writer
}

// wrap returns ask, which asks the person, made to refuse a code already
// sent (and to ask again, saying why) and to remember the codes it gives.
func (c *codeTries) wrap(ask xacct.TokenFunc) xacct.TokenFunc {
	return func(ctx context.Context, req xacct.TokenRequest) (string, error) {
		for {
			code, err := ask(ctx, req)
			if err != nil {
				return "", err
			}
			c.mu.Lock()
			again := c.sent[code]
			if !again {
				c.sent[code] = true
				c.fresh = true
			}
			c.mu.Unlock()
			if !again {
				return code, nil
			}
			fmt.Fprintln(c.out, "xacct: that code was refused already: wait for the next one")
		}
	}
}

// begin starts an attempt.
func (c *codeTries) begin() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fresh = false
}

// refused reports whether err is STS refusing a code typed in this
// attempt: AccessDenied on a fetch that sent a code. (An AccessDenied of
// a trust policy looks the same; asking again then costs the person a
// code, and the third refusal ends the command with STS's hint.)
func (c *codeTries) refused(err error) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ee *exitError
	return c.fresh && errorCode(err) == "AccessDenied" && !errors.As(err, &ee) && !errors.Is(err, errMFA)
}
