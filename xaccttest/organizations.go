package xaccttest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xacct/xacct/xaccttest/internal/policy"
)

// The fake answers a part of the AWS Organizations API on the same
// endpoint as STS, in its protocol (JSON 1.1: POST /, X-Amz-Target
// AWSOrganizationsV20161128.<Operation>, SigV4 for service organizations):
// enough for a client to walk an organization's accounts, root and OUs.
const orgTargetPrefix = "AWSOrganizationsV20161128."

// orgOperations are the operations the fake answers.
var orgOperations = []string{"ListAccounts", "ListAccountsForParent", "ListOrganizationalUnitsForParent", "ListRoots"}

// Organizations' page sizes: MaxResults is 1 to 20, 20 when absent.
const (
	minOrgPage     = 1
	maxOrgPage     = 20
	defaultOrgPage = 20
)

// Errors of Organizations', with its codes and messages; all are HTTP 400.
var (
	errOrgNotInUse = &apiError{status: http.StatusBadRequest, code: "AWSOrganizationsNotInUseException",
		message: "Your account is not a member of an organization."}
	errOrgAccessDenied = &apiError{status: http.StatusBadRequest, code: "AccessDeniedException",
		message: "You don't have permissions to access this resource."}
	errParentNotFound = &apiError{status: http.StatusBadRequest, code: "ParentNotFoundException",
		message: "We can't find a root or OU with the ParentId that you specified."}
	errOrgThrottled = &apiError{status: http.StatusBadRequest, code: "TooManyRequestsException",
		message: "You have sent too many requests in too short a period of time. The quota helps protect against " +
			"denial-of-service attacks. Try again later.", fields: map[string]string{"Type": "Throttling"}}
)

// invalidInput is Organizations' InvalidInputException with its Reason.
func invalidInput(reason, message string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "InvalidInputException", message: message,
		fields: map[string]string{"Reason": reason}}
}

// orgInput is the request body of the operations the fake answers.
type orgInput struct {
	ParentID   *string `json:"ParentId"`
	MaxResults *int    `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

// serveOrganizations answers one Organizations call: it authenticates the
// caller, who must be in the management account with an identity policy
// allowing the operation, then answers a page.
func (s *Server) serveOrganizations(w http.ResponseWriter, r *http.Request, body []byte, auth sigV4, call *Call) (any, *apiError) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), orgTargetPrefix)
	if !ok || !slices.Contains(orgOperations, op) {
		return nil, &apiError{status: http.StatusBadRequest, code: "UnknownOperationException",
			message: fmt.Sprintf("xaccttest answers the Organizations operations %s", strings.Join(orgOperations, ", "))}
	}
	call.Action = op
	if serr := s.applyFaults(w, r, call); serr != nil {
		return nil, serr
	}
	id, serr := s.authenticate(r, body, auth, "organizations")
	if serr != nil {
		return nil, serr
	}
	call.Caller = id.arn
	if serr := s.throttled(id.account, errOrgThrottled); serr != nil {
		return nil, serr
	}
	var in orgInput
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, &apiError{status: http.StatusBadRequest, code: "SerializationException",
				message: "The request body is not a JSON object of the operation's input"}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org := s.org
	if org == nil {
		return nil, withReason(errOrgNotInUse, "the scenario has no organization")
	}
	parent := ""
	if in.ParentID != nil {
		parent = *in.ParentID
	}
	if serr := authorizeOrg(id, org, op, parent); serr != nil {
		return nil, serr
	}
	if op != "ListAccounts" && op != "ListRoots" && !org.isParent(parent) {
		return nil, withReason(errParentNotFound, "%q is neither the root %s nor an OU", clip(parent), org.rootID)
	}
	return s.orgPage(org, op, parent, in)
}

// authorizeOrg lets the management account's principals whose identity
// policies (and session policy) allow the operation on its resource: the
// parent for the ...ForParent operations, "*" for the others, which
// support no resource-level permissions.
func authorizeOrg(id *identity, org *orgRec, op, parent string) *apiError {
	if id.account != org.management {
		return withReason(errOrgAccessDenied, "account %s is a member, not the management account %s",
			id.account, org.management)
	}
	req := policy.Request{Action: "organizations:" + op, Resource: "*"}
	if strings.HasSuffix(op, "ForParent") {
		req.Resource = org.parentARN(parent)
	}
	if why := id.allows(req, true); why != "" {
		return withReason(errOrgAccessDenied, "%s on %s: %s", req.Action, req.Resource, why)
	}
	return nil
}

// orgPage answers one page of an operation. s.mu must be held.
func (s *Server) orgPage(org *orgRec, op, parent string, in orgInput) (any, *apiError) {
	size := defaultOrgPage
	if in.MaxResults != nil {
		size = *in.MaxResults
	}
	switch {
	case size < minOrgPage:
		return nil, invalidInput("MIN_VALUE_EXCEEDED", "You provided a value that is less than the minimum allowed value.")
	case size > maxOrgPage:
		return nil, invalidInput("MAX_VALUE_EXCEEDED", "You provided a value that exceeds the maximum allowed value.")
	}
	start := 0
	if in.NextToken != nil {
		var ok bool
		if start, ok = readPageToken(*in.NextToken, op, parent); !ok {
			return nil, invalidInput("INVALID_PAGINATION_TOKEN", "You specified an invalid value for nextToken. "+
				"You must get the value from the response to a previous call to the API.")
		}
	}
	var items []any
	var end int
	var more bool
	switch op {
	case "ListRoots":
		root := orgRoot{ARN: org.parentARN(org.rootID), ID: org.rootID, Name: "Root", PolicyTypes: []any{}}
		items, end, more = pageOf([]orgRoot{root}, start, size, func(r orgRoot) any { return r })
	case "ListOrganizationalUnitsForParent":
		items, end, more = pageOf(org.children[parent], start, size, func(u *unitRec) any {
			return orgUnit{ARN: org.parentARN(u.id), ID: u.id, Name: u.name}
		})
	case "ListAccounts", "ListAccountsForParent":
		members := parent
		if op == "ListAccounts" {
			members = "" // all of them
		}
		items, end, more = pageOf(s.orgAccounts()[members], start, size, func(a *accountRec) any { return org.accountJSON(a) })
	}
	page := map[string]any{orgListKeys[op]: items}
	if more {
		page["NextToken"] = pageToken(op, parent, end)
	}
	return page, nil
}

// pageOf returns the JSON of at most size items of list from start (or
// none, past its end), converting only those; where the next page starts;
// and whether list has more.
func pageOf[T any](list []T, start, size int, toJSON func(T) any) (items []any, end int, more bool) {
	start = min(start, len(list))
	end = min(start+size, len(list))
	items = make([]any, 0, end-start)
	for _, v := range list[start:end] {
		items = append(items, toJSON(v))
	}
	return items, end, end < len(list)
}

// orgListKeys name the list in each operation's answer.
var orgListKeys = map[string]string{
	"ListAccounts": "Accounts", "ListAccountsForParent": "Accounts",
	"ListOrganizationalUnitsForParent": "OrganizationalUnits", "ListRoots": "Roots",
}

// orgAccounts returns the members by parent ("" for all), sorted by ID,
// indexing them on first use after a Load. s.mu must be held.
func (s *Server) orgAccounts() map[string][]*accountRec {
	if s.orgIndex != nil {
		return s.orgIndex
	}
	ids := make([]string, 0, len(s.accounts))
	for id := range s.accounts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	s.orgIndex = map[string][]*accountRec{}
	for _, id := range ids {
		a := s.accounts[id]
		p := a.parentIn(s.org)
		s.orgIndex[""] = append(s.orgIndex[""], a)
		s.orgIndex[p] = append(s.orgIndex[p], a)
	}
	return s.orgIndex
}

// pageToken and readPageToken make and read NextToken: the operation, the
// parent and where the next page starts. A token of another request is
// refused, as Organizations refuses it.
func pageToken(op, parent string, next int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(op + "|" + parent + "|" + strconv.Itoa(next)))
}

func readPageToken(token, op, parent string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, false
	}
	f := strings.Split(string(b), "|")
	if len(f) != 3 || f[0] != op || f[1] != parent {
		return 0, false
	}
	n, err := strconv.Atoi(f[2])
	return n, err == nil && n > 0
}

// JSON shapes of Organizations' answers.
type (
	orgAccount struct {
		ARN             string  `json:"Arn"`
		Email           string  `json:"Email"`
		ID              string  `json:"Id"`
		JoinedMethod    string  `json:"JoinedMethod"`
		JoinedTimestamp float64 `json:"JoinedTimestamp"` // seconds since the epoch
		Name            string  `json:"Name"`
		State           string  `json:"State"`
		Status          string  `json:"Status"`
	}
	orgRoot struct {
		ARN         string `json:"Arn"`
		ID          string `json:"Id"`
		Name        string `json:"Name"`
		PolicyTypes []any  `json:"PolicyTypes"`
	}
	orgUnit struct {
		ARN  string `json:"Arn"`
		ID   string `json:"Id"`
		Name string `json:"Name"`
	}
)

func (org *orgRec) accountJSON(a *accountRec) orgAccount {
	return orgAccount{
		ARN:   fmt.Sprintf("arn:aws:organizations::%s:account/%s/%s", org.management, org.id, a.id),
		Email: a.displayEmail(), ID: a.id, JoinedMethod: a.displayJoinedMethod(),
		JoinedTimestamp: orgTime(a.displayJoined()), Name: a.displayName(),
		State: a.displayStatus(), Status: a.displayStatus(),
	}
}

// parentARN is the ARN of the root or an OU.
func (org *orgRec) parentARN(id string) string {
	kind := "ou"
	if id == org.rootID {
		kind = "root"
	}
	return fmt.Sprintf("arn:aws:organizations::%s:%s/%s/%s", org.management, kind, org.id, id)
}

// writeOrgAnswer writes an answer in the JSON 1.1 protocol.
func writeOrgAnswer(w http.ResponseWriter, v any, reqID string) {
	w.Header().Set("X-Amzn-RequestId", reqID)
	writeJSONAs(w, http.StatusOK, "application/x-amz-json-1.1", v)
}

// writeOrgError writes an error in the JSON 1.1 protocol: __type names it.
func writeOrgError(w http.ResponseWriter, e *apiError, reqID string) {
	body := map[string]string{"__type": e.code, "Message": e.message}
	for k, v := range e.fields {
		body[k] = v
	}
	w.Header().Set("X-Amzn-RequestId", reqID)
	w.Header().Set("X-Amzn-ErrorType", e.code)
	writeJSONAs(w, e.status, "application/x-amz-json-1.1", body)
}

// orgTime is a unix time as Organizations' answers carry it.
func orgTime(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
