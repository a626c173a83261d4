package main

// xacct sso profiles SESSION: the profiles of every account and role that
// the signed-in user of an sso-session can reach, printed as [profile …]
// blocks, or merged into the config file with --write.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/filestore"
	"github.com/xacct/xacct/internal/sharedini"
	"github.com/xacct/xacct/internal/ssocache"
	"github.com/xacct/xacct/internal/ssologin"
	"github.com/xacct/xacct/internal/ssoprofiles"
)

func init() {
	register(command{
		name:     "sso",
		summary:  "IAM Identity Center: profiles SESSION prints (or --write merges) a profile for every account and role",
		run:      runSSO,
		children: []string{"profiles"},
	})
}

const ssoUsage = `usage: xacct sso profiles SESSION [--template T] [--region R] [--write] [--cache-dir D]

Lists every account and role that the signed-in user of [sso-session SESSION]
can use (the AWS access portal's ListAccounts and ListAccountRoles, every
page) and prints a [profile …] block for each, ready for ~/.aws/config:

  [profile Prod-ReadOnly]
  sso_session = SESSION
  sso_account_id = 222222222222
  sso_role_name = ReadOnly
  region = us-east-1

--template names the profiles: {account_name}, {account_id}, {role_name}
and {session} are replaced, each value's characters other than letters,
digits and . _ + @ - by "-" (default: {account_name}-{role_name}); a
template that names two roles alike is refused. --region is the region of
the profiles (default: the session's sso_region).

It never changes a file, unless --write: then the blocks are merged into
the config file (AWS_CONFIG_FILE, else ~/.aws/config): a profile that the
file has already is left as it is and named on stderr, the others are
appended, and the file before is kept as FILE.bak-<UTC time>.

The session must be signed in (xacct login PROFILE, for a profile of it);
its token is refreshed when due, under the lock in --cache-dir.

Exit status: 0 success; 1 the portal or the file failed; 2 bad usage, an
unknown session, or no sign-in.

`

func runSSO(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "profiles":
			return runSSOProfiles(ctx, args[1:], stdout, stderr)
		case "-h", "-help", "--help":
			fmt.Fprint(stdout, ssoUsage)
			return 0
		}
		fmt.Fprintf(stderr, "xacct sso: unknown subcommand %q: profiles\n\n", args[0])
	}
	fmt.Fprint(stderr, ssoUsage)
	return exitConfig
}

// ssoProfilesFlags are the flags of sso profiles.
type ssoProfilesFlags struct {
	template, region, cacheDir string
	write                      bool
}

func runSSOProfiles(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "xacct sso profiles"
	var f ssoProfilesFlags
	fs := newFlagSet(name, stderr, ssoUsage)
	fs.StringVar(&f.template, "template", ssoprofiles.DefaultTemplate, "how profiles are named: {account_name}, "+
		"{account_id}, {role_name}, {session}")
	fs.StringVar(&f.region, "region", "", "the region of the profiles (default: the session's sso_region)")
	fs.BoolVar(&f.write, "write", false, "merge the profiles into the config file (AWS_CONFIG_FILE, else ~/.aws/config), "+
		"keeping a backup and every profile it has")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "the credential store's directory, where the token's refresh locks "+
		"(default: xacct in the user's cache directory)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	fail := func(err error) int {
		report(stderr, name, err)
		return exitCodeOf(ctx, err, nil)
	}
	if fs.NArg() != 1 {
		return fail(failf(exitConfig, "", "give one SESSION, the name of an [sso-session SESSION] section"))
	}
	session, files, err := ssoSession(fs.Arg(0))
	if err != nil {
		return fail(err)
	}
	roles, err := listRoles(ctx, session, files, f.cacheDir)
	if err != nil {
		return fail(err)
	}
	profiles, err := ssoprofiles.Name(roles, f.template, session.Name)
	if err != nil {
		return fail(&exitError{code: exitConfig, err: err})
	}
	region := f.region
	if region == "" {
		region = session.Region
	}
	if err := ssoprofiles.CheckRegion(region); err != nil {
		return fail(failf(exitConfig, "", "--region (else the session's sso_region): %v", err))
	}
	if f.write {
		return writeSSOProfiles(files.Config[0], profiles, session.Name, region, stdout, stderr)
	}
	out := &stdoutWriter{w: stdout}
	for i, p := range profiles {
		if i > 0 {
			fmt.Fprintln(out)
		}
		fmt.Fprint(out, ssoprofiles.Block(p, session.Name, region))
	}
	return stdoutFailed(stderr, name, out)
}

// ssoSession reads [sso-session name] of the user's config files.
func ssoSession(name string) (ssocache.Session, sharedini.Files, error) {
	env, err := config.NewEnvConfig()
	if err != nil {
		return ssocache.Session{}, sharedini.Files{}, &exitError{code: exitConfig, err: err}
	}
	files := sharedini.Find(nil, nil, env)
	x, ferr := sharedini.ReadIndex(files)
	if ferr != nil {
		return ssocache.Session{}, files, &exitError{code: exitConfig, err: ferr}
	}
	if !x.HasSession(name) {
		return ssocache.Session{}, files, failf(exitConfig, "", "no [sso-session %s] in %s", name, strings.Join(files.Config, " or "))
	}
	s := ssocache.Session{Name: name, StartURL: x.SessionKey(name, "sso_start_url").Value, Region: x.SessionKey(name, "sso_region").Value}
	if s.StartURL == "" || s.Region == "" {
		return s, files, failf(exitConfig, "", "[sso-session %s] needs sso_start_url and sso_region", name)
	}
	return s, files, nil
}

// listRoles lists the roles the session's user can use, on its token
// (refreshed when due, under the lock in storeDir).
func listRoles(ctx context.Context, s ssocache.Session, files sharedini.Files, storeDir string) ([]ssoprofiles.Role, error) {
	base := ssologin.SessionBase("", s, files.Config, files.Credentials)
	clients, err := base.NewClients(ctx, "", nil)
	if err != nil {
		return nil, &exitError{code: exitConfig, err: err}
	}
	locks, err := filestore.Open(storeDir)
	if err != nil {
		return nil, storeUnavailable(err)
	}
	tokens, err := ssocache.New("", locks, clients.OIDC, nil)
	if err != nil {
		return nil, err
	}
	t, err := tokens.Token(ctx, s)
	var need *ssocache.NeedLoginError
	if errors.As(err, &need) {
		return nil, failf(exitConfig, "run xacct login PROFILE, for a profile with sso_session = "+s.Name, "%s", need.Why)
	}
	if err != nil {
		return nil, err
	}
	roles, err := ssoprofiles.List(ctx, clients.Portal, t.AccessToken)
	switch code := errorCode(err); {
	case err == nil:
		return roles, nil
	case code == "UnauthorizedException":
		return nil, failf(exitConfig, "run xacct login PROFILE, for a profile with sso_session = "+s.Name,
			"the AWS access portal refused the token of sso-session %s (expired or signed out)", s.Name)
	case code != "?":
		return nil, fmt.Errorf("sso-session %s: listing its accounts and roles: the AWS access portal answered %s", s.Name, code)
	}
	return nil, fmt.Errorf("sso-session %s: listing its accounts and roles: %w", s.Name, err)
}

// writeSSOProfiles merges the profiles into the config file, and says
// what it did.
func writeSSOProfiles(path string, profiles []ssoprofiles.Profile, session, region string, stdout, stderr io.Writer) int {
	const name = "xacct sso profiles"
	w, err := ssoprofiles.Write(path, profiles, session, region, time.Now())
	if err != nil {
		report(stderr, name, err)
		return exitFailure
	}
	for _, k := range w.Kept {
		fmt.Fprintf(stderr, "%s: profile %s is in %s already: left as it is\n", name, k, path)
	}
	said := fmt.Sprintf("added %d %s to %s", len(w.Added), plural(len(w.Added), "profile", "profiles"), path)
	if w.Backup != "" {
		said += " (the file before: " + w.Backup + ")"
	}
	if len(w.Kept) > 0 {
		said += fmt.Sprintf("; %d already there, left as they were", len(w.Kept))
	}
	fmt.Fprintln(stdout, said)
	return 0
}
