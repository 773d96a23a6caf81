package server

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestDocsDescribeTheAPI: every field of the API's requests and answers,
// every route and the reconnection header are in docs/serve.md, the
// contract clients are written against.
func TestDocsDescribeTheAPI(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docs", "serve.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, v := range []any{Request{}, Deadline{}, Clock{}, Created{}, SeatLinks{}, Poll{}, Status{}, SeatStatus{}, PublicResult{}, PublicPhase{}, Problem{}, errorBody{}} {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if !strings.Contains(doc, `"`+name+`"`) && !strings.Contains(doc, "`"+name+"`") {
				t.Errorf("docs/serve.md does not mention %s.%s (%q)", rt.Name(), rt.Field(i).Name, name)
			}
		}
	}
	for _, s := range []string{"POST /api/v1/sessions", "GET /api/v1/sessions/{id}", "GET /seat/{token}/ws?after=N",
		"GET /seat/{token}/messages?after=N&wait=25s", "POST /seat/{token}/action?n=K", HeaderReceived} {
		if !strings.Contains(doc, s) {
			t.Errorf("docs/serve.md does not mention %s", s)
		}
	}
}
