package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parleyhq/parley/tournament"
)

// Records encoded elsewhere with the store's layout, written with
// WriteRemote in overlapping pieces and in any order, make the store a
// local run makes: each session once, the copies dropped. A record that
// fails its checks is refused whole, with ErrRejected.
func TestWriteRemote(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, fmt.Sprintf("seed: 3\nscenarios: [%s]\nnegotiators: [boulware, conceder, linear]\nrepetitions: 30\n", filepath.Join(domainsDir(t), "ANAC2011_Laptop")))
	local, err := Create(filepath.Join(dir, "local.db"), p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	if _, err := tournament.Run(context.Background(), p, local, tournament.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	want, err := scanAll(local)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := NewEncoder(local.Layout())
	if err != nil {
		t.Fatal(err)
	}
	size := enc.RecordSize()
	data := make([]byte, len(want)*size)
	for i := range want {
		if err := enc.Encode(data[i*size:(i+1)*size], &want[i]); err != nil {
			t.Fatal(err)
		}
	}
	remote, err := Create(filepath.Join(dir, "remote.db"), p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer remote.Close()
	done := tournament.NewBitset(p.Total)
	var written uint64
	for _, piece := range [][2]int{{100, 200}, {0, 150}, {150, 170}, {190, 270}, {0, 270}} {
		n, _, err := remote.WriteRemote(uint64(piece[0]), data[piece[0]*size:piece[1]*size], nil, done)
		if err != nil {
			t.Fatal(err)
		}
		written += n
		if err := remote.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	got, err := scanAll(remote)
	if err != nil {
		t.Fatal(err)
	}
	if written != 270 || !reflect.DeepEqual(fmt.Sprint(got), fmt.Sprint(want)) {
		t.Fatalf("%d written; the stores differ", written)
	}
	// An outcome past the end of the space.
	bad := append([]byte(nil), data[:2*size]...)
	bad[size] = 200
	if _, _, err := remote.WriteRemote(0, bad, nil, tournament.NewBitset(p.Total)); !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "session 1: ") {
		t.Errorf("a bad record: %v", err)
	}
	if _, _, err := remote.WriteRemote(269, data[:2*size], nil, done); !errors.Is(err, ErrRejected) {
		t.Errorf("past the end: %v", err)
	}
}

// A failed shard is kept until its sessions are recorded.
func TestShardFailures(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeSpec(t, dir, fmt.Sprintf("seed: 3\nscenarios: [%s]\nnegotiators: [boulware]\nrepetitions: 10\n", filepath.Join(domainsDir(t), "ANAC2011_Laptop")))
	st, err := Create(filepath.Join(dir, "s.db"), p, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if fs, err := st.ShardFailures(); err != nil || len(fs) != 0 {
		t.Fatalf("a new store: %v, %v", fs, err)
	}
	f := tournament.ShardFailure{Shard: tournament.Shard{First: 2, End: 6}, Deliveries: 3, Reason: "worker w1: it broke"}
	if err := st.RecordShardFailure(f); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	done := tournament.NewBitset(p.Total)
	for i := uint64(0); i < 5; i++ {
		done.Set(i)
	}
	if err := st.ClearShardFailures(done); err != nil {
		t.Fatal(err)
	}
	if fs, err := st.ShardFailures(); err != nil || !reflect.DeepEqual(fs, []tournament.ShardFailure{f}) {
		t.Fatalf("kept %+v, %v", fs, err)
	}
	done.Set(5)
	if err := st.ClearShardFailures(done); err != nil {
		t.Fatal(err)
	}
	if fs, err := st.ShardFailures(); err != nil || len(fs) != 0 {
		t.Fatalf("after its sessions were recorded: %+v, %v", fs, err)
	}
}
