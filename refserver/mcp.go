package refserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
)

// A minimal MCP server over the Streamable HTTP transport (MCP "Transports"),
// enough for a real MCP client to connect, list the tools and call one:
// initialize (which opens a session), notifications, ping, tools/list and
// tools/call of the one tool, echo. Answers are application/json; GET (the
// optional server-to-client stream) is 405, which the transport allows.

const (
	headerSessionID  = "Mcp-Session-Id"
	maxMCPBody       = 64 << 10
	maxMCPSessions   = 10000
	latestMCPVersion = "2025-11-25"
)

// mcpVersions are the protocol versions initialize agrees to.
var mcpVersions = []string{"2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"}

// mcpSession is an MCP session (MCP "Session Management"). It is bound to
// the user whose token opened it (MCPSBP "Session Hijacking"), and never
// stands in for a token.
type mcpSession struct {
	subject string
}

// mcpSessions holds the open sessions; safe for concurrent use.
type mcpSessions struct {
	mu   sync.Mutex
	byID map[string]mcpSession
	next int // only for the session-id-sequential fault
}

func newMCPSessions() *mcpSessions { return &mcpSessions{byID: map[string]mcpSession{}} }

// open starts a session for subject and returns its ID: 256 random bits, or
// with the fault a counter.
func (m *mcpSessions) open(subject string, sequential bool) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.byID) >= maxMCPSessions {
		// Bounded memory: forget an arbitrary session (its client
		// re-initializes after a 404, as the transport specifies).
		for old := range m.byID {
			delete(m.byID, old)
			break
		}
	}
	id := randomToken()
	if sequential {
		m.next++
		id = fmt.Sprintf("session-%d", m.next)
	}
	m.byID[id] = mcpSession{subject: subject}
	return id
}

func (m *mcpSessions) lookup(id string) (mcpSession, bool) {
	if id == "" {
		return mcpSession{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.byID[id]
	return s, ok
}

func (m *mcpSessions) close(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.byID, id)
}

// rpcRequest is a JSON-RPC 2.0 request or notification.
type rpcRequest struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// JSON-RPC 2.0 error codes.
const (
	rpcParseError     = -32700
	rpcInvalidRequest = -32600
	rpcMethodNotFound = -32601
	rpcInvalidParams  = -32602
)

func writeRPC(w http.ResponseWriter, status int, id json.RawMessage, result any, rerr *rpcError) {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	body := map[string]any{"jsonrpc": "2.0", "id": id}
	if rerr != nil {
		body["error"] = rerr
	} else {
		body["result"] = result
	}
	writeJSON(w, status, body)
}

// serveMCP answers an authenticated MCP request.
func (s *Server) serveMCP(w http.ResponseWriter, r *http.Request, resource string, grant *accessGrant) {
	sessionID := r.Header.Get(headerSessionID)
	if sessionID != "" {
		// A session belongs to the user who opened it; any other is unknown.
		if sess, ok := s.mcpSessions.lookup(sessionID); !ok || sess.subject != grant.Subject {
			http.Error(w, "unknown MCP session", http.StatusNotFound)
			return
		}
	}
	switch r.Method {
	case http.MethodPost:
	case http.MethodDelete:
		if sessionID == "" {
			http.Error(w, "no MCP session named", http.StatusBadRequest)
			return
		}
		s.mcpSessions.close(sessionID)
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", "POST, DELETE")
		http.Error(w, "this MCP endpoint offers no server-to-client stream", http.StatusMethodNotAllowed)
		return
	}
	body, err := readLimited(w, r, maxMCPBody)
	if err != nil {
		writeRPC(w, http.StatusBadRequest, nil, nil, &rpcError{rpcParseError, "the request body could not be read"})
		return
	}
	var req rpcRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeRPC(w, http.StatusBadRequest, nil, nil, &rpcError{rpcParseError, "the body is not a JSON-RPC request"})
		return
	}
	if req.JSONRPC != "2.0" || req.Method == "" {
		writeRPC(w, http.StatusBadRequest, req.ID, nil, &rpcError{rpcInvalidRequest, "not a JSON-RPC 2.0 request"})
		return
	}
	if len(req.ID) == 0 || bytes.Equal(req.ID, []byte("null")) {
		// A notification or a response: accepted, nothing to answer.
		w.WriteHeader(http.StatusAccepted)
		return
	}
	result, rerr := s.mcpMethod(w, req, grant)
	writeRPC(w, http.StatusOK, req.ID, result, rerr)
}

// mcpMethod runs one MCP request.
func (s *Server) mcpMethod(w http.ResponseWriter, req rpcRequest, grant *accessGrant) (any, *rpcError) {
	switch req.Method {
	case "initialize":
		var p struct {
			ProtocolVersion string `json:"protocolVersion"`
		}
		_ = json.Unmarshal(req.Params, &p)
		version := latestMCPVersion
		for _, v := range mcpVersions {
			if v == p.ProtocolVersion {
				version = v
			}
		}
		w.Header().Set(headerSessionID, s.mcpSessions.open(grant.Subject, s.faults[faultSessionIDSequential]))
		return map[string]any{
			"protocolVersion": version,
			"capabilities":    map[string]any{"tools": map[string]any{}},
			"serverInfo":      map[string]any{"name": "refserver", "version": "1"},
		}, nil
	case "ping":
		return map[string]any{}, nil
	case "tools/list":
		return map[string]any{"tools": []any{map[string]any{
			"name":        "echo",
			"description": "Returns its text argument, and who called it.",
			"inputSchema": map[string]any{
				"type":       "object",
				"properties": map[string]any{"text": map[string]any{"type": "string"}},
			},
		}}}, nil
	case "tools/call":
		var p struct {
			Name      string `json:"name"`
			Arguments struct {
				Text string `json:"text"`
			} `json:"arguments"`
		}
		if err := json.Unmarshal(req.Params, &p); err != nil || p.Name != "echo" {
			return nil, &rpcError{rpcInvalidParams, "unknown tool; this server has the tool echo"}
		}
		return map[string]any{"content": []any{map[string]any{
			"type": "text", "text": fmt.Sprintf("%s (for %s)", p.Arguments.Text, grant.Subject),
		}}}, nil
	}
	return nil, &rpcError{rpcMethodNotFound, "method not found: " + req.Method}
}

func readLimited(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	return b.Bytes(), err
}
