package framework

import (
	"context"
	"fmt"
)

// ClientPathProblem says, in one message, why the suite can get no client at
// all from the target, or returns "" when it can: a configured client, a
// registration_endpoint (DCR), or client ID metadata documents the suite can
// serve. Without any of them nearly every spec would SKIP for the same
// reason, so the entry point stops the run with this message instead. It
// also returns "" when discovery found no metadata: the metadata specs then
// report that, which is the more useful finding. Call it after Setup.
func ClientPathProblem(ctx context.Context) string {
	e := current()
	if e.setupErr != nil || e.cfg.Clients.Public != nil || e.cfg.Clients.Confidential != nil {
		return ""
	}
	tg := e.target
	tg.once.Do(func() {
		client := NewHTTPClient(e.transport, e.cfg.Timeout, &Recorder{})
		tg.discovery = discover(context.WithoutCancel(ctx), client, tg.Issuer)
	})
	loc := tg.discovery.Metadata(e.cfg.MCPVersion)
	if loc == nil {
		return ""
	}
	m := &Metadata{Doc: loc.Doc, Location: loc}
	if reg, ok := MemberString(m.Doc, "registration_endpoint"); ok && reg != "" {
		return ""
	}
	if cimdAvailable(m) {
		return ""
	}
	cimd := "it does not advertise client_id_metadata_document_supported"
	if CIMDSupported(m) {
		cimd = "it supports client ID metadata documents, but " + e.cimd.err.Error()
	}
	return fmt.Sprintf("the suite cannot get an OAuth client from %s: its metadata (%s) has no registration_endpoint (RFC 7591), %s, and no client is configured.\n"+
		"Configure a pre-registered client with the loopback redirect URI http://127.0.0.1:PORT/callback: --client-id (and --client-secret for a confidential one), "+
		"or clients.public / clients.confidential in the --config file; or give the suite a public https URL for its client metadata documents (--cimd-base-url).",
		tg.Issuer, loc.URL, cimd)
}
