// Prints what GetCallerIdentity says for the profile of AWS_PROFILE, as
// one JSON line: {"ARN": ...} or {"Code": <STS error code>}. The
// credentials come from fromIni, which follows the profile's chain; an MFA
// code comes from XACCT_MFA_CODE. profiles_interop_test.go runs it.
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { fromIni } from "@aws-sdk/credential-providers";

const profile = process.env.AWS_PROFILE;
const credentials = fromIni({
  profile,
  mfaCodeProvider: async () => process.env.XACCT_MFA_CODE,
});
try {
  const out = await new STSClient({ credentials, maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
  console.log(JSON.stringify({ ARN: out.Arn }));
} catch (e) {
  console.log(JSON.stringify({ Code: e.Code || e.name || String(e) }));
}
