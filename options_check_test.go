package xacct

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A field set for a function that cannot use it is an error naming the
// field, not ignored.
func TestOptionsAFunctionCannotUseAreRefused(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	role := Role{ARN: roleB}
	for _, tt := range []struct {
		name, field string
		build       func(func(*Options)) error
		set         func(*Options)
	}{
		{"AssumeRole refuses ConfigFiles", "ConfigFiles", func(o func(*Options)) error {
			_, err := AssumeRole(baseConfig(), role, withFake(f), o)
			return err
		}, func(o *Options) { o.ConfigFiles = []string{"config"} }},
		{"AssumeRole refuses SessionDuration", "SessionDuration", func(o func(*Options)) error {
			_, err := AssumeRole(baseConfig(), role, withFake(f), o)
			return err
		}, func(o *Options) { o.SessionDuration = time.Hour }},
		{"Chain refuses CredentialsFiles", "CredentialsFiles", func(o func(*Options)) error {
			_, err := Chain(baseConfig(), []Role{role}, withFake(f), o)
			return err
		}, func(o *Options) { o.CredentialsFiles = []string{} }},
		{"MFASession refuses ConfigFiles", "ConfigFiles", func(o func(*Options)) error {
			_, err := MFASession(staticConfig(), "arn:aws:iam::111111111111:mfa/alice", StaticToken("123456"), withFake(f), o)
			return err
		}, func(o *Options) { o.ConfigFiles = []string{} }},
		{"NewCache refuses Store", "Store", cacheRetrieve, func(o *Options) { o.Store = newStore(t) }},
		{"NewCache refuses MFA", "MFA", cacheRetrieve, func(o *Options) { o.MFA = StaticToken("123456") }},
		{"NewCache refuses NewSTSClient", "NewSTSClient", cacheRetrieve,
			withFake(f)},
		{"NewCache refuses SessionDuration", "SessionDuration", cacheRetrieve,
			func(o *Options) { o.SessionDuration = time.Hour }},
	} {
		err := tt.build(tt.set)
		if err == nil || !strings.Contains(err.Error(), "Options."+tt.field+" is set") {
			t.Errorf("%s: %v; want an error naming Options.%s", tt.name, err, tt.field)
		}
		if err := tt.build(func(*Options) {}); err != nil {
			t.Errorf("%s: without the field: %v", tt.name, err)
		}
	}
}

// cacheRetrieve is NewCache's part of the table: NewCache returns no error,
// so the first Retrieve gives it.
func cacheRetrieve(o func(*Options)) error {
	_, err := NewCache(staticConfig().Credentials, o).Retrieve(context.Background())
	return err
}
