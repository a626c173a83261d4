// Package awsprofile resolves an AWS profile's credential chain from the
// shared config files into plain data, with no network call: the profile
// chosen, the base credentials at the end of source_profile (their kind,
// the key that makes them so, what they are), the hops assumed on them in
// order (role, external ID, MFA device, duration, session name), how MFA
// codes are asked for, and notes on keys read differently from other
// tools. Every refusal is an *Error naming the profile, the key, the file
// and the line. It also builds the base's provider (Base.Provider).
//
// The AWS SDK parses the files and follows source_profile
// (config.LoadSharedConfigProfile); this package reads the chain it
// returns as one base and the hops on it, checks every hop with the
// caller's rules (Options.CheckRole), and explains the SDK's refusals by
// profile, key and file from an index of the files (internal/sharedini),
// never from the text of the SDK's errors.
package awsprofile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/sharedini"
)

// Options say what to resolve, and the caller's rules for it.
type Options struct {
	Profile          string   // the profile asked for; "": AWS_PROFILE, else "default"
	ConfigFiles      []string // nil: AWS_CONFIG_FILE, else ~/.aws/config
	CredentialsFiles []string // nil: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials

	// SessionDuration is an MFA session's length when its profile sets no
	// duration_seconds; MinSession and MaxSession are what GetSessionToken
	// takes.
	SessionDuration, MinSession, MaxSession time.Duration

	// MFASource says where MFA codes come from, for Chain.MFA.
	MFASource string

	// CheckRole fills in a role's defaults and checks it by STS's rules;
	// chaining: the role is assumed with a session's credentials. Its
	// error is a *validate.Error naming the Role field at fault.
	CheckRole func(r Role, chaining bool) (Role, error)

	// LastHopDuration, when not zero, is the length of the last hop's
	// session (the profile asked for, when it has role_arn), in place of
	// its duration_seconds.
	LastHopDuration time.Duration
}

// Chain is a resolved profile: its base, and the hops assumed on it. Its
// Base may hold secrets (static keys) that only Base.Provider reads: it is
// formatted without them.
type Chain struct {
	Profile  string
	ChosenBy string // "argument", "AWS_PROFILE", "AWS_DEFAULT_PROFILE" or "default"
	Files    sharedini.Files
	Region   string // the profile's region key; empty when it has none

	Base Base
	Hops []Hop // hop 1 first; empty when the profile is its base

	MFA   string   // the MFA strategy, in a sentence
	Notes []string // keys read differently from some other tool, or not used

	idx        *index
	opts       Options
	sameDevice map[string]string // for hop 1 (see Hop.SameDevice)
}

// Err is an error of key of profile, located in the chain's files.
func (c *Chain) Err(profile, key string, err error, hint string) *Error {
	return c.idx.err(profile, key, err, hint)
}

// Resolve resolves a profile into its chain, or fails with an *Error
// naming the profile, the key and the file.
func Resolve(ctx context.Context, o Options) (*Chain, error) {
	env, err := config.NewEnvConfig()
	if err != nil {
		return nil, fmt.Errorf("xacct: reading the AWS environment variables: %w", err)
	}
	name, chosen := profileName(o.Profile, env)
	files := sharedini.Find(o.ConfigFiles, o.CredentialsFiles, env)
	idx, bad := sharedini.ReadIndex(files)
	if bad != nil {
		return nil, &Error{Profile: name, File: bad.Path, Err: bad, Hint: sharedini.FileHint}
	}
	c := &Chain{Profile: name, ChosenBy: chosen, Files: files, idx: &index{idx}, opts: o}
	if chosen == "default" && (env.Credentials.HasKeys() || env.WebIdentityTokenFilePath != "") {
		return c, c.unnamed(env, false)
	}
	// The SDK opens the files by their paths again, after ReadIndex has
	// checked them: a file swapped for a FIFO in between is the user's own
	// doing (the SDK takes no contents instead of paths).
	sc, err := config.LoadSharedConfigProfile(ctx, name, func(lo *config.LoadSharedConfigOptions) {
		lo.ConfigFiles, lo.CredentialsFiles = files.Config, files.Credentials
	})
	var notExist config.SharedConfigProfileNotExistError
	switch {
	case err != nil && chosen == "default" && errors.As(err, &notExist):
		return c, c.unnamed(env, true)
	case err != nil:
		return nil, c.idx.diagnose(name, files, env, err)
	}
	if err := c.resolveLinks(&sc, env); err != nil {
		return nil, err
	}
	return c, nil
}

// resolveLinks reads the chain that the SDK has linked from profile sc:
// the base, then each hop in order.
func (c *Chain) resolveLinks(sc *config.SharedConfig, env config.EnvConfig) error {
	c.Region = sc.Region
	// The SDK links each profile to its source_profile: path[0] is the
	// profile asked for, the last one holds the base credentials. Every
	// profile but the last is a hop; the last may be one too (role_arn
	// with credential_source).
	var path []*config.SharedConfig
	for s := sc; s != nil; s = s.Source {
		path = append(path, s)
	}
	leaf := path[len(path)-1]
	leafIsHop, err := c.resolveBase(leaf, len(path) == 1, env)
	if err != nil {
		return err
	}
	var hops []*config.SharedConfig
	if leafIsHop {
		hops = append(hops, leaf)
	}
	for i := len(path) - 2; i >= 0; i-- {
		hops = append(hops, path[i])
	}
	if len(hops) > 0 && !leafIsHop {
		if err := c.shareMFA(hops[0]); err != nil {
			return err
		}
	}
	c.Base.at = c.idx.Key(c.Base.Profile, c.Base.Key)
	if c.Base.MFASerial != "" && c.Base.Session == 0 {
		c.Base.Session = c.opts.SessionDuration
	}
	for i, s := range hops {
		if err := c.addHop(s, i == 0 && c.Base.hop1Chaining() != ChainingYes); err != nil {
			return err
		}
	}
	c.finish()
	return nil
}

// unnamed makes the chain of a program that names no profile (neither
// the argument nor AWS_PROFILE) and has credentials in its environment, or
// no default profile: as in the AWS SDKs' default chain, the environment's
// keys, else its web identity (AWS_WEB_IDENTITY_TOKEN_FILE with
// AWS_ROLE_ARN), else the container's or the instance's credentials.
func (c *Chain) unnamed(env config.EnvConfig, noDefault bool) error {
	b := &c.Base
	*b = Base{Profile: c.Profile, env: env, sc: &config.SharedConfig{Profile: c.Profile}}
	switch {
	case env.Credentials.HasKeys():
		k := env.Credentials
		c.envBase(fmt.Sprintf("the environment's keys (access key %s)", lastFour(k.AccessKeyID)),
			fmt.Sprintf("the access key %s of the environment", lastFour(k.AccessKeyID)))
		b.Key = "AWS_ACCESS_KEY_ID"
		c.note("no profile named and AWS_ACCESS_KEY_ID set: as the AWS SDKs do, xacct uses the environment's keys")
	case env.WebIdentityTokenFilePath != "":
		if env.RoleARN == "" {
			return &Error{Profile: c.Profile, Key: "AWS_WEB_IDENTITY_TOKEN_FILE", Err: errors.New(
				"is set, but AWS_ROLE_ARN is not: a web identity token is exchanged for a role's credentials")}
		}
		b.sc.RoleARN, b.sc.RoleSessionName, b.sc.WebIdentityTokenFile = env.RoleARN, env.RoleSessionName,
			env.WebIdentityTokenFilePath
		if err := c.webIdentityBase(b.sc); err != nil {
			return err
		}
		b.Key = "AWS_WEB_IDENTITY_TOKEN_FILE"
		c.note("no profile named and AWS_WEB_IDENTITY_TOKEN_FILE set: as the AWS SDKs do, " +
			"xacct assumes AWS_ROLE_ARN with the environment's web identity")
	default:
		c.implicitBase(b.sc)
		if noDefault {
			c.note("no profile named, and the files have no default profile")
			if b.Kind == KindEC2Metadata {
				b.Hint = c.nothingFound()
			}
		}
	}
	c.finish()
	return nil
}

// nothingFound is the hint of a chain that reached the instance's role
// for want of anything else: what the SDKs look for first, where to put it.
func (c *Chain) nothingFound() string {
	where := "~/.aws/config"
	if len(c.Files.Config) > 0 {
		where = c.Files.Config[0]
	}
	return "no credentials were found before the instance's: name a profile (--profile, or AWS_PROFILE), " +
		"add a [default] profile to " + where + ", or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
}

// finish fills in what the chain shows once it is resolved: what the
// base is, and the MFA strategy.
func (c *Chain) finish() {
	c.Base.describe()
	c.MFA = c.mfaStrategy()
}

// mfaStrategy says, in a sentence, when a person is asked for a code.
func (c *Chain) mfaStrategy() string {
	var parts []string
	if b := c.Base; b.SharedMFA {
		parts = append(parts, fmt.Sprintf("an MFA session on %s (the mfa_serial of profile %s, shared by %s = shared "+
			"on profile %s): one code per %v session for every role on profile %s; the hops on it are role chaining, "+
			"one hour at most", b.MFASerial, c.Hops[0].Profile, MFASessionKey, b.Profile, b.Session, b.Profile))
	} else if b.MFASerial != "" {
		parts = append(parts, fmt.Sprintf("an MFA session on %s (mfa_serial on profile %s, which has keys "+
			"and no role_arn: aws-vault's convention): one code per %v session, however often the hops refresh; "+
			"the hops on it are role chaining, one hour at most", b.MFASerial, b.Profile, b.Session))
	}
	for i, h := range c.Hops {
		if h.Role.MFASerial != "" {
			parts = append(parts, fmt.Sprintf("mfa_serial on hop %d (profile %s): a code from %s "+
				"for each AssumeRole of that hop, once per its %v session", i+1, h.Profile, h.Role.MFASerial, h.Role.Duration))
		}
	}
	if len(parts) == 0 {
		return "none: no profile of the chain has mfa_serial"
	}
	return strings.Join(parts, "; ") + "; codes come from " + c.opts.MFASource
}

func (c *Chain) note(s string) { c.Notes = append(c.Notes, s) }

// profileName picks the profile: the argument, else AWS_PROFILE (or the
// SDK's older AWS_DEFAULT_PROFILE), else "default".
func profileName(profile string, env config.EnvConfig) (name, chosenBy string) {
	switch {
	case profile != "":
		return profile, "argument"
	case env.SharedConfigProfile != "":
		if v, ok := os.LookupEnv("AWS_PROFILE"); ok && v != "" {
			return env.SharedConfigProfile, "AWS_PROFILE"
		}
		return env.SharedConfigProfile, "AWS_DEFAULT_PROFILE"
	}
	return config.DefaultSharedConfigProfile, "default"
}
