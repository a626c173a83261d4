package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/filestore"
)

func init() {
	register(command{
		name:     "cache",
		summary:  "show or remove what the credential store keeps: list [--output table|json] | clear [--profile P]",
		run:      runCache,
		children: []string{"list", "clear"},
	})
}

const cacheUsage = `usage: xacct cache list [--cache-dir D] [PROFILE | --profile P] [--output table|json]
       xacct cache clear [PROFILE | --profile P] [--cache-dir D]

The credential store keeps, for every xacct process of the user, the
sessions of each hop and MFA session: one JSON file per entry, mode 0600,
in a directory only the user may write (--cache-dir; default: xacct in the
user's cache directory). It holds the credentials in plain text, as the
AWS CLI's own cache does.

list shows each entry: its key (the file name), kind (assume-role, sso-role,
mfa-session), role ARN or MFA serial, and expiry; never a secret. With
--profile, only the entries of that profile's chain; with --output json (or --json), one JSON
object per line, for scripts. Files it cannot read are named on stderr.

clear removes every entry, or with --profile those of the profile's chain:
its processes then fetch anew (and ask for an MFA code). Files of other
names in the directory are never touched.

Both remove the temporary files that writers killed while saving left
behind (they hold credentials; every xacct process that opens the store
does), never those of saves still running, and count them.

Exit status: 0 success; 1 the store could not be read or written, or
stdout could not be; 2 bad usage or configuration, or no store directory
that can be used (it names the directory and why).

`

func runCache(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "list":
			return runCacheList(ctx, args[1:], stdout, stderr)
		case "clear":
			return runCacheClear(ctx, args[1:], stdout, stderr)
		case "-h", "-help", "--help":
			fmt.Fprint(stdout, cacheUsage) // as every command's -h
			return 0
		}
		fmt.Fprintf(stderr, "xacct cache: unknown subcommand %q: list or clear\n\n", args[0])
	}
	fmt.Fprint(stderr, cacheUsage)
	return exitConfig
}

// cacheEntry is the JSON line of `cache list --json`: no secret.
type cacheEntry struct {
	Key     string `json:"key"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`              // the role ARN or MFA serial
	Expires string `json:"expires,omitempty"` // RFC 3339, UTC; absent when they never expire
	Expired bool   `json:"expired"`
	Fetched string `json:"fetched"` // RFC 3339, UTC
}

func runCacheList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "xacct cache list"
	var f profileFlags
	fs := newFlagSet(name, stderr, cacheUsage)
	f.addCacheDir(fs)
	f.addProfile(fs)
	output := addOutput(fs, true, "one JSON object per entry and line, for scripts")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	asJSON, err := output.asJSON()
	if err != nil {
		report(stderr, name, err)
		return exitConfig
	}
	// What List left out, found among all of the store's files, before
	// the entries are narrowed to --profile's chain.
	_, only, entries, skipped, removed, saving, code := openContents(ctx, fs, &f, stderr, name)
	if code != 0 {
		return code
	}
	if only != nil {
		entries = slices.DeleteFunc(entries, func(sc *xacct.StoredCredentials) bool { return !slices.Contains(only, sc.Key) })
		maps.DeleteFunc(skipped, func(k string, _ error) bool { return !slices.Contains(only, k) })
	}
	for _, k := range slices.Sorted(maps.Keys(skipped)) {
		fmt.Fprintf(stderr, "%s: skipped: %v\n", name, skipped[k]) // words made to follow a tool's name
	}
	if removed+saving > 0 {
		fmt.Fprintf(stderr, "%s: %s\n", name, tempFiles(removed, saving))
	}
	slices.SortStableFunc(entries, func(a, b *xacct.StoredCredentials) int { return strings.Compare(a.Name, b.Name) })
	now := time.Now()
	out := &stdoutWriter{w: stdout}
	if asJSON {
		enc := json.NewEncoder(out)
		for _, sc := range entries {
			e := cacheEntry{Key: sc.Key, Kind: sc.Kind, Name: sc.Name, Fetched: sc.Fetched.UTC().Format(time.RFC3339)}
			if c := sc.Credentials; c.CanExpire {
				e.Expires, e.Expired = c.Expires.UTC().Format(time.RFC3339), !c.Expires.After(now)
			}
			enc.Encode(e) // strings and a bool always encode: only writing can fail
		}
		return stdoutFailed(stderr, name, out)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tKIND\tNAME\tEXPIRY")
	for _, sc := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", sc.Key[:12], sc.Kind, sc.Name,
			expiryText(sc.Credentials.CanExpire, sc.Credentials.Expires, now))
	}
	tw.Flush()
	return stdoutFailed(stderr, name, out)
}

// openContents opens the store of a cache command (openCache) and reads
// it (storeContents); a failure is reported, and its exit status is code.
func openContents(ctx context.Context, fs *flag.FlagSet, f *profileFlags, stderr io.Writer, name string) (
	store *cacheDir, keys []string, entries []*xacct.StoredCredentials, skipped map[string]error, removed, saving, code int) {
	store, keys, err := openCache(ctx, fs, f, stderr, name)
	if err != nil {
		report(stderr, name, err)
		return nil, nil, nil, nil, 0, 0, exitCodeOf(ctx, err, nil)
	}
	entries, skipped, removed, saving, err = storeContents(ctx, store)
	if err != nil {
		report(stderr, name, err)
		return nil, nil, nil, nil, 0, 0, exitFailure
	}
	return store, keys, entries, skipped, removed, saving, 0
}

// storeContents returns the store's entries, the files of entries that
// List left out (by key, with why), and the counts of temporary files
// removed and of saves under way.
func storeContents(ctx context.Context, store *cacheDir) (entries []*xacct.StoredCredentials,
	skipped map[string]error, removed, saving int, err error) {
	if entries, err = store.List(ctx); err != nil {
		return nil, nil, 0, 0, err
	}
	skipped, removed, saving, err = store.files.Skipped()
	return entries, skipped, removed, saving, err
}

func runCacheClear(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "xacct cache clear"
	var f profileFlags
	fs := newFlagSet(name, stderr, cacheUsage)
	f.addProfile(fs)
	f.addCacheDir(fs)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	// Files of ours that cannot be read (damaged, refused) go too: they
	// may hold part of a secret, and the name is the store's.
	store, keys, entries, skipped, removed, saving, code := openContents(ctx, fs, &f, stderr, name)
	if code != 0 {
		return code
	}
	present := slices.Collect(maps.Keys(skipped))
	for _, sc := range entries {
		present = append(present, sc.Key)
	}
	what := "profile " + f.profile + "'s chain"
	if keys == nil {
		what, keys = "the store", present
	}
	n, err := removeKeys(ctx, store.Delete, keys, func(k string) bool { return slices.Contains(present, k) })
	if err != nil {
		report(stderr, name, err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "removed %d %s of %s from %s\n", n, plural(n, "entry", "entries"), what, store.Dir())
	if removed+saving > 0 {
		fmt.Fprintln(stdout, tempFiles(removed, saving))
	}
	return 0
}

// tempFiles says what became of the temporary files of saves
// (filestore.Store.Skipped): removed, of writers killed while saving; saving,
// of saves still running.
func tempFiles(removed, saving int) string {
	return fmt.Sprintf("temporary files of saves: removed %d that writers killed while saving left behind "+
		"(they held credentials); left %d of saves still running", removed, saving)
}

// openCache opens the store of the flags and, with --profile, returns the
// keys of the profile's chain (building it makes no network call); nil
// keys without --profile.
func openCache(ctx context.Context, fs *flag.FlagSet, f *profileFlags, stderr io.Writer, name string) (*cacheDir, []string, error) {
	if err := unexpectedArgs(fs); err != nil {
		return nil, nil, err
	}
	if f.profile != "" {
		followWrapper(ctx, stderr, name, f)
	}
	// The files first (their owner, internal/filestore, counts what its
	// sweep removes), then the library's Store over them.
	files, err := filestore.Open(f.cacheDir)
	if err != nil {
		return nil, nil, storeUnavailable(err)
	}
	store, err := xacct.NewFileStore(files.Dir())
	if err != nil {
		return nil, nil, storeUnavailable(err)
	}
	dir := &cacheDir{FileStore: store, files: files}
	if f.profile == "" {
		return dir, nil, nil
	}
	cfg, err := xacct.LoadConfig(ctx, f.profile, func(o *xacct.Options) { o.Store = store })
	if err != nil {
		return nil, nil, &exitError{code: exitConfig, err: err}
	}
	keys, err := cfg.Credentials.(*xacct.Cache).StoreKeys(ctx)
	if err != nil {
		return nil, nil, &exitError{code: exitConfig, err: err}
	}
	if keys == nil {
		keys = []string{} // a profile whose chain keeps nothing: none, not all
	}
	return dir, keys, nil
}

// cacheDir is the store of the cache commands: the library's Store, and
// the files it keeps, for what List leaves out.
type cacheDir struct {
	*xacct.FileStore
	files *filestore.Store
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// removeKeys deletes the entries of keys that present says are there, and
// returns how many it deleted; the first failure ends it.
func removeKeys(ctx context.Context, del func(context.Context, string) error, keys []string,
	present func(key string) bool) (int, error) {
	n := 0
	for _, k := range keys {
		if !present(k) {
			continue // not there: nothing to remove
		}
		if err := del(ctx, k); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
