package xaccttest

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/xacct/xacct/internal/validate"
)

// accountRec is what the server knows of an account beyond its users and
// roles: what Organizations says of it. Empty fields take their defaults
// when answered, so that a later Load may still set them.
type accountRec struct {
	id, name, email, status, parent, joinedMethod string
	joined                                        time.Time // as a scenario says; zero: loaded
	loaded                                        time.Time // when a scenario first named the account, on the Clock
}

// orgRec is the organization, compiled.
type orgRec struct {
	id, management, rootID string
	units                  map[string]*unitRec // by ID
	// children are the OUs in each root or OU, by its ID, sorted by ID,
	// as ListOrganizationalUnitsForParent answers them.
	children map[string][]*unitRec
}

type unitRec struct{ id, name, parent string }

// Organizations' ID patterns, compiled when a scenario first needs them:
// the xacct command links this package, and starts on every call.
var (
	orgIDPattern  = lazyRegexp(`^o-[a-z0-9]{10,32}$`)
	rootIDPattern = lazyRegexp(`^r-[0-9a-z]{4,32}$`)
	unitIDPattern = lazyRegexp(`^ou-([0-9a-z]{4,32})-[a-z0-9]{8,32}$`)
)

// lazyRegexp returns expr, compiled on the first call.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// Organizations' limits on account names and emails.
const (
	maxAccountNameChars  = 50
	maxAccountEmailChars = 64
	maxUnitNameChars     = 128
)

// compileOrganization checks an organization and fills in derived IDs.
func compileOrganization(o *Organization) (*orgRec, error) {
	if !validate.IsAccountID(o.ManagementAccount) {
		return nil, fmt.Errorf("organization: management_account %q: an account ID is 12 digits", clip(o.ManagementAccount))
	}
	rec := &orgRec{id: o.ID, management: o.ManagementAccount, rootID: o.RootID, units: map[string]*unitRec{},
		children: map[string][]*unitRec{}}
	derived := strings.ToLower(stableID("organization/" + o.ManagementAccount))
	if rec.id == "" {
		rec.id = "o-" + derived[:10]
	}
	if rec.rootID == "" {
		rec.rootID = "r-" + derived[10:14]
	}
	if !orgIDPattern().MatchString(rec.id) {
		return nil, fmt.Errorf("organization: id %q: an organization ID is o- and 10 to 32 lower-case letters or digits", clip(rec.id))
	}
	if !rootIDPattern().MatchString(rec.rootID) {
		return nil, fmt.Errorf("organization: root_id %q: a root ID is r- and 4 to 32 lower-case letters or digits",
			clip(rec.rootID))
	}
	rootSuffix := strings.TrimPrefix(rec.rootID, "r-")
	for _, id := range slices.Sorted(maps.Keys(o.Units)) {
		u := o.Units[id]
		m := unitIDPattern().FindStringSubmatch(id)
		if m == nil || m[1] != rootSuffix {
			return nil, fmt.Errorf("organization: units: ID %q: an OU ID is ou-%s- and 8 to 32 lower-case letters or digits "+
				"(ou-, the root ID's suffix, -, a suffix of its own)", clip(id), rootSuffix)
		}
		if u.Name == "" || len(u.Name) > maxUnitNameChars {
			return nil, fmt.Errorf("organization: units: %s: name %q: an OU's name has 1 to %d characters",
				id, clip(u.Name), maxUnitNameChars)
		}
		parent := u.Parent
		if parent == "" {
			parent = rec.rootID
		}
		rec.units[id] = &unitRec{id: id, name: u.Name, parent: parent}
		rec.children[parent] = append(rec.children[parent], rec.units[id]) // in the order of IDs
	}
	for _, u := range rec.units {
		// Every chain of parents ends at the root: no unknown parent, no cycle.
		seen := map[string]bool{}
		for p := u.parent; p != rec.rootID; p = rec.units[p].parent {
			if rec.units[p] == nil || seen[p] {
				return nil, fmt.Errorf("organization: units: %s: parent %q: want the root (%s) or another OU, "+
					"and no OU may be its own ancestor", u.id, clip(u.parent), rec.rootID)
			}
			seen[p] = true
		}
	}
	return rec, nil
}

// compileAccount checks what a scenario says of an account for Organizations.
func compileAccount(id string, a Account, now time.Time) (*accountRec, error) {
	where := "account " + id
	switch a.Status {
	case "", "ACTIVE", "SUSPENDED", "PENDING_CLOSURE":
	default:
		return nil, fmt.Errorf("%s: status %q: want ACTIVE, SUSPENDED or PENDING_CLOSURE", where, clip(a.Status))
	}
	switch a.JoinedMethod {
	case "", "CREATED", "INVITED":
	default:
		return nil, fmt.Errorf("%s: joined_method %q: want CREATED or INVITED", where, clip(a.JoinedMethod))
	}
	if len(a.Name) > maxAccountNameChars {
		return nil, fmt.Errorf("%s: name %q: an account name has 1 to %d characters", where, clip(a.Name), maxAccountNameChars)
	}
	if a.Email != "" && (len(a.Email) > maxAccountEmailChars || !strings.Contains(a.Email, "@")) {
		return nil, fmt.Errorf("%s: email %q: want an address of at most %d characters", where, clip(a.Email), maxAccountEmailChars)
	}
	return &accountRec{id: id, name: a.Name, email: a.Email, status: a.Status, parent: a.Parent,
		joinedMethod: a.JoinedMethod, joined: a.Joined.UTC(), loaded: now.UTC()}, nil
}

// merge adds what next says of the account to rec, refusing a field said
// twice differently.
func (rec *accountRec) merge(next *accountRec) error {
	for _, f := range []struct {
		name      string
		have, set *string
	}{
		{"name", &rec.name, &next.name}, {"email", &rec.email, &next.email}, {"status", &rec.status, &next.status},
		{"parent", &rec.parent, &next.parent}, {"joined_method", &rec.joinedMethod, &next.joinedMethod},
	} {
		if *f.set == "" {
			continue
		}
		if *f.have != "" && *f.have != *f.set {
			return fmt.Errorf("account %s: %s %q, but an earlier scenario said %q", rec.id, f.name, clip(*f.set), clip(*f.have))
		}
		*f.have = *f.set
	}
	if !next.joined.IsZero() {
		if !rec.joined.IsZero() && !rec.joined.Equal(next.joined) {
			return fmt.Errorf("account %s: joined %s, but an earlier scenario said %s", rec.id,
				next.joined.Format(time.RFC3339Nano), rec.joined.Format(time.RFC3339Nano))
		}
		rec.joined = next.joined
	}
	return nil
}

// account fields with their defaults applied.
func (rec *accountRec) displayName() string { return orDefault(rec.name, rec.id) }
func (rec *accountRec) displayEmail() string {
	return orDefault(rec.email, "aws+"+rec.id+"@example.com")
}
func (rec *accountRec) displayStatus() string { return orDefault(rec.status, "ACTIVE") }
func (rec *accountRec) displayJoinedMethod() string {
	return orDefault(rec.joinedMethod, "CREATED")
}
func (rec *accountRec) displayJoined() time.Time {
	if rec.joined.IsZero() {
		return rec.loaded
	}
	return rec.joined
}

// parentIn returns the account's parent: the root when none is set.
func (rec *accountRec) parentIn(org *orgRec) string { return orDefault(rec.parent, org.rootID) }

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// isParent reports whether id is the root or an OU of org.
func (org *orgRec) isParent(id string) bool { return id == org.rootID || org.units[id] != nil }
