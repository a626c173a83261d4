// Prints the ARN that GetCallerIdentity gives the SDK's default credential
// chain, as one JSON line: {"ARN": ...} or {"Code": ...}. Run by
// endpoint_test.go as the child of xacct exec --server, whose endpoint the
// chain must reach past a [default] profile.
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

try {
  const out = await new STSClient({ maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
  console.log(JSON.stringify({ ARN: out.Arn }));
} catch (e) {
  console.log(JSON.stringify({ Code: e.Code || e.name || String(e), Message: e.message }));
}
