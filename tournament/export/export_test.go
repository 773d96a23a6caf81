package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/internal/shared"

	"github.com/parquet-go/parquet-go"

	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario/open"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/tournament"
	"github.com/parleyhq/parley/tournament/store"
)

// domainsDir returns ../shared/domains, or skips.
func domainsDir(tb testing.TB) string { return shared.Dir(tb, "domains") }

var errFull = errors.New("no space left on device")

// failing is a writer that fails once left bytes are written.
type failing struct{ left int }

func (f *failing) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n := f.left
		f.left = 0
		return n, errFull
	}
	f.left -= len(p)
	return len(p), nil
}

func TestFormatsAgree(t *testing.T) {
	d := domainsDir(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "s.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf("seed: 2\nscenarios: [%s, %s]\nnegotiators: [boulware, conceder]\nrepetitions: 3\n",
		filepath.Join(d, "ANAC2011_Laptop"), filepath.Join(d, "ANAC2015_Tram"))), 0o644)
	s, err := tournament.LoadSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tournament.NewPlan(s)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "t.db")
	st, err := store.Create(db, p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tournament.Run(context.Background(), p, st, tournament.Options{}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ex := New(st.Canonical)

	var js bytes.Buffer
	if err := ex.JSONLines(&js, st.Scan); err != nil {
		t.Fatal(err)
	}
	var rows []Row
	sc := bufio.NewScanner(&js)
	for sc.Scan() {
		var r Row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	if uint64(len(rows)) != p.Total {
		t.Fatalf("%d JSON lines, want %d", len(rows), p.Total)
	}
	// Tram has 3 parties; Laptop 2.
	if last := rows[len(rows)-1]; len(last.Parties) != 3 || last.Parties[2].Negotiator != "conceder" {
		t.Errorf("last row %+v", last)
	}

	var cs bytes.Buffer
	if err := ex.CSV(&cs, st.Scan); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&cs).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// 17 columns, 4 per seat of the largest scenario, then the agreement
	// and the failure's seat, cause and message.
	if len(recs) != len(rows)+1 || len(recs[0]) != 17+3*4+4 || recs[0][29] != "agreement" || recs[0][32] != "failure_message" {
		t.Fatalf("CSV: %d lines of %d columns", len(recs), len(recs[0]))
	}
	if recs[1][7] != rows[0].Status || rows[0].Status != "agreed" && rows[0].Status != "no_agreement" ||
		recs[1][17] != rows[0].Parties[0].Party || recs[1][19] != fmt.Sprint(rows[0].Parties[0].Utility) || recs[1][21] != rows[0].Parties[1].Party {
		t.Errorf("CSV line 1 %v disagrees with %+v", recs[1], rows[0])
	}

	// Every format returns its writer's error, wherever it fails.
	for _, after := range []int{0, 100, 4000} {
		for name, write := range map[string]func(io.Writer, Scan) error{"csv": ex.CSV, "jsonl": ex.JSONLines, "parquet": ex.Parquet} {
			if err := write(&failing{left: after}, st.Scan); !errors.Is(err, errFull) {
				t.Errorf("%s failing after %d bytes: %v", name, after, err)
			}
		}
	}

	// Every agreement, in both formats, names its values as a session's
	// result does: replayed alone, each session gives the same.
	for i, r := range rows {
		if (r.Agreement != nil) != r.Agreed {
			t.Fatalf("row %d: agreed %v, agreement %v", i, r.Agreed, r.Agreement)
		}
		if rec := recs[i+1][29]; (rec != "") != r.Agreed {
			t.Fatalf("CSV line %d: agreement %q, agreed %v", i+1, rec, r.Agreed)
		} else if r.Agreed {
			var m map[string]string
			if err := json.Unmarshal([]byte(rec), &m); err != nil || !maps.Equal(m, r.Agreement) {
				t.Fatalf("CSV line %d: agreement %s, JSON %v (%v)", i+1, rec, r.Agreement, err)
			}
		}
		if i%4 != 0 {
			continue // a sample is enough
		}
		sc, err := open.Path(filepath.Join(d, r.Name))
		if err != nil {
			t.Fatal(err)
		}
		var negs []string
		for _, pa := range r.Parties {
			negs = append(negs, pa.Negotiator)
		}
		res, err := session.Run(session.Config{Scenario: sc, Negotiators: negs, Deadline: protocol.Deadline{Rounds: 100}, Seed: r.Seed})
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(res.Agreement, r.Agreement) || res.Agreed != r.Agreed {
			t.Errorf("session %d: exported agreement %v, replayed alone %v", r.Session, r.Agreement, res.Agreement)
		}
	}
	if !rows[0].Agreed || len(rows[0].Agreement) != 3 {
		t.Errorf("the first Laptop session should agree on its 3 issues: %+v", rows[0])
	}

	var pq bytes.Buffer
	if err := ex.Parquet(&pq, st.Scan); err != nil {
		t.Fatal(err)
	}
	back, err := parquet.Read[Row](bytes.NewReader(pq.Bytes()), int64(pq.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(rows) {
		t.Fatalf("parquet: %d rows, want %d", len(back), len(rows))
	}
	for i := range rows {
		a, _ := json.Marshal(rows[i])
		b, _ := json.Marshal(back[i])
		if !bytes.Equal(a, b) {
			t.Fatalf("row %d: parquet %s, JSON %s", i, b, a)
		}
	}
}
