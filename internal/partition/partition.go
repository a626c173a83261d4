// Package partition tells the AWS partition of a region: ARNs, sign-in
// hosts and STS's allow-lists differ between aws, aws-cn, aws-us-gov and
// the isolated partitions.
package partition

import "strings"

// Of returns the partition of an AWS region, by the prefixes of
// AWS's region names: role ARNs in China or GovCloud name their partition.
func Of(region string) string {
	for _, p := range []struct{ prefix, partition string }{
		{"cn-", "aws-cn"},
		{"us-gov-", "aws-us-gov"},
		{"us-isob-", "aws-iso-b"},
		{"us-isof-", "aws-iso-f"},
		{"us-iso-", "aws-iso"},
		{"eu-isoe-", "aws-iso-e"},
		{"eusc-", "aws-eusc"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}
