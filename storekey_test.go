package xacct

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/storekey"
)

// assumeRoleKeyV2 is the key of sessionKey{Kind: "assume-role", RoleARN:
// roleB} as the scheme made it before KindSSORole: entries of the store
// stay found.
const assumeRoleKeyV2 = "762aec9a93a697c948e3a67fff5ddb4e6f99c3c3b0f3ab884ec0ddce56df9bf4"

// Every input of a store key decides it: changing any one alone, the
// run-time requester included, gives another key.
func TestSessionKeyCoversEveryInput(t *testing.T) {
	t.Parallel()
	base := sessionKey{Kind: "assume-role", Endpoint: "https://sts.us-east-1.amazonaws.com", Region: "us-east-1",
		Requester: fingerprint(aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: testSecret}),
		RoleARN:   roleB, SessionName: "s", ExternalID: "e", MFASerial: "m", DurationSeconds: 3600, Policy: "{}",
		PolicyARNs: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, Tags: []string{"a=b"},
		TransitiveTagKeys: []string{"a"}, SourceIdentity: "alice",
		SSO: storekey.SSORole{StartURL: "https://d-1234567890.awsapps.com/start", AccountID: "111111111111", RoleName: "Admin"}}
	seen := map[string]string{base.Key(): "base"}
	vary := func(k sessionKey, name string) {
		if prev, dup := seen[k.Key()]; dup {
			t.Errorf("changing %s alone gives the key of %s", name, prev)
		}
		seen[k.Key()] = name
		if !isKey(k.Key()) {
			t.Errorf("%s: %q is not a key", name, k.Key())
		}
	}
	v := reflect.ValueOf(&base).Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if v.Field(i).Kind() == reflect.Struct { // SSO: each of its fields alone
			for j := range v.Field(i).NumField() {
				k := base
				f := reflect.ValueOf(&k).Elem().Field(i).Field(j)
				f.SetString(f.String() + "x")
				vary(k, name+"."+v.Type().Field(i).Type.Field(j).Name)
			}
			continue
		}
		k := base
		f := reflect.ValueOf(&k).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(f.String() + "x")
		case reflect.Int32:
			f.SetInt(f.Int() + 1)
		case reflect.Slice:
			f.Set(reflect.Append(reflect.ValueOf([]string(nil)), reflect.ValueOf("x")))
		default:
			t.Fatalf("field %s of kind %s: teach this test to change it", name, f.Kind())
		}
		vary(k, name)
	}
	// The keys of the kinds before KindSSORole are as they were: an
	// assume-role session's key, computed as before SSO was added.
	if got := (sessionKey{Kind: "assume-role", RoleARN: roleB}).Key(); got != assumeRoleKeyV2 {
		t.Errorf("an assume-role key changed: %s, was %s", got, assumeRoleKeyV2)
	}
	if again := base; again.Key() != base.Key() {
		t.Error("one session has two keys")
	}
	creds := aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: testSecret, SessionToken: testToken}
	ids := map[string]string{fingerprint(creds): "base"}
	for name, c := range map[string]aws.Credentials{
		"access key ID": {AccessKeyID: "AKIAEXAMPLF", SecretAccessKey: testSecret, SessionToken: testToken},
		"secret":        {AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: testSecret + "x", SessionToken: testToken},
		"session token": {AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: testSecret, SessionToken: testToken + "x"},
		"boundaries":    {AccessKeyID: "AKIAEXAMPLE" + testSecret[:1], SecretAccessKey: testSecret[1:], SessionToken: testToken},
	} {
		if prev, dup := ids[fingerprint(c)]; dup {
			t.Errorf("changing the %s gives the identity of %s", name, prev)
		}
		ids[fingerprint(c)] = name
	}
}

// A tag's key and value are apart in the key: "=" may be in either, and
// {team=ops: x} gives other principal tags than {team: ops=x}.
func TestSessionKeyTellsTagsApart(t *testing.T) {
	t.Parallel()
	key := func(tags map[string]string) string {
		r := withDefaults(Role{ARN: roleB, SessionName: "ss", Tags: tags})
		if err := validateRole(r, false); err != nil {
			t.Fatal(err)
		}
		return sessionKey{Kind: "assume-role", RoleARN: r.ARN, Tags: tagList(assumeRoleInput(r).Tags)}.Key()
	}
	if key(map[string]string{"team=ops": "x"}) == key(map[string]string{"team": "ops=x"}) {
		t.Error("tags {team=ops: x} and {team: ops=x} share a key")
	}
}

// An entry dated in the future is damaged: it is not served, and
// Invalidate still forces a fetch.
func TestStoreEntryFromTheFutureIsAMiss(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	store := newStore(t)
	c := storedHop(t, f, store)
	keys, err := c.StoreKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	future := entryFor(f.clk.Now().Add(3 * time.Hour)) // fetched two hours from now
	store.Save(context.Background(), keys[0], future)
	creds, err := c.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID == future.Credentials.AccessKeyID {
		t.Fatalf("Retrieve = %s, %v; want new credentials, not the entry dated in the future", creds.AccessKeyID, err)
	}
	store.Save(context.Background(), keys[0], future)
	c.Invalidate()
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.callsFor(roleB); n != 2 {
		t.Errorf("%d AssumeRole calls; want 2: the first fetch and the one after Invalidate", n)
	}
}
