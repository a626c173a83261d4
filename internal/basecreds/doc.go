// Package basecreds holds the credential providers that xacct runs for a
// profile's base where the AWS SDK's own provider is not enough: a
// credential_process run as a process tree, a web identity session keyed
// by the token it presents, and the container credentials endpoint with
// the SDK's rules on its address. It also reads, bounded, the small files
// that other programs write for them (ReadRegular).
//
// The providers know nothing of profiles: their errors say what failed
// and leave it to the caller to say which profile and key were at fault.
package basecreds
