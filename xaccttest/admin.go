package xaccttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// AdminPath is where the fake's own admin API lives, beside STS's: paths
// under it are never AWS calls and are not recorded. It serves
//
//	GET  /_xaccttest/clock                 the Clock's time
//	POST /_xaccttest/clock  advance=DUR    move the Clock by a Go duration (90s, -1h, 36h)
//	POST /_xaccttest/clock  set=RFC3339    move the Clock to a time
//
// each answered with JSON {"now": RFC 3339 time, "offset_seconds": seconds
// ahead of the real time, "real": whether the Clock follows the real time},
// and, for IAM Identity Center sign-ins (see IdentityCenter),
//
//	POST /_xaccttest/identity-center/approve  user_code=CODE [user=NAME]
//
// which approves the sign-in waiting with that user code (of the device
// code flow, or shown by the authorize page) as the user (default: the
// only one, or auto_approve_user), answered with {"approved": CODE}:
// curl -d user_code=CODE URL/_xaccttest/identity-center/approve.
// It lets a test in any language move the clock of `xacct fake-sts`, a
// process, past a TOTP step or a session's expiry. The form may come in the
// body (application/x-www-form-urlencoded) or the query string.
const AdminPath = "/_xaccttest/"

// clockState is the admin API's answer about the Clock.
type clockState struct {
	Now           string  `json:"now"`
	OffsetSeconds float64 `json:"offset_seconds"`
	Real          bool    `json:"real"`
}

// serveAdmin answers the admin API.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if strings.TrimPrefix(r.URL.Path, AdminPath) == "identity-center/approve" {
		s.serveApprove(w, r)
		return
	}
	if strings.TrimPrefix(r.URL.Path, AdminPath) != "clock" {
		adminError(w, http.StatusNotFound,
			fmt.Sprintf("no admin resource %q: the admin API has %sclock and %sidentity-center/approve",
				clip(r.URL.Path), AdminPath, AdminPath))
		return
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		if err := r.ParseForm(); err != nil {
			adminError(w, http.StatusBadRequest, fmt.Sprintf("reading the form: %v", err))
			return
		}
		if err := s.moveClock(r.Form.Get("advance"), r.Form.Get("set")); err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
	default:
		adminError(w, http.StatusMethodNotAllowed, "GET reads the clock, POST moves it")
		return
	}
	writeJSON(w, http.StatusOK, clockState{
		Now: s.Clock.Now().UTC().Format(time.RFC3339Nano), OffsetSeconds: s.Clock.Offset().Seconds(), Real: s.Clock.Real(),
	})
}

// moveClock applies advance (a duration) or set (an RFC 3339 time).
func (s *Server) moveClock(advance, set string) error {
	switch {
	case advance != "" && set != "":
		return fmt.Errorf("advance and set both given: give one")
	case advance != "":
		d, err := time.ParseDuration(advance)
		if err != nil {
			return fmt.Errorf("advance %q: want a Go duration such as 90s, 15m or -1h", clip(advance))
		}
		s.Clock.Advance(d)
	case set != "":
		t, err := time.Parse(time.RFC3339, set)
		if err != nil {
			return fmt.Errorf("set %q: want an RFC 3339 time such as 2026-01-02T15:04:05Z", clip(set))
		}
		s.Clock.Set(t)
	default:
		return fmt.Errorf("POST takes advance=DURATION or set=RFC3339-TIME")
	}
	return nil
}

func adminError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": "xaccttest: " + msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONAs(w, status, "application/json", v)
}

func writeJSONAs(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "xaccttest: encoding the answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
