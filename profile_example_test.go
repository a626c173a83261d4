package xacct_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/xacct/xacct"
)

// exampleProfiles is the config file of the examples.
const exampleProfiles = "testdata/profiles/example/config"

// exampleFiles points xacct at the examples' config file, and at no
// credentials file (~/.aws is not read).
func exampleFiles(o *xacct.Options) {
	o.ConfigFiles, o.CredentialsFiles = []string{exampleProfiles}, []string{}
}

// The credentials of a profile's chain, for a config the program already
// has: jenkins's keys, then CrossAccountRole with its External ID, then
// Deploy, each hop with a cache of its own.
func ExampleFromProfile() {
	srv, cfg := fakeAWS() // cfg: region, endpoint and HTTP client of the fake STS
	defer srv.Close()

	creds, err := xacct.FromProfile(context.Background(), cfg, "deploy", exampleFiles)
	if err != nil {
		log.Fatal(err) // a mistake in the profiles: it names the profile, key and file
	}
	cfg.Credentials = creds
	fmt.Println(whoAmI(cfg))

	_, err = xacct.FromProfile(context.Background(), cfg, "deploy-all-day", exampleFiles)
	fmt.Println(err)
	// Output:
	// arn:aws:sts::333333333333:assumed-role/Deploy/example
	// xacct: profile deploy-all-day, duration_seconds (testdata/profiles/example/config:28): 8h0m0s is above 1h, but this hop is role chaining (its base credentials are temporary: an assumed role or an MFA session), and STS caps role-chaining sessions at one hour (hint: profile deploy-all-day is hop 2, assumed with the credentials of hop 1's session (profile cross): set duration_seconds to 3600 or less, or remove it (the default is 3600))
}

// The whole configuration of a profile: region, endpoints and retries as
// config.LoadDefaultConfig reads them, and xacct's chain as Credentials.
// Here the STS endpoint of the fake comes from a services section added to
// the examples' file.
func ExampleLoadConfig() {
	srv, _ := fakeAWS()
	defer srv.Close()
	files, remove := exampleFilesAt(srv.URL, "ExampleLoadConfig")
	defer remove()

	cfg, err := xacct.LoadConfig(context.Background(), "deploy", files)
	if err != nil {
		log.Fatal(err)
	}
	_, isCache := cfg.Credentials.(*xacct.Cache)
	fmt.Println(cfg.Region, isCache)
	fmt.Println(whoAmI(cfg))
	// Output:
	// us-east-1 true
	// arn:aws:sts::333333333333:assumed-role/Deploy/example
}

// What FromProfile would build, with no network call: `xacct explain`
// prints the same plan.
func ExamplePlanProfile() {
	plan, err := xacct.PlanProfile(context.Background(), "deploy", exampleFiles)
	if err != nil {
		log.Fatal(err)
	}
	b := plan.Base
	fmt.Printf("base: %s of profile %s (%s), line %d\n", b.Kind, b.Profile, b.Detail, b.Line)
	for _, h := range plan.Hops {
		fmt.Printf("hop %d: %s from profile %s, %ds, chaining %v\n", h.Hop, h.RoleARN, h.Profile, h.DurationSeconds, h.Chaining)
	}
	fmt.Println("MFA:", plan.MFA)
	// Output:
	// base: static-keys of profile jenkins (access key …NS01), line 6
	// hop 1: arn:aws:iam::222222222222:role/CrossAccountRole from profile cross, 3600s, chaining false
	// hop 2: arn:aws:iam::333333333333:role/ci/Deploy from profile deploy, 3600s, chaining true
	// MFA: none: no profile of the chain has mfa_serial
}

// A program that shows the plan before it uses it (as `xacct explain`
// shows it, or to check it) builds the chain of that very plan: Config
// reads the files no more, so what was shown is what runs.
func ExampleProfilePlan_Config() {
	srv, _ := fakeAWS()
	defer srv.Close()
	files, remove := exampleFilesAt(srv.URL, "ExampleProfilePlan_Config")
	defer remove()

	plan, err := xacct.PlanProfile(context.Background(), "deploy", files)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d hops on %s; MFA: %s\n", len(plan.Hops), plan.Base.Kind, plan.MFA)
	cfg, err := plan.Config(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(whoAmI(cfg))
	// Output:
	// 2 hops on static-keys; MFA: none: no profile of the chain has mfa_serial
	// arn:aws:sts::333333333333:assumed-role/Deploy/example
}

// exampleFilesAt writes the examples' config file with the STS endpoint of
// the fake at url, in a file named for the example, and points xacct at it;
// remove deletes it.
func exampleFilesAt(url, name string) (files func(*xacct.Options), remove func()) {
	text, err := os.ReadFile(exampleProfiles)
	if err != nil {
		log.Fatal(err)
	}
	text = append(text, "\n[profile deploy]\nservices = fake\n[services fake]\nsts =\n  endpoint_url = "+url+"\n"...)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("xacct-%s-%d", name, os.Getpid()))
	if err := os.WriteFile(path, text, 0o600); err != nil {
		log.Fatal(err)
	}
	return func(o *xacct.Options) {
		o.ConfigFiles, o.CredentialsFiles = []string{path}, []string{}
	}, func() { os.Remove(path) }
}
