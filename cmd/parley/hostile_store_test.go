//go:build linux

package main

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The tournament store's attacks (issue 14, items 9 and 14), in the
// hostile suite: a store whose records were changed on disk, and a
// healthy store on a read-only file system.
func init() {
	hostileAttacks = append(hostileAttacks,
		attack{name: "9 tournament report: bytes flipped inside a row of records", code: 1, want: []string{"damaged row of results", "--rerun-damaged"},
			setup: func(t *testing.T, dir string) []string { return []string{"tournament", "report", damagedStore(t, dir)} }},
		attack{name: "9 tournament export: the same store", code: 1, want: []string{"damaged row of results", "--rerun-damaged"},
			setup: func(t *testing.T, dir string) []string { return []string{"tournament", "export", damagedStore(t, dir)} }},
		attack{name: "9 tournament: resuming the same store", code: 1, want: []string{"damaged row of results", "--rerun-damaged"},
			setup: func(t *testing.T, dir string) []string {
				db := damagedStore(t, dir)
				return []string{"tournament", filepath.Join(dir, "spec.yaml"), "--db", db}
			}},
		attack{name: "14 tournament: resuming a healthy store on a read-only file system", code: 1,
			want: []string{"read-only file system", "report and export can read it"}, not: []string{"damaged"}, readOnly: true,
			setup: func(t *testing.T, dir string) []string {
				return []string{"tournament", filepath.Join(dir, "spec.yaml"), "--db", healthyStore(t, dir)}
			}},
		attack{name: "14 tournament report: a healthy store on a read-only file system", code: 0, want: []string{"boulware"}, readOnly: true,
			setup: func(t *testing.T, dir string) []string { return []string{"tournament", "report", healthyStore(t, dir)} }},
	)
}

// healthyStore runs a small tournament into dir/t.db.
func healthyStore(t *testing.T, dir string) string {
	t.Helper()
	writeFile(t, dir, "s.yaml", smallScenario)
	spec := writeFile(t, dir, "spec.yaml", specBase+"repetitions: 100\n")
	db := filepath.Join(dir, "t.db")
	if code, _, errs := runCLI("tournament", spec, "--db", db, "-q"); code != 0 {
		t.Fatalf("the store to attack: exit %d: %s", code, errs)
	}
	return db
}

// damagedStore is healthyStore with one bit flipped inside its first row
// of records.
func damagedStore(t *testing.T, dir string) string {
	t.Helper()
	db := healthyStore(t, dir)
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	var data []byte
	err = conn.QueryRow("SELECT data FROM runs ORDER BY first LIMIT 1").Scan(&data)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(file, data)
	if at < 0 {
		t.Fatal("the row's records are not in the file")
	}
	file[at+len(data)/2] ^= 0x10
	if err := os.WriteFile(db, file, 0o644); err != nil {
		t.Fatal(err)
	}
	return db
}

// readOnlyMount makes dir a read-only file system in this process's own
// mount namespace (the suite starts the process in new user and mount
// namespaces: no privileges needed, and root's writes are refused too).
func readOnlyMount(dir string) error {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return err
	}
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		return err
	}
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "probe"), nil, 0o644); !errors.Is(err, syscall.EROFS) {
		return errors.New(dir + " is not read-only")
	}
	return nil
}
