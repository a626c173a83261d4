package xaccttest

import (
	"encoding/xml"
	"net/http"
	"time"
)

const xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type credentialsElem struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

func credentialsXML(key string, id *identity) credentialsElem {
	return credentialsElem{AccessKeyID: key, SecretAccessKey: id.secret, SessionToken: id.token,
		Expiration: id.expires.UTC().Format(time.RFC3339)}
}

type assumeRoleResponse struct {
	XMLName xml.Name `xml:"AssumeRoleResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		SourceIdentity   string              `xml:"SourceIdentity,omitempty"`
		AssumedRoleUser  assumedRoleUserElem `xml:"AssumedRoleUser"`
		Credentials      credentialsElem     `xml:"Credentials"`
		PackedPolicySize *int                `xml:"PackedPolicySize,omitempty"`
	} `xml:"AssumeRoleResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

// assumedRoleUserElem is the session's user in both AssumeRole answers.
type assumedRoleUserElem struct {
	ARN string `xml:"Arn"`
	ID  string `xml:"AssumedRoleId"`
}

type assumeRoleWithWebIdentityResponse struct {
	XMLName xml.Name `xml:"AssumeRoleWithWebIdentityResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		Audience                    string              `xml:"Audience"`
		SubjectFromWebIdentityToken string              `xml:"SubjectFromWebIdentityToken"`
		AssumedRoleUser             assumedRoleUserElem `xml:"AssumedRoleUser"`
		Credentials                 credentialsElem     `xml:"Credentials"`
		Provider                    string              `xml:"Provider"`
		PackedPolicySize            *int                `xml:"PackedPolicySize,omitempty"`
	} `xml:"AssumeRoleWithWebIdentityResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type getSessionTokenResponse struct {
	XMLName xml.Name `xml:"GetSessionTokenResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		Credentials credentialsElem `xml:"Credentials"`
	} `xml:"GetSessionTokenResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type getCallerIdentityResponse struct {
	XMLName xml.Name `xml:"GetCallerIdentityResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		ARN     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

func withRequestID(resp any, id string) any {
	switch r := resp.(type) {
	case *assumeRoleResponse:
		r.Xmlns, r.Metadata.RequestID = xmlns, id
	case *assumeRoleWithWebIdentityResponse:
		r.Xmlns, r.Metadata.RequestID = xmlns, id
	case *getSessionTokenResponse:
		r.Xmlns, r.Metadata.RequestID = xmlns, id
	case *getCallerIdentityResponse:
		r.Xmlns, r.Metadata.RequestID = xmlns, id
	case *getFederationTokenResponse:
		r.Metadata.RequestID = id
	}
	return resp
}

func writeError(w http.ResponseWriter, e *apiError, reqID string) {
	var r errorResponse
	r.Xmlns, r.RequestID = xmlns, reqID
	r.Error.Type = "Sender"
	if !e.sender() {
		r.Error.Type = "Receiver"
	}
	r.Error.Code, r.Error.Message = e.code, e.message
	writeXML(w, e.status, &r, reqID)
}

func writeXML(w http.ResponseWriter, status int, v any, reqID string) {
	b, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, "xaccttest: encoding the answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-RequestId", reqID)
	w.WriteHeader(status)
	w.Write([]byte(xml.Header))
	w.Write(b)
}
