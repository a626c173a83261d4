// Package sharedini finds and reads the AWS shared config and credentials
// files (~/.aws/config, ~/.aws/credentials) for xacct's profiles: which
// files a chain is read from, reading them bounded and without blocking,
// and an index of where each key of each profile is written, for errors
// that say "key K of profile P, in file F at line N".
//
// The AWS SDK parses the files and xacct takes every value from it; this
// package reads the same files with the same section and key rules only
// to locate keys, to follow source_profile names when the SDK has refused
// a chain, and to refuse a file the SDK would block on.
package sharedini

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
)

// Files are the shared files that a chain is read from, in order: later
// files win over earlier ones, and the credentials files over the config
// files, as in the SDK.
type Files struct {
	Config, Credentials []string
}

// Find picks the files: configFiles and credentialsFiles when not nil
// (Options.ConfigFiles and CredentialsFiles), else the environment's
// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else the SDK's defaults
// in the home directory.
func Find(configFiles, credentialsFiles []string, env config.EnvConfig) Files {
	return Files{
		Config:      pick(configFiles, env.SharedConfigFile, config.DefaultSharedConfigFilename),
		Credentials: pick(credentialsFiles, env.SharedCredentialsFile, config.DefaultSharedCredentialsFilename),
	}
}

// Describe names the files for messages: "a or b or c".
func (f Files) Describe() string {
	return strings.Join(append(append([]string(nil), f.Config...), f.Credentials...), " or ")
}

// pick is the files given, else the one file the environment names, else
// the default.
func pick(given []string, fromEnv string, def func() string) []string {
	switch {
	case given != nil:
		return given
	case fromEnv != "":
		return []string{fromEnv}
	}
	return []string{def()}
}
